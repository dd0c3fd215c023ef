; The same check for a new 32-bit program: eax..ebp zero except esp,
; EFLAGS = 0x202. Exit status 0, or 1 + the first nonzero register's
; index, or 100 for EFLAGS.
bits 32
global _start
section .text
_start:
    pushfd                      ; first, before any instruction changes the flags
    test eax, eax
    jnz .r1
    test ebx, ebx
    jnz .r2
    test ecx, ecx
    jnz .r3
    test edx, edx
    jnz .r4
    test esi, esi
    jnz .r5
    test edi, edi
    jnz .r6
    test ebp, ebp
    jnz .r7
    pop eax
    cmp eax, 0x202
    jne .flags
    mov eax, 4                  ; write(1, ok, len)
    mov ebx, 1
    mov ecx, ok
    mov edx, ok_len
    int 0x80
    xor ebx, ebx
    jmp .exit
%assign n 1
%rep 7
.r%+n:
    mov ebx, n + 1
    jmp .exit
%assign n n + 1
%endrep
.flags:
    mov ebx, eax                ; say what the flags were
    mov edi, hex + 7
    mov ecx, 8
.digit:
    mov eax, ebx
    and eax, 15
    mov al, [digits + eax]
    mov [edi], al
    dec edi
    shr ebx, 4
    loop .digit
    mov eax, 4
    mov ebx, 1
    mov ecx, bad_flags
    mov edx, bad_flags_len
    int 0x80
    mov ebx, 100
.exit:
    mov eax, 252                ; exit_group
    int 0x80
section .rodata
ok: db "[OK] a new 32-bit program starts with zero registers and EFLAGS 0x202", 10
ok_len equ $ - ok
digits: db "0123456789abcdef"
section .data
bad_flags: db "[FAIL] a new 32-bit program starts with EFLAGS 0x"
hex: db "00000000", 10
bad_flags_len equ $ - bad_flags
section .note.GNU-stack noalloc noexec nowrite progbits
