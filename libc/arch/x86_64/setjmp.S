/* setjmp/longjmp: jmp_buf holds the callee-saved registers of the System V
 * x86_64 ABI (rbx rbp r12-r15), the stack pointer and the return address. */
        .text
        .globl setjmp
        .type setjmp, @function
setjmp:                                 /* int setjmp(jmp_buf env = rdi) */
        mov     %rbx, 0(%rdi)
        mov     %rbp, 8(%rdi)
        mov     %r12, 16(%rdi)
        mov     %r13, 24(%rdi)
        mov     %r14, 32(%rdi)
        mov     %r15, 40(%rdi)
        lea     8(%rsp), %rdx           /* rsp as it will be after our ret */
        mov     %rdx, 48(%rdi)
        mov     (%rsp), %rdx            /* our return address */
        mov     %rdx, 56(%rdi)
        xor     %eax, %eax              /* the direct return gives 0 */
        ret
        .size setjmp, . - setjmp

        .globl longjmp
        .type longjmp, @function
longjmp:                                /* void longjmp(jmp_buf env = rdi, int value = esi) */
        mov     %esi, %eax
        test    %eax, %eax
        jnz     1f
        inc     %eax                    /* setjmp never appears to return 0 twice */
1:      mov     0(%rdi), %rbx
        mov     8(%rdi), %rbp
        mov     16(%rdi), %r12
        mov     24(%rdi), %r13
        mov     32(%rdi), %r14
        mov     40(%rdi), %r15
        mov     48(%rdi), %rsp
        jmp     *56(%rdi)               /* "return" from setjmp again */
        .size longjmp, . - longjmp

        .section .note.GNU-stack, "", @progbits
