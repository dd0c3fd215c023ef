#ifndef SYSGATE_UNISTD_H
#define SYSGATE_UNISTD_H

#include <stdint.h>
#include <sysgate/cdefs.h>
#include <sysgate/types.h>

#define STDIN_FILENO 0
#define STDOUT_FILENO 1
#define STDERR_FILENO 2

#ifndef SEEK_SET
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#endif

/* access() modes. */
#define F_OK 0
#define X_OK 1
#define W_OK 2
#define R_OK 4

/* sysconf() names (glibc's numbers). */
#define _SC_ARG_MAX 0
#define _SC_CLK_TCK 2
#define _SC_PAGESIZE 30
#define _SC_PAGE_SIZE _SC_PAGESIZE

__SG_BEGIN_DECLS
extern char** environ;

ssize_t read(int fd, void* buf, size_t n);
ssize_t write(int fd, const void* buf, size_t n);
int close(int fd);
off_t lseek(int fd, off_t offset, int whence);
int pipe(int fds[2]);
int pipe2(int fds[2], int flags);
int dup(int fd);
int dup2(int fd, int newfd);
int dup3(int fd, int newfd, int flags);

pid_t getpid(void);
pid_t getppid(void);
pid_t gettid(void);
uid_t getuid(void);
uid_t geteuid(void);
gid_t getgid(void);
gid_t getegid(void);

pid_t fork(void);
pid_t vfork(void);
int execve(const char* path, char* const argv[], char* const envp[]);
int execv(const char* path, char* const argv[]);
int execvp(const char* file, char* const argv[]); /* PATH, default "/bin" */
__sg_noreturn void _exit(int status);

int brk(void* addr);
void* sbrk(intptr_t delta);

int chdir(const char* path);
char* getcwd(char* buf, size_t size);
int isatty(int fd);
int access(const char* path, int mode);
ssize_t readlink(const char* __restrict path, char* __restrict buf, size_t size);

unsigned sleep(unsigned seconds);
int usleep(useconds_t usec);
long sysconf(int name);

/* A raw system call by number (SYS_* in <sys/syscall.h>); -1 and errno on
   failure. */
long syscall(long nr, ...);
__SG_END_DECLS

#endif
