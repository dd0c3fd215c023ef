/* Files ("Processes, files and a shell"): the descriptor table (per
 * process, inherited by fork, kept across execve but for FD_CLOEXEC),
 * open/openat, read, write, close, lseek, fstat/newfstatat (stat64 and
 * fstatat64 on i386), getdents64, dup/dup2/dup3, fcntl, pipe/pipe2,
 * console ioctls, getcwd/chdir, readlink, the read-only initramfs and the
 * /dev nodes, with their failure paths (EBADF, ENOENT, EFAULT, EROFS...).
 * Built for 64- and 32-bit; `files fd-check ...` is the program the
 * execve case runs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"

static const char* base_name(void) {
    return strrchr(program_path(), '/') + 1;
}

/* A descriptor number no test has open. */
#define UNUSED_FD 63

static int lowest_free_fd(void) {
    for (int fd = 0; fd < 64; fd++)
        if (fcntl(fd, F_GETFD) < 0) return fd;
    return -1;
}

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&t, 0);
}

/* ---------------------------------------------------------------- open, read, lseek, close */

static void open_read_seek_close(void) {
    const int fd = open(program_path(), O_RDONLY);
    CHECK(fd >= 3);
    struct stat st;
    CHECK_EQ(fstat(fd, &st), 0);
    const off_t size = st.st_size;
    CHECK(size > 4096);

    char buf[4096];
    CHECK_EQ(read(fd, buf, 4), 4);
    CHECK(!memcmp(buf, "\177ELF", 4));
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 4);
    /* The whole file, in pieces, is exactly st_size bytes. */
    off_t total = 4;
    for (;;) {
        const ssize_t n = read(fd, buf, sizeof buf);
        CHECK(n >= 0);
        if (n <= 0) break;
        total += n;
    }
    CHECK_EQ(total, size);
    CHECK_EQ(read(fd, buf, 1), 0); /* end of file, again */
    CHECK_EQ(lseek(fd, 0, SEEK_END), size);
    CHECK_EQ(lseek(fd, -3, SEEK_END), size - 3);
    CHECK_EQ(read(fd, buf, 100), 3);
    CHECK_EQ(lseek(fd, 1, SEEK_SET), 1);
    CHECK_EQ(read(fd, buf, 3), 3);
    CHECK(!memcmp(buf, "ELF", 3));
    CHECK_EQ(lseek(fd, 2, SEEK_CUR), 6);
    CHECK_EQ(lseek(fd, size + 100, SEEK_SET), size + 100); /* past the end is allowed */
    CHECK_EQ(read(fd, buf, 10), 0);
    CHECK_ERRNO(lseek(fd, -1, SEEK_SET), EINVAL);
    CHECK_ERRNO(lseek(fd, -(size + 1), SEEK_END), EINVAL);
    CHECK_ERRNO(lseek(fd, 0, 3), EINVAL);
    CHECK_EQ(read(fd, buf, 0), 0);
    CHECK_EQ(close(fd), 0);
    CHECK_ERRNO(close(fd), EBADF);
    CHECK_ERRNO(read(fd, buf, 1), EBADF);
}

static void openat_and_directories(void) {
    const int dir = open("/test", O_RDONLY | O_DIRECTORY);
    CHECK(dir >= 0);
    const int fd = openat(dir, base_name(), O_RDONLY);
    CHECK(fd >= 0);
    struct stat a, b;
    CHECK_EQ(fstat(fd, &a), 0);
    CHECK_EQ(stat(program_path(), &b), 0);
    CHECK_EQ(a.st_ino, b.st_ino); /* the same file */
    const int again = openat(AT_FDCWD, program_path(), O_RDONLY);
    CHECK(again >= 0);
    const int absolute = openat(fd, program_path(), O_RDONLY); /* dirfd unused for absolute paths */
    CHECK(absolute >= 0);
    CHECK_ERRNO(openat(fd, "x", O_RDONLY), ENOTDIR); /* a file is no directory */
    CHECK_ERRNO(openat(UNUSED_FD, "x", O_RDONLY), EBADF);
    CHECK_ERRNO(openat(dir, "no-such-file", O_RDONLY), ENOENT);
    CHECK_ERRNO(open(program_path(), O_RDONLY | O_DIRECTORY), ENOTDIR);
    const int slash = open("/test/", O_RDONLY);
    CHECK(slash >= 0);
    char path[80];
    snprintf(path, sizeof path, "%s/", program_path());
    CHECK_ERRNO(open(path, O_RDONLY), ENOTDIR); /* a trailing slash wants a directory */
    close(slash);
    close(absolute);
    close(again);
    close(fd);
    close(dir);
}

/* ---------------------------------------------------------------- failure paths */

static void bad_descriptors(void) {
    const int bad[] = {-1, UNUSED_FD, 64, 1000, INT_MAX};
    char buf[16];
    struct stat st;
    CHECK_ERRNO(fcntl(UNUSED_FD, F_GETFD), EBADF); /* really unused */
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const int fd = bad[i];
        CHECK_ERRNO(read(fd, buf, 1), EBADF);
        CHECK_ERRNO(write(fd, "x", 1), EBADF);
        CHECK_ERRNO(close(fd), EBADF);
        CHECK_ERRNO(lseek(fd, 0, SEEK_SET), EBADF);
        CHECK_ERRNO(fstat(fd, &st), EBADF);
        CHECK_ERRNO(syscall(SYS_getdents64, fd, buf, sizeof buf), EBADF);
        CHECK_ERRNO(dup(fd), EBADF);
        CHECK_ERRNO(dup2(fd, 40), EBADF);
        CHECK_ERRNO(dup3(fd, 40, 0), EBADF);
        CHECK_ERRNO(fcntl(fd, F_GETFD), EBADF);
        CHECK_ERRNO(fcntl(fd, F_GETFL), EBADF);
        struct termios t;
        CHECK_ERRNO(ioctl(fd, TCGETS, &t), EBADF);
    }
    CHECK_ERRNO(fcntl(40, F_GETFD), EBADF); /* the dup2s created nothing */

    /* The wrong direction for the open mode. */
    const int ro = open(program_path(), O_RDONLY);
    CHECK_ERRNO(write(ro, "x", 1), EBADF);
    const int wo = open("/dev/null", O_WRONLY);
    CHECK_ERRNO(read(wo, buf, 1), EBADF);
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    CHECK_ERRNO(write(fds[0], "x", 1), EBADF);
    CHECK_ERRNO(read(fds[1], buf, 1), EBADF);
    close(fds[0]);
    close(fds[1]);
    close(wo);
    close(ro);
}

static void bad_paths(void) {
    struct stat st;
    char buf[64];
    static const char* const missing[] = {"/no-such-file", "/test/no-such-file", "no-such-file", "/no-such-dir/x",
                                          "/dev/nothing"};
    for (unsigned i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        CHECK_ERRNO(open(missing[i], O_RDONLY), ENOENT);
        CHECK_ERRNO(openat(AT_FDCWD, missing[i], O_RDONLY), ENOENT);
        CHECK_ERRNO(stat(missing[i], &st), ENOENT);
        CHECK_ERRNO(fstatat(AT_FDCWD, missing[i], &st, 0), ENOENT);
        CHECK_ERRNO(chdir(missing[i]), ENOENT);
        CHECK_ERRNO(readlink(missing[i], buf, sizeof buf), ENOENT);
        CHECK_ERRNO(access(missing[i], F_OK), ENOENT);
    }
    CHECK_ERRNO(open("", O_RDONLY), ENOENT);
    CHECK_ERRNO(stat("", &st), ENOENT);
    char below_a_file[80];
    snprintf(below_a_file, sizeof below_a_file, "%s/x", program_path());
    CHECK_ERRNO(open(below_a_file, O_RDONLY), ENOTDIR);
    CHECK_ERRNO(stat(below_a_file, &st), ENOTDIR);
    CHECK_ERRNO(chdir(program_path()), ENOTDIR);
    /* Longer than PATH_MAX: ENAMETOOLONG, not a truncated lookup. */
    static char longer[5000];
    memset(longer, 'a', sizeof longer - 1);
    longer[0] = '/';
    CHECK_ERRNO(open(longer, O_RDONLY), ENAMETOOLONG);
    CHECK_ERRNO(stat(longer, &st), ENAMETOOLONG);
}

static void bad_pointers(void) {
    char buf[64];
    struct stat st;
    const int fd = open(program_path(), O_RDONLY);
    CHECK_ERRNO(read(fd, UNMAPPED_ADDRESS, 16), EFAULT);
    CHECK_ERRNO(read(fd, KERNEL_ADDRESS, 16), EFAULT);
    CHECK_ERRNO(read(fd, (void*)base_name, 16), EFAULT); /* our own code: read-only */
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0);                 /* nothing was consumed */
    CHECK_ERRNO(write(1, UNMAPPED_ADDRESS, 16), EFAULT);
    CHECK_ERRNO(write(1, KERNEL_ADDRESS, 16), EFAULT);
    CHECK_ERRNO(open((const char*)UNMAPPED_ADDRESS, O_RDONLY), EFAULT);
    CHECK_ERRNO(open((const char*)KERNEL_ADDRESS, O_RDONLY), EFAULT);
    CHECK_ERRNO(stat(program_path(), (struct stat*)UNMAPPED_ADDRESS), EFAULT);
    CHECK_ERRNO(stat((const char*)UNMAPPED_ADDRESS, &st), EFAULT);
    CHECK_ERRNO(fstat(fd, (struct stat*)KERNEL_ADDRESS), EFAULT);
    CHECK_ERRNO(fstatat(fd, "", (struct stat*)UNMAPPED_ADDRESS, AT_EMPTY_PATH), EFAULT);
    CHECK_ERRNO(chdir((const char*)UNMAPPED_ADDRESS), EFAULT);
    CHECK_ERRNO(syscall(SYS_getcwd, UNMAPPED_ADDRESS, 64), EFAULT);
    CHECK_ERRNO(readlink((const char*)UNMAPPED_ADDRESS, buf, sizeof buf), EFAULT);
    const int dir = open("/test", O_RDONLY | O_DIRECTORY);
    CHECK_ERRNO(syscall(SYS_getdents64, dir, UNMAPPED_ADDRESS, 4096), EFAULT);
    close(dir);
    const int before = lowest_free_fd();
    CHECK_ERRNO(pipe((int*)UNMAPPED_ADDRESS), EFAULT);
    CHECK_ERRNO(pipe2((int*)KERNEL_ADDRESS, O_CLOEXEC), EFAULT);
    CHECK_EQ(lowest_free_fd(), before); /* the failed pipes left no descriptors */
    const int tty = open("/dev/tty", O_RDWR);
    CHECK_ERRNO(ioctl(tty, TCGETS, UNMAPPED_ADDRESS), EFAULT);
    CHECK_ERRNO(ioctl(tty, TIOCGWINSZ, KERNEL_ADDRESS), EFAULT);
    close(tty);
    close(fd);
}

static void initramfs_is_read_only(void) {
    CHECK_ERRNO(open(program_path(), O_WRONLY), EROFS);
    CHECK_ERRNO(open(program_path(), O_RDWR), EROFS);
    CHECK_ERRNO(open(program_path(), O_RDONLY | O_TRUNC), EROFS);
    CHECK_ERRNO(open(program_path(), O_WRONLY | O_APPEND), EROFS);
    CHECK_ERRNO(open("/test/new-file", O_WRONLY | O_CREAT, 0644), EROFS);
    CHECK_ERRNO(creat("/new-file", 0644), EROFS);
    CHECK_ERRNO(open(program_path(), O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    CHECK_ERRNO(open("/test", O_WRONLY), EISDIR);
    const int dir = open("/test", O_RDONLY);
    char c;
    CHECK_ERRNO(read(dir, &c, 1), EISDIR); /* what cat shows for a directory */
    CHECK_ERRNO(write(dir, "x", 1), EBADF);
    close(dir);
    CHECK_ERRNO(access(program_path(), W_OK), EROFS);
    CHECK_EQ(access(program_path(), R_OK | X_OK), 0);
    CHECK_ERRNO(open("/test/new-file", O_RDONLY), ENOENT); /* nothing was created */
}

/* ---------------------------------------------------------------- stat */

static void stat_reports_type_and_identity(void) {
    struct stat path_st, fd_st, at_st, empty_st, dir_st;
    CHECK_EQ(stat(program_path(), &path_st), 0);
    CHECK(S_ISREG(path_st.st_mode));
    CHECK(path_st.st_mode & S_IXUSR);
    CHECK(path_st.st_size > 0);
    CHECK_EQ(path_st.st_blocks, (path_st.st_size + 511) / 512);
    CHECK_EQ(path_st.st_nlink, 1);
#if !defined(__x86_64__)
    CHECK_EQ(path_st.__st_ino, (unsigned long)path_st.st_ino); /* stat64's two copies */
#endif
    const int fd = open(program_path(), O_RDONLY);
    CHECK_EQ(fstat(fd, &fd_st), 0);
    CHECK_EQ(fd_st.st_ino, path_st.st_ino);
    CHECK_EQ(fd_st.st_size, path_st.st_size);
    CHECK_EQ(fd_st.st_mode, path_st.st_mode);
    const int dir = open("/test", O_RDONLY | O_DIRECTORY);
    CHECK_EQ(fstatat(dir, base_name(), &at_st, 0), 0);
    CHECK_EQ(at_st.st_ino, path_st.st_ino);
    CHECK_EQ(fstatat(fd, "", &empty_st, AT_EMPTY_PATH), 0); /* the descriptor itself */
    CHECK_EQ(empty_st.st_ino, path_st.st_ino);
    CHECK_ERRNO(fstatat(fd, "", &empty_st, 0), ENOENT);
    CHECK_ERRNO(fstatat(AT_FDCWD, program_path(), &at_st, 0x8000), EINVAL);
    CHECK_EQ(fstat(dir, &dir_st), 0);
    CHECK(S_ISDIR(dir_st.st_mode));
    CHECK(dir_st.st_ino != path_st.st_ino);

    struct stat null_st, zero_st, console_st, tty_st;
    CHECK_EQ(stat("/dev/null", &null_st), 0);
    CHECK_EQ(stat("/dev/zero", &zero_st), 0);
    CHECK_EQ(stat("/dev/console", &console_st), 0);
    CHECK_EQ(stat("/dev/tty", &tty_st), 0);
    CHECK(S_ISCHR(null_st.st_mode) && S_ISCHR(zero_st.st_mode));
    CHECK(S_ISCHR(console_st.st_mode) && S_ISCHR(tty_st.st_mode));
    CHECK_EQ(null_st.st_rdev, 1 << 8 | 3); /* Linux's numbers: mem 1:3 and 1:5, console 5:1 */
    CHECK_EQ(zero_st.st_rdev, 1 << 8 | 5);
    CHECK_EQ(console_st.st_rdev, 5 << 8 | 1);

    int fds[2], other[2];
    struct stat r, w, o;
    CHECK_EQ(pipe(fds), 0);
    CHECK_EQ(pipe(other), 0);
    CHECK_EQ(fstat(fds[0], &r), 0);
    CHECK_EQ(fstat(fds[1], &w), 0);
    CHECK_EQ(fstat(other[0], &o), 0);
    CHECK(S_ISFIFO(r.st_mode) && S_ISFIFO(w.st_mode));
    CHECK_EQ(r.st_ino, w.st_ino); /* one pipe, two ends */
    CHECK(r.st_ino != o.st_ino);
    close(fds[0]);
    close(fds[1]);
    close(other[0]);
    close(other[1]);
    close(dir);
    close(fd);
}

/* ---------------------------------------------------------------- getdents64 */

struct linux_dirent64 {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* Reads a whole directory with getdents64 and a buffer of `size` bytes;
 * returns the names joined by spaces in *out, and checks each record. */
static int list_directory(int dir, size_t size, char* out, size_t out_size, unsigned long long want_ino,
                          const char* want_name) {
    char buf[4096] __attribute__((aligned(8)));
    int found = 0;
    out[0] = 0;
    for (;;) {
        const long n = syscall(SYS_getdents64, dir, buf, size);
        CHECK(n >= 0);
        if (n <= 0) break;
        for (long at = 0; at < n;) {
            const struct linux_dirent64* d = (const struct linux_dirent64*)(buf + at);
            CHECK_EQ(d->d_reclen % 8, 0);
            CHECK(d->d_reclen >= 20 && at + d->d_reclen <= n);
            if (d->d_reclen < 20) return found;
            CHECK_EQ(strnlen(d->d_name, d->d_reclen - 19) < (size_t)(d->d_reclen - 19), 1);
            if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..")) CHECK_EQ(d->d_type, DT_DIR);
            if (!strcmp(d->d_name, want_name)) {
                found = 1;
                CHECK_EQ(d->d_ino, want_ino);
                CHECK_EQ(d->d_type, DT_REG);
            }
            strncat(out, d->d_name, out_size - strlen(out) - 2);
            strcat(out, " ");
            at += d->d_reclen;
        }
    }
    return found;
}

static void getdents64_lists_directories(void) {
    struct stat self;
    CHECK_EQ(stat(program_path(), &self), 0);
    const int dir = open("/test", O_RDONLY | O_DIRECTORY);
    static char big[2048], small[2048];
    CHECK(list_directory(dir, 4096, big, sizeof big, self.st_ino, base_name()));
    CHECK(!strncmp(big, ". .. ", 5));                     /* "." and ".." first */
    CHECK_EQ(syscall(SYS_getdents64, dir, big, 4096), 0); /* the end stays the end */
    /* Again from the start, 48 bytes at a time (two short records): no
     * entry lost or repeated between calls. */
    CHECK_EQ(lseek(dir, 0, SEEK_SET), 0);
    CHECK(list_directory(dir, 48, small, sizeof small, self.st_ino, base_name()));
    if (strcmp(big, small)) check_failed(__FILE__, __LINE__, "same listing", small);
    CHECK_EQ(lseek(dir, 0, SEEK_SET), 0);
    char tiny[16];
    CHECK_ERRNO(syscall(SYS_getdents64, dir, tiny, sizeof tiny), EINVAL); /* not even one record */
    const int file = open(program_path(), O_RDONLY);
    CHECK_ERRNO(syscall(SYS_getdents64, file, big, 4096), ENOTDIR);
    close(file);
    close(dir);

    /* libc's readdir over /dev sees the four device nodes. */
    DIR* d = opendir("/dev");
    CHECK(d != 0);
    int seen = 0;
    for (struct dirent* e; d && (e = readdir(d));) {
        static const char* const devices[] = {"console", "null", "tty", "zero"};
        for (int i = 0; i < 4; i++)
            if (!strcmp(e->d_name, devices[i])) {
                seen |= 1 << i;
                CHECK_EQ(e->d_type, DT_CHR);
            }
    }
    if (d) closedir(d);
    CHECK_EQ(seen, 15);
}

/* ---------------------------------------------------------------- dup, fcntl */

static void dup_family_shares_descriptions(void) {
    const int fd = open(program_path(), O_RDONLY | O_CLOEXEC);
    const int lowest = lowest_free_fd();
    const int d = dup(fd);
    CHECK_EQ(d, lowest);            /* the lowest free number */
    CHECK_EQ(fcntl(d, F_GETFD), 0); /* dup does not copy FD_CLOEXEC */
    char buf[8];
    CHECK_EQ(read(fd, buf, 4), 4);
    CHECK_EQ(lseek(d, 0, SEEK_CUR), 4); /* one offset for both */

    const int null = open("/dev/null", O_RDONLY);
    CHECK_EQ(dup2(fd, null), null); /* closes what was there */
    struct stat st;
    CHECK_EQ(fstat(null, &st), 0);
    CHECK(S_ISREG(st.st_mode));
    CHECK_EQ(lseek(null, 0, SEEK_CUR), 4);
    CHECK_EQ(dup2(fd, fd), fd);
    CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC); /* dup2(fd, fd) changes nothing */
    CHECK_ERRNO(dup2(fd, -1), EBADF);
    CHECK_ERRNO(dup2(fd, 64), EBADF);

    CHECK_EQ(dup3(fd, 45, O_CLOEXEC), 45);
    CHECK_EQ(fcntl(45, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(dup2(d, 45), 45); /* dup2 over it: FD_CLOEXEC cleared */
    CHECK_EQ(fcntl(45, F_GETFD), 0);
    CHECK_ERRNO(dup3(fd, fd, 0), EINVAL);
    CHECK_ERRNO(dup3(fd, 46, O_NONBLOCK), EINVAL);
    CHECK_ERRNO(fcntl(46, F_GETFD), EBADF);
    close(45);
    close(null);
    close(d);
    close(fd);
}

static void fcntl_commands(void) {
    const int fd = open(program_path(), O_RDONLY);
    CHECK_EQ(fcntl(50, F_GETFD), -1);
    CHECK_EQ(fcntl(fd, F_DUPFD, 50), 50);
    CHECK_EQ(fcntl(fd, F_DUPFD, 50), 51); /* the lowest free at or above */
    CHECK_EQ(fcntl(50, F_GETFD), 0);
    CHECK_EQ(fcntl(fd, F_DUPFD_CLOEXEC, 50), 52);
    CHECK_EQ(fcntl(52, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(50, F_SETFD, FD_CLOEXEC), 0);
    CHECK_EQ(fcntl(50, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(50, F_SETFD, 0), 0);
    CHECK_EQ(fcntl(50, F_GETFD), 0);
    CHECK_ERRNO(fcntl(fd, F_DUPFD, 64), EINVAL);
    CHECK_ERRNO(fcntl(fd, F_DUPFD, -1), EINVAL);
    CHECK_ERRNO(fcntl(fd, 9999), EINVAL);

    CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
    const int wo = open("/dev/null", O_WRONLY | O_APPEND);
    CHECK_EQ(fcntl(wo, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK), O_WRONLY | O_APPEND);
    const int rw = open("/dev/null", O_RDWR);
    CHECK_EQ(fcntl(rw, F_GETFL) & O_ACCMODE, O_RDWR);
    /* F_SETFL changes O_APPEND and O_NONBLOCK, never the access mode. */
    CHECK_EQ(fcntl(fd, F_SETFL, O_NONBLOCK | O_WRONLY), 0);
    CHECK_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDONLY | O_NONBLOCK);
    CHECK_EQ(fcntl(50, F_GETFL) & O_NONBLOCK, O_NONBLOCK); /* the flags are the description's */
    CHECK_EQ(fcntl(fd, F_SETFL, 0), 0);
    CHECK_EQ(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);

    /* O_NONBLOCK set later on a pipe makes an empty read EAGAIN. */
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    CHECK_EQ(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
    char c;
    CHECK_ERRNO(read(fds[0], &c, 1), EAGAIN);
    close(fds[0]);
    close(fds[1]);
    close(rw);
    close(wo);
    close(52);
    close(51);
    close(50);
    close(fd);
}

/* ---------------------------------------------------------------- fork and execve */

static int use_and_change_inherited(void* arg) {
    const int fd = *(int*)arg;
    char buf[4];
    CHILD_CHECK_EQ(read(fd, buf, 4), 4); /* the shared description's offset moves */
    CHILD_CHECK_EQ(close(fd), 0);
    CHILD_CHECK_EQ(open("/dev/null", O_RDONLY), fd); /* our table only */
    return 0;
}

static void fork_inherits_descriptor_table(void) {
    const int fd = open(program_path(), O_RDONLY);
    struct stat before, after;
    CHECK_EQ(fstat(fd, &before), 0);
    int arg = fd;
    CHECK_EXITED(run_child(use_and_change_inherited, &arg), 0);
    CHECK_EQ(fstat(fd, &after), 0); /* still ours, still the file */
    CHECK_EQ(after.st_ino, before.st_ino);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 4);
    close(fd);
}

/* `files fd-check KEPT OFFSET CLOSED...`: KEPT must be open at OFFSET
 * (execve keeps descriptors and their offsets), the others closed. */
static int fd_check(int argc, char** argv) {
    if (argc < 4) return 20;
    const int kept = atoi(argv[2]);
    if (fcntl(kept, F_GETFD) != 0) return 21;
    if (lseek(kept, 0, SEEK_CUR) != atol(argv[3])) return 22;
    for (int i = 4; i < argc; i++)
        if (fcntl(atoi(argv[i]), F_GETFD) != -1 || errno != EBADF) return 23 + i;
    return 0;
}

static int exec_with_cloexec(void* arg) {
    const char* path = arg;
    const int kept = open(program_path(), O_RDONLY);
    lseek(kept, 100, SEEK_SET);
    const int opened = open(program_path(), O_RDONLY | O_CLOEXEC);
    const int set = open("/dev/null", O_RDONLY);
    fcntl(set, F_SETFD, FD_CLOEXEC);
    const int duped = dup3(kept, 40, O_CLOEXEC);
    int fds[2];
    pipe2(fds, O_CLOEXEC);
    char args[6][16];
    const int numbers[6] = {kept, 100, opened, set, duped, fds[0]};
    for (int i = 0; i < 6; i++) snprintf(args[i], sizeof args[i], "%d", numbers[i]);
    char* const argv[] = {(char*)path, "fd-check", args[0], args[1], args[2], args[3], args[4], args[5], 0};
    execv(path, argv);
    return 127;
}

static void execve_honours_cloexec(void) {
    CHECK_EXITED(run_child(exec_with_cloexec, (void*)program_path()), 0);
    CHECK_EXITED(run_child(exec_with_cloexec, (void*)other_bitness_path()), 0);
}

/* ---------------------------------------------------------------- pipes */

static int write_pattern(void* arg) {
    const int* fds = arg;
    close(fds[0]);
    unsigned char chunk[1000];
    unsigned n = 0;
    for (int i = 0; i < 66; i++) { /* 66000 bytes: many times the pipe's 4 KiB */
        for (unsigned j = 0; j < sizeof chunk; j++) chunk[j] = (unsigned char)(n++ * 7);
        CHILD_CHECK_EQ(write(fds[1], chunk, sizeof chunk), sizeof chunk);
    }
    return 0;
}

static int fill_then_write(void* arg) {
    const int* fds = arg;
    close(fds[0]);
    signal(SIGPIPE, SIG_IGN);
    char block[4096];
    memset(block, 'x', sizeof block);
    CHILD_CHECK_EQ(write(fds[1], block, sizeof block), sizeof block);
    /* Full: this write sleeps until the reader closes, then fails. */
    CHILD_CHECK_EQ(write(fds[1], block, 1), -1);
    CHILD_CHECK_EQ(errno, EPIPE);
    return 0;
}

static void pipes_carry_data_and_end(void) {
    int fds[2];
    char buf[8192];
    CHECK_EQ(pipe(fds), 0);
    CHECK_EQ(write(fds[1], "hello", 5), 5);
    CHECK_EQ(read(fds[0], buf, sizeof buf), 5);
    CHECK(!memcmp(buf, "hello", 5));
    CHECK_EQ(close(fds[1]), 0);
    CHECK_EQ(read(fds[0], buf, sizeof buf), 0); /* no writer left: end of file */
    close(fds[0]);

    /* No reader left: EPIPE (SIGPIPE ignored here; see the signals test). */
    struct sigaction ignore, old;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &old);
    CHECK_EQ(pipe(fds), 0);
    close(fds[0]);
    CHECK_ERRNO(write(fds[1], "x", 1), EPIPE);
    close(fds[1]);
    sigaction(SIGPIPE, &old, 0);

    /* 66000 bytes from a child, byte for byte, then end of file. */
    CHECK_EQ(pipe(fds), 0);
    const pid_t writer = start_child(write_pattern, fds);
    close(fds[1]);
    unsigned total = 0, wrong = 0;
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;)
        for (ssize_t i = 0; i < n; i++, total++) wrong += (unsigned char)buf[i] != (unsigned char)(total * 7);
    CHECK_EQ(total, 66000);
    CHECK_EQ(wrong, 0);
    CHECK_EXITED(reap(writer), 0);
    close(fds[0]);

    /* A writer asleep on a full pipe wakes with EPIPE when the reader goes. */
    CHECK_EQ(pipe(fds), 0);
    const pid_t filler = start_child(fill_then_write, fds);
    close(fds[1]);
    sleep_ms(30);
    close(fds[0]);
    CHECK_EXITED(reap(filler), 0);
}

static void pipe2_flags(void) {
    int fds[2];
    char buf[8192];
    CHECK_EQ(pipe2(fds, O_NONBLOCK), 0);
    CHECK_ERRNO(read(fds[0], buf, 1), EAGAIN);
    memset(buf, 'y', sizeof buf);
    CHECK_EQ(write(fds[1], buf, 5000), 4096); /* a partial write fills it */
    CHECK_ERRNO(write(fds[1], buf, 1), EAGAIN);
    CHECK_EQ(read(fds[0], buf, sizeof buf), 4096);
    CHECK_EQ(fcntl(fds[0], F_GETFD), 0);
    close(fds[0]);
    close(fds[1]);
    CHECK_EQ(pipe2(fds, O_CLOEXEC), 0);
    CHECK_EQ(fcntl(fds[0], F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(fds[1], F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(fds[0], F_GETFL) & O_ACCMODE, O_RDONLY);
    CHECK_EQ(fcntl(fds[1], F_GETFL) & O_ACCMODE, O_WRONLY);
    close(fds[0]);
    close(fds[1]);
    CHECK_ERRNO(pipe2(fds, O_APPEND), EINVAL);
    CHECK_ERRNO(lseek(fds[0], 0, SEEK_SET), EBADF);
    CHECK_EQ(pipe(fds), 0);
    CHECK_ERRNO(lseek(fds[0], 0, SEEK_SET), ESPIPE);
    close(fds[0]);
    close(fds[1]);
}

/* ---------------------------------------------------------------- terminal, cwd, devices */

static void console_ioctls(void) {
    static const char* const terminals[] = {"/dev/console", "/dev/tty"};
    for (int i = 0; i < 2; i++) {
        const int fd = open(terminals[i], O_RDWR);
        CHECK(fd >= 0);
        struct termios t;
        memset(&t, 0, sizeof t);
        CHECK_EQ(ioctl(fd, TCGETS, &t), 0);
        CHECK_EQ(t.c_lflag & (ICANON | ECHO | ISIG), ICANON | ECHO | ISIG); /* a cooked terminal */
        CHECK_EQ(t.c_cc[VINTR], 3);                                         /* Ctrl-C */
        struct winsize ws;
        memset(&ws, 0, sizeof ws);
        CHECK_EQ(ioctl(fd, TIOCGWINSZ, &ws), 0);
        CHECK(ws.ws_row > 0 && ws.ws_col > 0);
        CHECK(isatty(fd));
        CHECK_ERRNO(ioctl(fd, 0x5499, &t), ENOTTY); /* no such request */
        close(fd);
    }
    struct termios t;
    const int null = open("/dev/null", O_RDWR);
    const int file = open(program_path(), O_RDONLY);
    int fds[2];
    CHECK_EQ(pipe(fds), 0);
    const int others[] = {null, file, fds[0], fds[1]};
    for (int i = 0; i < 4; i++) {
        CHECK_ERRNO(ioctl(others[i], TCGETS, &t), ENOTTY);
        CHECK_ERRNO(ioctl(others[i], TIOCGWINSZ, &t), ENOTTY);
        CHECK(!isatty(others[i]));
    }
    close(fds[0]);
    close(fds[1]);
    close(file);
    close(null);
}

static int chdir_in_child(void* arg) {
    (void)arg;
    char buf[64];
    CHILD_CHECK(getcwd(buf, sizeof buf) && !strcmp(buf, "/test")); /* inherited */
    CHILD_CHECK_EQ(chdir("/dev"), 0);
    return 0;
}

static void getcwd_and_chdir(void) {
    char start[256], buf[256];
    CHECK(getcwd(start, sizeof start) != 0);
    CHECK_EQ(chdir("/test"), 0);
    CHECK(getcwd(buf, sizeof buf) == buf);
    CHECK(!strcmp(buf, "/test"));
    CHECK_EQ(syscall(SYS_getcwd, buf, sizeof buf), 6); /* the length, NUL included */
    const int fd = open(base_name(), O_RDONLY);        /* relative to the new cwd */
    CHECK(fd >= 0);
    close(fd);
    CHECK_EXITED(run_child(chdir_in_child, 0), 0);
    CHECK(getcwd(buf, sizeof buf) && !strcmp(buf, "/test")); /* the child's chdir was its own */
    CHECK_EQ(chdir(".."), 0);
    CHECK(getcwd(buf, sizeof buf) && !strcmp(buf, "/"));
    CHECK_EQ(chdir("test"), 0);
    CHECK_EQ(chdir("./../dev//"), 0);
    CHECK(getcwd(buf, sizeof buf) && !strcmp(buf, "/dev"));
    const int null = open("null", O_WRONLY);
    CHECK(null >= 0);
    close(null);
    CHECK_EQ(chdir("/.."), 0); /* .. of the root is the root */
    CHECK(getcwd(buf, sizeof buf) && !strcmp(buf, "/"));
    CHECK_EQ(chdir("/dev"), 0);
    CHECK(getcwd(buf, 4) == 0); /* "/dev" needs 5 bytes */
    CHECK_EQ(errno, ERANGE);
    CHECK_ERRNO(syscall(SYS_getcwd, buf, 4), ERANGE);
    CHECK_EQ(chdir(start), 0);
}

static void readlink_without_links(void) {
    char buf[64];
    CHECK_ERRNO(readlink(program_path(), buf, sizeof buf), EINVAL); /* not a link */
    CHECK_ERRNO(readlink("/test", buf, sizeof buf), EINVAL);
    CHECK_ERRNO(readlink("/test/no-such-file", buf, sizeof buf), ENOENT); /* /proc's links: the procfs test */
}

static void device_nodes(void) {
    char buf[256];
    const int null = open("/dev/null", O_RDWR);
    CHECK(null >= 0);
    CHECK_EQ(read(null, buf, sizeof buf), 0);
    CHECK_EQ(write(null, buf, sizeof buf), sizeof buf);
    const int zero = open("/dev/zero", O_RDWR);
    CHECK(zero >= 0);
    memset(buf, 0xff, sizeof buf);
    CHECK_EQ(read(zero, buf, 100), 100);
    unsigned nonzero = 0;
    for (int i = 0; i < 100; i++) nonzero += buf[i] != 0;
    CHECK_EQ(nonzero, 0);
    CHECK_EQ((unsigned char)buf[100], 0xff); /* and no more than asked */
    CHECK_EQ(write(zero, buf, 10), 10);
    static const char line[] = "    (files: a line written to /dev/console)\n";
    const int console = open("/dev/console", O_WRONLY);
    CHECK(console >= 0);
    CHECK_EQ(write(console, line, sizeof line - 1), sizeof line - 1);
    close(console);
    close(zero);
    close(null);
}

static void table_full_is_emfile(void) {
    int opened[64], count = 0;
    for (;;) {
        const int fd = dup(0);
        if (fd < 0) {
            CHECK_EQ(errno, EMFILE);
            break;
        }
        opened[count++] = fd;
        if (count == 64) break;
    }
    CHECK(count > 0 && count < 64);
    const int were_free = count;
    CHECK_EQ(lowest_free_fd(), -1); /* every one of the 64 is in use */
    CHECK_ERRNO(open("/dev/null", O_RDONLY), EMFILE);
    int fds[2];
    CHECK_ERRNO(pipe(fds), EMFILE);
    /* One slot free: pipe needs two, fails, and leaves that one free. */
    close(opened[--count]);
    CHECK_ERRNO(pipe(fds), EMFILE);
    CHECK_EQ(lowest_free_fd(), opened[count]);
    for (int i = 0; i < count; i++) close(opened[i]);
    const int fd = open("/dev/null", O_RDONLY);
    CHECK(fd >= 0);
    close(fd);
    test_note("%d descriptors were free", were_free);
}

int main(int argc, char** argv) {
    set_program(argv[0]);
    if (argc > 1 && !strcmp(argv[1], "fd-check")) return fd_check(argc, argv);
    test_run("open, read, lseek and close a file of the initramfs", open_read_seek_close);
    test_run("openat from the cwd and from a directory descriptor", openat_and_directories);
    test_run("bad descriptors give EBADF", bad_descriptors);
    test_run("bad paths give ENOENT, ENOTDIR or ENAMETOOLONG", bad_paths);
    test_run("bad pointers give EFAULT", bad_pointers);
    test_run("the initramfs is read-only: EROFS", initramfs_is_read_only);
    test_run("stat, fstat and fstatat report type, size and identity", stat_reports_type_and_identity);
    test_run("getdents64 lists directories", getdents64_lists_directories);
    test_run("dup, dup2 and dup3 share one open file description", dup_family_shares_descriptions);
    test_run("fcntl: F_DUPFD, F_GETFD/F_SETFD, F_GETFL/F_SETFL", fcntl_commands);
    test_run("fork inherits the descriptor table; the copy is separate", fork_inherits_descriptor_table);
    test_run("execve keeps descriptors but closes FD_CLOEXEC ones", execve_honours_cloexec);
    test_run("pipes: data, end of file, EPIPE, a blocked writer", pipes_carry_data_and_end);
    test_run("pipe2: O_NONBLOCK and O_CLOEXEC; lseek on a pipe", pipe2_flags);
    test_run("console ioctls: TCGETS, TIOCGWINSZ; ENOTTY elsewhere", console_ioctls);
    test_run("getcwd and chdir", getcwd_and_chdir);
    test_run("readlink: EINVAL or ENOENT outside /proc", readlink_without_links);
    test_run("/dev/null, /dev/zero and /dev/console", device_nodes);
    test_run("a full descriptor table gives EMFILE", table_full_is_emfile);
    return test_summary(sizeof(void*) == 8 ? "files" : "files32");
}
