/* Builtins: the commands that must change the shell itself (cd, exit,
 * export, unset) and two that are handy to have without a program. Every
 * variable lives in the environment, so every variable is exported. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

static int cd(char** argv) {
    const char* dir = argv[1] ? argv[1] : getenv("HOME");
    if (!dir) dir = "/";
    if (chdir(dir) < 0) {
        error("cd: %s: %s", dir, strerror(errno));
        return 1;
    }
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof(cwd))) setenv("PWD", cwd, 1);
    return 0;
}

static int exit_builtin(char** argv) {
    int status = last_status;
    if (argv[1]) {
        char* end;
        long n = strtol(argv[1], &end, 10);
        if (!*argv[1] || *end) {
            error("exit: %s: numeric argument required", argv[1]);
            exit(2);
        }
        status = (int)(n & 0xff);
    }
    exit(status);
}

static int export(char** argv) {
    if (!argv[1]) {
        for (char** e = environ; *e; e++) puts(*e);
        return 0;
    }
    int status = 0;
    for (char** a = argv + 1; *a; a++) {
        size_t n = assignment_name_length(*a);
        if (n) {
            (*a)[n] = '\0'; /* NAME=value: set it; a bare NAME is exported already */
            setenv(*a, *a + n + 1, 1);
        } else if (strchr(*a, '=')) {
            error("export: %s: not a valid name", *a);
            status = 1;
        }
    }
    return status;
}

static int unset(char** argv) {
    for (char** a = argv + 1; *a; a++) unsetenv(*a);
    return 0;
}

static int pwd(char** argv) {
    (void)argv;
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof(cwd))) {
        error("pwd: %s", strerror(errno));
        return 1;
    }
    puts(cwd);
    return 0;
}

static int help(char** argv);

static const struct builtin {
    const char* name;
    builtin_fn* run;
    const char* usage;
    const char* summary;
} builtins[] = {
    {"cd", cd, "cd [DIR]", "change directory (default $HOME)"},
    {"exit", exit_builtin, "exit [N]", "leave the shell with status N (default $?)"},
    {"export", export, "export [NAME=VALUE]...", "set variables; alone, list them all"},
    {"help", help, "help", "this text"},
    {"pwd", pwd, "pwd", "print the current directory"},
    {"unset", unset, "unset NAME...", "remove variables"},
};

builtin_fn* find_builtin(const char* name) {
    for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
        if (!strcmp(builtins[i].name, name)) return builtins[i].run;
    return NULL;
}

static int by_name(const void* a, const void* b) {
    return strcmp(*(char* const*)a, *(char* const*)b);
}

/* NAME32 when NAME is in the sorted list too: its 32-bit build. */
static int is_32bit_build(const char* name, char** names, size_t n) {
    size_t len = strlen(name);
    if (len <= 2 || len > NAME_MAX || strcmp(name + len - 2, "32")) return 0;
    char base[NAME_MAX + 1];
    memcpy(base, name, len - 2);
    base[len - 2] = '\0';
    char* key = base;
    return bsearch(&key, names, n, sizeof(char*), by_name) != NULL;
}

static void list_programs(void) {
    DIR* dir = opendir("/bin");
    if (!dir) return;
    char** names = NULL;
    size_t n = 0;
    for (struct dirent* e; (e = readdir(dir));) {
        if (e->d_name[0] == '.') continue;
        names = xrealloc(names, (n + 1) * sizeof(char*));
        names[n++] = xstrndup(e->d_name, strlen(e->d_name));
    }
    closedir(dir);
    qsort(names, n, sizeof(char*), by_name);
    printf("Programs in /bin (NAME32 is the 32-bit build of NAME):\n ");
    size_t column = 1;
    for (size_t i = 0; i < n; i++) {
        if (is_32bit_build(names[i], names, n)) continue;
        size_t len = strlen(names[i]);
        if (column + 1 + len > 78) {
            printf("\n ");
            column = 1;
        }
        printf(" %s", names[i]);
        column += 1 + len;
    }
    putchar('\n');
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

static int help(char** argv) {
    (void)argv;
    puts("Builtins:");
    for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
        printf("  %-26s %s\n", builtins[i].usage, builtins[i].summary);
    puts("Syntax:\n"
         "  prog ARG...                run a program from $PATH (default /bin)\n"
         "  a | b | c                  a pipeline; its status is c's\n"
         "  <F  >F  >>F  2>F  2>&1     redirections\n"
         "  a; b   a && b   a || b     b after a; if a succeeded; if a failed\n"
         "  a &                        a in the background ($! is its pid)\n"
         "  'text'  \"text\"  \\c         quotes: nothing expands; only $ does; one character\n"
         "  $VAR ${VAR} $? $$ $!       a variable, the last status, the pids of sh and of a &\n"
         "  $0 $1 ... $9  $#           the script's name and arguments, their number\n"
         "  NAME=VALUE [prog]          set a variable (for prog only, when given)\n"
         "  # comment\n"
         "Ctrl-C interrupts every program but init (there is no job control).\n"
         "Ctrl-D or exit leaves the shell; leaving the first shell powers off.\n");
    list_programs();
    return 0;
}
