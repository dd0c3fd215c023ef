/* Running lists and pipelines.
 *
 * Each command of a pipeline runs in its own child, connected by pipes;
 * the shell waits for all of them and $? is the last one's status. A
 * single builtin, or a command of only assignments and redirections, runs
 * in the shell itself, so that `cd` and `exit` act on the shell: its
 * redirections are undone afterwards, its NAME=value words stay set. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sh.h"

enum { MAX_REDIRECTED_FD = 9, NOT_SAVED = -2 };

struct command {
    const struct token* t; /* its tokens */
    int count;
    char** argv; /* its words expanded, assignments left out; NULL-terminated */
};

/* The words of a command, expanded. Leading NAME=value words are
   assignments, not words; an unquoted word that expands to nothing is
   dropped (`echo $UNSET x` has one argument). */
static char** expand_words(const struct token* t, int count) {
    char** argv = xmalloc((size_t)(count + 1) * sizeof(char*));
    int n = 0, leading = 1;
    for (int i = 0; i < count; i++) {
        if (t[i].kind == REDIRECT) {
            i++; /* its file name */
            continue;
        }
        if (leading && assignment_name_length(t[i].text)) continue;
        leading = 0;
        char* word = expand(t[i].text);
        if (!*word && !t[i].text[strcspn(t[i].text, "'\"")]) { /* no quotes in it */
            free(word);
            continue;
        }
        argv[n++] = word;
    }
    argv[n] = NULL;
    return argv;
}

/* Sets the command's leading NAME=value words as environment variables. */
static void assign(const struct command* c) {
    for (int i = 0; i < c->count; i++) {
        if (c->t[i].kind == REDIRECT) {
            i++;
            continue;
        }
        size_t n = assignment_name_length(c->t[i].text);
        if (!n) return;
        char* name = xstrndup(c->t[i].text, n);
        char* value = expand(c->t[i].text + n + 1);
        setenv(name, value, 1);
        free(name);
        free(value);
    }
}

/* Makes descriptor r->fd refer to the file (or descriptor) `word` names.
   With `saved`, keeps a copy of what it replaced there first. */
static int redirect(const struct token* r, const char* word, int saved[]) {
    static const int open_flags[] = {
        [FROM_FILE] = O_RDONLY,
        [TO_FILE] = O_WRONLY | O_CREAT | O_TRUNC,
        [APPEND_TO_FILE] = O_WRONLY | O_CREAT | O_APPEND,
    };
    char* target = expand(word);
    int fd;
    if (r->redirect == DUP_FD) {
        fd = target[0] >= '0' && target[0] <= '9' && !target[1] ? target[0] - '0' : -1;
        if (fd < 0) error("%s: not a file descriptor", target);
    } else {
        fd = open(target, open_flags[r->redirect], 0666);
        if (fd < 0) error("cannot open %s: %s", target, strerror(errno));
    }
    free(target);
    if (fd < 0) return -1;
    if (saved && saved[r->fd] == NOT_SAVED) saved[r->fd] = fcntl(r->fd, F_DUPFD_CLOEXEC, 10);
    int ok = fd == r->fd || dup2(fd, r->fd) >= 0;
    if (!ok) error("%d: %s", fd, strerror(errno));
    if (r->redirect != DUP_FD && fd != r->fd) close(fd);
    return ok ? 0 : -1;
}

static int apply_redirections(const struct command* c, int saved[]) {
    for (int i = 0; i < c->count; i++) {
        if (c->t[i].kind != REDIRECT) continue;
        if (redirect(&c->t[i], c->t[i + 1].text, saved) < 0) return -1;
        i++; /* the file name */
    }
    return 0;
}

/* Puts back the descriptors apply_redirections() saved. */
static void restore(int saved[]) {
    fflush(stdout); /* what a builtin wrote belongs to the redirected file */
    for (int fd = 0; fd <= MAX_REDIRECTED_FD; fd++) {
        if (saved[fd] == NOT_SAVED) continue;
        if (saved[fd] >= 0) {
            dup2(saved[fd], fd);
            close(saved[fd]);
        } else {
            close(fd); /* it was not open before */
        }
    }
}

static int run_in_shell(const struct command* c) {
    int saved[MAX_REDIRECTED_FD + 1];
    for (int fd = 0; fd <= MAX_REDIRECTED_FD; fd++) saved[fd] = NOT_SAVED;
    assign(c);
    int status = 1;
    if (apply_redirections(c, saved) == 0) status = c->argv[0] ? find_builtin(c->argv[0])(c->argv) : 0;
    restore(saved);
    return status;
}

/* In a child: runs the command, never returns. */
static __attribute__((noreturn)) void run_child(const struct command* c) {
    if (interactive) { /* a Ctrl-C since fork() was kept pending: it ends this child now */
        signal(SIGINT, SIG_DFL);
        sigset_t interrupt;
        sigemptyset(&interrupt);
        sigaddset(&interrupt, SIGINT);
        sigprocmask(SIG_UNBLOCK, &interrupt, NULL);
    }
    assign(c);
    if (apply_redirections(c, NULL) < 0) _exit(1);
    char** argv = c->argv;
    if (!argv[0]) _exit(0);
    builtin_fn* builtin = find_builtin(argv[0]);
    if (builtin) exit(builtin(argv)); /* exit, not _exit: flush its output */
    execvp(argv[0], argv);
    if (errno == ENOENT) {
        error("%s: not found", argv[0]);
        _exit(127);
    }
    error("%s: %s", argv[0], strerror(errno));
    _exit(126);
}

/* A wait status as $? shows it: the exit status, or 128 + the signal. */
static int exit_code(int status) {
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* What a Linux shell says of a child killed by a signal. The wait status
   has the core bit set for the signals whose default action is a core
   dump, but Sysgate writes no core file, so there is no "(core dumped)". */
static const char* signal_message(int status) {
    return strsignal(WTERMSIG(status));
}

/* Waits for the children of a pipeline; returns the last one's $?. A
   signal that killed one of them is reported once, except SIGPIPE, the
   normal end of a writer whose reader has gone. */
static int wait_for(const pid_t* pids, int n) {
    int status = 0, killed = 0;
    for (int i = 0; i < n; i++) {
        if (waitpid(pids[i], &status, 0) < 0) continue;
        if (WIFSIGNALED(status) && WTERMSIG(status) != SIGPIPE) killed = status;
    }
    if (killed) {
        char line[128];
        snprintf(line, sizeof(line), "%s\n", signal_message(killed));
        fputs(line, stderr); /* in one write, so that the line stays whole */
    }
    return exit_code(status);
}

static int run_children(const struct command* cmds, int n, int background) {
    pid_t* pids = xmalloc((size_t)n * sizeof(pid_t));
    int started = 0, input = -1; /* the read end of the pipe from the previous command */
    fflush(stdout);
    /* SIGINT stays blocked from before fork() until each child has its
       default action back (run_child), so Ctrl-C cannot miss a new child. */
    sigset_t interrupt, saved_mask;
    sigemptyset(&interrupt);
    sigaddset(&interrupt, SIGINT);
    sigprocmask(interactive ? SIG_BLOCK : SIG_SETMASK, interactive ? &interrupt : NULL, &saved_mask);
    for (int i = 0; i < n; i++) {
        int pipefd[2] = {-1, -1}; /* close-on-exec: only the dup2'ed copies reach a program */
        if (i + 1 < n && pipe2(pipefd, O_CLOEXEC) < 0) {
            error("pipe: %s", strerror(errno));
            break;
        }
        pid_t pid = fork();
        if (pid == 0) {
            if (input >= 0)
                dup2(input, 0);
            else if (background)
                dup2(open("/dev/null", O_RDONLY | O_CLOEXEC), 0); /* keep off the console */
            if (pipefd[1] >= 0) dup2(pipefd[1], 1);
            run_child(&cmds[i]);
        }
        if (input >= 0) close(input);
        if (pipefd[1] >= 0) close(pipefd[1]);
        input = pipefd[0];
        if (pid < 0) {
            error("fork: %s", strerror(errno));
            break;
        }
        pids[started++] = pid;
    }
    if (input >= 0) close(input);
    sigprocmask(SIG_SETMASK, &saved_mask, NULL);
    int status = started == n ? 0 : 1; /* 1 if the pipeline could not be started whole */
    if (background) {
        if (started) last_background = pids[started - 1];
        if (started && interactive) printf("[%d]\n", last_background);
    } else {
        int last = wait_for(pids, started);
        if (started == n) status = last;
    }
    free(pids);
    return status;
}

static void run_pipeline(const struct token* t, int count, int background) {
    int n = 1;
    for (int i = 0; i < count; i++) n += t[i].kind == PIPE;
    struct command* cmds = xmalloc((size_t)n * sizeof(*cmds));
    for (int k = 0, start = 0; k < n; k++) {
        int end = start;
        while (end < count && t[end].kind != PIPE) end++;
        cmds[k] = (struct command){t + start, end - start, expand_words(t + start, end - start)};
        start = end + 1;
    }
    if (n == 1 && !background && (!cmds[0].argv[0] || find_builtin(cmds[0].argv[0])))
        last_status = run_in_shell(&cmds[0]);
    else
        last_status = run_children(cmds, n, background);
    for (int k = 0; k < n; k++) {
        for (char** w = cmds[k].argv; *w; w++) free(*w);
        free(cmds[k].argv);
    }
    free(cmds);
}

void run_list(const struct token* t, int count) {
    int skip = 0; /* after `a && b` with a failed, or `a || b` with a succeeded */
    for (int start = 0; start < count;) {
        int end = start;
        while (end < count && (t[end].kind == WORD || t[end].kind == PIPE || t[end].kind == REDIRECT)) end++;
        enum token_kind next = end < count ? t[end].kind : SEMICOLON;
        if (!skip) run_pipeline(t + start, end - start, next == AMPERSAND);
        skip = (next == AND && last_status != 0) || (next == OR && last_status == 0);
        start = end + 1;
    }
}

void reap_background(void) {
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (!interactive) continue;
        if (WIFSIGNALED(status))
            printf("[%d] %s\n", pid, signal_message(status));
        else
            printf("[%d] Done (status %d)\n", pid, WEXITSTATUS(status));
    }
}
