/* Tokens, the syntax check and word expansion.
 *
 *   list      = pipeline { (";" | "&" | "&&" | "||") pipeline } [";" | "&"]
 *   pipeline  = command { "|" command }
 *   command   = { WORD | REDIRECT WORD }+
 *
 * A newline ends a list like ";", except after an operator, where it is
 * only white space (so `sh -c` can continue a pipeline on the next line). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

static void add_token(struct tokens* t, struct token token) {
    if (t->count == t->capacity) {
        t->capacity = t->capacity ? 2 * t->capacity : 16;
        t->v = xrealloc(t->v, t->capacity * sizeof(*t->v));
    }
    t->v[t->count++] = token;
}

void free_tokens(struct tokens* t) {
    for (int i = 0; i < t->count; i++) free(t->v[i].text);
    free(t->v);
    *t = (struct tokens){0};
}

/* [n]< [n]> [n]>> [n]<& [n]>& at p: fills t and returns what follows, or
   NULL if there is none. The number must touch the operator (`2>f`). */
static const char* scan_redirect(const char* p, struct token* t) {
    int fd = -1;
    if (isdigit((unsigned char)p[0]) && (p[1] == '<' || p[1] == '>')) fd = *p++ - '0';
    if (*p != '<' && *p != '>') return NULL;
    t->kind = REDIRECT;
    t->fd = fd >= 0 ? fd : *p == '<' ? 0 : 1;
    if (p[1] == '&') {
        t->redirect = DUP_FD;
        return p + 2;
    }
    if (p[0] == '>' && p[1] == '>') {
        t->redirect = APPEND_TO_FILE;
        return p + 2;
    }
    t->redirect = *p == '<' ? FROM_FILE : TO_FILE;
    return p + 1;
}

static int ends_word(char c) {
    return c == '\0' || strchr(" \t\r\n|&;<>", c) != NULL;
}

/* The end of the word at p, quotes included; NULL if a quote is not closed. */
static const char* scan_word(const char* p) {
    while (!ends_word(*p)) {
        if (*p == '\\' && p[1]) {
            p += 2;
        } else if (*p == '\'') {
            p = strchr(p + 1, '\'');
            if (!p) return NULL;
            p++;
        } else if (*p == '"') {
            for (p++; *p != '"'; p++) {
                if (!*p) return NULL;
                if (*p == '\\' && p[1]) p++;
            }
            p++;
        } else {
            p++;
        }
    }
    return p;
}

static int tokenize(const char* p, struct tokens* out) {
    for (;;) {
        p += strspn(p, " \t\r");
        if (*p == '#') p += strcspn(p, "\n"); /* a comment, up to the end of its line */
        if (!*p) return 0;
        const char* start = p;
        struct token t = {0};
        if (*p == '\n') {
            p++;
            if (!out->count || out->v[out->count - 1].kind != WORD) continue;
            t.kind = SEMICOLON;
        } else if (*p == ';') {
            p++;
            t.kind = SEMICOLON;
        } else if (*p == '|' || *p == '&') {
            int doubled = p[1] == p[0];
            t.kind = *p == '|' ? (doubled ? OR : PIPE) : (doubled ? AND : AMPERSAND);
            p += 1 + doubled;
        } else if (!(p = scan_redirect(start, &t))) {
            t.kind = WORD;
            p = scan_word(start);
            if (!p) {
                error("syntax error: unterminated quote");
                return -1;
            }
        }
        t.text = xstrndup(start, (size_t)(p - start));
        add_token(out, t);
    }
}

static int check_syntax(const struct tokens* t) {
    int items = 0; /* words and redirections in the command so far */
    for (int i = 0; i < t->count; i++) {
        switch (t->v[i].kind) {
        case WORD:
            items++;
            break;
        case REDIRECT:
            if (i + 1 == t->count || t->v[i + 1].kind != WORD) {
                const char* next = i + 1 < t->count ? t->v[i + 1].text : "newline";
                error("syntax error: %s needs a file name, not `%s'", t->v[i].text, next);
                return -1;
            }
            items++;
            i++;
            break;
        default: /* an operator: there must be a command before it */
            if (!items) {
                error("syntax error near `%s'", t->v[i].text);
                return -1;
            }
            items = 0;
        }
    }
    enum token_kind last = t->count ? t->v[t->count - 1].kind : SEMICOLON;
    if (last == PIPE || last == AND || last == OR) {
        error("syntax error: `%s' at the end of the line", t->v[t->count - 1].text);
        return -1;
    }
    return 0;
}

int parse(const char* line, struct tokens* out) {
    if (tokenize(line, out) < 0 || check_syntax(out) < 0) {
        free_tokens(out);
        return -1;
    }
    return 0;
}

/* ---- expansion */

struct text {
    char* s;
    size_t length, capacity;
};

static void append(struct text* b, const char* s, size_t n) {
    if (b->length + n + 1 > b->capacity) {
        b->capacity = (b->length + n + 1) * 2;
        b->s = xrealloc(b->s, b->capacity);
    }
    memcpy(b->s + b->length, s, n);
    b->length += n;
    b->s[b->length] = '\0';
}

size_t assignment_name_length(const char* word) {
    if (!isalpha((unsigned char)*word) && *word != '_') return 0;
    size_t n = 1;
    while (isalnum((unsigned char)word[n]) || word[n] == '_') n++;
    return word[n] == '=' ? n : 0;
}

/* The value of the parameter `name` (n bytes), or NULL if it is unset.
   Numbers are formatted into `number`. */
static const char* parameter(const char* name, size_t n, char number[24]) {
    int value;
    switch (n == 1 ? *name : 0) {
    case '?':
        value = last_status;
        break;
    case '$':
        value = getpid();
        break;
    case '#':
        value = param_count - 1;
        break;
    case '!':
        if (!last_background) return NULL;
        value = last_background;
        break;
    default:
        if (n == 1 && isdigit((unsigned char)*name)) return *name - '0' < param_count ? params[*name - '0'] : NULL;
        char variable[256];
        if (n >= sizeof(variable)) return NULL;
        memcpy(variable, name, n);
        variable[n] = '\0';
        return getenv(variable);
    }
    snprintf(number, 24, "%d", value);
    return number;
}

/* Expands the parameter after a '$' at p; returns what follows it. */
static const char* expand_dollar(const char* p, struct text* out) {
    const char* name = p;
    size_t n;
    const char* rest;
    if (*p == '{' && (rest = strchr(p, '}'))) {
        name = p + 1;
        n = (size_t)(rest - name);
        rest++;
    } else if (*p && (strchr("?$!#", *p) || isdigit((unsigned char)*p))) {
        n = 1;
        rest = p + 1;
    } else {
        n = 0;
        while (isalnum((unsigned char)p[n]) || p[n] == '_') n++;
        if (!n) { /* not a parameter: a plain '$' */
            append(out, "$", 1);
            return p;
        }
        rest = p + n;
    }
    char number[24];
    const char* value = parameter(name, n, number);
    if (value) append(out, value, strlen(value));
    return rest;
}

char* expand(const char* p) {
    struct text out = {0};
    append(&out, "", 0);
    int in_double_quotes = 0;
    while (*p) {
        char c = *p++;
        if (c == '\'' && !in_double_quotes) { /* literal up to the next quote */
            const char* end = strchr(p, '\'');
            append(&out, p, (size_t)(end - p));
            p = end + 1;
        } else if (c == '"') {
            in_double_quotes = !in_double_quotes;
        } else if (c == '\\' && *p && (!in_double_quotes || strchr("$\"\\", *p))) {
            append(&out, p++, 1);
        } else if (c == '$') {
            p = expand_dollar(p, &out);
        } else {
            append(&out, &c, 1);
        }
    }
    return out.s;
}
