/* The x86_64 system-call trampoline and its native fallback.
   (x86_64 System V ABI; Linux's system-call ABI: arch/x86/entry/entry_64.S) */
#include <sysgate/syscall_nr.h>

        .text

/* long __sysgate_syscall6(long nr, long a1, long a2, long a3, long a4,
 *                         long a5, long a6)
 * C passes nr, a1..a5 in rdi rsi rdx rcx r8 r9 and a6 on the stack; the
 * system-call ABI wants the number in rax and a1..a6 in rdi rsi rdx r10 r8
 * r9 (r10, because `syscall` overwrites rcx with the return address). */
        .globl __sysgate_syscall6
        .type __sysgate_syscall6, @function
__sysgate_syscall6:
        mov     %rdi, %rax              /* number */
        mov     %rsi, %rdi              /* a1 */
        mov     %rdx, %rsi              /* a2 */
        mov     %rcx, %rdx              /* a3 */
        mov     %r8, %r10               /* a4 */
        mov     %r9, %r8                /* a5 */
        mov     8(%rsp), %r9            /* a6, above our return address */
        /* Tail call: the gate's `ret` returns straight to our caller. It
         * clobbers rax (the result), rcx, r11 and the flags: all
         * caller-saved in C, so nothing to save here. */
        jmp     *__sysgate_vsyscall(%rip)
        .size __sysgate_syscall6, . - __sysgate_syscall6

/* The gate when the vDSO has no __kernel_vsyscall (a 64-bit program on
 * Linux): the same register contract, made by the instruction itself.
 * syscall saves rip in rcx and rflags in r11; sysret restores them. */
        .globl __sysgate_native_vsyscall
        .type __sysgate_native_vsyscall, @function
__sysgate_native_vsyscall:
        syscall
        ret
        .size __sysgate_native_vsyscall, . - __sysgate_native_vsyscall

/* Where __sysgate_syscall6 jumps; start-up (start.c) points it at the
 * vDSO's __kernel_vsyscall when there is one. */
        .data
        .balign 8
        .globl __sysgate_vsyscall
        .type __sysgate_vsyscall, @object
__sysgate_vsyscall:
        .quad   __sysgate_native_vsyscall
        .size __sysgate_vsyscall, 8

        .section .note.GNU-stack, "", @progbits
