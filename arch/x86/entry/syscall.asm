; The fast 64-bit gate: syscall, returning with sysret when that is safe.
;
; What the CPU did (SDM Vol. 2B SYSCALL; Vol. 3A 5.8.8): RCX = the return
; RIP, R11 = RFLAGS, RFLAGS &= ~IA32_FMASK (TF, NT, AC, DF and IF here),
; CS = STAR[47:32], SS = STAR[47:32] + 8, RIP = IA32_LSTAR (64-bit caller)
; or IA32_CSTAR (compat-mode caller, AMD only). RSP is still the user's:
; the stub parks it in the per-CPU area before it can push anything.
;
; sysretq loads RIP from RCX and RFLAGS from R11, CS = STAR[63:48] + 16,
; SS = STAR[63:48] + 8 (sysretl: CS = STAR[63:48]). The frame the stub
; built is exactly what sysret reproduces as long as nothing rewrote it
; (a rewrite sets the FRAME work bit: sigreturn, execve, ptrace...), with
; two exceptions the stub tests itself: sysret cannot restore RF (the mask
; of SDM Vol. 2B SYSRET drops it), and a TF it restores traps one
; instruction late. RCX is canonical: it is the address after a syscall
; instruction in user space, which ends a page below the top
; (arch/x86/mm/layout.h, USER_TOP). The rest goes through C
; (arch/x86/entry/gates.cpp), which leaves through iretq when sysret
; cannot reproduce the frame.

%include "asm_offsets.inc"
%include "regs.inc"

extern syscall_handlers_x86_64
extern syscall_handlers_i386_stack_arg6
extern syscall_gate_calls
extern x86_syscall64_slow
extern x86_syscall64_exit_work
extern x86_syscall32_slow
extern x86_syscall32_exit_work
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

; The way out, after FAST_CALL: the work test and sysret (%1 = its
; form), else C: %2 makes a call the fast path would not, %3 does the exit
; work of one it made. Both return with interrupts off and AL = 1 if
; sysret reproduces the frame.
%macro SYSCALL_RETURN 3
    test dword [gs:PERCPU_work], WORK_ON_EXIT
    jnz .exit_work
    test dword [rsp + FRAME_rflags], RFLAGS_TF_RF
    jnz .exit_work
.sysret:
    POP_REGS_BUT_RAX            ; rcx == rip and r11 == rflags; rax is the result
    mov rsp, [rsp + 8 + 16 + 24] ; the user stack; no more pushes from here
    swapgs
    %1
.slow:
    mov rdi, rsp
    call %2
    jmp .decide
.exit_work:
    RESULT_TO_FRAME
    mov rdi, rsp
    call %3
.decide:
    test al, al
    jz exit_to_user_iret
    mov rax, [rsp + FRAME_rax]  ; what C left as the result
    jmp .sysret
%endmacro

section .text
global syscall64_entry
syscall64_entry:
    SYSCALL_FRAME USER_CS64, ENTRY_SYSCALL64
    FAST_CALL_PREPARE GATE_SYSCALL, NR64_SYSCALLS, NR64_MASK, .slow
    mov rcx, r10                ; the 4th argument (syscall clobbers rcx)
    FAST_CALL syscall_handlers_x86_64
    SYSCALL_RETURN o64 sysret, x86_syscall64_slow, x86_syscall64_exit_work

; Compat mode (32-bit code on AMD): the i386 ABI, except that syscall
; clobbers ecx, so the vDSO passes the second argument in ebp and leaves
; the sixth on the user stack, where the calls that take six read it
; (the _stack_arg6 handlers).
global syscall32_entry
syscall32_entry:
    SYSCALL_FRAME USER_CS32, ENTRY_SYSCALL32
    FAST_CALL_PREPARE GATE_SYSCALL, NR32_SYSCALLS, NR32_MASK, .slow
    mov r8d, edi                ; 5th
    mov edi, ebx                ; 1st
    mov ecx, esi                ; 4th
    mov esi, ebp                ; 2nd (edx stays the 3rd)
    FAST_CALL syscall_handlers_i386_stack_arg6
    SYSCALL_RETURN sysret, x86_syscall32_slow, x86_syscall32_exit_work

section .note.GNU-stack noalloc noexec nowrite progbits
