/* <unistd.h>, <fcntl.h>, <sys/ioctl.h> and <sched.h> wrappers: each one a
   system call through sys_<name>() (so through __kernel_vsyscall) and the
   errno convention. */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "libc.h"

ssize_t read(int fd, void* buf, size_t n) {
    return __sg_ret(sys_read(fd, buf, n));
}
ssize_t write(int fd, const void* buf, size_t n) {
    return __sg_ret(sys_write(fd, buf, n));
}
int close(int fd) {
    return (int)__sg_ret(sys_close(fd));
}

off_t lseek(int fd, off_t offset, int whence) {
#ifdef __x86_64__
    return __sg_ret(sys_lseek(fd, offset, whence));
#else
    /* i386's lseek takes a 32-bit offset; _llseek takes it in two halves
       and stores the 64-bit result. */
    off_t result;
    long r = sys__llseek(fd, (unsigned long)((unsigned long long)offset >> 32), (unsigned long)offset, &result, whence);
    return __sg_ret(r) < 0 ? -1 : result;
#endif
}

int pipe(int fds[2]) {
    return (int)__sg_ret(sys_pipe(fds));
}
int pipe2(int fds[2], int flags) {
    return (int)__sg_ret(sys_pipe2(fds, flags));
}
int dup(int fd) {
    return (int)__sg_ret(sys_dup(fd));
}
int dup2(int fd, int newfd) {
    return (int)__sg_ret(sys_dup2(fd, newfd));
}
int dup3(int fd, int newfd, int flags) {
    return (int)__sg_ret(sys_dup3(fd, newfd, flags));
}

/* On i386 the plain getuid & co. are the old 16-bit-uid calls; the full
   ones are getuid32 & co. */
pid_t getpid(void) {
    return (pid_t)sys_getpid();
}
pid_t getppid(void) {
    return (pid_t)sys_getppid();
}
pid_t gettid(void) {
    return (pid_t)sys_gettid();
}
#ifdef __x86_64__
uid_t getuid(void) {
    return (uid_t)sys_getuid();
}
uid_t geteuid(void) {
    return (uid_t)sys_geteuid();
}
gid_t getgid(void) {
    return (gid_t)sys_getgid();
}
gid_t getegid(void) {
    return (gid_t)sys_getegid();
}
#else
uid_t getuid(void) {
    return (uid_t)sys_getuid32();
}
uid_t geteuid(void) {
    return (uid_t)sys_geteuid32();
}
gid_t getgid(void) {
    return (gid_t)sys_getgid32();
}
gid_t getegid(void) {
    return (gid_t)sys_getegid32();
}
#endif

pid_t fork(void) {
    return (pid_t)__sg_ret(sys_fork());
}

int execve(const char* path, char* const argv[], char* const envp[]) {
    return (int)__sg_ret(sys_execve(path, argv, envp));
}

int execv(const char* path, char* const argv[]) {
    return execve(path, argv, environ);
}

/* Tries each directory of PATH (default "/bin") unless `file` has a '/'. */
int execvp(const char* file, char* const argv[]) {
    if (!*file) {
        errno = ENOENT;
        return -1;
    }
    if (strchr(file, '/')) return execv(file, argv);
    const char* path = getenv("PATH");
    if (!path) path = "/bin";
    size_t flen = strlen(file);
    int denied = 0;
    for (const char* dir = path;; dir++) {
        size_t dlen = strcspn(dir, ":");
        char full[PATH_MAX];
        if (dlen + 1 + flen < sizeof(full)) {
            memcpy(full, dir, dlen);
            full[dlen] = '/';
            memcpy(full + dlen + 1, file, flen + 1);
            execv(dlen ? full : full + 1, argv); /* an empty entry is the current directory */
            if (errno == EACCES)
                denied = 1;
            else if (errno != ENOENT && errno != ENOTDIR)
                return -1;
        }
        dir += dlen;
        if (!*dir) break;
    }
    errno = denied ? EACCES : ENOENT;
    return -1;
}

int brk(void* addr) {
    void* now = (void*)sys_brk(addr);
    if (now != addr) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

void* sbrk(intptr_t delta) {
    char* old = (char*)sys_brk(0);
    if (delta == 0) return old;
    if ((char*)sys_brk(old + delta) != old + delta) {
        errno = ENOMEM;
        return (void*)-1;
    }
    return old;
}

int chdir(const char* path) {
    return (int)__sg_ret(sys_chdir(path));
}

/* buf == NULL: a malloc'd copy (as glibc). Linux's getcwd returns the
   length, the NUL included. */
char* getcwd(char* buf, size_t size) {
    char local[PATH_MAX];
    if (!buf) {
        if (__sg_ret(sys_getcwd(local, sizeof(local))) < 0) return NULL;
        return strdup(local);
    }
    if (size == 0) {
        errno = EINVAL;
        return NULL;
    }
    return __sg_ret(sys_getcwd(buf, size)) < 0 ? NULL : buf;
}

int access(const char* path, int mode) {
    return (int)__sg_ret(sys_access(path, mode));
}

ssize_t readlink(const char* __restrict path, char* __restrict buf, size_t size) {
    return __sg_ret(sys_readlink(path, buf, size));
}

int isatty(int fd) {
    struct termios t;
    return tcgetattr(fd, &t) == 0;
}

int tcgetattr(int fd, struct termios* t) {
    return (int)__sg_ret(sys_ioctl(fd, TCGETS, t));
}

int tcsetattr(int fd, int action, const struct termios* t) {
    if (action < TCSANOW || action > TCSAFLUSH) {
        errno = EINVAL;
        return -1;
    }
    return (int)__sg_ret(sys_ioctl(fd, TCSETS + action, t)); /* TCSETS, TCSETSW, TCSETSF */
}

int ioctl(int fd, unsigned long request, ...) {
    va_list ap;
    va_start(ap, request);
    void* arg = va_arg(ap, void*);
    va_end(ap);
    return (int)__sg_ret(sys_ioctl(fd, request, arg));
}

unsigned sleep(unsigned seconds) {
    struct timespec t = {(time_t)seconds, 0};
    if (nanosleep(&t, &t) == 0) return 0;
    return (unsigned)t.tv_sec + (t.tv_nsec > 0); /* interrupted: what is left */
}

int usleep(useconds_t usec) {
    struct timespec t = {(time_t)(usec / 1000000), (long)(usec % 1000000) * 1000};
    return nanosleep(&t, NULL);
}

long sysconf(int name) {
    switch (name) {
    case _SC_ARG_MAX:
        return ARG_MAX;
    case _SC_CLK_TCK:
        return 100; /* Linux's USER_HZ */
    case _SC_PAGESIZE: {
        unsigned long size = __sg_auxv_find(__sg_auxv, AT_PAGESZ, NULL);
        return size ? (long)size : 4096;
    }
    }
    errno = EINVAL;
    return -1;
}

int sched_yield(void) {
    return (int)__sg_ret(sys_sched_yield());
}

/* ---- <fcntl.h> */

/* off_t is 64-bit, so i386 opens with O_LARGEFILE (x86_64's kernel
   forces it). */
int open(const char* path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & O_CREAT) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    return (int)__sg_ret(sys_open(path, flags | O_LARGEFILE, mode));
}

int openat(int dirfd, const char* path, int flags, ...) {
    va_list ap;
    va_start(ap, flags);
    mode_t mode = (flags & O_CREAT) ? va_arg(ap, mode_t) : 0;
    va_end(ap);
    return (int)__sg_ret(sys_openat(dirfd, path, flags | O_LARGEFILE, mode));
}

int creat(const char* path, mode_t mode) {
    return open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

int fcntl(int fd, int cmd, ...) {
    va_list ap;
    va_start(ap, cmd);
    long arg = va_arg(ap, long);
    va_end(ap);
#ifdef __x86_64__
    return (int)__sg_ret(sys_fcntl(fd, cmd, arg));
#else
    return (int)__sg_ret(sys_fcntl64(fd, cmd, arg));
#endif
}

/* ---- syscall() */

long syscall(long nr, ...) {
    va_list ap;
    va_start(ap, nr);
    long a[6];
    for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long); /* reads unpassed ones harmlessly */
    va_end(ap);
    return __sg_ret(__sysgate_syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5]));
}
