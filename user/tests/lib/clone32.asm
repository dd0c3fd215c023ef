; long test_clone(unsigned long flags, void* stack_top, int* parent_tid,
;                 int* child_tid, int (*fn)(void*), void* arg)
;
; The raw i386 clone: ebx flags, ecx new stack, edx parent_tid, esi tls,
; edi child_tid (tls before child_tid: CONFIG_CLONE_BACKWARDS). The child
; starts on the new stack with nothing of the caller's frame, so fn and
; arg travel on that stack; the child calls fn(arg) and exits with its
; result, never returning here. int $0x80 rather than the vDSO: sysenter
; would make the child return through the caller's stack.

section .text
global test_clone
test_clone:
    push ebx
    push esi
    push edi
    mov ecx, [esp + 20]         ; stack_top
    sub ecx, 20                 ; fn at [top - 20], arg at [top - 16]
    mov eax, [esp + 32]
    mov [ecx], eax
    mov eax, [esp + 36]
    mov [ecx + 4], eax
    mov ebx, [esp + 16]         ; flags
    mov edx, [esp + 24]         ; parent_tid
    xor esi, esi                ; no TLS
    mov edi, [esp + 28]         ; child_tid
    mov eax, 120                ; __NR_clone (i386)
    int 0x80
    test eax, eax
    jnz .parent                 ; the parent: the pid, or -errno
    pop eax                     ; the child: fn; [esp] is now arg, esp 16-aligned
    call eax
    mov ebx, eax
    mov eax, 1                  ; __NR_exit
    int 0x80
    ud2
.parent:
    pop edi
    pop esi
    pop ebx
    ret

; long test_clone_tls(unsigned long flags, void* stack_top, int* parent_tid,
;                     int* child_tid, unsigned long tls, int (*fn)(void*), void* arg)
; The same with CLONE_SETTLS's argument: a struct user_desc pointer on i386.
global test_clone_tls
test_clone_tls:
    push ebx
    push esi
    push edi
    mov ecx, [esp + 20]         ; stack_top
    sub ecx, 20
    mov eax, [esp + 36]         ; fn
    mov [ecx], eax
    mov eax, [esp + 40]         ; arg
    mov [ecx + 4], eax
    mov ebx, [esp + 16]         ; flags
    mov edx, [esp + 24]         ; parent_tid
    mov esi, [esp + 32]         ; tls
    mov edi, [esp + 28]         ; child_tid
    mov eax, 120
    int 0x80
    test eax, eax
    jnz .parent
    pop eax
    call eax
    mov ebx, eax
    mov eax, 1
    int 0x80
    ud2
.parent:
    pop edi
    pop esi
    pop ebx
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
