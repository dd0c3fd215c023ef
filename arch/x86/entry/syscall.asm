; The fast 64-bit gate: syscall, returning with sysret when that is safe.
;
; What the CPU did (SDM Vol. 2B SYSCALL; Vol. 3A 5.8.8): RCX = the return
; RIP, R11 = RFLAGS, RFLAGS &= ~IA32_FMASK (TF, NT, AC, DF and IF here),
; CS = STAR[47:32], SS = STAR[47:32] + 8, RIP = IA32_LSTAR (64-bit caller)
; or IA32_CSTAR (compat-mode caller, AMD only). RSP is still the user's:
; the stub parks it in the per-CPU area before it can push anything.
;
; sysretq loads RIP from RCX and RFLAGS from R11, CS = STAR[63:48] + 16,
; SS = STAR[63:48] + 8 (sysretl: CS = STAR[63:48]). The C++ handler says
; whether that reproduces the frame exactly (gates.cpp: sysret64_safe); if not, the
; frame leaves through iretq.

%include "asm_offsets.inc"
%include "regs.inc"

extern x86_syscall64_handler
extern x86_syscall32_handler
extern exit_to_user_iret

; Builds the frame; %1 = user CS to record, %2 = entry kind.
%macro SYSCALL_FRAME 2
    swapgs
    mov [gs:PERCPU_user_rsp_scratch], rsp
    mov rsp, [gs:PERCPU_kernel_stack_top]
    push USER_DS                ; ss: what sysret loads (STAR[63:48] + 8)
    push qword [gs:PERCPU_user_rsp_scratch]
    push r11                    ; rflags
    push %1                     ; cs
    push rcx                    ; rip
    push rax                    ; error_code slot: the number as passed
    push %2
    PUSH_REGS
    sti                         ; FMASK cleared IF; the frame is safe now
%endmacro

; Returns with sysret (%1 = sysret form) if the handler said so (AL != 0).
%macro SYSCALL_RETURN 1
    cli
    test al, al
    jz exit_to_user_iret
    POP_REGS                    ; rcx == rip and r11 == rflags: the handler checked
    lea rsp, [rsp + 16]         ; rsp -> the rip slot
    mov rsp, [rsp + 24]         ; the user stack; no more pushes from here
    swapgs
    %1
%endmacro

section .text
global syscall64_entry
syscall64_entry:
    SYSCALL_FRAME USER_CS64, ENTRY_SYSCALL64
    mov rdi, rsp
    call x86_syscall64_handler
    SYSCALL_RETURN o64 sysret

; Compat mode (32-bit code on AMD): the i386 ABI, except that syscall
; clobbers ecx, so the vDSO passes the second argument in ebp and leaves
; the sixth on the user stack (x86_syscall32_handler).
global syscall32_entry
syscall32_entry:
    SYSCALL_FRAME USER_CS32, ENTRY_SYSCALL32
    mov rdi, rsp
    call x86_syscall32_handler
    SYSCALL_RETURN sysret

section .note.GNU-stack noalloc noexec nowrite progbits
