; Loading a program's segment selectors at a context switch.
;
; A selector the program loaded itself (DS, ES, FS, GS) may name a
; descriptor that is gone by the time the kernel reloads it: the program
; changed its TLS entry with set_thread_area, or made it not present. A
; plain mov would then raise #GP or #NP in the kernel (SDM Vol. 3A 5.4.1).
; As Linux's loadsegment() does, a load that faults is replaced by the
; null selector, which always loads: the exception table (usercopy.asm's
; mechanism) sends the fault to the fixup. Each routine returns 0, or 1
; if the program's selector could not be loaded.

section .text

%macro EX_TABLE 2
section .ex_table
    dq %1, %2
section .text
%endmacro

; int x86_load_user_segment_ds(uint16_t selector), and the same for es, fs.
%macro LOAD_SEGMENT 1
global x86_load_user_segment_%1
x86_load_user_segment_%1:
    xor eax, eax
.load:
    mov %1, di
.done:
    ret
.fixup:
    xor ecx, ecx
    mov %1, ecx
    mov eax, 1
    jmp .done
EX_TABLE .load, .fixup
%endmacro

LOAD_SEGMENT ds
LOAD_SEGMENT es
LOAD_SEGMENT fs

; int x86_load_user_segment_gs(uint16_t selector), interrupts off.
; Loading GS also loads the GS base, which must be the user's: the user's
; base is swapped in around the load (SDM Vol. 2B SWAPGS). A fault in that
; window arrives with the user's GS live, which interrupt_common
; recognises from the GS base MSR (vectors.asm), and resumes in the fixup
; still inside the window.
global x86_load_user_segment_gs
x86_load_user_segment_gs:
    xor eax, eax
    swapgs
.load:
    mov gs, di
.done:
    swapgs
    ret
.fixup:
    xor ecx, ecx
    mov gs, ecx
    mov eax, 1
    jmp .done
EX_TABLE .load, .fixup

section .note.GNU-stack noalloc noexec nowrite progbits
