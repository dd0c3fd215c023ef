/* The signal restorer: a handler returns here, on the rt signal frame the
 * kernel built, and rt_sigreturn restores the interrupted context from it.
 * It traps with int $0x80 itself, not through __kernel_vsyscall: the
 * frame must be exactly at esp, and the vDSO's sysenter path pushes onto
 * it. GDB recognises this instruction sequence as a signal trampoline. */
#include <sysgate/syscall_nr.h>

        .text
        .globl __restore_rt
        .type __restore_rt, @function
__restore_rt:
        mov     $__NR32_rt_sigreturn, %eax
        int     $0x80
        .size __restore_rt, . - __restore_rt

        .section .note.GNU-stack, "", @progbits
