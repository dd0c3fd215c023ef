#include "kernel/proc/ptrace_abi.h"

#include "kernel/errno.h"

namespace ptrace_abi {

UserField decode_user_offset(bool abi64, uint64_t offset) {
    const uint64_t word = abi64 ? 8 : 4;
    const uint64_t size = abi64 ? USER64_SIZE : USER32_SIZE;
    const uint64_t regs = abi64 ? USER64_REGS_SIZE : USER32_REGS_SIZE;
    const uint64_t debugreg = abi64 ? USER64_DEBUGREG : USER32_DEBUGREG;
    if ((offset & (word - 1)) || offset >= size) return {Slot::Invalid, 0};
    if (offset < regs) return {Slot::Register, unsigned(offset / word)};
    if (offset >= debugreg) return {Slot::DebugReg, unsigned((offset - debugreg) / word)};
    return {Slot::Other, 0};
}

Breakpoint decode_dr7(uint64_t dr7, unsigned slot) {
    const unsigned control = unsigned(dr7 >> (16 + slot * 4)) & 0xf;
    static constexpr unsigned lengths[4] = {1, 2, 8, 4}; // LEN bits 00, 01, 10 (8 bytes in long mode), 11
    return {((dr7 >> (slot * 2)) & 3) != 0, control & 3, lengths[control >> 2]};
}

int check_breakpoint_address(uint64_t address, unsigned length) {
    if (address >= TASK_SIZE_MAX || address + length - 1 >= TASK_SIZE_MAX) return -err::EINVAL;
    return 0;
}

int validate_dr7(uint64_t dr7, const uint64_t (&address)[4], bool abi64) {
    for (unsigned i = 0; i < 4; i++) {
        const Breakpoint b = decode_dr7(dr7, i);
        if (!b.enabled) continue;
        if (b.type == 2) return -err::EINVAL;                  // I/O breakpoints
        if (b.type == 0 && b.length != 1) return -err::EINVAL; // execute: LEN must be 00
        if (b.length == 8 && !abi64) return -err::EINVAL;      // no 8-byte breakpoints for i386
        if (address[i] & (b.length - 1)) return -err::EINVAL;  // aligned to the length
        if (check_breakpoint_address(address[i], b.length)) return -err::EINVAL;
    }
    return 0;
}

uint64_t hardware_dr7(uint64_t dr7) {
    uint64_t hw = 0;
    for (unsigned i = 0; i < 4; i++) {
        if (!decode_dr7(dr7, i).enabled) continue;
        hw |= 2ull << (i * 2); // G0-G3
        hw |= ((dr7 >> (16 + i * 4)) & 0xf) << (16 + i * 4);
    }
    if (hw) hw |= 1 << 9; // GE, as Linux sets DR_GLOBAL_SLOWDOWN
    return hw;
}

} // namespace ptrace_abi
