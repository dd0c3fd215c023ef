#include "arch/x86/cpu/percpu.h"

#include "arch/x86/cpu/msr.h"

// The per-CPU area's address, for interrupt_common's GS decision
// (vectors.asm), which runs before any GS base can be trusted.
extern "C" {
uint64_t x86_percpu_address;
}

namespace x86 {
namespace {
PerCpu boot_cpu;
}

void percpu_init() {
    boot_cpu.self = &boot_cpu;
    x86_percpu_address = reinterpret_cast<uint64_t>(&boot_cpu);
    boot_cpu.cpu_number = 0;
    msr::write(msr::GS_BASE, reinterpret_cast<uint64_t>(&boot_cpu));
    msr::write(msr::KERNEL_GS_BASE, 0); // the user's GS base until the first swapgs
    msr::write(msr::TSC_AUX, 0);        // rdtscp/rdpid report CPU 0 (vDSO getcpu)
}

PerCpu& this_cpu() {
    PerCpu* self;
    asm volatile("movq %%gs:0, %0" : "=r"(self));
    return *self;
}

} // namespace x86
