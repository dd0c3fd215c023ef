#pragma once
// The vDSO pages: the chosen images, the data page, and mapping them into
// each new program.
#include <stdint.h>

#include "arch/x86/cpu/cpuid.h"
#include "arch/x86/entry/entry.h"
#include "kernel/mm/address_space.h"

namespace vdso {

// Chooses the gates (vsyscall= option or CPUID), copies the images into
// pages, fills the data page and logs the decision.
void init(const x86::CpuInfo& cpu, const char* option, const x86::entry::GateSupport& support);

struct Mapping {
    uint64_t base;     // AT_SYSINFO_EHDR
    uint64_t vsyscall; // AT_SYSINFO (__kernel_vsyscall)
};
// Maps the data page and the code into a new address space.
bool map_into(mm::AddressSpace& as, bool is64, Mapping& out);
// Where the calling process's vDSO code is now (0: none): mremap moves it.
uint64_t current_base();

x86::entry::Gate gate32();
x86::entry::Gate gate64();
// True if a system call through `gate` returning to `rip` came from a vDSO's
// fallback path (a time function that could not answer from the data
// page): the 64-bit one makes it with syscall, the 32-bit one with int $0x80.
// The vDSO may have moved (mremap): the check is relative to the calling
// process's vDSO base.
bool is_fallback_return(uint64_t rip, x86::entry::Gate gate);

// Where a 32-bit signal handler installed without SA_RESTORER returns: the
// 32-bit vDSO's __kernel_rt_sigreturn (rt frame) or __kernel_sigreturn
// (old frame), as in Linux; 0 if the process has no vDSO.
uint64_t sigreturn_trampoline32(bool rt);

} // namespace vdso
