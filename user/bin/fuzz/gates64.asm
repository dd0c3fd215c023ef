; The fuzzer's way into the kernel from 64-bit code: one system call with
; every register, RFLAGS, the stack pointer and the data segment selectors
; chosen by the generator (user/bin/fuzz/gen.c), through one of the gates.
;
; The call is described by fz_in (struct fz_regs in fuzz.h; the offsets
; below are checked there with static asserts); fz_enter loads it, enters
; the kernel, stores what came back in fz_out and returns 0. Nothing
; between the popfq and the gate instruction touches the stack or the
; flags, so the kernel sees exactly the generated state. A call that
; faults in user mode afterwards (a hostile stack under the vDSO's landing
; pad, a bad selector, a sigreturn to nowhere) is resumed by the fault
; handler at fz_recover (returns 1); a crafted rt_sigreturn frame names
; fz_sigreturn_landing as its rip (returns 2).
;
; A fork-like call (gate | FZ_ASM_FORK) has its own tail: its child
; exits at once, before it touches memory it may share with its parent.

bits 64
default rel

%define NR64_EXIT 60

; struct fz_regs offsets (fuzz.h)
%define IN_RFLAGS   120
%define IN_SP       128
%define IN_DS       136
%define IN_ES       138
%define IN_FS       140
%define IN_GS       142
%define IN_SS       144
%define IN_GATE     148
%define IN_FLAGS    152
%define IN_TARGET   160
%define IN_FSBASE   168
%define IN_GSBASE   176
%define FZ_REGS_SIZE 184

; fz_regs.flags bits
%define FL_HOSTILE_SP 2
%define FL_DS 4
%define FL_ES 8
%define FL_FS 16
%define FL_GS 32
%define FL_SS 64
%define FL_WRFSBASE 128
%define FL_WRGSBASE 256

; fz_regs.gate values (FZ_ASM_* in fuzz.h)
%define ASM_INT80 0
%define ASM_SYSENTER 1
%define ASM_SYSCALL 2
%define ASM_VDSO 3
%define ASM_SYSENTER_BADSP 4

section .bss
alignb 16
global fz_in
global fz_out
fz_in:  resb FZ_REGS_SIZE
fz_out: resb FZ_REGS_SIZE
global fz_vsyscall
fz_vsyscall: resq 1             ; __kernel_vsyscall of the vDSO
fz_saved_rsp: resq 1            ; the helper's own stack, below its saved registers
fz_target_sp: resq 1            ; rsp at the gate: the helper's own or a hostile one
fz_hostile_bp: resq 1           ; rbp at a sysenter with a hostile stack
fz_vsyscall_target: resq 1      ; the address a legacy vsyscall call goes to

section .text

%macro LOAD_REGS 0
    mov rax, [fz_in + 0 * 8]
    mov rbx, [fz_in + 1 * 8]
    mov rcx, [fz_in + 2 * 8]
    mov rdx, [fz_in + 3 * 8]
    mov rsi, [fz_in + 4 * 8]
    mov rdi, [fz_in + 5 * 8]
    mov rbp, [fz_in + 6 * 8]
    mov r8, [fz_in + 7 * 8]
    mov r9, [fz_in + 8 * 8]
    mov r10, [fz_in + 9 * 8]
    mov r11, [fz_in + 10 * 8]
    mov r12, [fz_in + 11 * 8]
    mov r13, [fz_in + 12 * 8]
    mov r14, [fz_in + 13 * 8]
    mov r15, [fz_in + 14 * 8]
%endmacro

; After the gate: every register into fz_out (mov changes no flag).
%macro AFTER 0
    mov [fz_out + 0 * 8], rax
    mov [fz_out + 1 * 8], rbx
    mov [fz_out + 2 * 8], rcx
    mov [fz_out + 3 * 8], rdx
    mov [fz_out + 4 * 8], rsi
    mov [fz_out + 5 * 8], rdi
    mov [fz_out + 6 * 8], rbp
    mov [fz_out + 7 * 8], r8
    mov [fz_out + 8 * 8], r9
    mov [fz_out + 9 * 8], r10
    mov [fz_out + 10 * 8], r11
    mov [fz_out + 11 * 8], r12
    mov [fz_out + 12 * 8], r13
    mov [fz_out + 13 * 8], r14
    mov [fz_out + 14 * 8], r15
    mov [fz_out + IN_SP], rsp
    jmp after_common
%endmacro

; After a fork-like call: a child (rax 0) exits at once, before it writes
; anything into memory it may share with its parent (CLONE_VM) or uses a
; stack it may not have; only then the parent stores. The flags are not
; kept here (no register check follows a fork-like call).
%macro AFTER_FORK 0
    test rax, rax
    jnz %%parent
    mov eax, NR64_EXIT
    xor edi, edi
    syscall
    ud2
%%parent:
    AFTER
%endmacro

%macro FLAGS_IN 0
    push qword [fz_in + IN_RFLAGS]
    popfq
%endmacro

; The gates, each ending with %1 (AFTER or AFTER_FORK).
%macro INT80 1
    FLAGS_IN
    mov rsp, [fz_target_sp]
    LOAD_REGS
    int 0x80
    %1
%endmacro

%macro SYSCALL 1
    FLAGS_IN
    mov rsp, [fz_target_sp]
    LOAD_REGS
    syscall
    %1
%endmacro

%macro VDSO 1
    FLAGS_IN
    mov rsp, [fz_target_sp]
    LOAD_REGS
    call [fz_vsyscall]
    %1
%endmacro

; The legacy vsyscall page (0xffffffffff600000): a call the kernel
; emulates when its fetch faults.
%macro VSYSCALL 1
    FLAGS_IN
    mov rsp, [fz_target_sp]
    LOAD_REGS
    call [fz_vsyscall_target]
    %1
%endmacro

; Bare sysenter, the vDSO's protocol (bench.c): rdx and rbp saved, our
; stack pointer in rbp; the kernel returns to the vDSO's landing pad,
; which pops them and returns after our call. %2: what goes into rbp.
%macro SYSENTER 2
    FLAGS_IN
    LOAD_REGS
    call %%enter
    jmp %%done
%%enter:
    push rdx
    push rbp
    mov rbp, %2
    sysenter
%%done:
    %1
%endmacro

; int fz_enter(void)
global fz_enter
fz_enter:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    sub rsp, 72                 ; scratch, and 16-byte alignment
    mov [fz_saved_rsp], rsp
    ; Selectors first: a load that faults is resumed at fz_recover.
    mov eax, [fz_in + IN_FLAGS]
    test al, FL_DS
    jz .no_ds
    mov ds, [fz_in + IN_DS]
.no_ds:
    test al, FL_ES
    jz .no_es
    mov es, [fz_in + IN_ES]
.no_es:
    test al, FL_FS
    jz .no_fs
    mov fs, [fz_in + IN_FS]
.no_fs:
    test al, FL_GS
    jz .no_gs
    mov gs, [fz_in + IN_GS]
.no_gs:
    test al, FL_SS
    jz .no_ss
    mov ss, [fz_in + IN_SS]
.no_ss:
    ; FS and GS bases written directly (FSGSBASE): anything, a kernel address too.
    test eax, FL_WRFSBASE
    jz .no_fsbase
    mov rdx, [fz_in + IN_FSBASE]
    wrfsbase rdx
.no_fsbase:
    test eax, FL_WRGSBASE
    jz .no_gsbase
    mov rdx, [fz_in + IN_GSBASE]
    wrgsbase rdx
.no_gsbase:
    mov rdx, [fz_in + IN_TARGET]
    mov [fz_vsyscall_target], rdx
    mov rdx, rsp
    test al, FL_HOSTILE_SP
    jz .own_stack
    mov rdx, [fz_in + IN_SP]
.own_stack:
    mov [fz_target_sp], rdx
    mov rdx, [fz_in + IN_SP]
    mov [fz_hostile_bp], rdx
    mov eax, [fz_in + IN_GATE]
    and eax, 15
    lea rdx, [gate_table]
    jmp [rdx + rax * 8]

.int80:
    INT80 AFTER
.sysenter:
    SYSENTER AFTER, rsp
.syscall:
    SYSCALL AFTER
.vdso:
    VDSO AFTER
.sysenter_badsp:
    SYSENTER AFTER, [fz_hostile_bp]
.int80_fork:
    INT80 AFTER_FORK
.sysenter_fork:
    SYSENTER AFTER_FORK, rsp
.syscall_fork:
    SYSCALL AFTER_FORK
.vdso_fork:
    VDSO AFTER_FORK
.sysenter_badsp_fork:
    SYSENTER AFTER_FORK, [fz_hostile_bp]
.vsyscall:
    VSYSCALL AFTER

section .data
global fz_far_landing
fz_far_landing: dd fz_sigreturn_landing
                dw 0            ; the 64-bit user code segment, set by worker.c
section .rodata
align 8
gate_table:                     ; FZ_ASM_*, then the same | FZ_ASM_FORK (8)
    dq fz_enter.int80, fz_enter.sysenter, fz_enter.syscall, fz_enter.vdso
    dq fz_enter.sysenter_badsp, fz_enter.int80, fz_enter.vsyscall, fz_enter.int80
    dq fz_enter.int80_fork, fz_enter.sysenter_fork, fz_enter.syscall_fork, fz_enter.vdso_fork
    dq fz_enter.sysenter_badsp_fork, fz_enter.int80_fork, fz_enter.int80_fork, fz_enter.int80_fork
section .text

after_common:
    mov rsp, [fz_saved_rsp]
    pushfq
    pop qword [fz_out + IN_RFLAGS]
    push 0x202                  ; the C caller expects clean TF/DF/AC/NT
    popfq
    xor eax, eax
epilogue:
    mov rsp, [fz_saved_rsp]
    add rsp, 72
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret

; The fault handler resumes an interrupted call here (return value 1).
global fz_recover
fz_recover:
    mov rsp, [fz_saved_rsp]
    push 0x202
    popfq
    mov eax, 1
    jmp epilogue

; A crafted rt_sigreturn frame returns here (return value 2).
global fz_sigreturn_landing
fz_sigreturn_landing:
    mov rsp, [fz_saved_rsp]
    push 0x202
    popfq
    mov eax, 2
    jmp epilogue
; A 64-bit worker's int $0x80 rt_sigreturn takes an i386 frame and
; returns in 32-bit mode (as on Linux): its frames land here, and go back.
bits 32
global fz_sigreturn_landing32
fz_sigreturn_landing32:
    jmp far [cs:fz_far_landing] ; (an absolute address: the code is below 4 GiB; CS: DS is the frame's)
bits 64
global fz_enter_end
fz_enter_end:

; long fz_raw(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
; The harness's own calls: always the syscall instruction, never the vDSO,
; which a fuzzed call may have unmapped.
global fz_raw
fz_raw:
    mov rax, rdi
    mov rdi, rsi
    mov rsi, rdx
    mov rdx, rcx
    mov r10, r8
    mov r8, r9
    mov r9, [rsp + 8]
    syscall
    ret

; long fz_raw_nostack(long nr, long a1, long a2, long a3)
; A call made with rsp 0, outside any alternate signal stack: sigaltstack
; refuses to change the alternate stack while the caller runs on it, and
; a fuzzed one may cover the whole address space. Signals must be blocked.
global fz_raw_nostack
fz_raw_nostack:
    mov rax, rdi
    mov rdi, rsi
    mov rsi, rdx
    mov rdx, rcx
    mov r8, rsp                 ; syscall keeps r8
    xor esp, esp
    syscall
    mov rsp, r8
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
