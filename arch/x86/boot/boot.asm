; Multiboot entry: 32-bit protected mode -> long mode -> higher-half C++.
;
; The loader (GRUB, or QEMU -kernel) enters _start32 with paging off,
; EAX = 0x2BADB002 and EBX = physical address of the multiboot info
; (Multiboot 0.6.96, section 3.2). This file runs at its physical address;
; it maps the first 1 GiB twice (identity, and at -2 GiB where the kernel is
; linked), enables long mode (SDM Vol. 3A 10.8.5) and jumps to kernel_entry64.

%define MB_MAGIC        0x1BADB002
%define MB_FLAGS        0x00000003          ; bit0: page-align modules, bit1: memory map
%define MB_LOADER_MAGIC 0x2BADB002

%define KERNEL_VIRT_OFFSET 0xffffffff80000000
%define COM1            0x3f8

%define CR0_PE          (1 << 0)
%define CR0_WP          (1 << 16)
%define CR0_PG          (1 << 31)
%define CR4_PAE         (1 << 5)
%define MSR_EFER        0xc0000080
%define EFER_LME        (1 << 8)
%define EFER_NXE        (1 << 11)
%define PTE_PRESENT     (1 << 0)
%define PTE_WRITE       (1 << 1)
%define PTE_HUGE        (1 << 7)

section .multiboot
align 4
multiboot_header:
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)

section .boot.text
bits 32
global _start32
_start32:
    cli
    cld
    mov esp, boot_stack_top
    mov edi, eax                ; keep the loader's magic
    mov esi, ebx                ; and the multiboot info address

    cmp edi, MB_LOADER_MAGIC
    jne .not_multiboot

    ; Long mode is reported by CPUID 0x80000001 EDX bit 29 (SDM Vol. 2A CPUID).
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29
    jz .no_long_mode
    mov ebp, edx                ; EDX bit 20 = NX, used below

    ; Page tables: one PD of 2 MiB pages covering 0..1 GiB, reached from
    ; PML4[0] (identity, needed while we switch), PML4[511]/PDPT[510] (the
    ; -2 GiB kernel window) and PML4[256] (the direct map, see
    ; arch/x86/mm/layout.h). arch/x86/mm replaces them early in kernel_main.
    mov eax, boot_pdpt_low
    or eax, PTE_PRESENT | PTE_WRITE
    mov [boot_pml4], eax
    mov eax, boot_pdpt_high
    or eax, PTE_PRESENT | PTE_WRITE
    mov [boot_pml4 + 511 * 8], eax
    mov eax, boot_pdpt_low      ; and the start of the direct map (PML4[256])
    or eax, PTE_PRESENT | PTE_WRITE
    mov [boot_pml4 + 256 * 8], eax
    mov eax, boot_pd
    or eax, PTE_PRESENT | PTE_WRITE
    mov [boot_pdpt_low], eax
    mov [boot_pdpt_high + 510 * 8], eax
    xor ecx, ecx
.fill_pd:
    mov eax, ecx
    shl eax, 21
    or eax, PTE_PRESENT | PTE_WRITE | PTE_HUGE
    mov [boot_pd + ecx * 8], eax
    inc ecx
    cmp ecx, 512
    jb .fill_pd

    mov eax, cr4
    or eax, CR4_PAE
    mov cr4, eax
    mov eax, boot_pml4
    mov cr3, eax

    mov ecx, MSR_EFER
    rdmsr
    or eax, EFER_LME
    test ebp, 1 << 20
    jz .no_nx
    or eax, EFER_NXE
.no_nx:
    wrmsr

    mov eax, cr0
    or eax, CR0_PG | CR0_PE | CR0_WP
    mov cr0, eax                ; now in compatibility mode (IA-32e, CS.L = 0)

    lgdt [boot_gdt_pointer]
    jmp 0x08:.long_mode         ; CS.L = 1: 64-bit mode

.not_multiboot:
    mov ebx, msg_not_multiboot
    jmp .fatal
.no_long_mode:
    mov ebx, msg_no_long_mode
.fatal:
    ; Early failures: say why on COM1 (the firmware left it usable), then halt.
    mov dx, COM1
.print:
    mov al, [ebx]
    test al, al
    jz .halt
    out dx, al
    inc ebx
    jmp .print
.halt:
    hlt
    jmp .halt

bits 64
.long_mode:
    xor eax, eax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov fs, ax
    mov gs, ax
    mov rsp, boot_stack_top + KERNEL_VIRT_OFFSET
    mov edi, edi                ; zero-extend: magic -> first argument
    mov esi, esi                ; multiboot info (physical) -> second argument
    mov rax, kernel_entry64
    jmp rax

section .boot.data
align 16
; A minimal GDT for the switch only; arch/x86/desc builds the real one.
boot_gdt:
    dq 0
    dq 0x00209a0000000000       ; 0x08: 64-bit code, DPL 0
    dq 0x0000920000000000       ; 0x10: data
boot_gdt_end:
boot_gdt_pointer:
    dw boot_gdt_end - boot_gdt - 1
    dd boot_gdt

msg_not_multiboot: db "sysgate: not started by a multiboot loader; halting", 13, 10, 0
msg_no_long_mode:  db "sysgate: this CPU has no long mode (x86_64 required); halting", 13, 10, 0

section .boot.bss nobits alloc write
alignb 4096
boot_pml4:      resb 4096
boot_pdpt_low:  resb 4096
boot_pdpt_high: resb 4096
boot_pd:        resb 4096
global boot_stack_bottom
boot_stack_bottom:
                resb 16384
boot_stack_top:

; The first 64-bit code in the higher half: run global constructors, then
; kernel_main(magic, multiboot info physical address). Never returns.
section .text.entry
extern kernel_main
extern __init_array_start
extern __init_array_end
kernel_entry64:
    mov r12, rdi
    mov r13, rsi
    xor ebp, ebp                ; terminates backtraces
    lea rbx, [rel __init_array_start]
.ctors:
    lea rax, [rel __init_array_end]
    cmp rbx, rax
    jae .ctors_done
    call [rbx]
    add rbx, 8
    jmp .ctors
.ctors_done:
    mov rdi, r12
    mov rsi, r13
    call kernel_main
.hang:
    cli
    hlt
    jmp .hang

section .note.GNU-stack noalloc noexec nowrite progbits
