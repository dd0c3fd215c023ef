; Kernel stack switching (the scheduler's context switch).

%include "asm_offsets.inc"

extern exit_to_user_iret

section .text

; void x86_switch_stack(uint64_t* save_rsp, uint64_t new_rsp)
; Only the System V callee-saved registers need saving: the caller
; (C++) assumes every other register is clobbered by a call anyway.
global x86_switch_stack
x86_switch_stack:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    mov [rdi], rsp
    mov rsp, rsi
    ; An interrupt from user mode leaves SS null (SDM Vol. 3A 6.14.2), and
    ; AMD's sysret does not repair the hidden SS attributes a null SS left
    ; behind, which breaks 32-bit user stacks: give every task a real SS.
    mov eax, KERNEL_SS
    mov ss, eax
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

; The first "return" of a new task (its stack is prepared by the
; scheduler so that x86_switch_stack pops into here): run r12(r13) on the
; new stack, then enter user mode through the register frame above it.
global x86_task_start
x86_task_start:
    mov rdi, r13
    call r12
    jmp exit_to_user_iret

section .note.GNU-stack noalloc noexec nowrite progbits
