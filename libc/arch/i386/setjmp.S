/* setjmp/longjmp: jmp_buf holds the callee-saved registers of the i386
 * System V ABI (ebx esi edi ebp), the stack pointer and the return address. */
        .text
        .globl setjmp
        .type setjmp, @function
setjmp:                                 /* int setjmp(jmp_buf env) */
        mov     4(%esp), %eax
        mov     %ebx, 0(%eax)
        mov     %esi, 4(%eax)
        mov     %edi, 8(%eax)
        mov     %ebp, 12(%eax)
        lea     4(%esp), %ecx           /* esp as it will be after our ret */
        mov     %ecx, 16(%eax)
        mov     (%esp), %ecx            /* our return address */
        mov     %ecx, 20(%eax)
        xor     %eax, %eax              /* the direct return gives 0 */
        ret
        .size setjmp, . - setjmp

        .globl longjmp
        .type longjmp, @function
longjmp:                                /* void longjmp(jmp_buf env, int value) */
        mov     4(%esp), %edx
        mov     8(%esp), %eax
        test    %eax, %eax
        jnz     1f
        inc     %eax                    /* setjmp never appears to return 0 twice */
1:      mov     0(%edx), %ebx
        mov     4(%edx), %esi
        mov     8(%edx), %edi
        mov     12(%edx), %ebp
        mov     16(%edx), %esp
        jmp     *20(%edx)               /* "return" from setjmp again */
        .size longjmp, . - longjmp

        .section .note.GNU-stack, "", @progbits
