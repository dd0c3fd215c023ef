/* The one way into the kernel.

   __sysgate_syscall6() (libc/arch/<arch>/syscall.S) loads the number and six
   arguments into the registers of the Linux system-call ABI and calls
   through __sysgate_vsyscall, which start-up points at the vDSO's
   __kernel_vsyscall (or, where there is none, at a native fallback):

     x86_64: rax = number, rdi rsi rdx r10 r8 r9 = arguments, result in rax;
             the callee clobbers only rax, rcx, r11 and the flags.
     i386:   eax = number, ebx ecx edx esi edi ebp = arguments, result in
             eax; the callee preserves every other register (as int $0x80).

   It is a real function rather than inline asm: a `call` from inline asm
   would overwrite the x86_64 red zone below the caller's stack pointer.

   The result is raw: -4095..-1 is -errno. sys_<name>(...) in the generated
   <sysgate/syscalls.h> is the usual way to use it. */
#ifndef SYSGATE_SYSCALL_H
#define SYSGATE_SYSCALL_H

#include <sysgate/cdefs.h>

__SG_BEGIN_DECLS
long __sysgate_syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6);

/* Where __sysgate_syscall6 jumps: __kernel_vsyscall or the native fallback.
   It follows the register contract above, not the C calling convention. */
extern void (*__sysgate_vsyscall)(void);
__SG_END_DECLS

/* __sysgate_syscall(nr, up to six arguments): missing arguments are 0, and
   each is converted to long (pointers included). */
#define __sysgate_syscall(nr, ...) __SG_SYSCALL_PAD(nr, ##__VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define __SG_SYSCALL_PAD(nr, a1, a2, a3, a4, a5, a6, ...)                                                              \
    __sysgate_syscall6((long)(nr), (long)(a1), (long)(a2), (long)(a3), (long)(a4), (long)(a5), (long)(a6))

/* True for a raw result that encodes an error. */
#define __SG_IS_ERR(r) ((unsigned long)(r) > -4096UL)

#endif
