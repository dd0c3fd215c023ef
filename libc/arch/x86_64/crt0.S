/* _start for x86_64 programs (System V x86_64 ABI, 3.4 "Process
 * Initialization"): rsp points at argc, then argv, envp and auxv; rdx holds
 * a function for atexit or 0; nothing else is defined. */
        .text
        .globl _start
        .type _start, @function
_start:
        xor     %ebp, %ebp              /* the outermost frame: backtraces stop here */
        mov     %rsp, %rdi              /* __libc_start(sp, */
        mov     %rdx, %rsi              /*              rtld_fini) */
        and     $-16, %rsp              /* the ABI's alignment at a call */
        call    __libc_start            /* never returns */
        hlt                             /* (privileged: faults if it ever did) */
        .size _start, . - _start

        .section .note.GNU-stack, "", @progbits
