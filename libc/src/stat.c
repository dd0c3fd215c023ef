/* stat and friends. struct stat is the kernel's own layout
   (<sys/stat.h>), so the calls fill it directly; the asserts pin it to
   arch/x86/include/uapi/asm/stat.h. */
#include <fcntl.h>
#include <stddef.h>
#include <sys/stat.h>

#include "libc.h"

#ifdef __x86_64__
_Static_assert(sizeof(struct stat) == 144, "x86_64 struct stat");
_Static_assert(offsetof(struct stat, st_mode) == 24, "x86_64 struct stat");
_Static_assert(offsetof(struct stat, st_size) == 48, "x86_64 struct stat");
_Static_assert(offsetof(struct stat, st_mtim) == 88, "x86_64 struct stat");

int stat(const char* __restrict path, struct stat* __restrict st) {
    return (int)__sg_ret(sys_stat(path, st));
}
int lstat(const char* __restrict path, struct stat* __restrict st) {
    return (int)__sg_ret(sys_lstat(path, st));
}
int fstat(int fd, struct stat* st) {
    return (int)__sg_ret(sys_fstat(fd, st));
}
int fstatat(int dirfd, const char* __restrict path, struct stat* __restrict st, int flags) {
    return (int)__sg_ret(sys_newfstatat(dirfd, path, st, flags));
}
#else
_Static_assert(sizeof(struct stat) == 96, "i386 struct stat64");
_Static_assert(offsetof(struct stat, st_mode) == 16, "i386 struct stat64");
_Static_assert(offsetof(struct stat, st_size) == 44, "i386 struct stat64");
_Static_assert(offsetof(struct stat, st_mtim) == 72, "i386 struct stat64");
_Static_assert(offsetof(struct stat, st_ino) == 88, "i386 struct stat64");

int stat(const char* __restrict path, struct stat* __restrict st) {
    return (int)__sg_ret(sys_stat64(path, st));
}
int lstat(const char* __restrict path, struct stat* __restrict st) {
    return (int)__sg_ret(sys_lstat64(path, st));
}
int fstat(int fd, struct stat* st) {
    return (int)__sg_ret(sys_fstat64(fd, st));
}
int fstatat(int dirfd, const char* __restrict path, struct stat* __restrict st, int flags) {
    return (int)__sg_ret(sys_fstatat64(dirfd, path, st, flags));
}
#endif
