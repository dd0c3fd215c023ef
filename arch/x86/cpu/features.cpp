#include "arch/x86/cpu/features.h"

#include "arch/x86/cpu/cpu.h"
#include "arch/x86/cpu/msr.h"

bool x86_smap_enabled = false;     // declared extern "C" in features.h
bool x86_fsgsbase_enabled = false; // likewise

namespace x86 {

EnabledFeatures enable_features(const CpuInfo& cpu) {
    EnabledFeatures on{};

    uint64_t c0 = read_cr0();
    c0 |= cr0::WP | cr0::MP | cr0::NE; // WP: the kernel obeys read-only pages too
    c0 &= ~(cr0::EM | cr0::TS);
    write_cr0(c0);

    uint64_t c4 = read_cr4();
    if (cpu.fxsr) {
        c4 |= cr4::OSFXSR | cr4::OSXMMEXCPT;
        on.sse = true;
    }
    if (cpu.pge) {
        c4 |= cr4::PGE;
        on.global_pages = true;
    }
    if (cpu.smep) {
        c4 |= cr4::SMEP;
        on.smep = true;
    }
    if (cpu.umip) {
        c4 |= cr4::UMIP;
        on.umip = true;
    }
    // The entry code decides on swapgs by comparing the GS base with the
    // per-CPU area's address, which stays right whatever base a program
    // writes (arch/x86/entry/vectors.asm), and every context switch saves
    // and restores the bases from their MSRs: programs may have the
    // instructions, as on Linux since 5.9.
    if (cpu.fsgsbase) {
        c4 |= cr4::FSGSBASE;
        on.fsgsbase = true;
        x86_fsgsbase_enabled = true;
    }
    write_cr4(c4);
    if (cpu.smap) {
        // Clear AC first: with SMAP on, AC=1 in the kernel would lift it.
        asm volatile("pushq $2; popfq" ::: "memory", "cc");
        write_cr4(c4 | cr4::SMAP);
        on.smap = true;
        x86_smap_enabled = true;
    }
    if (cpu.nx) {
        msr::write(msr::EFER, msr::read(msr::EFER) | msr::EFER_NXE);
        on.nx = true;
    }
    if (on.sse) asm volatile("fninit");
    return on;
}

} // namespace x86
