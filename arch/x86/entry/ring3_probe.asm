; A ring-3 round trip for the boot self-tests (and the KVM probe): enter
; user mode with iretq, let the user code come back through a DPL-3 gate,
; and record what the CPU pushed. This proves the user descriptors, the
; gate and TSS.RSP0 before any process exists.

%include "asm_offsets.inc"

section .bss
saved_kernel_rsp: resq 1
observation:      resq 1

section .text

; int x86_ring3_round_trip(uint64_t rip, uint64_t rsp, uint64_t cs, uint64_t ss, uint64_t* out)
; out[0] = CS the gate saw, out[1] = SS, out[2] = where the CPU put its frame.
global x86_ring3_round_trip
x86_ring3_round_trip:
    push rbp
    mov rbp, rsp
    push rbx
    push r12
    push r13
    push r14
    push r15
    mov [rel observation], r8
    mov [rel saved_kernel_rsp], rsp
    push rcx                    ; ss
    push rsi                    ; rsp
    push 0x202                  ; rflags: IF on, as user code always runs
    push rdx                    ; cs
    push rdi                    ; rip
    swapgs                      ; user GS, as on every return to user mode
    iretq

; The DPL-3 gate the user code enters with int $0x80 during the probe.
global x86_ring3_probe_gate
x86_ring3_probe_gate:
    swapgs
    mov rax, [rel observation]
    mov rcx, [rsp + 8]          ; CS pushed by the CPU
    mov [rax], rcx
    mov rcx, [rsp + 32]         ; SS
    mov [rax + 8], rcx
    mov [rax + 16], rsp         ; frame position: TSS.RSP0 - 40 if RSP0 was used
    mov rsp, [rel saved_kernel_rsp]
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    xor eax, eax
    ret

; void x86_call_on_stack(void (*fn)(void), uint64_t stack_top)
; Runs fn on another stack (used to overflow a guarded stack on purpose).
global x86_call_on_stack
x86_call_on_stack:
    push rbp
    mov rbp, rsp
    mov rsp, rsi
    call rdi
    mov rsp, rbp
    pop rbp
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
