#include "kernel/random.h"

#include "arch/x86/cpu/cpu.h"

namespace random {
namespace {

uint64_t state;
int has_rdrand = -1; // not asked yet

uint64_t hardware_word() {
    if (has_rdrand < 0) {
        uint32_t leaf1[4];
        x86::cpuid(1, 0, leaf1);
        has_rdrand = leaf1[2] >> 30 & 1; // CPUID.1:ECX.RDRAND
    }
    if (!has_rdrand) return 0;
    uint64_t value;
    unsigned char ok;
    for (int tries = 0; tries < 10; tries++) { // RDRAND may fail briefly (CF = 0)
        asm volatile("rdrand %0; setc %1" : "=r"(value), "=qm"(ok));
        if (ok) return value;
    }
    return 0;
}

uint64_t next() {
    if (!state) state = x86::rdtsc() | 1;
    state ^= hardware_word();
    if (!state) state = x86::rdtsc() | 1;
    state ^= state << 13; // xorshift64
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

} // namespace

void bytes(uint8_t* out, size_t n) {
    x86::InterruptGuard guard;
    for (size_t i = 0; i < n; i += 8) {
        const uint64_t word = next();
        for (size_t j = 0; j < 8 && i + j < n; j++) out[i + j] = uint8_t(word >> (8 * j));
    }
}

} // namespace random
