; long test_clone(unsigned long flags, void* stack_top, int* parent_tid,
;                 int* child_tid, int (*fn)(void*), void* arg)
;
; The raw x86_64 clone: rdi flags, rsi new stack, rdx parent_tid,
; r10 child_tid, r8 tls. The child starts on the new stack with nothing
; of the caller's frame, so fn and arg travel on that stack; the child
; calls fn(arg) and exits with its result, never returning here.

section .text
global test_clone
test_clone:
    sub rsi, 16                 ; fn and arg on the child's stack
    mov [rsi], r8
    mov [rsi + 8], r9
    mov r10, rcx                ; child_tid: the fourth argument is r10 for syscall
    xor r8d, r8d                ; no TLS
    mov eax, 56                 ; __NR_clone (x86_64)
    syscall
    test rax, rax
    jnz .parent                 ; the parent: the pid, or -errno
    pop rax                     ; the child: fn
    pop rdi                     ; arg; rsp is stack_top again, 16-aligned
    call rax
    mov edi, eax
    mov eax, 60                 ; __NR_exit
    syscall
    ud2
.parent:
    ret

; long test_clone_tls(unsigned long flags, void* stack_top, int* parent_tid,
;                     int* child_tid, unsigned long tls, int (*fn)(void*), void* arg)
; The same with a TLS value for CLONE_SETTLS (the new task's FS base); fn
; and arg come on the stack (the seventh argument).
global test_clone_tls
test_clone_tls:
    sub rsi, 16
    mov [rsi], r9               ; fn
    mov rax, [rsp + 8]          ; arg, the seventh argument
    mov [rsi + 8], rax
    mov r10, rcx
    mov eax, 56
    syscall
    test rax, rax
    jnz .parent
    pop rax
    pop rdi
    call rax
    mov edi, eax
    mov eax, 60
    syscall
    ud2
.parent:
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
