/* kill [-SIGNAL | -N | -s SIGNAL] [--] PID...: sends a signal (default
 * TERM) to each process. kill -l lists the signals. Sysgate has no process
 * groups: PID 0 and -1 reach every process but init. */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char* const names[] = {
    [SIGHUP] = "HUP",       [SIGINT] = "INT",   [SIGQUIT] = "QUIT",   [SIGILL] = "ILL",   [SIGTRAP] = "TRAP",
    [SIGABRT] = "ABRT",     [SIGBUS] = "BUS",   [SIGFPE] = "FPE",     [SIGKILL] = "KILL", [SIGUSR1] = "USR1",
    [SIGSEGV] = "SEGV",     [SIGUSR2] = "USR2", [SIGPIPE] = "PIPE",   [SIGALRM] = "ALRM", [SIGTERM] = "TERM",
    [SIGSTKFLT] = "STKFLT", [SIGCHLD] = "CHLD", [SIGCONT] = "CONT",   [SIGSTOP] = "STOP", [SIGTSTP] = "TSTP",
    [SIGTTIN] = "TTIN",     [SIGTTOU] = "TTOU", [SIGURG] = "URG",     [SIGXCPU] = "XCPU", [SIGXFSZ] = "XFSZ",
    [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF", [SIGWINCH] = "WINCH", [SIGIO] = "IO",     [SIGPWR] = "PWR",
    [SIGSYS] = "SYS",
};
#define NAMED (int)(sizeof(names) / sizeof(names[0]))

/* "9", "KILL", "sigkill"... as a number; -1 if it is none. 0 sends no
   signal: `kill -0 PID` only asks whether the process exists. */
static int signal_number(const char* s) {
    if (isdigit((unsigned char)*s)) {
        char* end;
        long n = strtol(s, &end, 10);
        return *end || n < 0 || n >= NSIG ? -1 : (int)n;
    }
    if (!strncasecmp(s, "SIG", 3)) s += 3;
    for (int sig = 1; sig < NAMED; sig++)
        if (!strcasecmp(s, names[sig])) return sig;
    return -1;
}

static int usage(void) {
    fputs("usage: kill [-SIGNAL | -s SIGNAL] PID...   kill -l   (signal 0: does PID exist?)\n", stderr);
    return 2;
}

int main(int argc, char** argv) {
    if (argc == 2 && !strcmp(argv[1], "-l")) {
        for (int sig = 1; sig < NAMED; sig++) printf("%2d %-7s %s\n", sig, names[sig], strsignal(sig));
        return 0;
    }
    int sig = SIGTERM, i = 1;
    if (i < argc && !strcmp(argv[i], "-s")) {
        if (i + 1 == argc || (sig = signal_number(argv[i + 1])) < 0) return usage();
        i += 2;
    } else if (i < argc && argv[i][0] == '-' && strcmp(argv[i], "--")) {
        if ((sig = signal_number(argv[i] + 1)) < 0) {
            fprintf(stderr, "kill: %s: unknown signal (kill -l lists them)\n", argv[i] + 1);
            return 2;
        }
        i++;
    }
    if (i < argc && !strcmp(argv[i], "--")) i++;
    if (i == argc) return usage();

    int status = 0;
    for (; i < argc; i++) {
        char* end;
        long pid = strtol(argv[i], &end, 10);
        if (!*argv[i] || *end) {
            fprintf(stderr, "kill: %s: not a process id\n", argv[i]);
            status = 1;
        } else if (kill((int)pid, sig) < 0) {
            fprintf(stderr, "kill: %s: %s\n", argv[i], strerror(errno));
            status = 1;
        }
    }
    return status;
}
