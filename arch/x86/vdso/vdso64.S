/* The 64-bit vDSO's __kernel_vsyscall (a Sysgate extension: Linux's 64-bit
 * vDSO has none), built twice: GATE_SYSCALL (the default) and
 * GATE_SYSENTER (Intel only, forced with vsyscall=sysenter); and the time
 * functions' way into the kernel. The time functions themselves are C
 * (vdso_time.c).
 *
 * Contract (the x86_64 system-call ABI): number in rax, arguments in rdi,
 * rsi, rdx, r10, r8, r9; result in rax; rcx and r11 clobbered, everything
 * else preserved.
 *
 * GNU as for the .cfi_* directives, as in vdso32.S: every instruction has
 * unwind information. */

#include "kernel/syscall/uapi/sysgate/abi.h"

        .text

        .globl __kernel_vsyscall
        .type __kernel_vsyscall, @function
        .balign 16
__kernel_vsyscall:
        .cfi_startproc                  /* CFA = rsp + 8, return address at CFA - 8 */
#if defined(GATE_SYSCALL)
        syscall
        ret
        .cfi_endproc
        .size __kernel_vsyscall, . - __kernel_vsyscall

        /* The sysenter and landing pad of the protocol below, for programs
         * on Intel that use sysenter bare. The kernel returns into it. */
        .balign 4
        .cfi_startproc
        .cfi_adjust_cfa_offset 16
        .cfi_offset %rdx, -16
        .cfi_offset %rbp, -24
#elif defined(GATE_SYSENTER)
        /* sysexitq returns through rdx (rip) and rcx (rsp): keep rdx, which
         * is an argument the caller expects back; pass our stack in rbp. */
        pushq   %rdx
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %rdx, 0
        pushq   %rbp
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %rbp, 0
        movq    %rsp, %rbp              /* rbp changes; the caller's is at CFA - 24 */
#else
#error "define GATE_SYSCALL or GATE_SYSENTER"
#endif

/* Both variants have a sysenter and, right after it, the landing pad where
 * every 64-bit sysenter returns (sysexitq: RIP = RDX, RSP = RCX): so
 * programs on Intel may use sysenter bare, and the kernel restarts an
 * interrupted sysenter call by returning to the sysenter 2 bytes before. */
        sysenter
        .globl __kernel_vsyscall_sysenter_return
        .type __kernel_vsyscall_sysenter_return, @function
__kernel_vsyscall_sysenter_return:
        popq    %rbp
        .cfi_adjust_cfa_offset -8
        .cfi_restore %rbp
        popq    %rdx
        .cfi_adjust_cfa_offset -8
        .cfi_restore %rdx
        ret
        .cfi_endproc
#if defined(GATE_SYSENTER)
        .size __kernel_vsyscall, . - __kernel_vsyscall
#endif
        .size __kernel_vsyscall_sysenter_return, . - __kernel_vsyscall_sysenter_return

/* long __sysgate_vdso_fallback(long number, long a1, long a2)
 * The time functions' way into the kernel when they cannot answer from the
 * data page (an unknown clock). The number carries SYSGATE_VDSO_FALLBACK_BIT
 * (<sysgate/abi.h>), which sends the call off the kernel's fast path; the
 * kernel checks the return address, counts and traces the call as
 * "vdso-fallback" and makes it without the bit. */
        .globl __sysgate_vdso_fallback
        .hidden __sysgate_vdso_fallback
        .type __sysgate_vdso_fallback, @function
        .balign 16
__sysgate_vdso_fallback:
        .cfi_startproc
        movl    %edi, %eax
        orl     $SYSGATE_VDSO_FALLBACK_BIT, %eax
        movq    %rsi, %rdi
        movq    %rdx, %rsi
        syscall
        .globl __sysgate_vdso_fallback_return
        .type __sysgate_vdso_fallback_return, @function
__sysgate_vdso_fallback_return:
        ret
        .cfi_endproc
        .size __sysgate_vdso_fallback, . - __sysgate_vdso_fallback
        .size __sysgate_vdso_fallback_return, . - __sysgate_vdso_fallback_return

        .section .note.GNU-stack, "", @progbits
