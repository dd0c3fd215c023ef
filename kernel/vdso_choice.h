#pragma once
// Which instruction each vDSO's __kernel_vsyscall uses: decided once at
// boot from CPUID (docs/gates.md gives the rule), or forced with vsyscall=. Pure logic,
// unit-tested with recorded CPUID values.
#include "arch/x86/cpu/cpuid.h"
#include "arch/x86/entry/entry.h"

namespace vdso {

enum class Option { Auto, Int80, Sysenter, Syscall };
bool parse_option(const char* text, Option& out);

struct GateChoice {
    x86::entry::Gate gate32, gate64;
    const char* why32; // one line for the boot log
    const char* why64;
    bool forced_fell_back; // a forced gate the CPU lacks: int $0x80 instead (32-bit)
};

GateChoice choose_gates(const x86::CpuInfo& cpu, Option option);

} // namespace vdso
