/* Flags: Linux's x86 values (include/uapi/asm-generic/fcntl.h). */
#ifndef SYSGATE_FCNTL_H
#define SYSGATE_FCNTL_H

#include <sysgate/cdefs.h>
#include <sysgate/types.h>

#define O_ACCMODE 03
#define O_RDONLY 00
#define O_WRONLY 01
#define O_RDWR 02
#define O_CREAT 0100
#define O_EXCL 0200
#define O_NOCTTY 0400
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_NONBLOCK 04000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW 0400000
#define O_CLOEXEC 02000000
/* i386 needs O_LARGEFILE for files over 2 GiB; x86_64 implies it (the
   kernel forces it there, and the flag reads back as 0 from F_GETFL). */
#ifdef __x86_64__
#define O_LARGEFILE 0
#else
#define O_LARGEFILE 0100000
#endif

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1

#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_EMPTY_PATH 0x1000

__SG_BEGIN_DECLS
int open(const char* path, int flags, ...); /* mode_t mode with O_CREAT */
int openat(int dirfd, const char* path, int flags, ...);
int creat(const char* path, mode_t mode);
int fcntl(int fd, int cmd, ...);
int pipe2(int fds[2], int flags);
__SG_END_DECLS

#endif
