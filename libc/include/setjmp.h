#ifndef SYSGATE_SETJMP_H
#define SYSGATE_SETJMP_H

#include <sysgate/cdefs.h>

/* The callee-saved registers, the stack pointer and the return address
   (libc/arch/<arch>/setjmp.S): x86_64 rbx rbp r12-r15 rsp rip; i386 ebx esi
   edi ebp esp eip. The signal mask is not saved. */
#ifdef __x86_64__
typedef unsigned long jmp_buf[8];
#else
typedef unsigned long jmp_buf[6];
#endif

__SG_BEGIN_DECLS
int setjmp(jmp_buf env) __attribute__((__returns_twice__));
__sg_noreturn void longjmp(jmp_buf env, int value);
__SG_END_DECLS

#endif
