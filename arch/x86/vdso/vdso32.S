/* The 32-bit vDSO ("linux-gate.so.1"): __kernel_vsyscall, built three
 * times, once per gate (GATE_INT80, GATE_SYSENTER, GATE_SYSCALL); the
 * kernel maps the one chosen at boot into every 32-bit process. Beside it
 * in the same image: the signal trampolines (vdso32_sigreturn.S) and the
 * time functions (vdso_time.c, which call __sysgate_vdso_fallback below).
 *
 * Contract (the i386 system-call ABI, as int $0x80 has it): number in eax,
 * arguments in ebx, ecx, edx, esi, edi, ebp; result in eax; every other
 * register preserved. Callers reach it with `call *AT_SYSINFO` (or glibc's
 * `call *%gs:0x10`), so changing the gate needs no change in any program.
 *
 * GNU as, not NASM, for the .cfi_* directives: the assembler turns them
 * into DWARF call-frame information (.eh_frame) that says, for every
 * instruction, where the caller's stack pointer, return address and saved
 * registers are. Debuggers and unwinders (_Unwind_Backtrace, which
 * Linux's selftest unwind_vdso calls from a SIGTRAP handler at every
 * single-stepped instruction) rely on it to get out of the vDSO. */

        .text

/* The landing pad where every 32-bit sysenter returns (the kernel's
 * sysexit sets EIP = EDX, ESP = ECX to it and the stack pointer the caller
 * left in ebp), always right after a sysenter instruction: so a program
 * may use sysenter bare (Intel CPUs) with the same protocol whatever gate
 * __kernel_vsyscall was given, and the kernel restarts an interrupted
 * sysenter call (SA_RESTART) by returning to the instruction 2 bytes
 * before the pad (arch/x86/entry/gates.cpp, rewind_to_gate; kernel/vdso.cpp
 * checks the two bytes at boot). On the stack: the return address, then
 * ecx, edx and ebp, pushed in that order. */
#include "kernel/syscall/uapi/sysgate/abi.h"

.macro SYSENTER_AND_LANDING_PAD
        sysenter
        .globl __kernel_vsyscall_sysenter_return
        .type __kernel_vsyscall_sysenter_return, @function
__kernel_vsyscall_sysenter_return:
        popl    %ebp
        .cfi_adjust_cfa_offset -4
        .cfi_restore %ebp
        popl    %edx
        .cfi_adjust_cfa_offset -4
        .cfi_restore %edx
        popl    %ecx
        .cfi_adjust_cfa_offset -4
        .cfi_restore %ecx
        ret
.endm

        .globl __kernel_vsyscall
        .type __kernel_vsyscall, @function
        .balign 16
__kernel_vsyscall:
        .cfi_startproc                  /* CFA = esp + 4, return address at CFA - 4 */
#if defined(GATE_INT80)
        int     $0x80
        ret
        .cfi_endproc
        .size __kernel_vsyscall, . - __kernel_vsyscall

#elif defined(GATE_SYSENTER)
        /* sysenter keeps no return address and no stack pointer, and
         * sysexit returns through edx (eip) and ecx (esp): save those two,
         * and ebp, and hand the kernel our stack pointer in ebp. The kernel
         * reads the sixth argument (the caller's ebp) from [ebp]. */
        pushl   %ecx
        .cfi_adjust_cfa_offset 4
        .cfi_rel_offset %ecx, 0
        pushl   %edx
        .cfi_adjust_cfa_offset 4
        .cfi_rel_offset %edx, 0
        pushl   %ebp
        .cfi_adjust_cfa_offset 4
        .cfi_rel_offset %ebp, 0
        movl    %esp, %ebp              /* ebp changes; the caller's is at CFA - 16 */
        SYSENTER_AND_LANDING_PAD
        .cfi_endproc
        .size __kernel_vsyscall, . - __kernel_vsyscall

#elif defined(GATE_SYSCALL)
        /* AMD's compat-mode syscall overwrites ecx with the return address:
         * the second argument travels in ebp, the sixth (ebp) on the stack. */
        pushl   %ebp
        .cfi_adjust_cfa_offset 4
        .cfi_rel_offset %ebp, 0
        movl    %ecx, %ebp
        .cfi_register %ecx, %ebp        /* from here the caller's ecx is in ebp */
        syscall
        movl    %ebp, %ecx
        .cfi_restore %ecx
        popl    %ebp
        .cfi_adjust_cfa_offset -4
        .cfi_restore %ebp
        ret
        .cfi_endproc
        .size __kernel_vsyscall, . - __kernel_vsyscall

#else
#error "define GATE_INT80, GATE_SYSENTER or GATE_SYSCALL"
#endif

#if !defined(GATE_SYSENTER)
/* The same sysenter and landing pad for programs that use sysenter bare
 * while __kernel_vsyscall uses another gate. Not a function anyone calls:
 * the kernel returns into it. Its unwind information describes the
 * protocol's stack, as in the sysenter variant after its pushes. */
        .balign 4
        .cfi_startproc
        .cfi_adjust_cfa_offset 12
        .cfi_offset %ecx, -8
        .cfi_offset %edx, -12
        .cfi_offset %ebp, -16
        SYSENTER_AND_LANDING_PAD
        .cfi_endproc
#endif
        .size __kernel_vsyscall_sysenter_return, . - __kernel_vsyscall_sysenter_return

/* long __sysgate_vdso_fallback(long number, long a1, long a2)
 * The time functions' way into the kernel when the data page cannot
 * answer (a clock it does not keep): an i386 system call with int $0x80.
 * The number carries SYSGATE_VDSO_FALLBACK_BIT (<sysgate/abi.h>), which
 * sends the call off the kernel's fast path; the kernel knows the address
 * after the int (__sysgate_vdso_fallback_return, found at boot), counts and
 * traces such calls as "vdso-fallback" and makes them without the bit. cdecl:
 * the arguments are on the stack; ebx belongs to the caller. */
        .globl __sysgate_vdso_fallback
        .hidden __sysgate_vdso_fallback
        .type __sysgate_vdso_fallback, @function
        .balign 16
__sysgate_vdso_fallback:
        .cfi_startproc
        pushl   %ebx
        .cfi_adjust_cfa_offset 4
        .cfi_rel_offset %ebx, 0
        movl    8(%esp), %eax
        orl     $SYSGATE_VDSO_FALLBACK_BIT, %eax
        movl    12(%esp), %ebx
        movl    16(%esp), %ecx
        int     $0x80
        .globl __sysgate_vdso_fallback_return
        .type __sysgate_vdso_fallback_return, @function
__sysgate_vdso_fallback_return:
        popl    %ebx
        .cfi_adjust_cfa_offset -4
        .cfi_restore %ebx
        ret
        .cfi_endproc
        .size __sysgate_vdso_fallback, . - __sysgate_vdso_fallback
        .size __sysgate_vdso_fallback_return, . - __sysgate_vdso_fallback_return

        .section .note.GNU-stack, "", @progbits
