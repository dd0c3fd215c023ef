/* exit, atexit, abort, assert, and C++'s __cxa_atexit (used for static
   destructors unless a program is built with -fno-use-cxa-atexit, in which
   case the compiler calls atexit: both end up here). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libc.h"

struct exit_handler {
    void (*fn)(void*);   /* __cxa_atexit's */
    void (*plain)(void); /* atexit's */
    void* arg;
};

/* 32 in static storage (POSIX's minimum), more from the heap. */
static struct exit_handler first_handlers[32];
static struct exit_handler* handlers = first_handlers;
static size_t handler_count, handler_capacity = 32;

static int add_handler(struct exit_handler h) {
    if (handler_count == handler_capacity) {
        size_t capacity = handler_capacity * 2;
        struct exit_handler* grown = malloc(capacity * sizeof(*grown));
        if (!grown) return -1;
        memcpy(grown, handlers, handler_count * sizeof(*grown));
        if (handlers != first_handlers) free(handlers);
        handlers = grown;
        handler_capacity = capacity;
    }
    handlers[handler_count++] = h;
    return 0;
}

int atexit(void (*fn)(void)) {
    return add_handler((struct exit_handler){.plain = fn});
}

/* dso is for unloading shared objects, which static programs never do. */
int __cxa_atexit(void (*fn)(void*), void* arg, void* dso) {
    (void)dso;
    return add_handler((struct exit_handler){.fn = fn, .arg = arg});
}

/* The address identifies "this program" for __cxa_atexit. */
void* __dso_handle = &__dso_handle;

/* Handlers run in reverse order of registration; one that registers another
   handler gets it run too. */
void exit(int status) {
    while (handler_count > 0) {
        struct exit_handler h = handlers[--handler_count];
        if (h.plain)
            h.plain();
        else
            h.fn(h.arg);
    }
    __sg_stdio_flush_all();
    _exit(status);
}

void _Exit(int status) {
    _exit(status);
}

void _exit(int status) {
    sys_exit_group(status);
    sys_exit(status); /* a kernel without exit_group */
    for (;;) {
    }
}

/* Ends the program with SIGABRT, even if it catches or ignores it; on a
   kernel without signals, with status 134 (128 + SIGABRT, what a shell
   shows for an abort). stdio buffers are not flushed. */
void abort(void) {
    raise(SIGABRT);
    signal(SIGABRT, SIG_DFL);
    sigset_t set = 1ULL << (SIGABRT - 1);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(SIGABRT);
    _exit(128 + SIGABRT);
}

void __assert_fail(const char* expr, const char* file, unsigned line, const char* func) {
    fflush(stdout);
    fprintf(stderr, "%s:%u: %s: Assertion `%s' failed.\n", file, line, func, expr);
    abort();
}
