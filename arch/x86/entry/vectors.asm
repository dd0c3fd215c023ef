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

%macro VECTOR_STUB 1
align 16
vector_%1:
%if HAS_ERROR_CODE(%1) == 0
    push 0
%endif
    push %1
    jmp interrupt_common
%endmacro

%assign v 0
%rep 256
%if v != 0x80        ; int $0x80 has its own stub (int80.asm)
VECTOR_STUB v
%endif
%assign v v + 1
%endrep

; Which GS is live cannot be read from the saved CS alone: int $0x80 is a
; trap gate, so a timer interrupt can arrive after the CPU has entered the
; kernel (saved CS = kernel) but before the stub's swapgs (GS = user); an
; NMI or #DB can land on the first instruction after sysenter or syscall in
; the same state. So every interrupt asks the hardware: the GS base of the
; kernel is a kernel address (bit 63 set), and no user GS base can be
; (arch_prctl and set_thread_area only accept user addresses and FSGSBASE
; is left off). RBX, callee-saved, remembers whether to swap back.
interrupt_common:
    PUSH_REGS
    cld
    mov ecx, MSR_GS_BASE
    rdmsr
    xor ebx, ebx
    test edx, edx
    js .gs_is_kernel
    swapgs
    mov ebx, 1
    test byte [rsp + FRAME_cs], 3
    jnz .gs_is_kernel
    inc qword [gs:PERCPU_gs_window_hits] ; kernel CS with the user's GS: the window
.gs_is_kernel:
    mov rdi, rsp
    call x86_interrupt_dispatch
    test ebx, ebx
    jz .restore
    swapgs
.restore:
    POP_REGS
    add rsp, 16                 ; entry and error_code
    iretq

; Leaves the kernel through iretq for a frame on the current stack whose
; CS is a user selector, with the kernel GS live. Every gate can end here;
; a new task's first return to user mode starts here too.
global exit_to_user_iret
exit_to_user_iret:
    cli
    swapgs
    POP_REGS
    add rsp, 16
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
