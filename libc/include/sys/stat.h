#ifndef SYSGATE_SYS_STAT_H
#define SYSGATE_SYS_STAT_H

#include <sysgate/cdefs.h>
#include <sysgate/types.h>
#include <time.h>

/* The kernel's own layout, filled in directly by the system call
   (arch/x86/include/uapi/asm/stat.h). st_atim/st_mtim/st_ctim overlay the
   kernel's (seconds, nanoseconds) pairs, which have struct timespec's
   layout on both ABIs. */
#ifdef __x86_64__
/* x86_64: struct stat, filled by stat (4), fstat (5), lstat (6) and
   newfstatat (262). 144 bytes. */
struct stat {
    dev_t st_dev;
    ino_t st_ino;
    nlink_t st_nlink;
    mode_t st_mode;
    uid_t st_uid;
    gid_t st_gid;
    unsigned int __pad0;
    dev_t st_rdev;
    off_t st_size;
    blksize_t st_blksize;
    blkcnt_t st_blocks; /* 512-byte blocks */
    struct timespec st_atim;
    struct timespec st_mtim;
    struct timespec st_ctim;
    long __unused[3];
};
#else
/* i386: struct stat64, filled by stat64 (195), lstat64 (196), fstat64 (197)
   and fstatat64 (300). Packed, 96 bytes; the full inode number is the last
   field (__st_ino holds its low 32 bits). */
struct stat {
    dev_t st_dev;
    unsigned char __pad0[4];
    unsigned long __st_ino;
    mode_t st_mode;
    unsigned int st_nlink;
    unsigned long st_uid;
    unsigned long st_gid;
    dev_t st_rdev;
    unsigned char __pad3[4];
    off_t st_size;
    unsigned long st_blksize;
    unsigned long long st_blocks; /* 512-byte blocks */
    struct timespec st_atim;
    struct timespec st_mtim;
    struct timespec st_ctim;
    ino_t st_ino;
} __attribute__((__packed__));
#endif

#define st_atime st_atim.tv_sec
#define st_mtime st_mtim.tv_sec
#define st_ctime st_ctim.tv_sec

/* st_mode (include/uapi/linux/stat.h). */
#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define S_ISUID 04000
#define S_ISGID 02000
#define S_ISVTX 01000
#define S_IRWXU 0700
#define S_IRUSR 0400
#define S_IWUSR 0200
#define S_IXUSR 0100
#define S_IRWXG 070
#define S_IRGRP 040
#define S_IWGRP 020
#define S_IXGRP 010
#define S_IRWXO 07
#define S_IROTH 04
#define S_IWOTH 02
#define S_IXOTH 01

#define S_ISLNK(m) (((m)&S_IFMT) == S_IFLNK)
#define S_ISREG(m) (((m)&S_IFMT) == S_IFREG)
#define S_ISDIR(m) (((m)&S_IFMT) == S_IFDIR)
#define S_ISCHR(m) (((m)&S_IFMT) == S_IFCHR)
#define S_ISBLK(m) (((m)&S_IFMT) == S_IFBLK)
#define S_ISFIFO(m) (((m)&S_IFMT) == S_IFIFO)
#define S_ISSOCK(m) (((m)&S_IFMT) == S_IFSOCK)

__SG_BEGIN_DECLS
int stat(const char* __restrict path, struct stat* __restrict st);
int fstat(int fd, struct stat* st);
int lstat(const char* __restrict path, struct stat* __restrict st);
int fstatat(int dirfd, const char* __restrict path, struct stat* __restrict st, int flags);
__SG_END_DECLS

#endif
