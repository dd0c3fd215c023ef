#pragma once
// Model-specific registers the kernel uses (SDM Vol. 4, Table 2-2).
#include <stdint.h>

namespace x86::msr {

constexpr uint32_t SYSENTER_CS = 0x174;  // CS for sysenter; SS = CS + 8, sysexit uses +16/+24 (+32/+40)
constexpr uint32_t SYSENTER_ESP = 0x175; // RSP loaded by sysenter
constexpr uint32_t SYSENTER_EIP = 0x176; // RIP loaded by sysenter
constexpr uint32_t EFER = 0xc0000080;
constexpr uint32_t STAR = 0xc0000081;  // [47:32] syscall CS/SS base, [63:48] sysret CS/SS base
constexpr uint32_t LSTAR = 0xc0000082; // 64-bit syscall entry
constexpr uint32_t CSTAR = 0xc0000083; // compat-mode syscall entry (AMD)
constexpr uint32_t FMASK = 0xc0000084; // RFLAGS bits cleared by syscall
constexpr uint32_t FS_BASE = 0xc0000100;
constexpr uint32_t GS_BASE = 0xc0000101;
constexpr uint32_t KERNEL_GS_BASE = 0xc0000102; // swapped with GS_BASE by swapgs
constexpr uint32_t TSC_AUX = 0xc0000103;        // read by rdtscp / rdpid: used for getcpu

constexpr uint64_t EFER_SCE = 1 << 0; // syscall enable
constexpr uint64_t EFER_LME = 1 << 8;
constexpr uint64_t EFER_NXE = 1 << 11;

inline uint64_t read(uint32_t index) {
    uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(index));
    return (uint64_t(hi) << 32) | lo;
}
inline void write(uint32_t index, uint64_t value) {
    asm volatile("wrmsr" ::"c"(index), "a"(uint32_t(value)), "d"(uint32_t(value >> 32)));
}

} // namespace x86::msr
