; memcpy, memmove, memset and memcmp for the kernel. GCC may emit calls
; to these even in freestanding code (struct copies, large initialisers).
; "rep movsb/stosb" is fast on every CPU with ERMSB and correct on all.

section .text

; void* memcpy(void* dst, const void* src, size_t n)
global memcpy
memcpy:
    mov rax, rdi
    mov rcx, rdx
    rep movsb
    ret

; void* memmove(void* dst, const void* src, size_t n)
global memmove
memmove:
    mov rax, rdi
    mov rcx, rdx
    cmp rdi, rsi
    jbe .forward
    lea rsi, [rsi + rdx - 1]    ; overlapping with dst above src: copy backwards
    lea rdi, [rdi + rdx - 1]
    std
    rep movsb
    cld
    ret
.forward:
    rep movsb
    ret

; void* memset(void* dst, int c, size_t n)
global memset
memset:
    mov r8, rdi
    mov eax, esi
    mov rcx, rdx
    rep stosb
    mov rax, r8
    ret

; int memcmp(const void* a, const void* b, size_t n)
global memcmp
memcmp:
    xor eax, eax
    mov rcx, rdx
    repe cmpsb
    je .equal
    movzx eax, byte [rdi - 1]
    movzx edx, byte [rsi - 1]
    sub eax, edx
.equal:
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
