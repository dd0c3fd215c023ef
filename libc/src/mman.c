/* mmap, munmap, mprotect. */
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
