#pragma once
#include "arch/x86/cpu/cpuid.h"

namespace x86 {

struct EnabledFeatures {
    bool nx, smep, smap, umip, global_pages, sse, fsgsbase;
};

// Whether programs may use RDFSBASE/WRFSBASE/RDGSBASE/WRGSBASE (CR4.FSGSBASE,
// SDM Vol. 3A 2.5): AT_HWCAP2 says so (HWCAP2_FSGSBASE).
extern "C" bool x86_fsgsbase_enabled;

// Turns on what the CPU offers: SSE state for user programs (CR4.OSFXSR),
// global pages, and hardening where the CPU has it: NX (EFER.NXE), SMEP,
// SMAP, UMIP and CR0.WP.
EnabledFeatures enable_features(const CpuInfo& cpu);

// True once SMAP is on: the user-copy routines then bracket their accesses
// with stac/clac (which raise #UD on CPUs without SMAP).
extern "C" bool x86_smap_enabled;

} // namespace x86
