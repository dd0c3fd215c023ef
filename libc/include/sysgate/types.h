/* The POSIX scalar types, defined once for every header that needs one.
   Sizes follow the Linux ABI of the program's bitness: long and pointers are
   32-bit on i386 and 64-bit on x86_64. off_t is 64-bit on both (the i386
   wrappers use _llseek, mmap2 and the *stat64 calls). time_t is long, as in
   Linux's classic i386 ABI, because the i386 calls this libc uses
   (clock_gettime 265, gettimeofday 78, nanosleep 162) take 32-bit times. */
#ifndef SYSGATE_TYPES_H
#define SYSGATE_TYPES_H

#define __need_size_t
#define __need_NULL
#include <stddef.h>

typedef long ssize_t;
typedef long long off_t;
typedef int pid_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef unsigned int mode_t;
typedef unsigned long long dev_t;
typedef unsigned long long ino_t;
typedef unsigned long nlink_t; /* x86_64 stat has a 64-bit st_nlink, i386 stat64 32-bit */
typedef long blksize_t;
typedef long long blkcnt_t;
typedef long time_t;
typedef long suseconds_t;
typedef unsigned int useconds_t;
typedef int clockid_t;
typedef long clock_t;

#endif
