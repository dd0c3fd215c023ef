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
;
; sysenter cannot say whether a 32- or a 64-bit program made it, so the
; kernel points IA32_SYSENTER_EIP at the stub for the running task's
; bitness (gates.cpp, switch_task_gates): the 32-bit one is a fast path
; (regs.inc), the 64-bit one (a curiosity: the 64-bit vDSO uses syscall
; unless told otherwise) always goes through C. On AMD, where sysexit
; raises #UD in long mode, a sysenter that an emulator lets in takes a
; stub that always leaves through iretq.

%include "asm_offsets.inc"
%include "regs.inc"

extern syscall_handlers_i386_stack_arg6
extern syscall_gate_calls
extern x86_sysenter32_slow
extern x86_sysenter32_exit_work
extern x86_sysenter64_slow
extern exit_to_user_iret

; Builds the frame by hand: %1 = user CS, %2 = user SS, as sysexit (or
; sysexitq) will load them. The user stack pointer is in ebp/rbp, the
; return address is the task's landing pad. Then kernel flags.
%macro SYSENTER_FRAME 3
    swapgs
    mov rsp, [gs:PERCPU_kernel_stack_top]
    push %2                     ; ss
%if %3
    push rbp                    ; rsp: the user stack pointer, as the vDSO left it in rbp
%else
    mov ebp, ebp                ; 32-bit: the upper half may be a 64-bit detour's
    push rbp                    ; rsp: the user stack pointer, as the vDSO left it in ebp
%endif
    pushfq                      ; rflags: the user's, minus what sysenter cleared
    or qword [rsp], 0x200       ;   IF was set in user mode (CPL 3 cannot clear it)
    push %1                     ; cs
    push qword [gs:PERCPU_sysenter_return] ; rip: the vDSO's landing pad
    push rax                    ; error_code slot: the number as passed
    push ENTRY_SYSENTER
    PUSH_REGS
    ; A user TF survives sysenter and traps on our first instruction; the
    ; #DB handler (kernel/trap.cpp) cleared it there and set the STEP work
    ; bit, so pushfq above saw TF clear. C puts it back into the user's
    ; flags (gates.cpp, restore_absorbed_step): STEP is an entry work bit.
    push 0x202                  ; kernel flags: IF on; AC, NT, DF, TF off
    popfq
%endmacro

; The fast return. sysexit loads RIP from RDX and RSP from RCX and leaves
; RFLAGS alone, so the user's flags are restored with popfq first (with IF
; clear: sti's one-instruction shadow covers the sysexit itself).
; rax is the result, not popped.
%macro SYSEXIT_RETURN 1+
    POP_REGS_BUT_RAX
    mov rdx, [rsp + 8 + 16]     ; RIP: the vDSO landing pad
    mov rcx, [rsp + 8 + 16 + 24] ; RSP: the user stack pointer
    push qword [rsp + 8 + 16 + 16] ; the user's RFLAGS ...
    btr qword [rsp], 9          ; ... with IF clear until the very end
    popfq
    swapgs
    sti
    %1
%endmacro

section .text
global sysenter32_entry
global sysenter32_flags_fixed
sysenter32_entry:
    SYSENTER_FRAME USER_CS32, USER_DS, 0
sysenter32_flags_fixed:         ; end of the region where a single step is absorbed
    FAST_CALL_PREPARE GATE_SYSENTER, NR32_SYSCALLS, NR32_MASK, .slow
    I386_ARGS 0                 ; the 6th: at [ebp], read by the calls that take six
    FAST_CALL syscall_handlers_i386_stack_arg6
    test dword [gs:PERCPU_work], WORK_ON_EXIT
    jnz .exit_work
    ; The frame's flags are the user's own (sysenter cleared RF; a TF went
    ; to the STEP bit), RIP the landing pad, RSP 32 bits: sysexit is exact.
.sysexit:
    SYSEXIT_RETURN sysexit      ; CS = SYSENTER_CS + 16, SS = + 24 (32-bit user)
.slow:
    mov rdi, rsp
    call x86_sysenter32_slow
    jmp .decide
.exit_work:
    RESULT_TO_FRAME
    mov rdi, rsp
    call x86_sysenter32_exit_work
.decide:                        ; C returns with interrupts off: AL = 1 for sysexit
    test al, al
    jz exit_to_user_iret
    mov rax, [rsp + FRAME_rax]  ; what C left as the result
    jmp .sysexit

; The same frame, always through C (AMD: never sysexit).
global sysenter32_slow_entry
global sysenter32_slow_flags_fixed
sysenter32_slow_entry:
    SYSENTER_FRAME USER_CS32, USER_DS, 0
sysenter32_slow_flags_fixed:
    mov byte [gs:PERCPU_last_gate], GATE_SYSENTER
    mov rdi, rsp
    call x86_sysenter32_slow
    test al, al
    jz exit_to_user_iret
    mov rax, [rsp + FRAME_rax]
    SYSEXIT_RETURN sysexit

; From 64-bit code: the x86_64 ABI, always through C.
global sysenter64_entry
global sysenter64_flags_fixed
sysenter64_entry:
    SYSENTER_FRAME USER_CS64, USER_SS_SYSEXITQ, 1
sysenter64_flags_fixed:
    mov byte [gs:PERCPU_last_gate], GATE_SYSENTER
    mov rdi, rsp
    call x86_sysenter64_slow
    test al, al
    jz exit_to_user_iret
    mov rax, [rsp + FRAME_rax]
    SYSEXIT_RETURN o64 sysexit  ; CS = SYSENTER_CS + 32, SS = + 40 (64-bit user)

section .note.GNU-stack noalloc noexec nowrite progbits
