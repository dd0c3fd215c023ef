/* init: the first program, which the kernel runs when its command line
 * has no init=. Says which gates the vDSO chose, runs a shell on the
 * console (stdin, stdout and stderr already are the console) and reaps
 * every child, orphans included: the kernel gives them to pid 1.
 *
 *   init [PROGRAM [ARG...]]     the program to run, default /bin/sh
 *
 * When the shell exits (exit N, Ctrl-D), init exits with its status, and
 * the end of pid 1 powers the machine off with that status. When the
 * shell dies of a signal, init starts a new one. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <sysgate.h>
#include <time.h>
#include <unistd.h>

static void banner(void) {
    struct sysgate_stats stats;
    puts("\nWelcome to Sysgate.");
    if (sysgate_stats(&stats, sizeof(stats)) >= 0)
        printf("vDSO gates: 32-bit programs enter the kernel with %s, 64-bit programs with %s.\n",
               sysgate_gate_name((int)stats.vdso_gate32), sysgate_gate_name((int)stats.vdso_gate64));
    puts("Type help for commands; exit or Ctrl-D powers off; under scripts/boot, Ctrl-A X quits the emulator.\n");
}

static pid_t start(char** argv) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execv(argv[0], argv);
        fprintf(stderr, "init: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    if (pid < 0) fprintf(stderr, "init: fork: %s\n", strerror(errno));
    return pid;
}

static time_t now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec;
}

int main(int argc, char** argv) {
    static char* default_shell[] = {"/bin/sh", NULL};
    char** shell = argc > 1 ? argv + 1 : default_shell;
    banner();
    for (;;) {
        time_t started = now();
        pid_t pid = start(shell);
        int status = 0;
        if (pid > 0) {
            while (wait(&status) != pid) continue; /* reaping orphans on the way */
            if (WIFEXITED(status)) {
                printf("init: %s exited with status %d: powering off\n", shell[0], WEXITSTATUS(status));
                return WEXITSTATUS(status);
            }
            printf("init: %s died (%s): starting a new one\n", shell[0], strsignal(WTERMSIG(status)));
        }
        if (now() - started < 1) sleep(1); /* a shell that dies at once must not spin */
    }
}
