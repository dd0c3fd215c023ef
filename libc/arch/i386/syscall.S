/* The i386 system-call trampoline and its native fallback.
   (i386 System V ABI, cdecl; Linux's i386 system-call ABI:
   arch/x86/entry/entry_32.S) */
        .text

/* long __sysgate_syscall6(long nr, long a1, long a2, long a3, long a4,
 *                         long a5, long a6)
 * cdecl passes everything on the stack; the system-call ABI wants the
 * number in eax and a1..a6 in ebx ecx edx esi edi ebp. ebx, esi, edi and
 * ebp belong to our caller (callee-saved), so they are saved around the
 * call. __kernel_vsyscall preserves every register but eax, as int $0x80
 * does. */
        .globl __sysgate_syscall6
        .type __sysgate_syscall6, @function
__sysgate_syscall6:
        push    %ebp
        push    %edi
        push    %esi
        push    %ebx
        /* 4 saved registers + our return address: nr is at 20(%esp) */
        mov     20(%esp), %eax          /* number */
        mov     24(%esp), %ebx          /* a1 */
        mov     28(%esp), %ecx          /* a2 */
        mov     32(%esp), %edx          /* a3 */
        mov     36(%esp), %esi          /* a4 */
        mov     40(%esp), %edi          /* a5 */
        mov     44(%esp), %ebp          /* a6 */
        call    *__sysgate_vsyscall
        pop     %ebx
        pop     %esi
        pop     %edi
        pop     %ebp
        ret
        .size __sysgate_syscall6, . - __sysgate_syscall6

/* The gate when there is no AT_SYSINFO: the trap gate itself, with the
 * same register contract. */
        .globl __sysgate_native_vsyscall
        .type __sysgate_native_vsyscall, @function
__sysgate_native_vsyscall:
        int     $0x80
        ret
        .size __sysgate_native_vsyscall, . - __sysgate_native_vsyscall

/* Where __sysgate_syscall6 calls; start-up (start.c) points it at the
 * vDSO's __kernel_vsyscall (auxv AT_SYSINFO). */
        .data
        .balign 4
        .globl __sysgate_vsyscall
        .type __sysgate_vsyscall, @object
__sysgate_vsyscall:
        .long   __sysgate_native_vsyscall
        .size __sysgate_vsyscall, 4

        .section .note.GNU-stack, "", @progbits
