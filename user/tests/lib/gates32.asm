; Calling one gate with every register chosen by the test (32-bit code).
;
; struct regs32 { eax, ebx, ecx, edx, esi, edi, ebp, eflags }
; void gate_<kind>32(struct regs32* r): loads all registers and EFLAGS
; from *r, executes the gate, stores them back. One function per gate, so
; no branch changes the flags between popfd and the gate.

section .bss
regs_pointer: resd 1
global gate_vsyscall32
gate_vsyscall32: resd 1         ; __kernel_vsyscall (AT_SYSINFO), set by the test

section .text

%macro GATE 2+
global %1
%1:
    push ebx
    push esi
    push edi
    push ebp
    mov eax, [esp + 20]
    mov [regs_pointer], eax
    push dword [eax + 7 * 4]
    popfd
    mov ebx, [eax + 1 * 4]
    mov ecx, [eax + 2 * 4]
    mov edx, [eax + 3 * 4]
    mov esi, [eax + 4 * 4]
    mov edi, [eax + 5 * 4]
    mov ebp, [eax + 6 * 4]
    mov eax, [eax + 0 * 4]
    %2
    pushfd
    push eax
    mov eax, [regs_pointer]
    pop dword [eax + 0 * 4]
    mov [eax + 1 * 4], ebx
    mov [eax + 2 * 4], ecx
    mov [eax + 3 * 4], edx
    mov [eax + 4 * 4], esi
    mov [eax + 5 * 4], edi
    mov [eax + 6 * 4], ebp
    pop dword [eax + 7 * 4]
    push 0x202
    popfd
    pop ebp
    pop edi
    pop esi
    pop ebx
    ret
%endmacro

GATE gate_int80_32, int 0x80
GATE gate_vdso_32, call [gate_vsyscall32]
; Bare sysenter: the vDSO's protocol (ecx, edx, ebp pushed, esp in ebp);
; the kernel returns to the vDSO's landing pad, which pops them and
; returns after our call.
%macro SYSENTER32 0
    call %%enter
    jmp %%done
%%enter:
    push ecx
    push edx
    push ebp
    mov ebp, esp
    sysenter
%%done:
%endmacro
GATE gate_sysenter_32, SYSENTER32
; Bare compat-mode syscall (AMD): ecx is lost to the return address, so
; the second argument travels in ebp and the sixth on the stack.
%macro SYSCALL32 0
    push ebp
    mov ebp, ecx
    syscall
    mov ecx, ebp
    pop ebp
%endmacro
GATE gate_syscall_32, SYSCALL32

; void sysenter32_bad_stack(uint32_t number, uint32_t bogus_ebp)
; sysenter with a stack pointer that points nowhere: the kernel cannot read
; the sixth argument and returns -EFAULT (through iret) to the landing pad,
; whose pops then fault in user mode: the caller's SIGSEGV handler sees eax.
global sysenter32_bad_stack
sysenter32_bad_stack:
    mov eax, [esp + 4]
    mov ecx, [esp + 8]
    call .enter
    ret
.enter:
    push ecx
    push edx
    push ebp
    mov ebp, ecx
    sysenter

section .note.GNU-stack noalloc noexec nowrite progbits

; uint32_t high_registers_across(uint32_t gate, uint32_t number, uint64_t out[8])
; The rule: the 32-bit fast paths leave r8-r15 zero or preserved,
; never kernel data. 32-bit code cannot see r8-r15, so this far-jumps to
; the 64-bit user code segment (0x33) to fill them with a pattern, comes
; back to 32-bit code for the call through `gate` (0 int80, 1 sysenter,
; 2 syscall, 3 vdso), then goes to 64-bit code again to read them into
; out[]. Returns eax from the call. (The technique of Linux's
; tools/testing/selftests/x86/test_syscall_vdso.c.)
%define USER_CS32 0x23
%define USER_CS64 0x33
section .bss
hr_gate:   resd 1
hr_number: resd 1
hr_out:    resd 1
hr_result: resd 1
section .text
global high_registers_across
high_registers_across:
    push ebx
    push esi
    push edi
    push ebp
    mov eax, [esp + 20]
    mov [hr_gate], eax
    mov eax, [esp + 24]
    mov [hr_number], eax
    mov eax, [esp + 28]
    mov [hr_out], eax
    jmp USER_CS64:.fill64
bits 64
.fill64:
    mov r8, 0x0808080808080808
    mov r9, 0x0909090909090909
    mov r10, 0x1010101010101010
    mov r11, 0x1111111111111111
    mov r12, 0x1212121212121212
    mov r13, 0x1313131313131313
    mov r14, 0x1414141414141414
    mov r15, 0x1515151515151515
    ; Back to 32-bit code with an indirect far jmp, not retf: QEMU 7.2 reads
    ; the stack for a 64-bit retf as a supervisor access, which SMAP refuses.
    jmp far dword [rel .to_call32]
.to_call32:
    dd .call32
    dw USER_CS32
bits 32
.call32:
    mov eax, [hr_number]
    mov ebx, 0                  ; getppid takes no arguments; the rest stay harmless
    mov ecx, 0
    mov edx, 0
    cmp dword [hr_gate], 1
    je .sysenter
    cmp dword [hr_gate], 2
    je .syscall
    cmp dword [hr_gate], 3
    je .vdso
    int 0x80
    jmp .called
.sysenter:
    SYSENTER32
    jmp .called
.syscall:
    SYSCALL32
    jmp .called
.vdso:
    call [gate_vsyscall32]
.called:
    mov [hr_result], eax
    jmp USER_CS64:.read64
bits 64
.read64:
    mov eax, [rel hr_out]       ; zero-extended: a 32-bit pointer
    mov [rax], r8
    mov [rax + 8], r9
    mov [rax + 16], r10
    mov [rax + 24], r11
    mov [rax + 32], r12
    mov [rax + 40], r13
    mov [rax + 48], r14
    mov [rax + 56], r15
    jmp far dword [rel .to_back32]
.to_back32:
    dd .back32
    dw USER_CS32
bits 32
.back32:
    mov eax, [hr_result]
    pop ebp
    pop edi
    pop esi
    pop ebx
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
