/* pid_t vfork(void)
 * The child runs on the parent's stack until it calls execve or _exit,
 * and the parent resumes only then. Our return address lives on that
 * stack, where the child's own calls overwrite it, so it is popped into
 * edx first (the kernel keeps each process's registers) and pushed back
 * afterwards. For the same reason the call is made with int $0x80 here
 * rather than through __kernel_vsyscall, whose `call` (and, for sysenter,
 * pushes) would write to the shared stack. */
#include <sysgate/syscall_nr.h>

        .text
        .globl vfork
        .type vfork, @function
vfork:
        pop     %edx
        mov     $__NR32_vfork, %eax
        int     $0x80
        push    %edx
        push    %eax
        call    __sg_syscall_ret        /* errno convention */
        add     $4, %esp
        ret
        .size vfork, . - vfork

        .section .note.GNU-stack, "", @progbits
