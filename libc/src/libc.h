/* Private declarations shared by the libc's sources; not installed. */
#ifndef SYSGATE_LIBC_PRIVATE_H
#define SYSGATE_LIBC_PRIVATE_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sysgate/cdefs.h>
#include <sysgate/syscalls.h>
#include <sysgate/types.h>

/* The libc convention on top of a raw result: -4095..-1 becomes -1 with
   errno set. (Also a real function, __sg_syscall_ret, for vfork.S.) */
static inline long __sg_ret(long r) {
    if (__SG_IS_ERR(r)) {
        errno = (int)-r;
        return -1;
    }
    return r;
}
long __sg_syscall_ret(long r);

/* ---- start-up (start.c, auxv.c) */
struct __sg_start_info {
    int argc;
    char** argv;
    char** envp;
    unsigned long* auxv; /* (type, value) pairs ending with AT_NULL */
};
/* Reads the initial stack that the kernel built (argc, argv..., NULL,
   envp..., NULL, auxv pairs). Pure: tested on a fake stack. */
void __sg_parse_start_stack(unsigned long* sp, struct __sg_start_info* out);
/* The value of auxv entry `type`; `found` (may be NULL) tells whether it exists. */
unsigned long __sg_auxv_find(const unsigned long* auxv, unsigned long type, int* found);
extern unsigned long* __sg_auxv;

/* ---- vDSO (vdso.c): symbol `name` of the ELF image loaded at `image`,
   of any version, or of version `version` (NULL: any). */
void* __sg_elf_lookup(const void* image, const char* name);
void* __sg_elf_lookup_version(const void* image, const char* name, const char* version);
/* time.c: finds the vDSO time functions once, at start-up. */
void __sg_time_init(void);

/* ---- printf engine (format.c): formats into put(ctx, bytes, n), in
   chunks; returns the number of bytes produced, or -1 (EOVERFLOW) past
   INT_MAX. */
typedef void (*__sg_put_fn)(void* ctx, const char* s, size_t n);
int __sg_format(__sg_put_fn put, void* ctx, const char* fmt, va_list ap);

/* ---- integer parsing core (strtol.c): parses like strtoull, then clamps
   to [-(max + 1), max] for a signed type or to max for an unsigned one. */
unsigned long long __sg_strtox(const char* s, char** end, int base, unsigned long long max, int is_signed);

/* ---- malloc (malloc.c) and its two links to the system (heap.c).
   Kept apart so that the unit tests can run malloc over a fake break. */
void* __sg_heap_brk(void* addr);                               /* the raw brk call */
__sg_noreturn void __sg_heap_panic(const char* what, void* p); /* report, abort */

/* ---- exit (exit.c, stdio.c) */
void __sg_stdio_flush_all(void);
ssize_t __sg_write_all(int fd, const void* buf, size_t n);

#endif
