; The vDSO images, linked by the Makefile from arch/x86/vdso/, embedded in
; the kernel. kernel/vdso.cpp copies the chosen one into pages at boot.

%macro IMAGE 2
global %1_start
global %1_end
align 16
%1_start:
    incbin %2
%1_end:
%endmacro

section .rodata
IMAGE vdso32_int80, "build/vdso/vdso32-int80.so"
IMAGE vdso32_sysenter, "build/vdso/vdso32-sysenter.so"
IMAGE vdso32_syscall, "build/vdso/vdso32-syscall.so"
IMAGE vdso64_syscall, "build/vdso/vdso64-syscall.so"
IMAGE vdso64_sysenter, "build/vdso/vdso64-sysenter.so"

section .note.GNU-stack noalloc noexec nowrite progbits
