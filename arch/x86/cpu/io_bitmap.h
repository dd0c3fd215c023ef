#pragma once
// A task's I/O permission bitmap (ioperm), in the sense the CPU reads it
// from the TSS (SDM Vol. 1 19.5.2): one bit per port, 1 = an access from
// ring 3 faults with #GP, 0 = allowed. Pure: the unit tests check the
// updates; arch/x86/cpu/context.cpp copies it into the TSS when the task
// runs (arch/x86/desc/gdt.cpp).
#include <stdint.h>

namespace x86 {

struct IoBitmap {
    static constexpr unsigned PORTS = 65536;
    static constexpr unsigned BYTES = PORTS / 8;

    uint8_t bits[BYTES];
    // Bytes [0, used_bytes) hold every 0 bit; the rest are all ones. Only
    // that prefix needs copying into the TSS (as Linux's io_bitmap->max).
    unsigned used_bytes;
    // Stamped by the owner from a global counter after every update, so
    // the TSS copy can be skipped when the same unchanged bitmap comes
    // back (Linux's io_bitmap->sequence); global, so that a bitmap freed
    // and allocated again at the same address never looks unchanged.
    uint64_t version;

    // Every port faults.
    void reset() {
        for (unsigned i = 0; i < BYTES; i++) bits[i] = 0xff;
        used_bytes = 0;
    }

    // ioperm(from, num, allow): the caller has checked from + num <= PORTS.
    void set(unsigned from, unsigned num, bool allow) {
        for (unsigned port = from; port < from + num; port++) {
            const uint8_t bit = uint8_t(1u << (port % 8));
            if (allow)
                bits[port / 8] &= uint8_t(~bit);
            else
                bits[port / 8] |= bit;
        }
        used_bytes = 0;
        for (unsigned i = BYTES; i > 0; i--)
            if (bits[i - 1] != 0xff) {
                used_bytes = i;
                break;
            }
    }

    bool allows(unsigned port) const { return port < PORTS && !(bits[port / 8] >> (port % 8) & 1); }
    bool allows_none() const { return used_bytes == 0; }
};

} // namespace x86
