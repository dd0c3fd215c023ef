#pragma once
// Control registers, flags and single instructions the rest of arch/x86 needs.
#include <stdint.h>

namespace x86 {

// RFLAGS bits (SDM Vol. 1 3.4.3).
namespace rflags {
constexpr uint64_t CF = 1 << 0;
constexpr uint64_t FIXED = 1 << 1; // always 1
constexpr uint64_t TF = 1 << 8;
constexpr uint64_t IF = 1 << 9;
constexpr uint64_t DF = 1 << 10;
constexpr uint64_t IOPL = 3 << 12;
constexpr uint64_t NT = 1 << 14;
constexpr uint64_t RF = 1 << 16;
constexpr uint64_t VM = 1 << 17;
constexpr uint64_t AC = 1 << 18;
constexpr uint64_t ID = 1 << 21;
} // namespace rflags

namespace cr0 {
constexpr uint64_t PE = 1 << 0, MP = 1 << 1, EM = 1 << 2, TS = 1 << 3, NE = 1 << 5, WP = 1 << 16, PG = 1ull << 31;
}
namespace cr4 {
constexpr uint64_t PAE = 1 << 5, PGE = 1 << 7, OSFXSR = 1 << 9, OSXMMEXCPT = 1 << 10, UMIP = 1 << 11,
                   FSGSBASE = 1 << 16, OSXSAVE = 1 << 18, SMEP = 1 << 20, SMAP = 1 << 21, PKE = 1 << 22;
}

#define SYSGATE_CR(n)                                                                                                  \
    inline uint64_t read_cr##n() {                                                                                     \
        uint64_t v;                                                                                                    \
        asm volatile("mov %%cr" #n ", %0" : "=r"(v));                                                                  \
        return v;                                                                                                      \
    }                                                                                                                  \
    inline void write_cr##n(uint64_t v) {                                                                              \
        asm volatile("mov %0, %%cr" #n ::"r"(v) : "memory");                                                           \
    }
SYSGATE_CR(0)
SYSGATE_CR(3)
SYSGATE_CR(4)
#undef SYSGATE_CR
inline uint64_t read_cr2() {
    uint64_t v;
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

inline void cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]) {
    asm volatile("cpuid" : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3]) : "a"(leaf), "c"(subleaf));
}
inline uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t(hi) << 32) | lo;
}
inline uint64_t read_rflags() {
    uint64_t f;
    asm volatile("pushfq; popq %0" : "=r"(f));
    return f;
}
inline void enable_interrupts() {
    asm volatile("sti" ::: "memory");
}
inline void disable_interrupts() {
    asm volatile("cli" ::: "memory");
}
inline void halt() {
    asm volatile("hlt" ::: "memory");
}
// Waits for the next interrupt with interrupts enabled, atomically (sti's shadow).
inline void enable_interrupts_and_halt() {
    asm volatile("sti; hlt" ::: "memory");
}
inline void invlpg(uint64_t va) {
    asm volatile("invlpg (%0)" ::"r"(va) : "memory");
}
inline void pause() {
    asm volatile("pause");
}

// Saves and disables interrupts for a scope; restores the previous state.
class InterruptGuard {
  public:
    InterruptGuard() : was_enabled_(read_rflags() & rflags::IF) { disable_interrupts(); }
    ~InterruptGuard() {
        if (was_enabled_) enable_interrupts();
    }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

  private:
    bool was_enabled_;
};

} // namespace x86
