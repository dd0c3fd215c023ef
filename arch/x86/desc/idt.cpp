#include "arch/x86/desc/idt.h"

#include "arch/x86/desc/descriptors.h"
#include "arch/x86/desc/gdt.h"
#include "arch/x86/desc/layout.h"

extern "C" const uint64_t x86_vector_stubs[256];
extern "C" char int80_entry[];

namespace x86::idt {
namespace {

alignas(16) desc::Gate table[256];

unsigned ist_for(unsigned vector) {
    switch (vector) {
    case DOUBLE_FAULT:
        return gdt::IST_DOUBLE_FAULT; // a kernel stack overflow still gets a stack
    case NMI:
        return gdt::IST_NMI; // may arrive on any instruction
    case MACHINE_CHECK:
        return gdt::IST_MACHINE_CHECK;
    case DEBUG:
        return gdt::IST_DEBUG; // a single step can land on sysenter's first instruction
    default:
        return 0;
    }
}

} // namespace

void init() {
    for (unsigned v = 0; v < 256; v++) {
        if (v == SYSCALL_INT80) continue;
        // int3 and into may be used from ring 3 (SIGTRAP/SIGSEGV as on
        // Linux); every other vector is DPL 0, so `int $N` from user mode
        // raises #GP instead of faking an exception.
        const unsigned dpl = (v == BREAKPOINT || v == OVERFLOW) ? 3 : 0;
        table[v] = desc::gate(x86_vector_stubs[v], gdt::KERNEL_CS, ist_for(v), desc::TYPE_INTERRUPT_GATE, dpl);
    }
    // The classic system-call gate: a trap gate (IF stays set), callable from ring 3.
    table[SYSCALL_INT80] =
        desc::gate(reinterpret_cast<uint64_t>(int80_entry), gdt::KERNEL_CS, 0, desc::TYPE_TRAP_GATE, 3);

    struct [[gnu::packed]] {
        uint16_t limit;
        uint64_t base;
    } pointer{sizeof(table) - 1, reinterpret_cast<uint64_t>(table)};
    asm volatile("lidt %0" ::"m"(pointer));
}

uint64_t set_gate(unsigned vector, uint64_t handler, bool trap_gate, unsigned dpl) {
    const desc::Gate old = table[vector & 0xff];
    table[vector & 0xff] = desc::gate(handler, gdt::KERNEL_CS, ist_for(vector),
                                      trap_gate ? desc::TYPE_TRAP_GATE : desc::TYPE_INTERRUPT_GATE, dpl);
    return (old.low & 0xffff) | (old.low >> 48 & 0xffff) << 16 | old.high << 32;
}

const char* exception_name(unsigned v) {
    static const char* const names[32] = {"divide error",
                                          "debug",
                                          "NMI",
                                          "breakpoint",
                                          "overflow",
                                          "BOUND range exceeded",
                                          "invalid opcode",
                                          "device not available",
                                          "double fault",
                                          "coprocessor segment overrun",
                                          "invalid TSS",
                                          "segment not present",
                                          "stack-segment fault",
                                          "general protection",
                                          "page fault",
                                          "reserved (15)",
                                          "x87 floating-point error",
                                          "alignment check",
                                          "machine check",
                                          "SIMD floating-point exception",
                                          "virtualization exception",
                                          "control protection",
                                          "reserved (22)",
                                          "reserved (23)",
                                          "reserved (24)",
                                          "reserved (25)",
                                          "reserved (26)",
                                          "reserved (27)",
                                          "hypervisor injection",
                                          "VMM communication",
                                          "security exception",
                                          "reserved (31)"};
    return v < 32 ? names[v] : "interrupt";
}

} // namespace x86::idt
