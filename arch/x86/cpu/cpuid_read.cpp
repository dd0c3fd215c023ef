#include "arch/x86/cpu/cpu.h"
#include "arch/x86/cpu/cpuid.h"

namespace x86 {

CpuidLeaves read_cpuid() {
    CpuidLeaves l;
    cpuid(0, 0, l.leaf0);
    if (l.leaf0[0] >= 1) cpuid(1, 0, l.leaf1);
    if (l.leaf0[0] >= 7) cpuid(7, 0, l.leaf7);
    cpuid(0x80000000, 0, l.ext0);
    if (l.ext0[0] >= 0x80000001) cpuid(0x80000001, 0, l.ext1);
    if (l.ext0[0] >= 0x80000004)
        for (uint32_t i = 0; i < 3; i++) cpuid(0x80000002 + i, 0, l.brand[i]);
    if (l.ext0[0] >= 0x80000007) cpuid(0x80000007, 0, l.ext7);
    return l;
}

} // namespace x86
