#pragma once
#include <stdint.h>

namespace x86::idt {

// Vectors (SDM Vol. 3A Table 6-1, then the PIC's, then the system call).
enum Vector : unsigned {
    DIVIDE_ERROR = 0,
    DEBUG = 1,
    NMI = 2,
    BREAKPOINT = 3,
    OVERFLOW = 4,
    BOUND = 5,
    INVALID_OPCODE = 6,
    DEVICE_NOT_AVAILABLE = 7,
    DOUBLE_FAULT = 8,
    INVALID_TSS = 10,
    SEGMENT_NOT_PRESENT = 11,
    STACK_FAULT = 12,
    GENERAL_PROTECTION = 13,
    PAGE_FAULT = 14,
    X87_FPU_ERROR = 16,
    ALIGNMENT_CHECK = 17,
    MACHINE_CHECK = 18,
    SIMD_ERROR = 19,
    VIRTUALIZATION = 20,
    CONTROL_PROTECTION = 21,
    IRQ_BASE = 0x20, // the legacy PIC's 16 lines, remapped
    SYSCALL_INT80 = 0x80,
};

const char* exception_name(unsigned vector);

void init(); // every vector to its stub; lidt

// Replaces one gate (the self-tests borrow vector 0x80 before the
// system-call layer owns it); returns the previous handler address.
uint64_t set_gate(unsigned vector, uint64_t handler, bool trap_gate, unsigned dpl);

} // namespace x86::idt
