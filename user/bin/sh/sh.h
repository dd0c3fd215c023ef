/* sh: Sysgate's shell. One line at a time is read (main.c), cut into
 * tokens and checked (parse.c), then run pipeline by pipeline (run.c);
 * words are expanded only when their command is about to run, so that
 * `false; echo $?` sees the status of `false`. Builtins are in builtin.c.
 *
 *   sh                      interactive on a terminal: a prompt, Ctrl-D leaves
 *   sh -c COMMANDS [NAME [ARG...]]
 *   sh FILE [ARG...]        a script, one command list per line
 */
#ifndef SH_H
#define SH_H

#include <stddef.h>

enum token_kind {
    WORD,
    PIPE,      /* | */
    AND,       /* && */
    OR,        /* || */
    SEMICOLON, /* ; or a newline */
    AMPERSAND, /* & */
    REDIRECT,  /* < > >> <& >&, always followed by a WORD: the file or descriptor */
};

enum redirect_kind { FROM_FILE, TO_FILE, APPEND_TO_FILE, DUP_FD };

struct token {
    enum token_kind kind;
    char* text; /* as typed: a WORD keeps its quotes and $ until it runs */
    int fd;     /* REDIRECT: the descriptor it replaces */
    enum redirect_kind redirect;
};

struct tokens {
    struct token* v;
    int count, capacity;
};

/* parse.c */
/* Cuts a line into tokens and checks the syntax: 0, or -1 after a message. */
int parse(const char* line, struct tokens* out);
void free_tokens(struct tokens* t);
/* A WORD's value: quotes removed, $NAME ${NAME} $? $$ $! $# $0-$9 replaced. */
char* expand(const char* word);
/* The length of NAME in a "NAME=value" word, else 0. */
size_t assignment_name_length(const char* word);

/* run.c */
void run_list(const struct token* t, int count);
/* Reports background commands that ended since the last call. */
void reap_background(void);

/* builtin.c */
typedef int builtin_fn(char** argv);
builtin_fn* find_builtin(const char* name);

/* main.c: the shell's state and helpers */
extern int last_status;     /* $? */
extern int last_background; /* $!, 0 before the first & */
extern int interactive;     /* prompts, job notices, SIGINT ignored */
extern char** params;       /* $0 $1 ... */
extern int param_count;
void error(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void* xmalloc(size_t size);
void* xrealloc(void* p, size_t size);
char* xstrndup(const char* s, size_t n);

#endif
