/* Offsets into Linux's i386 signal frames, for the unwind tables of the
 * 32-bit vDSO's signal trampolines (vdso32_sigreturn.S). The layouts are
 * Linux's (arch/x86/include/asm/sigframe.h: struct sigframe_ia32 and
 * struct rt_sigframe_ia32; arch/x86/include/uapi/asm/sigcontext.h: struct
 * sigcontext_32); the names are those of Linux's asm-offsets. The kernel's
 * structures (kernel/proc/sigframe.h) are checked against every number
 * here at compile time. Plain #defines: the assembler includes this file. */
#pragma once

/* struct sigcontext_32 */
#define IA32_SIGCONTEXT_gs 0
#define IA32_SIGCONTEXT_fs 4
#define IA32_SIGCONTEXT_es 8
#define IA32_SIGCONTEXT_ds 12
#define IA32_SIGCONTEXT_di 16
#define IA32_SIGCONTEXT_si 20
#define IA32_SIGCONTEXT_bp 24
#define IA32_SIGCONTEXT_sp 28
#define IA32_SIGCONTEXT_bx 32
#define IA32_SIGCONTEXT_dx 36
#define IA32_SIGCONTEXT_cx 40
#define IA32_SIGCONTEXT_ax 44
#define IA32_SIGCONTEXT_ip 56
#define IA32_SIGCONTEXT_size 88

/* Where the sigcontext is in each frame, from the frame's start (its
 * pretcode, the word the handler's ret pops). */
#define IA32_SIGFRAME_sigcontext 8      /* pretcode, sig, sc */
#define IA32_RT_SIGFRAME_sigcontext 164 /* pretcode, sig, pinfo, puc, info[128], uc: flags, link, stack[12], mcontext  \
                                         */
