#include "kernel/backtrace.h"

#include "arch/x86/mm/layout.h"
#include "kernel/console.h"
#include "kernel/mm/memory.h"

// Generated at link time by scripts/gen-symbols from the first link of
// the kernel: sorted text addresses and their names.
extern "C" const uint64_t kernel_symbol_count;
extern "C" const uint64_t kernel_symbol_addresses[];
extern "C" const uint32_t kernel_symbol_name_offsets[];
extern "C" const char kernel_symbol_names[];

const char* symbolize(uint64_t address, uint64_t& offset) {
    uint64_t lo = 0, hi = kernel_symbol_count;
    if (!hi || address < kernel_symbol_addresses[0]) return nullptr;
    while (hi - lo > 1) { // the last symbol starting at or below address
        const uint64_t mid = (lo + hi) / 2;
        if (kernel_symbol_addresses[mid] <= address)
            lo = mid;
        else
            hi = mid;
    }
    offset = address - kernel_symbol_addresses[lo];
    if (offset > 1 << 20) return nullptr;
    return kernel_symbol_names + kernel_symbol_name_offsets[lo];
}

void print_backtrace(uint64_t rbp) {
    kprintln("backtrace:");
    for (unsigned depth = 0; depth < 32 && rbp; depth++) {
        // Follow only frame pointers that point into mapped kernel memory,
        // so a corrupt chain ends the trace instead of faulting again.
        if (rbp % 8 || rbp < x86::mm::DIRECT_MAP_BASE || !mm::is_mapped(rbp) || !mm::is_mapped(rbp + 8)) {
            kprintln("  (frame pointer {:#x} not followed)", rbp);
            return;
        }
        const uint64_t* frame = reinterpret_cast<const uint64_t*>(rbp);
        const uint64_t ret = frame[1];
        if (!ret) return;
        uint64_t offset = 0;
        const char* name = symbolize(ret, offset);
        if (name)
            kprintln("  #{} {:#018x} {}+{:#x}", depth, ret, name, offset);
        else
            kprintln("  #{} {:#018x}", depth, ret);
        if (frame[0] <= rbp) return; // frames grow upwards: anything else is a loop
        rbp = frame[0];
    }
}
