; The 64-bit vDSO's __kernel_vsyscall (a Sysgate extension: Linux's 64-bit
; vDSO has none), built twice: GATE_SYSCALL (the default) and
; GATE_SYSENTER (Intel only, forced with vsyscall=sysenter).
;
; Contract (the x86_64 system-call ABI): number in rax, arguments in rdi,
; rsi, rdx, r10, r8, r9; result in rax; rcx and r11 clobbered, everything
; else preserved.

bits 64
section .text

global __kernel_vsyscall:function
global __kernel_vsyscall_sysenter_return:function
global __sysgate_vdso_fallback:function
global __sysgate_vdso_fallback_return:function

align 16
__kernel_vsyscall:
%ifdef GATE_SYSCALL
    syscall
    ret
%elifdef GATE_SYSENTER
    ; sysexitq returns through rdx (rip) and rcx (rsp): keep rdx, which
    ; is an argument the caller expects back; pass our stack in rbp.
    push rdx
    push rbp
    mov rbp, rsp                    ; and on into the sysenter below
%else
%error "define GATE_SYSCALL or GATE_SYSENTER"
%endif

; Both variants end with a sysenter and, right after it, the landing pad
; where every 64-bit sysenter returns (sysexitq: RIP = RDX, RSP = RCX): so
; programs on Intel may use sysenter bare, and the kernel restarts an
; interrupted sysenter call by returning to the sysenter 2 bytes before.
    sysenter
__kernel_vsyscall_sysenter_return:
    pop rbp
    pop rdx
    ret

; The time functions' way into the kernel when they cannot answer from the
; data page (an unknown clock). The kernel recognises the return address
; and traces such calls as "vdso-fallback".
; long __sysgate_vdso_fallback(long number, long a1, long a2)
align 16
__sysgate_vdso_fallback:
    mov rax, rdi
    mov rdi, rsi
    mov rsi, rdx
    syscall
__sysgate_vdso_fallback_return:
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
