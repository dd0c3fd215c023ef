/* /proc: every file and link, parsed the way programs parse Linux's.
 * maps (its [vdso] line is AT_SYSINFO_EHDR, [stack] holds the stack,
 * the program's segments carry its path and file offsets, an mmap shows
 * up and goes), status, stat and statm against getpid/getppid and the
 * signal masks, exe and cmdline against argv, fd links of a pipe and of
 * files, cwd, /proc/PID of a child (running, zombie, reaped), the task
 * directories of a thread, cpuinfo against CPUID, meminfo against
 * sysgate_stats, uptime against CLOCK_MONOTONIC; everything read-only.
 * Built for 64- and 32-bit; `procfs exec-check` is what execve of
 * /proc/self/exe runs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sysgate.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"

#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
#define CLONE_THREAD 0x10000
#define CLONE_SYSVSEM 0x40000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define THREAD_FLAGS                                                                                                   \
    (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID |          \
     CLONE_CHILD_CLEARTID)
#define FUTEX_WAIT 0

static char text[32768];
static int saved_argc;
static char** saved_argv;

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&t, &t) < 0 && errno == EINTR) {
    }
}

/* The whole of a file, NUL-terminated (the length without it), or -1. */
static long read_all(const char* path, char* buf, size_t size) {
    const int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    size_t used = 0;
    for (;;) {
        const long n = read(fd, buf + used, size - 1 - used);
        if (n < 0) {
            close(fd);
            return -1;
        }
        if (n == 0) break;
        used += (size_t)n;
        if (used == size - 1) break;
    }
    buf[used] = 0;
    close(fd);
    return (long)used;
}

/* The value after "Key:\t" in a status-like text, or NULL. */
static const char* field(const char* t, const char* key) {
    const size_t n = strlen(key);
    for (const char* line = t; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : 0)
        if (!strncmp(line, key, n) && line[n] == ':' && line[n + 1] == '\t') return line + n + 2;
    return 0;
}

static long number_field(const char* t, const char* key) {
    const char* v = field(t, key);
    return v ? strtol(v, 0, 10) : -1;
}

static unsigned long long hex_field(const char* t, const char* key) {
    const char* v = field(t, key);
    return v ? strtoull(v, 0, 16) : ~0ull;
}

static const char* base_name(const char* path) {
    const char* slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* ---------------------------------------------------------------- maps */

struct map_line {
    unsigned long start, end, offset, inode;
    char perms[5];
    unsigned major, minor;
    char name[256];
    int name_column; /* where the name starts, -1 if none */
    int trailing_space;
};

/* Parses one line as Linux's documented format, "%lx-%lx %4s %lx %x:%x %lu %s". */
static int parse_map_line(const char* line, size_t length, struct map_line* m) {
    char copy[512];
    if (length >= sizeof copy) return 0;
    memcpy(copy, line, length);
    copy[length] = 0;
    int consumed = 0;
    memset(m, 0, sizeof *m);
    if (sscanf(copy, "%lx-%lx %4s %lx %x:%x %lu %n", &m->start, &m->end, m->perms, &m->offset, &m->major, &m->minor,
               &m->inode, &consumed) != 7)
        return 0;
    m->name_column = -1;
    if (copy[consumed]) {
        m->name_column = consumed;
        snprintf(m->name, sizeof m->name, "%s", copy + consumed);
    }
    m->trailing_space = length > 0 && copy[length - 1] == ' ';
    return 1;
}

static int read_maps(struct map_line* lines, int max) {
    static char maps[16384];
    if (read_all("/proc/self/maps", maps, sizeof maps) <= 0) return -1;
    int n = 0;
    for (const char* p = maps; *p && n < max;) {
        const char* end = strchr(p, '\n');
        if (!end) return -1; /* every line ends in a newline */
        if (!parse_map_line(p, (size_t)(end - p), &lines[n])) return -1;
        n++;
        p = end + 1;
    }
    return n;
}

static const struct map_line* find_map(const struct map_line* lines, int n, const char* name) {
    for (int i = 0; i < n; i++)
        if (!strcmp(lines[i].name, name)) return &lines[i];
    return 0;
}

static const struct map_line* map_containing(const struct map_line* lines, int n, unsigned long address) {
    for (int i = 0; i < n; i++)
        if (lines[i].start <= address && address < lines[i].end) return &lines[i];
    return 0;
}

static void maps_name_every_region(void) {
    struct map_line lines[64];
    const int n = read_maps(lines, 64);
    CHECK(n >= 5);
    if (n < 5) return;
    for (int i = 0; i < n; i++) {
        CHECK(lines[i].start < lines[i].end);
        CHECK_EQ(lines[i].start % 4096, 0);
        if (i) CHECK(lines[i - 1].end <= lines[i].start); /* sorted, no overlap */
        CHECK_EQ(strlen(lines[i].perms), 4);
        CHECK_EQ(lines[i].perms[3], 'p');
        /* Linux pads to column 73 on a 64-bit kernel, whatever the program's bitness. */
        if (lines[i].name_column >= 0) CHECK_EQ(lines[i].name_column, 73);
        /* Anonymous memory: "... 00:00 0 " and nothing more. */
        if (lines[i].name_column < 0) {
            CHECK(lines[i].trailing_space);
            CHECK_EQ(lines[i].inode, 0);
        }
    }
    /* [vdso] is where the auxiliary vector says. */
    const struct map_line* vdso = find_map(lines, n, "[vdso]");
    CHECK(vdso != 0);
    if (vdso) {
        CHECK_EQ(vdso->start, getauxval(AT_SYSINFO_EHDR));
        CHECK(!strcmp(vdso->perms, "r-xp"));
    }
    const struct map_line* vvar = find_map(lines, n, "[vvar]");
    CHECK(vvar != 0);
    if (vvar) CHECK(!strcmp(vvar->perms, "r--p"));
    /* [stack] holds this function's frame. */
    int local = 0;
    const struct map_line* stack = map_containing(lines, n, (unsigned long)&local);
    CHECK(stack != 0);
    if (stack) {
        CHECK(!strcmp(stack->name, "[stack]"));
        CHECK(!strcmp(stack->perms, "rw-p"));
    }
    /* The code: the program's own path, its inode, and the file offset
       that puts this function's bytes there. */
    const struct map_line* code = map_containing(lines, n, (unsigned long)&maps_name_every_region);
    CHECK(code != 0);
    if (code) {
        CHECK(!strcmp(code->name, program_path()));
        CHECK(!strcmp(code->perms, "r-xp"));
        struct stat st;
        CHECK_EQ(stat(program_path(), &st), 0);
        CHECK_EQ(code->inode, st.st_ino);
        CHECK_EQ(code->major, (unsigned)(st.st_dev >> 8));
        CHECK_EQ(code->minor, (unsigned)(st.st_dev & 0xff));
        const int fd = open(program_path(), O_RDONLY);
        unsigned char from_file[16];
        const unsigned long at = (unsigned long)&maps_name_every_region;
        CHECK_EQ(lseek(fd, (off_t)(code->offset + (at - code->start)), SEEK_SET),
                 (off_t)(code->offset + at - code->start));
        CHECK_EQ(read(fd, from_file, sizeof from_file), sizeof from_file);
        CHECK(!memcmp(from_file, (const void*)at, sizeof from_file));
        close(fd);
    }
    /* Read-only data (a string literal) comes from the file as well. */
    const struct map_line* rodata = map_containing(lines, n, (unsigned long)"a literal");
    CHECK(rodata != 0);
    if (rodata) CHECK(!strcmp(rodata->name, program_path()));
    /* [vsyscall]: only 64-bit programs, only at Linux's fixed address, last. */
    const struct map_line* vsyscall = find_map(lines, n, "[vsyscall]");
#ifdef __x86_64__
    if (vsyscall) {
        CHECK_EQ(vsyscall->start, 0xffffffffff600000ul);
        CHECK_EQ(vsyscall->end, 0xffffffffff601000ul);
        CHECK(vsyscall == &lines[n - 1]);
        CHECK(vsyscall->perms[2] == 'x');
    } else {
        test_note("no [vsyscall] line: the kernel maps no vsyscall page");
    }
#else
    CHECK(vsyscall == 0);
#endif
    /* At least 8 lowercase hex digits, even for 32-bit addresses. */
    static char maps[16384];
    CHECK(read_all("/proc/self/maps", maps, sizeof maps) > 0);
    CHECK(strchr(maps, '-') - maps >= 8);
    for (const char* p = maps; *p && *p != ' '; p++) CHECK(!(*p >= 'A' && *p <= 'F'));
}

static void maps_follow_mmap_munmap_and_brk(void) {
    struct map_line lines[64];
    char* p = mmap(0, 3 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    int n = read_maps(lines, 64);
    const struct map_line* m = map_containing(lines, n, (unsigned long)p);
    CHECK(m != 0);
    if (m) {
        CHECK_EQ(m->start, (unsigned long)p);
        CHECK(m->end >= (unsigned long)p + 3 * 4096);
        CHECK(!strcmp(m->perms, "r--p"));
        CHECK_EQ(m->offset, 0);
        CHECK_EQ(m->inode, 0);
    }
    /* A hole in the middle splits it in two. */
    CHECK_EQ(munmap(p + 4096, 4096), 0);
    n = read_maps(lines, 64);
    CHECK(map_containing(lines, n, (unsigned long)p + 4096) == 0);
    CHECK(map_containing(lines, n, (unsigned long)p) != 0);
    CHECK(map_containing(lines, n, (unsigned long)p + 8192) != 0);
    CHECK_EQ(munmap(p, 3 * 4096), 0);
    n = read_maps(lines, 64);
    CHECK(map_containing(lines, n, (unsigned long)p) == 0);

    /* The program break: [heap] covers what brk added. */
    const unsigned long old_break = (unsigned long)syscall(SYS_brk, 0);
    const unsigned long new_break = (unsigned long)syscall(SYS_brk, old_break + 5 * 4096);
    CHECK_EQ(new_break, old_break + 5 * 4096);
    n = read_maps(lines, 64);
    const struct map_line* heap = find_map(lines, n, "[heap]");
    CHECK(heap != 0);
    if (heap) {
        CHECK(heap->start <= old_break);
        CHECK(heap->end >= new_break);
        CHECK(!strcmp(heap->perms, "rw-p"));
    }
    syscall(SYS_brk, old_break);
}

/* ---------------------------------------------------------------- status, stat, statm */

static void on_usr1(int sig) {
    (void)sig;
}

static void status_matches_the_calls(void) {
    CHECK(read_all("/proc/self/status", text, sizeof text) > 0);
    char name[16];
    snprintf(name, sizeof name, "%s", base_name(program_path()));
    const char* v = field(text, "Name");
    CHECK(v && !strncmp(v, name, strlen(name)) && v[strlen(name)] == '\n');
    CHECK(!strncmp(text, "Name:\t", 6)); /* the first line */
    CHECK(field(text, "State") && !strncmp(field(text, "State"), "R (running)\n", 12));
    CHECK_EQ(number_field(text, "Pid"), getpid());
    CHECK_EQ(number_field(text, "Tgid"), getpid());
    CHECK_EQ(number_field(text, "PPid"), getppid());
    CHECK_EQ(number_field(text, "TracerPid"), 0);
    CHECK(field(text, "Uid") && !strncmp(field(text, "Uid"), "0\t0\t0\t0\n", 8));
    CHECK_EQ(number_field(text, "FDSize"), 64);
    CHECK_EQ(number_field(text, "Threads"), 1);
    CHECK(number_field(text, "VmSize") > 0);
    CHECK(number_field(text, "VmRSS") > 0);
    CHECK(number_field(text, "VmRSS") <= number_field(text, "VmSize"));
    CHECK(number_field(text, "VmStk") > 0);
    CHECK(field(text, "Cpus_allowed_list") && !strncmp(field(text, "Cpus_allowed_list"), "0\n", 2));
    /* VmSize is the sum of the mappings (the vsyscall page is not the process's). */
    struct map_line lines[64];
    const int n = read_maps(lines, 64);
    unsigned long kb = 0;
    for (int i = 0; i < n; i++)
        if (strcmp(lines[i].name, "[vsyscall]")) kb += (lines[i].end - lines[i].start) / 1024;
    CHECK_EQ(number_field(text, "VmSize"), (long)kb);
    /* Masks: the blocked, ignored and caught signals, bit N-1 for signal N. */
    CHECK_EQ(hex_field(text, "SigBlk"), 0);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    sigaddset(&block, SIGTERM);
    CHECK_EQ(sigprocmask(SIG_BLOCK, &block, &old), 0);
    struct sigaction ignore = {0}, catch = {0}, old_int = {0}, old_usr1 = {0};
    ignore.sa_handler = SIG_IGN;
    catch.sa_handler = on_usr1;
    CHECK_EQ(sigaction(SIGINT, &ignore, &old_int), 0);
    CHECK_EQ(sigaction(SIGUSR1, &catch, &old_usr1), 0);
    CHECK(read_all("/proc/self/status", text, sizeof text) > 0);
    CHECK_EQ(hex_field(text, "SigBlk"), (1ull << (SIGUSR2 - 1)) | (1ull << (SIGTERM - 1)));
    CHECK(hex_field(text, "SigIgn") & (1ull << (SIGINT - 1)));
    CHECK(hex_field(text, "SigCgt") & (1ull << (SIGUSR1 - 1)));
    CHECK(!(hex_field(text, "SigCgt") & (1ull << (SIGINT - 1))));
    /* A pending signal the thread blocks. */
    CHECK_EQ(kill(getpid(), SIGUSR2), 0);
    CHECK(read_all("/proc/self/status", text, sizeof text) > 0);
    CHECK((hex_field(text, "ShdPnd") | hex_field(text, "SigPnd")) & (1ull << (SIGUSR2 - 1)));
    /* Let it go: ignored first, so unblocking does not end us. */
    struct sigaction ign2 = {0}, old_usr2 = {0};
    ign2.sa_handler = SIG_IGN;
    sigaction(SIGUSR2, &ign2, &old_usr2);
    sigprocmask(SIG_SETMASK, &old, 0);
    sigaction(SIGUSR2, &old_usr2, 0);
    sigaction(SIGINT, &old_int, 0);
    sigaction(SIGUSR1, &old_usr1, 0);
}

static void status_is_made_again_at_offset_zero(void) {
    const int fd = open("/proc/self/status", O_RDONLY);
    CHECK(fd >= 0);
    char first[4096], second[4096];
    const long n1 = read(fd, first, sizeof first - 1);
    CHECK(n1 > 0);
    first[n1 > 0 ? n1 : 0] = 0;
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &old);
    /* Same description, from offset 0 again: the new mask. */
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    const long n2 = read(fd, second, sizeof second - 1);
    CHECK(n2 > 0);
    second[n2 > 0 ? n2 : 0] = 0;
    CHECK_EQ(hex_field(first, "SigBlk") & 1, 0);
    CHECK_EQ(hex_field(second, "SigBlk") & 1, 1);
    sigprocmask(SIG_SETMASK, &old, 0);
    /* Small reads add up to the whole, and lseek(SEEK_END) is refused as seq_file does. */
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    char piece[7];
    long total = 0, n;
    while ((n = read(fd, piece, sizeof piece)) > 0) total += n;
    CHECK_EQ(n, 0);
    CHECK(total > 500);
    CHECK_ERRNO(lseek(fd, 0, SEEK_END), EINVAL);
    close(fd);
}

/* Splits /proc/PID/stat after the command's closing parenthesis. */
static int stat_fields(const char* t, char fields[][24], int max) {
    const char* close = strrchr(t, ')');
    if (!close) return -1;
    int n = 0;
    for (const char* p = close + 2; *p && *p != '\n' && n < max;) {
        const char* sp = strchr(p, ' ');
        const char* nl = strchr(p, '\n');
        const char* end = sp && (!nl || sp < nl) ? sp : nl ? nl : p + strlen(p);
        snprintf(fields[n++], 24, "%.*s", (int)(end - p), p);
        p = *end == ' ' ? end + 1 : end;
    }
    return n;
}

static void stat_and_statm_give_the_first_fields(void) {
    CHECK(read_all("/proc/self/stat", text, sizeof text) > 0);
    char expected[64];
    snprintf(expected, sizeof expected, "%d (%.15s) R %d ", getpid(), base_name(program_path()), getppid());
    CHECK(!strncmp(text, expected, strlen(expected)));
    CHECK(text[strlen(text) - 1] == '\n');
    static char fields[64][24];
    const int n = stat_fields(text, fields, 64);
    CHECK_EQ(n + 2, 52); /* Linux 6.1's 52 fields */
    if (n + 2 != 52) return;
#define FIELD(n) fields[(n)-3]             /* man 5 proc numbers them from 1: pid, comm, then these */
    CHECK_EQ(atoi(FIELD(20)), 1);          /* num_threads */
    CHECK_EQ(atoi(FIELD(38)), 17);         /* exit_signal: SIGCHLD */
    CHECK(strtoull(FIELD(23), 0, 10) > 0); /* vsize */
    CHECK(strtoull(FIELD(24), 0, 10) > 0); /* rss */
    const unsigned long code = (unsigned long)&stat_and_statm_give_the_first_fields;
    CHECK(strtoull(FIELD(26), 0, 10) <= code); /* startcode */
    CHECK(strtoull(FIELD(27), 0, 10) > code);  /* endcode */
    CHECK_EQ(atoi(FIELD(8)), -1);              /* tpgid: no terminal */

    char statm[128];
    CHECK(read_all("/proc/self/statm", statm, sizeof statm) > 0);
    unsigned long size, resident, shared, text_pages, lib, data, dt;
    CHECK_EQ(sscanf(statm, "%lu %lu %lu %lu %lu %lu %lu", &size, &resident, &shared, &text_pages, &lib, &data, &dt), 7);
    CHECK_EQ(size * 4096, strtoull(FIELD(23), 0, 10)); /* statm's size is stat's vsize in pages */
    CHECK(resident > 0 && resident <= size);
    CHECK(text_pages > 0);
    CHECK_EQ(lib, 0);
    CHECK_EQ(dt, 0);
}

/* ---------------------------------------------------------------- exe, cmdline, comm */

static int exec_check(int argc, char** argv) {
    /* Run through /proc/self/exe: the same program, argv as given. */
    if (argc != 3 || strcmp(argv[0], "renamed") || strcmp(argv[2], "x y")) return 3;
    char target[256];
    const long n = readlink("/proc/self/exe", target, sizeof target - 1);
    if (n <= 0) return 4;
    target[n] = 0;
    return strcmp(target, argv[1]) ? 5 : 0;
}

static void exe_and_cmdline_name_the_program(void) {
    char target[256];
    memset(target, 'x', sizeof target);
    const long n = readlink("/proc/self/exe", target, sizeof target);
    CHECK_EQ(n, (long)strlen(program_path()));
    CHECK(n > 0 && !memcmp(target, program_path(), (size_t)n));
    CHECK_EQ(target[n], 'x'); /* no NUL added */
    /* A short buffer: cut, no error. */
    CHECK_EQ(readlink("/proc/self/exe", target, 3), 3);
    CHECK(!memcmp(target, program_path(), 3));
    CHECK_ERRNO(readlink("/proc/self/exe", target, 0), EINVAL);
    CHECK_ERRNO(readlink("/proc/self/status", target, sizeof target), EINVAL); /* not a link */
    CHECK_ERRNO(readlink(program_path(), target, sizeof target), EINVAL);
    /* readlinkat from a /proc directory descriptor. */
    const int self = open("/proc/self", O_RDONLY | O_DIRECTORY);
    CHECK(self >= 0);
    CHECK_EQ(syscall(SYS_readlinkat, self, "exe", target, sizeof target), (long)strlen(program_path()));
    const int status = openat(self, "status", O_RDONLY);
    CHECK(status >= 0);
    close(status);
    close(self);

    /* Following the link opens the program itself. */
    const int fd = open("/proc/self/exe", O_RDONLY);
    CHECK(fd >= 0);
    char magic[4];
    CHECK_EQ(read(fd, magic, 4), 4);
    CHECK(!memcmp(magic, "\177ELF", 4));
    close(fd);
    struct stat via_link, direct;
    CHECK_EQ(stat("/proc/self/exe", &via_link), 0);
    CHECK_EQ(stat(program_path(), &direct), 0);
    CHECK_EQ(via_link.st_ino, direct.st_ino);
    CHECK_EQ(lstat("/proc/self/exe", &via_link), 0);
    CHECK(S_ISLNK(via_link.st_mode));
    CHECK_ERRNO(open("/proc/self/exe", O_RDONLY | O_NOFOLLOW), ELOOP);

    /* cmdline: argv, each string NUL-terminated. */
    char expected[512];
    size_t length = 0;
    for (int i = 0; i < saved_argc; i++) {
        const size_t l = strlen(saved_argv[i]) + 1;
        memcpy(expected + length, saved_argv[i], l);
        length += l;
    }
    CHECK_EQ(read_all("/proc/self/cmdline", text, sizeof text), (long)length);
    CHECK(!memcmp(text, expected, length));
    /* comm: the base name and a newline. */
    char comm[32];
    snprintf(expected, sizeof expected, "%.15s\n", base_name(program_path()));
    CHECK(read_all("/proc/self/comm", comm, sizeof comm) > 0);
    CHECK(!strcmp(comm, expected));

    /* execve("/proc/self/exe"), as Linux's ldt_gdt test does. */
    const pid_t child = fork();
    if (child == 0) {
        char* args[] = {"renamed", (char*)program_path(), "x y", 0};
        execv("/proc/self/exe", args);
        _exit(2);
    }
    CHECK_EXITED(reap(child), 0);
}

/* ---------------------------------------------------------------- fd links, cwd */

static void fd_links_name_what_is_open(void) {
    int p[2];
    CHECK_EQ(pipe(p), 0);
    char path[64], target[256];
    struct stat st, via;
    CHECK_EQ(fstat(p[0], &st), 0);
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
    long n = readlink(path, target, sizeof target - 1);
    CHECK(n > 0);
    target[n > 0 ? n : 0] = 0;
    char expected[64];
    snprintf(expected, sizeof expected, "pipe:[%lu]", (unsigned long)st.st_ino);
    CHECK(!strcmp(target, expected));
    /* stat follows the link to the pipe; lstat sees the link. */
    CHECK_EQ(stat(path, &via), 0);
    CHECK(S_ISFIFO(via.st_mode));
    CHECK_EQ(via.st_ino, st.st_ino);
    CHECK_EQ(lstat(path, &via), 0);
    CHECK(S_ISLNK(via.st_mode));
    CHECK_EQ(via.st_mode & 0777, 0500); /* lr-x------: opened for reading */
    /* Opening the write end's link writes into the same pipe. */
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
    CHECK_EQ(lstat(path, &via), 0);
    CHECK_EQ(via.st_mode & 0777, 0300); /* l-wx------ */
    const int w = open(path, O_WRONLY);
    CHECK(w >= 0);
    const long written = write(w, "hi", 2);
    CHECK_EQ(written, 2);
    char got[2] = {0};
    if (written == 2) CHECK_EQ(read(p[0], got, 2), 2); /* (not when nothing came: it would wait forever) */
    CHECK(!memcmp(got, "hi", 2));
    close(w);

    /* A file of the tree: its path; /dev/null: its path. */
    const int f = open(program_path(), O_RDONLY);
    const int null = open("/dev/null", O_WRONLY);
    snprintf(path, sizeof path, "/proc/self/fd/%d", f);
    n = readlink(path, target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    CHECK(!strcmp(target, program_path()));
    snprintf(path, sizeof path, "/proc/self/fd/%d", null);
    n = readlink(path, target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    CHECK(!strcmp(target, "/dev/null"));

    /* The fd directory lists exactly the open descriptors. */
    int seen[64] = {0}, entries = 0;
    DIR* d = opendir("/proc/self/fd");
    CHECK(d != 0);
    const int listing = d ? dirfd(d) : -1;
    for (struct dirent* e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        const int fd = atoi(e->d_name);
        CHECK(fd >= 0 && fd < 64);
        if (fd < 0 || fd >= 64) continue;
        CHECK_EQ(e->d_type, DT_LNK);
        seen[fd]++;
        entries++;
    }
    int open_fds = 0;
    for (int fd = 0; fd < 64; fd++) {
        const int is_open = fcntl(fd, F_GETFD) >= 0;
        open_fds += is_open;
        CHECK_EQ(seen[fd], is_open);
    }
    CHECK_EQ(entries, open_fds);
    CHECK(seen[p[0]] && seen[p[1]] && seen[f] && seen[listing]);
    if (d) closedir(d);

    /* A closed descriptor's link is gone. */
    close(f);
    snprintf(path, sizeof path, "/proc/self/fd/%d", f);
    CHECK_ERRNO(readlink(path, target, sizeof target), ENOENT);
    CHECK_ERRNO(open(path, O_RDONLY), ENOENT);
    /* ".." after a link leaves the link's directory, as on Linux. */
    struct stat up, self;
    CHECK_EQ(stat("/proc/self/fd/..", &up), 0);
    CHECK_EQ(stat("/proc/self", &self), 0);
    CHECK_EQ(up.st_ino, self.st_ino);
    close(null);
    close(p[0]);
    close(p[1]);
}

static void cwd_and_root_links(void) {
    char target[256], expected[64];
    CHECK_EQ(chdir("/etc"), 0);
    long n = readlink("/proc/self/cwd", target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    CHECK(!strcmp(target, "/etc"));
    n = readlink("/proc/self/root", target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    CHECK(!strcmp(target, "/"));
    /* chdir through a link lands where it leads. */
    CHECK_EQ(chdir("/proc/self"), 0);
    CHECK(getcwd(target, sizeof target) != 0);
    snprintf(expected, sizeof expected, "/proc/%d", getpid());
    CHECK(!strcmp(target, expected));
    /* Relative paths from there. */
    CHECK(read_all("status", text, sizeof text) > 0);
    CHECK_EQ(number_field(text, "Pid"), getpid());
    CHECK(read_all("../self/comm", text, sizeof text) > 0);
    CHECK_EQ(chdir("fd"), 0);
    CHECK_EQ(chdir(".."), 0);
    CHECK(getcwd(target, sizeof target) && !strcmp(target, expected));
    CHECK_EQ(chdir("/"), 0);
    CHECK_ERRNO(chdir("/proc/self/status"), ENOTDIR);
}

/* ---------------------------------------------------------------- other processes */

static int wait_for_byte(void* arg) {
    const int* p = arg;
    char c;
    close(p[1]);
    return read(p[0], &c, 1) == 1 ? 7 : 8;
}

static void poll_state(pid_t pid, const char* state) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    for (int i = 0; i < 200; i++) {
        if (read_all(path, text, sizeof text) > 0 && field(text, "State") &&
            !strncmp(field(text, "State"), state, strlen(state)))
            return;
        sleep_ms(10);
    }
    CHECK(!"the state never came");
}

static void another_process_has_its_directory(void) {
    int p[2];
    CHECK_EQ(pipe(p), 0);
    const pid_t child = start_child(wait_for_byte, p);
    CHECK(child > 0);
    char path[64], target[256];
    /* Asleep on the pipe: S. */
    poll_state(child, "S (sleeping)");
    CHECK_EQ(number_field(text, "Pid"), child);
    CHECK_EQ(number_field(text, "PPid"), getpid());
    snprintf(path, sizeof path, "/proc/%d/exe", child);
    long n = readlink(path, target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    CHECK(!strcmp(target, program_path())); /* forked: the same program */
    snprintf(path, sizeof path, "/proc/%d/stat", child);
    CHECK(read_all(path, text, sizeof text) > 0);
    char expected[64];
    snprintf(expected, sizeof expected, "%d (%.15s) S %d ", child, base_name(program_path()), getpid());
    CHECK(!strncmp(text, expected, strlen(expected)));

    /* /proc lists both processes, once each, with the fixed names. */
    int found_self = 0, found_child = 0, found_cpuinfo = 0, found_self_link = 0;
    DIR* d = opendir("/proc");
    CHECK(d != 0);
    for (struct dirent* e; d && (e = readdir(d));) {
        if (atoi(e->d_name) == getpid()) found_self++;
        if (atoi(e->d_name) == child) found_child++;
        if (!strcmp(e->d_name, "cpuinfo")) found_cpuinfo += e->d_type == DT_REG;
        if (!strcmp(e->d_name, "self")) found_self_link += e->d_type == DT_LNK;
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9') CHECK_EQ(e->d_type, DT_DIR);
    }
    if (d) closedir(d);
    CHECK_EQ(found_self, 1);
    CHECK_EQ(found_child, 1);
    CHECK_EQ(found_cpuinfo, 1);
    CHECK_EQ(found_self_link, 1);

    /* It ends: a zombie until reaped, then gone. */
    close(p[0]);
    CHECK_EQ(write(p[1], "x", 1), 1);
    close(p[1]);
    poll_state(child, "Z (zombie)");
    snprintf(path, sizeof path, "/proc/%d/cmdline", child);
    CHECK_EQ(read_all(path, text, sizeof text), 0); /* no memory left: empty, as on Linux */
    snprintf(path, sizeof path, "/proc/%d/exe", child);
    CHECK_ERRNO(readlink(path, target, sizeof target), ENOENT);
    CHECK_EXITED(reap(child), 7);
    snprintf(path, sizeof path, "/proc/%d", child);
    struct stat st;
    CHECK_ERRNO(stat(path, &st), ENOENT);
    snprintf(path, sizeof path, "/proc/%d/status", child);
    CHECK_ERRNO(open(path, O_RDONLY), ENOENT);
}

static void an_open_file_outlives_its_process(void) {
    /* Opened while the child lives, read after it was reaped: ESRCH. */
    int p[2];
    CHECK_EQ(pipe(p), 0);
    const pid_t child = start_child(wait_for_byte, p);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", child);
    const int fd = open(path, O_RDONLY);
    CHECK(fd >= 0);
    close(p[0]);
    CHECK_EQ(write(p[1], "x", 1), 1);
    close(p[1]);
    CHECK_EXITED(reap(child), 7);
    char buf[64];
    CHECK_ERRNO(read(fd, buf, sizeof buf), ESRCH);
    close(fd);
}

/* ---------------------------------------------------------------- threads */

#define STACK_SIZE 16384
static char thread_stack[STACK_SIZE] __attribute__((aligned(16)));
static volatile int thread_tid, thread_go, thread_ready;
static char thread_self_link[64];

static int thread_body(void* arg) {
    (void)arg;
    const long n = readlink("/proc/thread-self", thread_self_link, sizeof thread_self_link - 1);
    thread_self_link[n > 0 ? n : 0] = 0;
    thread_ready = 1;
    while (!thread_go) syscall(SYS_futex, &thread_go, FUTEX_WAIT, 0, 0, 0, 0);
    return 0;
}

static void a_thread_has_a_task_directory(void) {
    thread_go = thread_ready = 0;
    thread_tid = -1;
    const long tid =
        test_clone(THREAD_FLAGS, thread_stack + STACK_SIZE, (int*)&thread_tid, (int*)&thread_tid, thread_body, 0);
    CHECK(tid > 0);
    if (tid <= 0) return;
    while (!thread_ready) sched_yield();
    char expected[64], path[96];
    snprintf(expected, sizeof expected, "%d/task/%ld", getpid(), tid);
    CHECK(!strcmp(thread_self_link, expected));
    /* The process counts two tasks; task/ lists both. */
    CHECK(read_all("/proc/self/status", text, sizeof text) > 0);
    CHECK_EQ(number_field(text, "Threads"), 2);
    int leader = 0, other = 0, entries = 0;
    DIR* d = opendir("/proc/self/task");
    CHECK(d != 0);
    for (struct dirent* e; d && (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        entries++;
        leader += atoi(e->d_name) == getpid();
        other += atoi(e->d_name) == tid;
    }
    if (d) closedir(d);
    CHECK_EQ(entries, 2);
    CHECK_EQ(leader, 1);
    CHECK_EQ(other, 1);
    /* The thread's own status: its Pid, the process's Tgid. */
    snprintf(path, sizeof path, "/proc/%d/task/%ld/status", getpid(), tid);
    CHECK(read_all(path, text, sizeof text) > 0);
    CHECK_EQ(number_field(text, "Pid"), tid);
    CHECK_EQ(number_field(text, "Tgid"), getpid());
    CHECK_EQ(number_field(text, "PPid"), getppid());
    /* /proc/TID works, though only processes are listed in /proc. */
    snprintf(path, sizeof path, "/proc/%ld/status", tid);
    CHECK(read_all(path, text, sizeof text) > 0);
    CHECK_EQ(number_field(text, "Pid"), tid);
    int listed = 0;
    d = opendir("/proc");
    for (struct dirent* e; d && (e = readdir(d));) listed += atoi(e->d_name) == tid;
    if (d) closedir(d);
    CHECK_EQ(listed, 0);
    /* A task directory has no task/ of its own, but the rest. */
    snprintf(path, sizeof path, "/proc/self/task/%ld/task", tid);
    struct stat st;
    CHECK_ERRNO(stat(path, &st), ENOENT);
    snprintf(path, sizeof path, "/proc/self/task/%ld/maps", tid);
    CHECK(read_all(path, text, sizeof text) > 0);
    /* A tid of another process is not in this task/. */
    snprintf(path, sizeof path, "/proc/self/task/%d", getppid());
    CHECK_ERRNO(stat(path, &st), ENOENT);

    thread_go = 1;
    syscall(SYS_futex, &thread_go, 1 /* FUTEX_WAKE */, 1, 0, 0, 0);
    for (int v; (v = thread_tid) != 0;) syscall(SYS_futex, &thread_tid, FUTEX_WAIT, v, 0, 0, 0);
    for (int i = 0; i < 100; i++) { /* the kernel frees the task once the CPU left it */
        snprintf(path, sizeof path, "/proc/self/task/%ld", tid);
        if (stat(path, &st) < 0) break;
        sleep_ms(5);
    }
    CHECK_ERRNO(stat(path, &st), ENOENT);
}

/* ---------------------------------------------------------------- the directories */

static void the_tree_stats_and_lists(void) {
    struct stat st;
    CHECK_EQ(stat("/proc", &st), 0);
    CHECK(S_ISDIR(st.st_mode));
    CHECK_EQ(stat("/proc/self", &st), 0);
    CHECK(S_ISDIR(st.st_mode));
    CHECK_EQ(lstat("/proc/self", &st), 0);
    CHECK(S_ISLNK(st.st_mode));
    CHECK_EQ(stat("/proc/self/status", &st), 0);
    CHECK(S_ISREG(st.st_mode));
    CHECK_EQ(st.st_mode & 0777, 0444);
    CHECK_EQ(st.st_size, 0); /* read them to the end: Linux gives no size either */
    char target[32], expected[32];
    const long n = readlink("/proc/self", target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    snprintf(expected, sizeof expected, "%d", getpid());
    CHECK(!strcmp(target, expected));
    /* /proc/self lists its files, with their types. */
    const char* names[] = {"status", "maps", "stat", "statm", "cmdline", "comm", "exe", "cwd", "root", "fd", "task"};
    const unsigned char types[] = {DT_REG, DT_REG, DT_REG, DT_REG, DT_REG, DT_REG,
                                   DT_LNK, DT_LNK, DT_LNK, DT_DIR, DT_DIR};
    int found[11] = {0};
    DIR* d = opendir("/proc/self");
    CHECK(d != 0);
    for (struct dirent* e; d && (e = readdir(d));)
        for (int i = 0; i < 11; i++)
            if (!strcmp(e->d_name, names[i])) found[i] += e->d_type == types[i];
    if (d) closedir(d);
    for (int i = 0; i < 11; i++) CHECK_EQ(found[i], 1);
    /* The root directory shows proc. */
    int proc = 0;
    d = opendir("/");
    for (struct dirent* e; d && (e = readdir(d));) proc += !strcmp(e->d_name, "proc") && e->d_type == DT_DIR;
    if (d) closedir(d);
    CHECK_EQ(proc, 1);
    CHECK_ERRNO(stat("/proc/0", &st), ENOENT);  /* no process 0 */
    CHECK_ERRNO(stat("/proc/01", &st), ENOENT); /* no leading zeros */
    CHECK_ERRNO(stat("/proc/nothing", &st), ENOENT);
    CHECK_ERRNO(stat("/proc/self/nothing", &st), ENOENT);
    CHECK_ERRNO(stat("/proc/cpuinfo/x", &st), ENOTDIR);
    CHECK_ERRNO(stat("/proc/cpuinfo/", &st), ENOTDIR);
}

static void everything_is_read_only(void) {
    CHECK_ERRNO(open("/proc/self/status", O_WRONLY), EACCES);
    CHECK_ERRNO(open("/proc/self/status", O_RDWR), EACCES);
    CHECK_ERRNO(open("/proc/cpuinfo", O_RDONLY | O_TRUNC), EACCES);
    CHECK_ERRNO(open("/proc/new", O_WRONLY | O_CREAT, 0644), EACCES);
    CHECK_ERRNO(open("/proc/self/new", O_WRONLY | O_CREAT, 0644), EACCES);
    CHECK_ERRNO(open("/proc", O_WRONLY), EISDIR);
    CHECK_ERRNO(open("/proc/self/maps", O_RDONLY | O_DIRECTORY), ENOTDIR);
    CHECK_ERRNO(access("/proc/self/status", W_OK), EACCES);
    CHECK_EQ(access("/proc/self/status", R_OK), 0);
    const int fd = open("/proc/self/status", O_RDONLY);
    CHECK_ERRNO(write(fd, "x", 1), EBADF);
    close(fd);
    CHECK_ERRNO(read(open("/proc", O_RDONLY | O_DIRECTORY), text, 10), EISDIR);
}

/* ---------------------------------------------------------------- cpuinfo, meminfo, uptime */

static void cpuid(unsigned leaf, unsigned r[4]) {
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

static int has_flag(const char* flags, const char* name) {
    const size_t n = strlen(name);
    for (const char* p = flags; (p = strstr(p, name)); p += n)
        if ((p == flags || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || !p[n])) return 1;
    return 0;
}

/* "key\t...: value" lines of cpuinfo. */
static const char* cpu_field(const char* t, const char* key) {
    const size_t n = strlen(key);
    for (const char* line = t; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : 0) {
        if (strncmp(line, key, n)) continue;
        const char* p = line + n;
        while (*p == '\t') p++;
        if (p[0] == ':' && p[1] == ' ') return p + 2;
    }
    return 0;
}

static void cpuinfo_matches_cpuid(void) {
    CHECK(read_all("/proc/cpuinfo", text, sizeof text) > 0);
    CHECK(!strncmp(text, "processor\t: 0\n", 14));
    unsigned r[4];
    cpuid(0, r);
    char vendor[13];
    memcpy(vendor, &r[1], 4), memcpy(vendor + 4, &r[3], 4), memcpy(vendor + 8, &r[2], 4);
    vendor[12] = 0;
    const char* v = cpu_field(text, "vendor_id");
    CHECK(v && !strncmp(v, vendor, 12) && v[12] == '\n');
    CHECK_EQ(strtol(cpu_field(text, "cpuid level"), 0, 10), (long)r[0]);
    cpuid(1, r);
    const unsigned base_family = (r[0] >> 8) & 0xf;
    const unsigned family = base_family == 0xf ? base_family + ((r[0] >> 20) & 0xff) : base_family;
    CHECK_EQ(strtol(cpu_field(text, "cpu family"), 0, 10), (long)family);
    CHECK_EQ(strtol(cpu_field(text, "stepping"), 0, 10), (long)(r[0] & 0xf));
    const char* flags = cpu_field(text, "flags");
    CHECK(flags != 0);
    if (!flags) return;
    /* CPUID.1:EDX names, present exactly when the bit is. */
    const struct {
        const char* name;
        unsigned bit;
    } edx[] = {{"fpu", 0},  {"tsc", 4},   {"cx8", 8},  {"sep", 11}, {"cmov", 15},
               {"mmx", 23}, {"fxsr", 24}, {"sse", 25}, {"sse2", 26}};
    for (unsigned i = 0; i < sizeof edx / sizeof edx[0]; i++)
        CHECK_EQ(has_flag(flags, edx[i].name), (int)((r[3] >> edx[i].bit) & 1));
    CHECK_EQ(has_flag(flags, "hypervisor"), (int)(r[2] >> 31));
    /* xsave only when the OS enabled it (CPUID.1:ECX.OSXSAVE mirrors CR4). */
    CHECK_EQ(has_flag(flags, "xsave"), (int)((r[2] >> 26) & (r[2] >> 27) & 1));
    if (!((r[2] >> 27) & 1)) CHECK(!has_flag(flags, "avx"));
    cpuid(0x80000001, r);
    CHECK_EQ(has_flag(flags, "lm"), (int)((r[3] >> 29) & 1));
    CHECK_EQ(has_flag(flags, "nx"), (int)((r[3] >> 20) & 1));
#ifdef __x86_64__
    CHECK_EQ(has_flag(flags, "syscall"), (int)((r[3] >> 11) & 1));
#else
    /* Intel CPUs report SYSCALL only to 64-bit code: cpuinfo has the kernel's view. */
    if ((r[3] >> 11) & 1) CHECK(has_flag(flags, "syscall"));
#endif
    CHECK(has_flag(flags, "lm"));       /* Sysgate runs in long mode */
    CHECK(!has_flag(flags, "osxsave")); /* a bit Linux gives no name */
    /* The lines programs look for. */
    CHECK(cpu_field(text, "model name") != 0);
    CHECK(cpu_field(text, "bogomips") && strtol(cpu_field(text, "bogomips"), 0, 10) > 0);
    CHECK(cpu_field(text, "address sizes") != 0);
    CHECK(strstr(text, "\npower management:") != 0);
    CHECK(!strcmp(text + strlen(text) - 2, "\n\n")); /* a blank line ends a processor */
}

static void meminfo_and_uptime(void) {
    CHECK(read_all("/proc/meminfo", text, sizeof text) > 0);
    CHECK(!strncmp(text, "MemTotal:", 9));
    struct sysgate_stats s;
    CHECK(sysgate_stats(&s, sizeof s) > 0);
    unsigned long total = 0, kb = 0;
    CHECK_EQ(sscanf(text, "MemTotal: %lu kB", &total), 1);
    CHECK_EQ(total, s.total_frames * 4);
    const char* free_line = strstr(text, "\nMemFree:");
    CHECK(free_line && sscanf(free_line + 9, "%lu", &kb) == 1 && kb > 0 && kb <= total);
    /* Linux's layout: the label padded to 16 columns, the number to 8. */
    char expected[64];
    snprintf(expected, sizeof expected, "MemTotal:       %8lu kB\n", total);
    CHECK(!strncmp(text, expected, strlen(expected)));

    char up[64];
    struct timespec now;
    CHECK(read_all("/proc/uptime", up, sizeof up) > 0);
    clock_gettime(CLOCK_MONOTONIC, &now);
    unsigned long seconds, hundredths, idle_s, idle_h;
    CHECK_EQ(sscanf(up, "%lu.%lu %lu.%lu", &seconds, &hundredths, &idle_s, &idle_h), 4);
    CHECK(hundredths < 100);
    CHECK((long)seconds <= (long)now.tv_sec && (long)seconds + 1 >= (long)now.tv_sec);
}

/* ---------------------------------------------------------------- memory */

static void reading_leaks_no_kernel_memory(void) {
    const char* files[] = {"/proc/self/maps", "/proc/self/status", "/proc/self/stat",
                           "/proc/cpuinfo",   "/proc/meminfo",     "/proc/self/cmdline"};
    for (int i = 0; i < 6; i++) read_all(files[i], text, sizeof text); /* warm up */
    const uint64_t before = kernel_heap_bytes();
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < 6; i++) CHECK(read_all(files[i], text, sizeof text) > 0);
        DIR* d = opendir("/proc");
        while (d && readdir(d)) {
        }
        if (d) closedir(d);
    }
    CHECK_EQ(kernel_heap_bytes(), before);
}

int main(int argc, char** argv) {
    if (argc > 1 && !strcmp(argv[0], "renamed")) return exec_check(argc, argv);
    set_program(argv[0]);
    saved_argc = argc;
    saved_argv = argv;
    test_run("maps: every region with Linux's name, [vdso] at AT_SYSINFO_EHDR", maps_name_every_region);
    test_run("maps follows mmap, munmap and brk", maps_follow_mmap_munmap_and_brk);
    test_run("status: Pid, Tgid, PPid, memory and the signal masks", status_matches_the_calls);
    test_run("a read from offset 0 makes the text again", status_is_made_again_at_offset_zero);
    test_run("stat and statm: the first fields", stat_and_statm_give_the_first_fields);
    test_run("exe, cmdline and comm; execve of /proc/self/exe", exe_and_cmdline_name_the_program);
    test_run("fd links: a pipe, a file, /dev/null; the fd directory", fd_links_name_what_is_open);
    test_run("cwd and root links; chdir into /proc", cwd_and_root_links);
    test_run("/proc/PID of a child: sleeping, zombie, reaped", another_process_has_its_directory);
    test_run("an open /proc file of a process that ended: ESRCH", an_open_file_outlives_its_process);
    test_run("a thread: task/TID, thread-self, /proc/TID", a_thread_has_a_task_directory);
    test_run("stat, lstat and getdents64 in /proc", the_tree_stats_and_lists);
    test_run("everything is read-only: EACCES, EISDIR, EBADF", everything_is_read_only);
    test_run("cpuinfo: vendor, family and flags as CPUID says", cpuinfo_matches_cpuid);
    test_run("meminfo and uptime", meminfo_and_uptime);
    test_run("reading /proc leaks no kernel memory", reading_leaks_no_kernel_memory);
    return test_summary(sizeof(void*) == 8 ? "procfs" : "procfs32");
}
