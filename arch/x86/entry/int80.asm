; The classic gate: int $0x80 through IDT vector 0x80, a DPL-3 trap gate.
;
; What the CPU did (SDM Vol. 3A 6.12.1, 6.14.2): checked CPL <= gate DPL
; (3), loaded CS from the gate and RSP from TSS.RSP0, pushed the user's
; SS, RSP, RFLAGS, CS and RIP, and cleared TF, NT, RF and VM. Being a trap
; gate it left IF set, so interrupts stay on (the classic design), and it
; left AC and DF alone, so we clear them. Nothing else is saved.
;
; Every caller uses the i386 ABI: number in eax, arguments in ebx, ecx,
; edx, esi, edi, ebp; result in eax (x86_int80_handler).

%include "asm_offsets.inc"
%include "regs.inc"

extern x86_int80_handler
extern exit_to_user_iret

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
    mov rdi, rsp
    call x86_int80_handler      ; puts the result in the frame's rax
    jmp exit_to_user_iret       ; cli, swapgs, restore everything, iretq

section .note.GNU-stack noalloc noexec nowrite progbits
