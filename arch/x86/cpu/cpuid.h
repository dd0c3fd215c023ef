#pragma once
// CPUID decoding (SDM Vol. 2A, CPUID). Pure: it works on recorded register
// values, so unit tests can feed it any CPU's answers.
#include <stdint.h>

namespace x86 {

enum class Vendor { Intel, Amd, Other };

// The raw leaves Sysgate reads; filled by read_cpuid() on the machine.
struct CpuidLeaves {
    uint32_t leaf0[4] = {};    // max basic leaf, vendor string in EBX EDX ECX
    uint32_t leaf1[4] = {};    // signature, feature flags
    uint32_t leaf7[4] = {};    // structured extended features (subleaf 0)
    uint32_t ext0[4] = {};     // max extended leaf
    uint32_t ext1[4] = {};     // extended features
    uint32_t brand[3][4] = {}; // 0x80000002..4: processor brand string
    uint32_t ext7[4] = {};     // 0x80000007: invariant TSC
};

struct CpuInfo {
    Vendor vendor = Vendor::Other;
    char vendor_string[13] = {};
    char brand[49] = {};
    unsigned family = 0, model = 0, stepping = 0;
    // Features the system-call layer and memory hardening depend on.
    bool sep = false;             // CPUID.1:EDX[11] as reported
    bool sysenter_usable = false; // sep minus the early-P6 quirk
    bool syscall = false;         // CPUID.80000001H:EDX[11]
    bool long_mode = false;       // CPUID.80000001H:EDX[29]
    bool nx = false;              // CPUID.80000001H:EDX[20]
    bool fsgsbase = false;        // CPUID.7.0:EBX[0]
    bool smep = false;            // CPUID.7.0:EBX[7]
    bool smap = false;            // CPUID.7.0:EBX[20]
    bool umip = false;            // CPUID.7.0:ECX[2]
    bool pge = false;             // CPUID.1:EDX[13]
    bool fxsr = false;            // CPUID.1:EDX[24]
    bool xsave = false;           // CPUID.1:ECX[26]
    bool tsc = false;             // CPUID.1:EDX[4]
    bool rdtscp = false;          // CPUID.80000001H:EDX[27]
    bool invariant_tsc = false;   // CPUID.80000007H:EDX[8]
    bool pdpe1gb = false;         // CPUID.80000001H:EDX[26]
};

CpuInfo decode_cpuid(const CpuidLeaves& leaves);

// The Pentium Pro reports SEP but its SYSENTER does not work: Intel's rule
// (and Linux's) is family 6, model < 3, stepping < 3 => no SYSENTER.
constexpr bool sep_quirk_applies(unsigned family, unsigned model, unsigned stepping) {
    return family == 6 && model < 3 && stepping < 3;
}

const char* vendor_name(Vendor v);

// Reads the leaves from the running CPU (the only part that needs hardware).
CpuidLeaves read_cpuid();

} // namespace x86
