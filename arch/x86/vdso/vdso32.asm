; The 32-bit vDSO ("linux-gate.so.1"): __kernel_vsyscall, built three times,
; once per gate (GATE_INT80, GATE_SYSENTER, GATE_SYSCALL); the kernel maps
; the one chosen at boot into every 32-bit process.
;
; Contract (the i386 system-call ABI, as int $0x80 has it): number in eax,
; arguments in ebx, ecx, edx, esi, edi, ebp; result in eax; every other
; register preserved. Callers reach it with `call *AT_SYSINFO` (or glibc's
; `call *%gs:0x10`), so changing the gate needs no change in any program.

bits 32
section .text

global __kernel_vsyscall:function
global __kernel_vsyscall_sysenter_return:function

align 16
__kernel_vsyscall:
%ifdef GATE_INT80
    int 0x80
    ret
%elifdef GATE_SYSENTER
    ; sysenter keeps no return address and no stack pointer, and sysexit
    ; returns through edx (eip) and ecx (esp): save those two, and ebp,
    ; and hand the kernel our stack pointer in ebp. The kernel reads the
    ; sixth argument (the caller's ebp) from [ebp].
    push ecx
    push edx
    push ebp
    mov ebp, esp                    ; and on into the sysenter below
%elifdef GATE_SYSCALL
    ; AMD's compat-mode syscall overwrites ecx with the return address:
    ; the second argument travels in ebp, the sixth (ebp) on the stack.
    push ebp
    mov ebp, ecx
    syscall
    mov ecx, ebp
    pop ebp
    ret
%else
%error "define GATE_INT80, GATE_SYSENTER or GATE_SYSCALL"
%endif

; Every variant ends with a sysenter and, right after it, the landing pad
; where every sysenter returns (sysexit: EIP = EDX, ESP = ECX). So a
; program may use sysenter bare (Intel CPUs) whatever gate
; __kernel_vsyscall was given, with the same protocol; and the kernel
; restarts an interrupted sysenter call (SA_RESTART) by returning to the
; instruction 2 bytes before the pad (arch/x86/entry/gates.cpp).
    sysenter
__kernel_vsyscall_sysenter_return:
    pop ebp
    pop edx
    pop ecx
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
