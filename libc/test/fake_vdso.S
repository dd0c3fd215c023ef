/* A stand-in vDSO for the unit tests of the symbol lookup (libc/src/vdso.c),
 * assembled for x86_64 and i386 alike. Each function is a few distinctive
 * bytes, so a test can tell that the address it got is the right one. */
        .text
        .globl __kernel_vsyscall
        .type __kernel_vsyscall, @function
__kernel_vsyscall:
        .byte 0x0f, 0x05, 0xc3                  /* syscall; ret */
        .size __kernel_vsyscall, . - __kernel_vsyscall

        .globl __vdso_clock_gettime
        .type __vdso_clock_gettime, @function
__vdso_clock_gettime:
        .byte 0xb8, 0x11, 0x22, 0x33, 0x44, 0xc3 /* mov $0x44332211, %eax; ret */
        .size __vdso_clock_gettime, . - __vdso_clock_gettime

        /* A weak alias, as Linux's vDSO exports clock_gettime. */
        .weak clock_gettime
        .type clock_gettime, @function
        .set clock_gettime, __vdso_clock_gettime

        /* Global without a type (what a NASM label gives). */
        .globl __vdso_notype
__vdso_notype:
        .byte 0xb8, 0x55, 0x66, 0x77, 0x88, 0xc3 /* mov $0x88776655, %eax; ret */

        /* Not exported: local, hidden, or left out by the version script. */
local_helper:
        .byte 0xcc
        .globl __vdso_hidden
        .hidden __vdso_hidden
        .type __vdso_hidden, @function
__vdso_hidden:
        .byte 0xcc
        .globl __vdso_unlisted
        .type __vdso_unlisted, @function
__vdso_unlisted:
        .byte 0xcc

        /* Enough more symbols for several hash buckets and chains. */
        .irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19
        .globl __vdso_filler_\n
        .type __vdso_filler_\n, @function
__vdso_filler_\n:
        .byte 0xb0, \n, 0xc3                    /* mov $n, %al; ret */
        .endr

        /* Data is not a function. */
        .section .rodata
        .globl __vdso_object
        .type __vdso_object, @object
__vdso_object:
        .long 0
        .size __vdso_object, 4

        .section .note.GNU-stack, "", @progbits
