/* pid_t vfork(void)
 * The child runs on the parent's stack until it calls execve or _exit,
 * and the parent resumes only then. Our return address lives on that
 * stack, where the child's own calls overwrite it, so it is popped into
 * rdx first (the kernel keeps each process's registers) and pushed back
 * afterwards. For the same reason the call is made with `syscall` here
 * rather than through __kernel_vsyscall, whose `call` would leave a return
 * address on the shared stack. */
#include <sysgate/syscall_nr.h>

        .text
        .globl vfork
        .type vfork, @function
vfork:
        pop     %rdx
        mov     $__NR64_vfork, %eax
        syscall
        push    %rdx
        mov     %rax, %rdi
        jmp     __sg_syscall_ret        /* errno convention; returns to our caller */
        .size vfork, . - vfork

        .section .note.GNU-stack, "", @progbits
