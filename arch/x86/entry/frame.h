#pragma once
// The one register frame every entry path builds on the kernel stack.
//
// Interrupts, exceptions and int $0x80 get the last five words from the CPU
// (SDM Vol. 3A 6.14.2, Figure 6-9: SS, RSP, RFLAGS, CS, RIP); sysenter and
// syscall push nothing, so their stubs write those words themselves. Above
// them every stub pushes the same two words and fifteen registers, so C++
// sees one layout whatever the gate, and any frame can leave with iretq.
// arch/x86/entry/asm_offsets.cpp turns this struct into the offsets the
// NASM stubs use, so the two cannot disagree.
#include <stddef.h>
#include <stdint.h>

namespace x86 {

struct RegisterFrame {
    // Pushed by the stubs, rax first (so r15 is at the lowest address).
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t entry;      // IDT vector, or an EntryKind for the fast gates
    uint64_t error_code; // the CPU's error code; for system calls, rax at entry (the number)
    // The interrupt-return frame.
    uint64_t rip, cs, rflags, rsp, ss;
};
static_assert(sizeof(RegisterFrame) == 22 * 8);
static_assert(offsetof(RegisterFrame, entry) == 15 * 8);
static_assert(offsetof(RegisterFrame, rip) == 17 * 8);

// How a system call entered. The IDT vectors stay below 0x100.
enum EntryKind : uint64_t {
    ENTRY_INT80 = 0x80,
    ENTRY_SYSENTER = 0x100,  // from 32-bit (i386 ABI) or 64-bit (x86_64 ABI, Intel) code
    ENTRY_SYSCALL64 = 0x101, // LSTAR
    ENTRY_SYSCALL32 = 0x102, // CSTAR: compat-mode syscall (AMD)
};

inline bool from_user_mode(const RegisterFrame& f) {
    return (f.cs & 3) == 3;
}

} // namespace x86
