; The fuzzer's way into the kernel from 32-bit code (see gates64.asm for
; the contract): one system call with every register, EFLAGS, the stack
; pointer and the segment selectors chosen by the generator, through
; int $0x80, bare sysenter, bare compat-mode syscall or the vDSO.
;
; Before the call, a far jump to the 64-bit user code segment puts the
; worker's seed and the call's index into r14 and r15, which 32-bit code
; cannot touch: a kernel fault dump that shows the caller's registers then
; names the call (the technique of Linux's
; tools/testing/selftests/x86/test_syscall_vdso.c).

bits 32

%define NR32_EXIT 1

; struct fz_regs offsets (fuzz.h)
%define IN_EFLAGS   28
%define IN_SP       32
%define IN_DS       36
%define IN_ES       38
%define IN_FS       40
%define IN_GS       42
%define IN_SS       44
%define IN_GATE     48
%define IN_FLAGS    52
%define IN_R14      56
%define IN_R15      60
%define FZ_REGS_SIZE 64

%define FL_HOSTILE_SP 2
%define FL_DS 4
%define FL_ES 8
%define FL_FS 16
%define FL_GS 32
%define FL_SS 64

%define ASM_INT80 0
%define ASM_SYSENTER 1
%define ASM_SYSCALL 2
%define ASM_VDSO 3
%define ASM_SYSENTER_BADSP 4
%define ASM_SYSCALL_BADSP 5

section .bss
alignb 16
global fz_in
global fz_out
fz_in:  resb FZ_REGS_SIZE
fz_out: resb FZ_REGS_SIZE
global fz_vsyscall
fz_vsyscall: resd 1             ; AT_SYSINFO: the vDSO's __kernel_vsyscall
fz_saved_esp: resd 1
fz_target_sp: resd 1
fz_hostile_bp: resd 1

section .text

; From here to the gate, memory is read through CS (flat): DS may hold
; any selector the call wants.
%macro LOAD_REGS 0
    mov ebx, [cs:fz_in + 1 * 4]
    mov ecx, [cs:fz_in + 2 * 4]
    mov edx, [cs:fz_in + 3 * 4]
    mov esi, [cs:fz_in + 4 * 4]
    mov edi, [cs:fz_in + 5 * 4]
    mov ebp, [cs:fz_in + 6 * 4]
    mov eax, [cs:fz_in + 0 * 4]
%endmacro

; After the gate: SS, DS and ES back to the flat user data segment (read
; through CS, which is flat: the call may have run with any of them, and
; the C code needs them), then every register into fz_out.
%macro AFTER 0
    mov ss, [cs:user_ds_word]
    mov ds, [cs:user_ds_word]
    mov es, [cs:user_ds_word]
    mov [fz_out + 0 * 4], eax
    mov [fz_out + 1 * 4], ebx
    mov [fz_out + 2 * 4], ecx
    mov [fz_out + 3 * 4], edx
    mov [fz_out + 4 * 4], esi
    mov [fz_out + 5 * 4], edi
    mov [fz_out + 6 * 4], ebp
    mov [fz_out + IN_SP], esp
    jmp after_common
%endmacro

; A fork-like call's child (eax 0) exits before it writes any memory.
%macro AFTER_FORK 0
    test eax, eax
    jnz %%parent
    mov eax, NR32_EXIT
    xor ebx, ebx
    int 0x80
    ud2
%%parent:
    AFTER
%endmacro

%macro FLAGS_IN 0
    push dword [cs:fz_in + IN_EFLAGS]
    popfd
%endmacro

%macro INT80 1
    FLAGS_IN
    mov esp, [cs:fz_target_sp]
    LOAD_REGS
    int 0x80
    %1
%endmacro

%macro VDSO 1
    FLAGS_IN
    mov esp, [cs:fz_target_sp]
    LOAD_REGS
    call [cs:fz_vsyscall]
    %1
%endmacro

; Bare sysenter, the vDSO's protocol: ecx, edx, ebp pushed, esp in ebp;
; the kernel reads the sixth argument at [ebp] and returns to the vDSO's
; landing pad, which pops them and returns after our call. %2: what goes
; into ebp (a hostile one: the kernel and the pad use it).
%macro SYSENTER 2
    FLAGS_IN
    LOAD_REGS
    call %%enter
    jmp %%done
%%enter:
    push ecx
    push edx
    push ebp
    mov ebp, %2
    sysenter
%%done:
    %1
%endmacro

; Bare compat-mode syscall (AMD): ecx is lost to the return address, so
; the second argument travels in ebp and the sixth on the stack.
%macro SYSCALL 1
    FLAGS_IN
    mov esp, [cs:fz_target_sp]
    LOAD_REGS
    push ebp
    mov ebp, ecx
    syscall
    mov ecx, ebp
    pop ebp
    %1
%endmacro

; ... with a hostile esp, where the kernel looks for the sixth argument.
%macro SYSCALL_BADSP 1
    FLAGS_IN
    mov esp, [cs:fz_hostile_bp]
    LOAD_REGS
    mov ebp, ecx
    syscall
    %1
%endmacro

; int fz_enter(void)
global fz_enter
fz_enter:
    push ebx
    push esi
    push edi
    push ebp
    sub esp, 60
    mov [fz_saved_esp], esp
    ; r14 = seed, r15 = call index, from 64-bit mode. Back with an
    ; indirect far jmp, not retf (see user/tests/lib/gates32.asm: QEMU 7.2
    ; reads the stack of a 64-bit retf as a supervisor access). The code
    ; segments' selectors are the kernel's (fz_far_*, set by worker.c).
    jmp far [fz_far_set64]
bits 64
.set64:
    mov r14d, [rel fz_in + IN_R14]
    mov r15d, [rel fz_in + IN_R15]
    jmp far dword [rel fz_far_back32]
bits 32
.back32:
    mov edx, esp
    test byte [fz_in + IN_FLAGS], FL_HOSTILE_SP
    jz .own_stack
    mov edx, [fz_in + IN_SP]
.own_stack:
    mov [fz_target_sp], edx
    mov edx, [fz_in + IN_SP]
    mov [fz_hostile_bp], edx
    mov eax, [fz_in + IN_FLAGS]
    test al, FL_FS
    jz .no_fs
    mov fs, [fz_in + IN_FS]
.no_fs:
    test al, FL_GS
    jz .no_gs
    mov gs, [fz_in + IN_GS]
.no_gs:
    test al, FL_ES
    jz .no_es
    mov es, [fz_in + IN_ES]
.no_es:
    test al, FL_SS
    jz .no_ss
    mov ss, [fz_in + IN_SS]
.no_ss:
    test al, FL_DS
    jz .no_ds
    mov ds, [cs:fz_in + IN_DS]
.no_ds:
    mov eax, [cs:fz_in + IN_GATE]
    and eax, 15
    jmp [cs:gate_table + eax * 4]

.int80:
    INT80 AFTER
.sysenter:
    SYSENTER AFTER, esp
.syscall:
    SYSCALL AFTER
.vdso:
    VDSO AFTER
.sysenter_badsp:
    SYSENTER AFTER, [cs:fz_hostile_bp]
.syscall_badsp:
    SYSCALL_BADSP AFTER
.int80_fork:
    INT80 AFTER_FORK
.sysenter_fork:
    SYSENTER AFTER_FORK, esp
.syscall_fork:
    SYSCALL AFTER_FORK
.vdso_fork:
    VDSO AFTER_FORK
.sysenter_badsp_fork:
    SYSENTER AFTER_FORK, [cs:fz_hostile_bp]
.syscall_badsp_fork:
    SYSCALL_BADSP AFTER_FORK

section .data
; The user selectors, as the kernel's GDT has them: worker.c fills them in
; from the process's own CS and DS before the first call.
global user_ds_word
user_ds_word: dw 0
align 4
global fz_far_set64
fz_far_set64: dd fz_enter.set64
              dw 0                ; the 64-bit user code segment
global fz_far_back32
fz_far_back32: dd fz_enter.back32
               dw 0               ; the 32-bit user code segment
section .rodata
align 4
gate_table:                     ; FZ_ASM_*, then the same | FZ_ASM_FORK (8)
    dd fz_enter.int80, fz_enter.sysenter, fz_enter.syscall, fz_enter.vdso
    dd fz_enter.sysenter_badsp, fz_enter.syscall_badsp, fz_enter.int80, fz_enter.int80
    dd fz_enter.int80_fork, fz_enter.sysenter_fork, fz_enter.syscall_fork, fz_enter.vdso_fork
    dd fz_enter.sysenter_badsp_fork, fz_enter.syscall_badsp_fork, fz_enter.int80_fork, fz_enter.int80_fork
section .text

after_common:
    mov esp, [fz_saved_esp]
    pushfd
    pop dword [fz_out + IN_EFLAGS]
    push 0x202
    popfd
    xor eax, eax
epilogue:
    mov esp, [fz_saved_esp]
    add esp, 60
    pop ebp
    pop edi
    pop esi
    pop ebx
    ret

; The fault handler resumes an interrupted call here (return value 1).
; DS and ES first: the call may have left selectors the C code cannot use.
global fz_recover
fz_recover:
    mov ss, [cs:user_ds_word]
    mov ds, [cs:user_ds_word]
    mov es, [cs:user_ds_word]
    mov esp, [fz_saved_esp]
    push 0x202
    popfd
    mov eax, 1
    jmp epilogue

; A crafted rt_sigreturn frame returns here (return value 2).
global fz_sigreturn_landing
fz_sigreturn_landing:
    mov ss, [cs:user_ds_word]
    mov ds, [cs:user_ds_word]
    mov es, [cs:user_ds_word]
    mov esp, [fz_saved_esp]
    push 0x202
    popfd
    mov eax, 2
    jmp epilogue
global fz_enter_end
fz_enter_end:

; long fz_raw(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
; The harness's own calls: always int $0x80, never the vDSO.
global fz_raw
fz_raw:
    push ebx
    push esi
    push edi
    push ebp
    mov eax, [esp + 20]
    mov ebx, [esp + 24]
    mov ecx, [esp + 28]
    mov edx, [esp + 32]
    mov esi, [esp + 36]
    mov edi, [esp + 40]
    mov ebp, [esp + 44]
    int 0x80
    pop ebp
    pop edi
    pop esi
    pop ebx
    ret

; long fz_raw_nostack(long nr, long a1, long a2, long a3)
; A call made with esp 0 (see gates64.asm). Signals must be blocked.
global fz_raw_nostack
fz_raw_nostack:
    push ebx
    push ebp
    mov eax, [esp + 12]
    mov ebx, [esp + 16]
    mov ecx, [esp + 20]
    mov edx, [esp + 24]
    mov ebp, esp
    xor esp, esp
    int 0x80
    mov esp, ebp
    pop ebp
    pop ebx
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
