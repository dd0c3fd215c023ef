/* ls [-al] [FILE...]: names the files, then lists the directories (default
 * "."), sorted. -a: also the entries whose name starts with a dot. -l: one
 * per line with type, permissions and size (major, minor for a device). On
 * a terminal the short listing is in columns, as GNU ls does. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static int show_all, long_format;
static int status; /* 2 if something could not be listed, as GNU ls */

static void fail(const char* what, const char* name) {
    fprintf(stderr, "ls: %s '%s': %s\n", what, name, strerror(errno));
    status = 2;
}

static int by_name(const void* a, const void* b) {
    return strcmp(*(char* const*)a, *(char* const*)b);
}

/* "drwxr-xr-x" */
static void mode_string(mode_t mode, char out[11]) {
    out[0] = S_ISDIR(mode)    ? 'd'
             : S_ISCHR(mode)  ? 'c'
             : S_ISBLK(mode)  ? 'b'
             : S_ISFIFO(mode) ? 'p'
             : S_ISLNK(mode)  ? 'l'
             : S_ISSOCK(mode) ? 's'
                              : '-';
    for (int i = 0; i < 9; i++) out[1 + i] = mode & (0400 >> i) ? "rwxrwxrwx"[i] : '-';
    out[10] = '\0';
}

/* `name` is relative to the directory `dir` (AT_FDCWD for operands). */
static void print_long(int dir, const char* name) {
    struct stat st;
    if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        fail("cannot access", name);
        return;
    }
    char mode[11];
    mode_string(st.st_mode, mode);
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
        printf("%s %4u, %3u %s\n", mode, (unsigned)(st.st_rdev >> 8) & 0xfff, (unsigned)(st.st_rdev & 0xff), name);
    else
        printf("%s %9lld %s\n", mode, (long long)st.st_size, name);
}

/* Down the columns first, as wide as the terminal. */
static void print_columns(char** names, size_t n) {
    struct winsize ws;
    size_t width = ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 80;
    size_t widest = 1;
    for (size_t i = 0; i < n; i++)
        if (strlen(names[i]) > widest) widest = strlen(names[i]);
    size_t column_width = widest + 2;
    size_t columns = width / column_width ? width / column_width : 1;
    size_t rows = (n + columns - 1) / columns;
    for (size_t r = 0; r < rows; r++) {
        for (size_t i = r; i < n; i += rows) {
            if (i + rows < n)
                printf("%-*s", (int)column_width, names[i]);
            else
                fputs(names[i], stdout);
        }
        putchar('\n');
    }
}

static void print_names(int dir, char** names, size_t n) {
    qsort(names, n, sizeof(char*), by_name);
    if (long_format) {
        for (size_t i = 0; i < n; i++) print_long(dir, names[i]);
    } else if (isatty(1)) {
        print_columns(names, n);
    } else {
        for (size_t i = 0; i < n; i++) puts(names[i]);
    }
}

static void list_directory(const char* path) {
    DIR* d = opendir(path);
    if (!d) {
        fail("cannot open directory", path);
        return;
    }
    char** names = NULL;
    size_t n = 0;
    errno = 0;
    for (struct dirent* e; (e = readdir(d)); errno = 0) {
        if (e->d_name[0] == '.' && !show_all) continue;
        char** grown = realloc(names, (n + 1) * sizeof(char*));
        char* name = strdup(e->d_name);
        if (!grown || !name) {
            errno = ENOMEM;
            break;
        }
        names = grown;
        names[n++] = name;
    }
    if (errno) fail("cannot read directory", path);
    print_names(dirfd(d), names, n);
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    closedir(d);
}

static int usage(void) {
    fputs("usage: ls [-al] [FILE...]\n", stderr);
    return 2;
}

int main(int argc, char** argv) {
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        }
        for (const char* o = argv[i] + 1; *o; o++) {
            if (*o == 'a')
                show_all = 1;
            else if (*o == 'l')
                long_format = 1;
            else
                return usage();
        }
    }
    char* here[] = {"."};
    char** operands = i < argc ? argv + i : here;
    int count = i < argc ? argc - i : 1;

    /* Files first, as one listing; then each directory, under its name
       when there are several operands. */
    char** files = malloc((size_t)count * sizeof(char*));
    char** dirs = malloc((size_t)count * sizeof(char*));
    if (!files || !dirs) return 2;
    size_t file_count = 0, dir_count = 0;
    for (int k = 0; k < count; k++) {
        struct stat st;
        if (stat(operands[k], &st) < 0)
            fail("cannot access", operands[k]);
        else if (S_ISDIR(st.st_mode))
            dirs[dir_count++] = operands[k];
        else
            files[file_count++] = operands[k];
    }
    if (file_count) print_names(AT_FDCWD, files, file_count);
    qsort(dirs, dir_count, sizeof(char*), by_name);
    for (size_t k = 0; k < dir_count; k++) {
        if (count > 1) printf("%s%s:\n", k || file_count ? "\n" : "", dirs[k]);
        list_directory(dirs[k]);
    }
    return status;
}
