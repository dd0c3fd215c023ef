/* _start for i386 programs (System V i386 ABI, "Process Initialization"):
 * esp points at argc, then argv, envp and auxv; edx holds a function for
 * atexit or 0; nothing else is defined. */
        .text
        .globl _start
        .type _start, @function
_start:
        xor     %ebp, %ebp              /* the outermost frame: backtraces stop here */
        mov     %esp, %eax
        and     $-16, %esp              /* 16-byte alignment at the call, as GCC assumes: */
        sub     $8, %esp                /* 8 bytes of padding + 2 arguments */
        push    %edx                    /* __libc_start(sp, rtld_fini) */
        push    %eax
        call    __libc_start            /* never returns */
        hlt                             /* (privileged: faults if it ever did) */
        .size _start, . - _start

        .section .note.GNU-stack, "", @progbits
