/* mmap, munmap, mprotect, mremap, madvise, msync, mincore, mlock. */
#include <stdarg.h>
#include <sys/mman.h>

#include "libc.h"

void* mmap(void* addr, size_t length, int prot, int flags, int fd, off_t offset) {
#ifdef __x86_64__
    long r = sys_mmap(addr, length, prot, flags, fd, offset);
#else
    /* mmap2 counts the offset in 4096-byte units, whatever the page size. */
    if (offset & 4095 || offset < 0 || (offset >> 12) > 0xffffffffLL) {
        errno = EINVAL;
        return MAP_FAILED;
    }
    long r = sys_mmap2(addr, length, prot, flags, fd, (unsigned long)(offset >> 12));
#endif
    return __sg_ret(r) == -1 ? MAP_FAILED : (void*)r;
}

int munmap(void* addr, size_t length) {
    return (int)__sg_ret(sys_munmap(addr, length));
}

int mprotect(void* addr, size_t length, int prot) {
    return (int)__sg_ret(sys_mprotect(addr, length, prot));
}

void* mremap(void* old_address, size_t old_size, size_t new_size, int flags, ...) {
    void* new_address = 0;
    if (flags & MREMAP_FIXED) { /* as glibc: otherwise the kernel gets NULL, no hint */
        va_list ap;
        va_start(ap, flags);
        new_address = va_arg(ap, void*);
        va_end(ap);
    }
    long r = sys_mremap(old_address, old_size, new_size, flags, new_address);
    return __sg_ret(r) == -1 ? MAP_FAILED : (void*)r;
}

int madvise(void* addr, size_t length, int advice) {
    return (int)__sg_ret(sys_madvise(addr, length, advice));
}

int posix_madvise(void* addr, size_t length, int advice) {
    /* glibc: POSIX_MADV_DONTNEED must not discard data, so it does nothing. */
    if (advice == POSIX_MADV_DONTNEED) return 0;
    long r = sys_madvise(addr, length, advice);
    return __SG_IS_ERR(r) ? (int)-r : 0;
}

int msync(void* addr, size_t length, int flags) {
    return (int)__sg_ret(sys_msync(addr, length, flags));
}

int mincore(void* addr, size_t length, unsigned char* vec) {
    return (int)__sg_ret(sys_mincore(addr, length, vec));
}

int mlock(const void* addr, size_t length) {
    return (int)__sg_ret(sys_mlock(addr, length));
}

int mlock2(const void* addr, size_t length, unsigned int flags) {
    return (int)__sg_ret(sys_mlock2(addr, length, flags));
}

int munlock(const void* addr, size_t length) {
    return (int)__sg_ret(sys_munlock(addr, length));
}

int mlockall(int flags) {
    return (int)__sg_ret(sys_mlockall(flags));
}

int munlockall(void) {
    return (int)__sg_ret(sys_munlockall());
}
