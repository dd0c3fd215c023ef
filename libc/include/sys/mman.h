/* Values: include/uapi/asm-generic/mman-common.h and mman.h. */
#ifndef SYSGATE_SYS_MMAN_H
#define SYSGATE_SYS_MMAN_H

#include <sysgate/cdefs.h>
#include <sysgate/types.h>

#define PROT_NONE 0x0
#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_EXEC 0x4

#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_ANON MAP_ANONYMOUS
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE 0x8000
#define MAP_FIXED_NOREPLACE 0x100000

#define MAP_FAILED ((void*)-1)

__SG_BEGIN_DECLS
/* i386: mmap2, whose offset is in 4096-byte pages; offset must be a
   multiple of 4096 (EINVAL otherwise). */
void* mmap(void* addr, size_t length, int prot, int flags, int fd, off_t offset);
int munmap(void* addr, size_t length);
int mprotect(void* addr, size_t length, int prot);
__SG_END_DECLS

#endif
