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
