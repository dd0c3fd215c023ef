; Calling one gate with every register chosen by the test (64-bit code).
;
; struct regs64 { rax, rbx, rcx, rdx, rsi, rdi, rbp, r8..r15, rflags }
; void gate_<kind>64(struct regs64* r): loads all registers and RFLAGS
; from *r, executes the gate, stores them all back (the stack pointer is
; the caller's). One function per gate: a branch between popfq and the
; gate would change the flags under test.

section .bss
regs_pointer: resq 1
global gate_vsyscall64
gate_vsyscall64: resq 1         ; __kernel_vsyscall, set by the test

section .text

%macro GATE 2+
global %1
%1:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    mov [rel regs_pointer], rdi
    push qword [rdi + 15 * 8]
    popfq
    mov rax, [rdi + 0 * 8]
    mov rbx, [rdi + 1 * 8]
    mov rcx, [rdi + 2 * 8]
    mov rdx, [rdi + 3 * 8]
    mov rsi, [rdi + 4 * 8]
    mov rbp, [rdi + 6 * 8]
    mov r8, [rdi + 7 * 8]
    mov r9, [rdi + 8 * 8]
    mov r10, [rdi + 9 * 8]
    mov r11, [rdi + 10 * 8]
    mov r12, [rdi + 11 * 8]
    mov r13, [rdi + 12 * 8]
    mov r14, [rdi + 13 * 8]
    mov r15, [rdi + 14 * 8]
    mov rdi, [rdi + 5 * 8]
    %2
    pushfq
    push rdi
    mov rdi, [rel regs_pointer]
    mov [rdi + 0 * 8], rax
    mov [rdi + 1 * 8], rbx
    mov [rdi + 2 * 8], rcx
    mov [rdi + 3 * 8], rdx
    mov [rdi + 4 * 8], rsi
    pop qword [rdi + 5 * 8]
    mov [rdi + 6 * 8], rbp
    mov [rdi + 7 * 8], r8
    mov [rdi + 8 * 8], r9
    mov [rdi + 9 * 8], r10
    mov [rdi + 10 * 8], r11
    mov [rdi + 11 * 8], r12
    mov [rdi + 12 * 8], r13
    mov [rdi + 13 * 8], r14
    mov [rdi + 14 * 8], r15
    pop qword [rdi + 15 * 8]
    push 0x202                  ; the C caller expects a clean DF/AC/TF
    popfq
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret
%endmacro

GATE gate_int80_64, int 0x80
GATE gate_syscall_64, syscall
GATE gate_vdso_64, call [rel gate_vsyscall64]
; sysenter from 64-bit code (Intel; a Sysgate extension): the same
; protocol as the vDSO's: rdx and rbp saved, our stack pointer in rbp;
; the kernel returns to the vDSO's landing pad, which pops them and
; returns after our call.
%macro SYSENTER64 0
    call %%enter
    jmp %%done
%%enter:
    push rdx
    push rbp
    mov rbp, rsp
    sysenter
%%done:
%endmacro
GATE gate_sysenter_64, SYSENTER64

section .note.GNU-stack noalloc noexec nowrite progbits
