/* The signal restorer: a handler returns here, on the signal frame the
 * kernel built, and rt_sigreturn restores the interrupted context from it.
 * It makes the call with `syscall` itself, not through __kernel_vsyscall:
 * the frame must be exactly at rsp, and a `call` would push onto it. GDB
 * recognises this instruction sequence as a signal trampoline. */
#include <sysgate/syscall_nr.h>

        .text
        .globl __restore_rt
        .type __restore_rt, @function
__restore_rt:
        mov     $__NR64_rt_sigreturn, %eax
        syscall
        .size __restore_rt, . - __restore_rt

        .section .note.GNU-stack, "", @progbits
