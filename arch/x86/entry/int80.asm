; The classic gate: int $0x80 through IDT vector 0x80, a DPL-3 trap gate.
;
; What the CPU did (SDM Vol. 3A 6.12.1, 6.14.2): checked CPL <= gate DPL
; (3), loaded CS from the gate and RSP from TSS.RSP0, pushed the user's
; SS, RSP, RFLAGS, CS and RIP, and cleared TF, NT, RF and VM. Being a trap
; gate it left IF set, so interrupts stay on (the classic design), and it
; left AC and DF alone, so we clear them. Nothing else is saved.
;
; Every caller uses the i386 ABI: number in eax, arguments in ebx, ecx,
; edx, esi, edi, ebp; result in eax. The common call never leaves the
; stub (regs.inc, FAST_CALL_PREPARE); the rest goes through C
; (arch/x86/entry/gates.cpp, x86_int80_slow and x86_int80_exit_work).

%include "asm_offsets.inc"
%include "regs.inc"

extern syscall_handlers_i386
extern syscall_gate_calls
extern x86_int80_slow
extern x86_int80_exit_work
extern x86_iret_to_user_gs_swapped
extern x86_iret_to_user

section .text
global int80_entry
int80_entry:
    swapgs                      ; kernel per-CPU data. An interrupt before this
                                ; instruction sees kernel CS with the user's GS:
                                ; interrupt_common handles that (vectors.asm).
    push rax                    ; error_code slot: the number as the caller passed it
    push ENTRY_INT80
    PUSH_REGS
    push 0x202                  ; IF on; AC (SMAP), DF, NT and TF off
    popfq
    FAST_CALL_PREPARE GATE_INT80, NR32_SYSCALLS, NR32_MASK, .slow
    I386_ARGS 1
    FAST_CALL syscall_handlers_i386
    test dword [gs:PERCPU_work], WORK_ON_EXIT
    jnz .exit_work
    swapgs
    POP_REGS_BUT_RAX
    add rsp, 8 + 16             ; rax (the result is in it), entry, error_code
    jmp x86_iret_to_user        ; the iretq whose faults become the program's (vectors.asm)
.slow:
    mov rdi, rsp
    call x86_int80_slow
    swapgs
    jmp x86_iret_to_user_gs_swapped
.exit_work:
    RESULT_TO_FRAME
    mov rdi, rsp
    call x86_int80_exit_work
    swapgs
    jmp x86_iret_to_user_gs_swapped

section .note.GNU-stack noalloc noexec nowrite progbits
