; A new 64-bit program starts with every general register zero except the
; stack pointer, and RFLAGS = 0x202 (what Linux promises too). No libc: this is the
; first instruction the program runs. Exit status: 0 if so, else 1 + the
; index of the first nonzero register, or 100 for RFLAGS.
bits 64
global _start
section .text
_start:
    pushfq                      ; first, before any instruction changes the flags
    test rax, rax
    jnz .r1
    test rbx, rbx
    jnz .r2
    test rcx, rcx
    jnz .r3
    test rdx, rdx
    jnz .r4
    test rsi, rsi
    jnz .r5
    test rdi, rdi
    jnz .r6
    test rbp, rbp
    jnz .r7
    test r8, r8
    jnz .r8
    test r9, r9
    jnz .r9
    test r10, r10
    jnz .r10
    test r11, r11
    jnz .r11
    test r12, r12
    jnz .r12
    test r13, r13
    jnz .r13
    test r14, r14
    jnz .r14
    test r15, r15
    jnz .r15
    test rsp, rsp
    jz .r16
    pop rax
    cmp rax, 0x202
    jne .flags
    mov eax, 1                  ; write(1, ok, len)
    mov edi, 1
    lea rsi, [rel ok]
    mov edx, ok_len
    syscall
    xor edi, edi
    jmp .exit
%assign n 1
%rep 16
.r%+n:
    mov edi, n + 1
    jmp .exit
%assign n n + 1
%endrep
.flags:
    ; Say what the flags were: "[FAIL] ... RFLAGS = 0x" and 8 hex digits.
    mov rbx, rax
    lea rdi, [rel hex + 7]
    mov ecx, 8
.digit:
    mov eax, ebx
    and eax, 15
    lea rdx, [rel digits]
    mov al, [rdx + rax]
    mov [rdi], al
    dec rdi
    shr ebx, 4
    loop .digit
    mov eax, 1
    mov edi, 1
    lea rsi, [rel bad_flags]
    mov edx, bad_flags_len
    syscall
    mov edi, 100
.exit:
    mov eax, 231                ; exit_group
    syscall
section .rodata
ok: db "[OK] a new 64-bit program starts with zero registers and RFLAGS 0x202", 10
ok_len equ $ - ok
digits: db "0123456789abcdef"
section .data
bad_flags: db "[FAIL] a new 64-bit program starts with RFLAGS 0x"
hex: db "00000000", 10
bad_flags_len equ $ - bad_flags
section .note.GNU-stack noalloc noexec nowrite progbits
