; Entry stubs for all 256 IDT vectors, and the return-to-user path that
; every gate can fall back on.
;
; On an interrupt or exception the CPU switches to TSS.RSP0 (from ring 3) or
; to an IST stack (if the gate names one), aligns RSP to 16 and pushes SS,
; RSP, RFLAGS, CS, RIP and, for some exceptions, an error code (SDM Vol. 3A
; 6.14.2). Each stub makes the error-code slot uniform, records its vector
; and joins interrupt_common.

%include "asm_offsets.inc"
%include "regs.inc"

extern x86_interrupt_dispatch

section .text

; Exceptions that push an error code (SDM Vol. 3A Table 6-1).
%define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

; The vectors with IST stacks whose handlers can return to user mode (the
; double fault never returns). See arch/x86/desc/idt.cpp:ist_for.
%define MOVES_TO_TASK_STACK(v) ((v) == 1 || (v) == 2 || (v) == 18)

%macro VECTOR_STUB 1
align 16
vector_%1:
%if HAS_ERROR_CODE(%1) == 0
    push 0
%endif
    push %1
%if MOVES_TO_TASK_STACK(%1)
    jmp ist_common
%else
    jmp interrupt_common
%endif
%endmacro

%assign v 0
%rep 256
%if v != 0x80        ; int $0x80 has its own stub (int80.asm)
VECTOR_STUB v
%endif
%assign v v + 1
%endrep

; #DB, NMI and #MC arrive on IST stacks of their own (SDM Vol. 3A 6.14.5),
; shared by every task. Work on the way back to user mode can switch tasks
; (schedule, signal delivery), and a task switched out with its frame on
; an IST stack would have it overwritten by the next exception there. So
; an IST exception from user mode first moves its seven words (vector,
; error code and the CPU's five) to the top of the task's kernel stack,
; where every other entry from user mode puts its frame, and carries on
; from there (Linux does the same in its paranoid entries). The task stack
; is empty: its task was in user mode. From kernel mode the frame stays on
; the IST stack and the handler returns to the kernel.
ist_common:
    test byte [rsp + 24], 3     ; the saved CS, above vector, error code and RIP
    jz interrupt_common
    push rax
    push rcx
    push rsi
    push rdi
    swapgs                      ; the user's GS is live: read the per-CPU area
    mov rdi, [gs:PERCPU_kernel_stack_top]
    swapgs
    sub rdi, 7 * 8
    xor ecx, ecx
.copy:                          ; no rep movs: DF is still the user's
    mov rax, [rsp + 32 + rcx * 8]
    mov [rdi + rcx * 8], rax
    inc ecx
    cmp ecx, 7
    jb .copy
    mov rax, [rsp + 24]
    mov rcx, [rsp + 16]
    mov rsi, [rsp + 8]
    xchg rdi, [rsp]             ; rdi back, and the new stack pointer in its slot
    mov rsp, [rsp]
    jmp interrupt_common

; Which GS is live cannot be read from the saved CS alone: int $0x80 is a
; trap gate, so a timer interrupt can arrive after the CPU has entered the
; kernel (saved CS = kernel) but before the stub's swapgs (GS = user); an
; NMI or #DB can land on the first instruction after sysenter or syscall in
; the same state. So every interrupt asks the hardware: is the live GS base
; the per-CPU area's address? With FSGSBASE a program may write any GS base
; (WRGSBASE), even that one, but then either value is the per-CPU area, and
; taking one for the other does no harm: both point at the same memory, and
; swapgs exchanges two equal values. RBX, callee-saved, remembers whether
; to swap back.
extern x86_percpu_address
interrupt_common:
    PUSH_REGS
    cld
    mov ecx, MSR_GS_BASE
    rdmsr
    shl rdx, 32
    or rax, rdx
    xor ebx, ebx
    cmp rax, [rel x86_percpu_address]
    je .gs_is_kernel
    swapgs
    mov ebx, 1
    test byte [rsp + FRAME_cs], 3
    jnz .gs_is_kernel
    inc qword [gs:PERCPU_gs_window_hits] ; kernel CS with the user's GS: the window
.gs_is_kernel:
    mov rdi, rsp
    call x86_interrupt_dispatch ; returns the frame to leave with (see below)
    mov rsp, rax
    test ebx, ebx
    jz .restore
    swapgs
.restore:
    POP_REGS
    add rsp, 16                 ; entry and error_code
global x86_iret_from_interrupt
x86_iret_from_interrupt:
    iretq

; Leaves the kernel through iretq for a frame on the current stack whose
; CS is a user selector, with the kernel GS live. Every gate can end here;
; a new task's first return to user mode starts here too.
;
; iretq to user mode can fault in ring 0: the frame's CS or SS may name a
; descriptor that is not present or not valid any more (the program's own
; TLS entry, changed while it was in the kernel), or RIP may lie beyond a
; 32-bit CS limit (SDM Vol. 2A IRET). The #GP, #NP or #SS then arrives with
; a kernel CS, the user's registers and GS, and RIP at one of the two
; labelled iretq instructions; x86_interrupt_dispatch turns it into the
; user-mode fault it really is (the idea of Linux's fixup_bad_iret).
global exit_to_user_iret
global x86_iret_to_user_gs_swapped
global x86_iret_to_user
exit_to_user_iret:
    cli
    swapgs
x86_iret_to_user_gs_swapped:    ; the same with the user's GS already back (int80.asm)
    POP_REGS
    add rsp, 16
x86_iret_to_user:
    iretq

section .rodata
; The stub addresses, for the IDT builder (0x80 is filled in separately).
global x86_vector_stubs
align 8
x86_vector_stubs:
%assign v 0
%rep 256
%if v != 0x80
    dq vector_%+v
%else
    dq 0
%endif
%assign v v + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
