; The fast 32-bit gate: sysenter, returning with sysexit (or sysexitq).
;
; What the CPU did (SDM Vol. 2B SYSENTER; Vol. 3A 5.8.7): CS = IA32_SYSENTER_CS
; (MSR 0x174), SS = that + 8, RIP = IA32_SYSENTER_EIP (0x176), RSP =
; IA32_SYSENTER_ESP (0x175); cleared IF, VM and RF. It saved nothing: not
; the return address, not the user stack pointer, not the flags. So the
; caller must be the vDSO's __kernel_vsyscall, which pushes ecx, edx and
; ebp, puts its stack pointer in ebp, and has a fixed landing pad after
; the instruction: the kernel returns there, with sysexit loading RIP from
; RDX and RSP from RCX. TF is not cleared either: see the #DB note below.

%include "asm_offsets.inc"
%include "regs.inc"

extern x86_sysenter_handler
extern exit_to_user_iret

; The fast return. sysexit loads RIP from RDX and RSP from RCX and leaves
; RFLAGS alone, so the user's flags are restored with popfq first (with IF
; clear: sti's one-instruction shadow covers the sysexit itself).
%macro RETURN_WITH 1+
    POP_REGS
    lea rsp, [rsp + 16]         ; skip entry and error_code; rsp -> the rip slot
    mov rdx, [rsp]              ; RIP: the vDSO landing pad
    mov rcx, [rsp + 24]         ; RSP: the user stack pointer
    push qword [rsp + 16]       ; the user's RFLAGS ...
    btr qword [rsp], 9          ; ... with IF clear until the very end
    popfq
    swapgs
    sti
    %1
%endmacro

section .text
global sysenter_entry
global sysenter_flags_fixed
sysenter_entry:
    swapgs
    mov rsp, [gs:PERCPU_kernel_stack_top]
    ; Build the interrupt-return part of the frame by hand.
    push USER_DS                ; ss: what sysexit loads (SYSENTER_CS + 24)
    push rbp                    ; rsp: the user stack pointer, as the vDSO left it in ebp
    pushfq                      ; rflags: the user's, minus what sysenter cleared
    or qword [rsp], 0x200       ;   IF was set in user mode (CPL 3 cannot clear it)
    push USER_CS32              ; cs: the handler fixes cs/ss/rip for the caller's bitness
    push 0                      ; rip: the handler sets the vDSO landing pad
    push rax                    ; error_code slot: the number as passed
    push ENTRY_SYSENTER
    PUSH_REGS
    ; A user TF survives sysenter and traps on our first instruction; the
    ; #DB handler (kernel/trap.cpp) cleared it there and left a note, so
    ; pushfq above saw TF clear. Put it back into the user's flags.
    cmp qword [gs:PERCPU_sysenter_single_step], 0
    je .flags_saved
    mov qword [gs:PERCPU_sysenter_single_step], 0
    or qword [rsp + FRAME_rflags], 0x100
.flags_saved:
    push 0x202                  ; kernel flags: IF on; AC, NT, DF, TF off
    popfq
sysenter_flags_fixed:           ; end of the region where a single step is absorbed
    mov rdi, rsp
    call x86_sysenter_handler   ; 0: return with iretq, 1: sysexit, 2: sysexitq
    cli
    test eax, eax
    jz exit_to_user_iret
    cmp eax, 2
    je .sysexitq
    RETURN_WITH sysexit         ; CS = SYSENTER_CS + 16, SS = + 24 (32-bit user)
.sysexitq:
    RETURN_WITH o64 sysexit     ; CS = SYSENTER_CS + 32, SS = + 40 (64-bit user)

section .note.GNU-stack noalloc noexec nowrite progbits
