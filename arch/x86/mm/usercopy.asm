; Copying between kernel and user memory, with recovery from faults.
;
; Each instruction that touches user memory has an entry in .ex_table
; (faulting RIP, fixup RIP). When it faults, the page-fault (or #GP)
; handler finds the entry and resumes at the fixup instead of treating the
; fault as a kernel bug (the idea of Linux's exception tables). Range
; checks happen before these are called (kernel/uaccess.cpp); these only
; survive the faults a checked range can still take (unmapped pages).
;
; With SMAP on, supervisor accesses to user pages fault unless RFLAGS.AC
; is set: stac/clac open and close that window (SDM Vol. 3A 4.6.1).

extern x86_smap_enabled

section .text

%macro USER_ACCESS_BEGIN 0
    cmp byte [rel x86_smap_enabled], 0
    je %%skip
    stac
%%skip:
%endmacro

%macro USER_ACCESS_END 0
    cmp byte [rel x86_smap_enabled], 0
    je %%skip
    clac
%%skip:
%endmacro

%macro EX_TABLE 2
section .ex_table
    dq %1, %2
section .text
%endmacro

; uint64_t x86_copy_user(void* dst, const void* src, uint64_t n)
; Returns the number of bytes NOT copied (0 on success).
global x86_copy_user
x86_copy_user:
    USER_ACCESS_BEGIN
    mov rcx, rdx
.copy:
    rep movsb                   ; on a fault RCX still counts what is left
.done:
    USER_ACCESS_END
    mov rax, rcx
    ret
EX_TABLE .copy, .done

; int64_t x86_strncpy_user(char* dst, const char* src, uint64_t max)
; Copies up to max bytes, stopping after a NUL. Returns the string length
; (without the NUL), max if no NUL was found within max bytes, -1 on a fault.
global x86_strncpy_user
x86_strncpy_user:
    USER_ACCESS_BEGIN
    xor eax, eax
.next:
    cmp rax, rdx
    jae .out
.load:
    mov cl, [rsi + rax]
    mov [rdi + rax], cl
    test cl, cl
    jz .out
    inc rax
    jmp .next
.fault:
    mov rax, -1
.out:
    USER_ACCESS_END
    ret
EX_TABLE .load, .fault

; int x86_zero_user(void* dst, uint64_t n): returns bytes NOT zeroed.
global x86_zero_user
x86_zero_user:
    USER_ACCESS_BEGIN
    mov rcx, rsi
    xor eax, eax
.store:
    rep stosb
.done:
    USER_ACCESS_END
    mov rax, rcx
    ret
EX_TABLE .store, .done

; int x86_probe_read_u64(const void* address, uint64_t* out)
; Reads 8 bytes of kernel memory that may not be mapped: 0, or -1 on a fault.
; Used by the self-tests to touch a guard page on purpose.
global x86_probe_read_u64
x86_probe_read_u64:
.load:
    mov rax, [rdi]
    mov [rsi], rax
    xor eax, eax
    ret
.fault:
    mov eax, -1
    ret
EX_TABLE .load, .fault

section .note.GNU-stack noalloc noexec nowrite progbits
