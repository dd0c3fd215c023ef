/* The 32-bit vDSO's CLOCK_MONOTONIC, by hand.
 *
 * __vdso_clock_gettime and __vdso_clock_gettime64 answer CLOCK_MONOTONIC
 * here and every other clock in C (vdso_time.c: the _general functions).
 * Compiled from C, the monotonic read costs i386 about twice as many
 * instructions: GCC keeps the 64-bit values in pairs of registers and
 * spills them around rdtsc. By hand the seqlock loop takes the TSC delta
 * itself (sub/sbb from the page), then the arithmetic of vdso_tsc_to_ns
 * and split_ns in 32-bit pieces: (delta * mult) >> 32 modulo 2^64 from
 * three mull and an imul (the product's lowest 32 bits are dropped, the
 * high part of high * high only matters in its low half), and seconds and
 * nanoseconds from two divl. It is exactly what the kernel computes, for
 * every multiplier (a 4 MHz TSC, as Bochs has, needs all 64 bits).
 *
 * The data page's layout (arch/x86/vdso/vdso_data.h; vdso_time.c asserts
 * these offsets): seq at 0, tsc_at_boot at 8, ns_mult at 16. */

#define VD_SEQ 0
#define VD_TSC_AT_BOOT 8
#define VD_NS_MULT 16
#define CLOCK_MONOTONIC 1
#define NSEC_PER_SEC 1000000000

/* Nanoseconds since boot, split: eax = seconds (low half), edi = seconds
 * (high half), edx = nanoseconds. Uses every register but esp: the
 * caller has pushed ebx, esi, edi and ebp. */
.macro MONOTONIC_SPLIT
        call    1f
1:      popl    %ecx
        leal    vdso_data - 1b(%ecx), %ecx
2:      movl    VD_SEQ(%ecx), %esi
        testl   $1, %esi                /* odd: the kernel is writing */
        jnz     2b
        movl    VD_NS_MULT(%ecx), %edi
        movl    VD_NS_MULT + 4(%ecx), %ebp
        lfence                          /* rdtsc after the sequence number */
        rdtsc
        subl    VD_TSC_AT_BOOT(%ecx), %eax
        sbbl    VD_TSC_AT_BOOT + 4(%ecx), %edx
        cmpl    VD_SEQ(%ecx), %esi      /* unchanged: what was read is consistent */
        jne     2b
        movl    %edx, %ecx              /* ecx = delta high, esi = delta low */
        movl    %eax, %esi
        mull    %edi                    /* low * mult low: only its high half counts */
        movl    %edx, %ebx
        movl    %esi, %eax
        mull    %ebp                    /* + low * mult high */
        addl    %eax, %ebx
        adcl    $0, %edx
        movl    %edx, %esi
        movl    %ecx, %eax
        mull    %edi                    /* + high * mult low */
        addl    %eax, %ebx
        adcl    %edx, %esi
        imull   %ebp, %ecx              /* + (high * mult high) << 32 */
        addl    %ecx, %esi              /* esi:ebx = nanoseconds */
        movl    %esi, %eax              /* two divl: no 64-bit division in i386 */
        xorl    %edx, %edx
        movl    $NSEC_PER_SEC, %ecx
        divl    %ecx
        movl    %eax, %edi
        movl    %ebx, %eax
        divl    %ecx
.endm

.macro PUSH4
        pushl   %ebx
        .cfi_adjust_cfa_offset 4
        .cfi_rel_offset %ebx, 0
        pushl   %esi
        .cfi_adjust_cfa_offset 4
        .cfi_rel_offset %esi, 0
        pushl   %edi
        .cfi_adjust_cfa_offset 4
        .cfi_rel_offset %edi, 0
        pushl   %ebp
        .cfi_adjust_cfa_offset 4
        .cfi_rel_offset %ebp, 0
.endm

.macro POP4
        popl    %ebp
        .cfi_adjust_cfa_offset -4
        .cfi_restore %ebp
        popl    %edi
        .cfi_adjust_cfa_offset -4
        .cfi_restore %edi
        popl    %esi
        .cfi_adjust_cfa_offset -4
        .cfi_restore %esi
        popl    %ebx
        .cfi_adjust_cfa_offset -4
        .cfi_restore %ebx
.endm

        .text

/* int __vdso_clock_gettime(clockid_t, struct old_timespec32*) */
        .globl __vdso_clock_gettime
        .type __vdso_clock_gettime, @function
        .balign 16
__vdso_clock_gettime:
        .cfi_startproc
        cmpl    $CLOCK_MONOTONIC, 4(%esp)
        jne     vdso_clock_gettime_general
        PUSH4
        MONOTONIC_SPLIT
        movl    24(%esp), %ecx          /* ts (4 registers, the return address, clock, ts) */
        movl    %eax, (%ecx)            /* tv_sec: wraps in 2038, as the system call's */
        movl    %edx, 4(%ecx)           /* tv_nsec */
        xorl    %eax, %eax
        POP4
        ret
        .cfi_endproc
        .size __vdso_clock_gettime, . - __vdso_clock_gettime

/* int __vdso_clock_gettime64(clockid_t, struct __kernel_timespec*) */
        .globl __vdso_clock_gettime64
        .type __vdso_clock_gettime64, @function
        .balign 16
__vdso_clock_gettime64:
        .cfi_startproc
        cmpl    $CLOCK_MONOTONIC, 4(%esp)
        jne     vdso_clock_gettime64_general
        PUSH4
        MONOTONIC_SPLIT
        movl    24(%esp), %ecx
        movl    %eax, (%ecx)            /* tv_sec, 64 bits */
        movl    %edi, 4(%ecx)
        movl    %edx, 8(%ecx)           /* tv_nsec, 64 bits */
        movl    $0, 12(%ecx)
        xorl    %eax, %eax
        POP4
        ret
        .cfi_endproc
        .size __vdso_clock_gettime64, . - __vdso_clock_gettime64

        .section .note.GNU-stack, "", @progbits
