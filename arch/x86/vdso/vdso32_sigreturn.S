/* The 32-bit vDSO's signal trampolines. A signal handler returns here: the
 * kernel puts their address in the frame's pretcode when the handler was
 * installed without SA_RESTORER (kernel/proc/signal.cpp), as Linux does;
 * glibc installs its i386 handlers that way whenever there is a vDSO.
 *
 *   __kernel_sigreturn     for the old frame (struct sigframe_ia32, a
 *                          handler without SA_SIGINFO): drop the signal
 *                          number, then sigreturn (119)
 *   __kernel_rt_sigreturn  for the rt frame (struct rt_sigframe_ia32):
 *                          rt_sigreturn (173)
 *
 * Both trap with int $0x80 themselves, never through __kernel_vsyscall:
 * the frame must stay exactly at esp, and the sysenter path pushes onto
 * it. The instruction bytes are Linux's to the byte (58 b8 77 00 00 00 cd 80
 * and b8 ad 00 00 00 cd 80): GDB and libgcc recognise signal frames by them
 * when they find no unwind information.
 *
 * They do have unwind information, written out by hand below (Linux's
 * arch/x86/entry/vdso/vdso32/sigreturn.S does the same): the "caller" of a
 * trampoline is the interrupted code, whose registers are all in the
 * sigcontext, at a fixed offset from esp. So the canonical frame address
 * (the caller's stack pointer) is the sigcontext's sp, read from memory,
 * and every register is "saved at esp + offset". The 'S' augmentation marks
 * these frames as signal frames: an unwinder then looks up the interrupted
 * instruction's own address, not the one before it as for a return address. */
#include <sysgate/syscall_nr.h>

#include "arch/x86/vdso/sigframe32.h"

        .text
        .balign 4
        /* An unwinder looks up the handler's return address minus one (the
         * middle of the call it assumes). The trampoline was not called, so
         * its unwind information starts one byte early, at this nop. */
        .skip 3, 0x90
.Lsigreturn_nop:
        nop
        .globl __kernel_sigreturn
        .type __kernel_sigreturn, @function
__kernel_sigreturn:
        popl    %eax                    /* the signal number: esp -> the sigcontext */
.Lsigreturn_popped:
        movl    $__NR32_sigreturn, %eax
        int     $0x80                   /* does not return */
.Lsigreturn_end:
        .size __kernel_sigreturn, . - __kernel_sigreturn

        .balign 4
        .skip 3, 0x90
.Lrt_sigreturn_nop:
        nop
        .globl __kernel_rt_sigreturn
        .type __kernel_rt_sigreturn, @function
__kernel_rt_sigreturn:
        movl    $__NR32_rt_sigreturn, %eax
        int     $0x80                   /* does not return */
.Lrt_sigreturn_end:
        .size __kernel_rt_sigreturn, . - __kernel_rt_sigreturn

/* DWARF register numbers for i386 (System V i386 psABI): eax 0, ecx 1,
 * edx 2, ebx 3, esp 4, ebp 5, esi 6, edi 7, eip 8. */
#define DW_CFA_def_cfa_expression 0x0f
#define DW_CFA_expression 0x10
#define DW_CFA_advance_loc(n) (0x40 + (n)) /* n < 64 */
#define DW_OP_breg4 0x74 /* esp + offset */
#define DW_OP_deref 0x06

/* CFA = *(esp + offset): the saved stack pointer. */
.macro cfa_at_saved_sp offset
        .byte   DW_CFA_def_cfa_expression
        .uleb128 2f - 1f
1:      .byte   DW_OP_breg4
        .sleb128 \offset
        .byte   DW_OP_deref
2:
.endm

/* Register regno is saved at esp + offset. */
.macro reg_saved_at regno, offset
        .byte   DW_CFA_expression
        .uleb128 \regno
        .uleb128 2f - 1f
1:      .byte   DW_OP_breg4
        .sleb128 \offset
2:
.endm

/* Every register of the interrupted code, with the sigcontext at esp + sc. */
.macro sigcontext_at sc
        cfa_at_saved_sp (\sc + IA32_SIGCONTEXT_sp)
        reg_saved_at 0, (\sc + IA32_SIGCONTEXT_ax)
        reg_saved_at 1, (\sc + IA32_SIGCONTEXT_cx)
        reg_saved_at 2, (\sc + IA32_SIGCONTEXT_dx)
        reg_saved_at 3, (\sc + IA32_SIGCONTEXT_bx)
        reg_saved_at 5, (\sc + IA32_SIGCONTEXT_bp)
        reg_saved_at 6, (\sc + IA32_SIGCONTEXT_si)
        reg_saved_at 7, (\sc + IA32_SIGCONTEXT_di)
        reg_saved_at 8, (\sc + IA32_SIGCONTEXT_ip)
.endm

        .section .eh_frame, "a", @progbits
.Lframe:
        .long   .Lcie_end - .Lcie       /* length */
.Lcie:
        .long   0                       /* CIE id */
        .byte   1                       /* version */
        .string "zRS"                   /* augmentation: data length, FDE encoding; signal frame */
        .uleb128 1                      /* code alignment factor */
        .sleb128 -4                     /* data alignment factor */
        .byte   8                       /* return address: eip */
        .uleb128 1                      /* augmentation data length */
        .byte   0x1b                    /* FDE addresses: DW_EH_PE_pcrel | DW_EH_PE_sdata4 */
        .balign 4, 0                    /* DW_CFA_nop */
.Lcie_end:

        .long   .Lfde1_end - .Lfde1     /* length */
.Lfde1:
        .long   .Lfde1 - .Lframe        /* CIE pointer */
        .long   .Lsigreturn_nop - .     /* start, pc-relative */
        .long   .Lsigreturn_end - .Lsigreturn_nop
        .uleb128 0                      /* augmentation data length */
        /* Before the popl, esp points at the signal number, with the
         * sigcontext right above it (sigframe_ia32, after pretcode). */
        sigcontext_at (IA32_SIGFRAME_sigcontext - 4)
        .byte   DW_CFA_advance_loc(.Lsigreturn_popped - .Lsigreturn_nop) /* past the nop and the popl */
        sigcontext_at (IA32_SIGFRAME_sigcontext - 8)
        .balign 4, 0
.Lfde1_end:

        .long   .Lfde2_end - .Lfde2
.Lfde2:
        .long   .Lfde2 - .Lframe
        .long   .Lrt_sigreturn_nop - .
        .long   .Lrt_sigreturn_end - .Lrt_sigreturn_nop
        .uleb128 0
        /* esp points at rt_sigframe_ia32's sig, after pretcode; the stack
         * pointer does not move before the int. */
        sigcontext_at (IA32_RT_SIGFRAME_sigcontext - 4)
        .balign 4, 0
.Lfde2_end:

        .section .note.GNU-stack, "", @progbits
