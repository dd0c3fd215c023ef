/* The signal restorers, when the libc gives the kernel one (SA_RESTORER:
 * only without a vDSO, as glibc; libc/src/signal.c). A handler returns
 * here, on the frame the kernel built, and the call restores the
 * interrupted context from it:
 *   __restore_rt  after an rt frame (SA_SIGINFO handlers): rt_sigreturn
 *   __restore     after the old frame: drop the signal number, sigreturn
 * They trap with int $0x80 themselves, not through __kernel_vsyscall: the
 * frame must be exactly at esp, and the vDSO's sysenter path pushes onto
 * it. The bytes are the vDSO's and Linux's, which GDB and libgcc
 * recognise as signal trampolines. */
#include <sysgate/syscall_nr.h>

        .text
        .globl __restore_rt
        .type __restore_rt, @function
__restore_rt:
        movl    $__NR32_rt_sigreturn, %eax
        int     $0x80
        .size __restore_rt, . - __restore_rt

        .globl __restore
        .type __restore, @function
__restore:
        popl    %eax
        movl    $__NR32_sigreturn, %eax
        int     $0x80
        .size __restore, . - __restore

        .section .note.GNU-stack, "", @progbits
