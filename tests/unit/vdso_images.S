/* The vDSO images the kernel embeds (build/vdso/, from arch/x86/vdso/),
 * embedded in the unit-test binary too: vdso_test.cpp reads their exports,
 * versions and unwind tables. tests/unit/unit.mk assembles this file with
 * the images' directory on the include path. */
.macro image sym, file
        .balign 64
        .globl \sym
\sym:
        .incbin "\file"
        .globl \sym\()_end
\sym\()_end:
.endm

        .section .rodata
        image unit_vdso32_int80, "vdso32-int80.so"
        image unit_vdso32_sysenter, "vdso32-sysenter.so"
        image unit_vdso32_syscall, "vdso32-syscall.so"
        image unit_vdso64_syscall, "vdso64-syscall.so"
        image unit_vdso64_sysenter, "vdso64-sysenter.so"

        .section .note.GNU-stack, "", @progbits
