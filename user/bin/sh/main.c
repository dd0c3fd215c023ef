/* The shell's entry: arguments, the input loop, the prompt. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

int last_status;
int last_background;
int interactive;
char** params;
int param_count;

static const char* script; /* for messages: the script's name and line */
static int line_number;

/* One write, so that the line stays whole on a console others write to. */
void error(const char* fmt, ...) {
    char message[512], line[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    if (script)
        snprintf(line, sizeof(line), "sh: %s: line %d: %s\n", script, line_number, message);
    else
        snprintf(line, sizeof(line), "sh: %s\n", message);
    fputs(line, stderr);
}

void* xrealloc(void* p, size_t size) {
    p = realloc(p, size);
    if (!p) {
        fputs("sh: out of memory\n", stderr);
        exit(2);
    }
    return p;
}

void* xmalloc(size_t size) {
    return xrealloc(NULL, size);
}

char* xstrndup(const char* s, size_t n) {
    char* copy = xmalloc(n + 1);
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

/* The next line, newline included, or NULL at the end of the input. Reads
   a byte at a time: what follows the line stays in fd for the programs
   the line runs (`sh < script` with a `cat` in it). */
static char* read_line(int fd) {
    size_t length = 0, capacity = 128;
    char* line = xmalloc(capacity);
    for (;;) {
        char c;
        long r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break; /* the end, or an error: both end the input */
        if (length + 2 > capacity) line = xrealloc(line, capacity *= 2);
        line[length++] = c;
        if (c == '\n') break;
    }
    if (!length) {
        free(line);
        return NULL;
    }
    line[length] = '\0';
    return line;
}

static void run_line(const char* line) {
    struct tokens tokens = {0};
    if (parse(line, &tokens) < 0) {
        last_status = 2;
        return;
    }
    run_list(tokens.v, tokens.count);
    free_tokens(&tokens);
}

static void prompt(void) {
    char cwd[PATH_MAX];
    printf("sysgate:%s$ ", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
    fflush(stdout);
}

/* A terminal in canonical mode passes at most this many bytes of a line
   before its newline (Linux's and Sysgate's tty), and drops the rest: a
   line that long was probably cut, so it is refused rather than run. */
#define TERMINAL_LINE_MAX 4095

static int run_input(int fd) {
    const int terminal = isatty(fd);
    for (;;) {
        reap_background();
        if (interactive) prompt();
        char* line = read_line(fd);
        if (!line) break;
        line_number++;
        const size_t length = strcspn(line, "\n");
        if (terminal && length >= TERMINAL_LINE_MAX) {
            error("input line too long (%zu bytes; the terminal cuts lines at %d): nothing was run", length,
                  TERMINAL_LINE_MAX);
            last_status = 2;
        } else {
            run_line(line);
        }
        free(line);
    }
    if (interactive) puts("exit");
    return last_status;
}

static void ignore_interrupt(int sig) {
    (void)sig;
}

int main(int argc, char** argv) {
    if (argc > 1 && !strcmp(argv[1], "-c")) {
        if (argc < 3) {
            error("-c needs a command string");
            return 2;
        }
        params = argc > 3 ? argv + 3 : argv; /* sh -c COMMANDS [NAME [ARG...]] */
        param_count = argc > 3 ? argc - 3 : 1;
        run_line(argv[2]);
        return last_status;
    }
    params = argv + (argc > 1);
    param_count = argc - (argc > 1);
    if (argc > 1) {
        int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            error("cannot open %s: %s", argv[1], strerror(errno));
            return 127;
        }
        script = argv[1];
        return run_input(fd);
    }
    interactive = isatty(0);
    /* Ctrl-C is for the programs the shell runs. A handler that does nothing
       rather than SIG_IGN: an ignored signal would be inherited by every
       child until it reset it, so a Ctrl-C landing in between would be lost. */
    if (interactive) signal(SIGINT, ignore_interrupt);
    return run_input(0);
}
