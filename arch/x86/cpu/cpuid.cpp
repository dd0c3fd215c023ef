#include "arch/x86/cpu/cpuid.h"

namespace x86 {
namespace {

constexpr bool bit(uint32_t value, unsigned n) {
    return (value >> n) & 1;
}

void copy_words(char* out, const uint32_t* words, unsigned count) {
    for (unsigned w = 0; w < count; w++)
        for (unsigned b = 0; b < 4; b++) out[w * 4 + b] = char(words[w] >> (8 * b));
}

bool equals(const char* a, const char* b) {
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

} // namespace

CpuInfo decode_cpuid(const CpuidLeaves& l) {
    CpuInfo info;
    // Vendor string order is EBX, EDX, ECX.
    const uint32_t vendor_words[3] = {l.leaf0[1], l.leaf0[3], l.leaf0[2]};
    copy_words(info.vendor_string, vendor_words, 3);
    info.vendor_string[12] = 0;
    if (equals(info.vendor_string, "GenuineIntel"))
        info.vendor = Vendor::Intel;
    else if (equals(info.vendor_string, "AuthenticAMD") || equals(info.vendor_string, "HygonGenuine"))
        info.vendor = Vendor::Amd;

    const uint32_t max_basic = l.leaf0[0];
    if (max_basic >= 1) {
        const uint32_t sig = l.leaf1[0];
        const unsigned base_family = (sig >> 8) & 0xf;
        const unsigned base_model = (sig >> 4) & 0xf;
        info.stepping = sig & 0xf;
        info.family = base_family == 0xf ? base_family + ((sig >> 20) & 0xff) : base_family;
        info.model = (base_family == 6 || base_family == 0xf) ? base_model | (((sig >> 16) & 0xf) << 4) : base_model;
        const uint32_t edx = l.leaf1[3];
        info.tsc = bit(edx, 4);
        info.sep = bit(edx, 11);
        info.pge = bit(edx, 13);
        info.fxsr = bit(edx, 24);
        info.xsave = bit(l.leaf1[2], 26);
        info.sysenter_usable = info.sep && !sep_quirk_applies(info.family, info.model, info.stepping);
    }
    if (max_basic >= 7) {
        info.fsgsbase = bit(l.leaf7[1], 0);
        info.smep = bit(l.leaf7[1], 7);
        info.smap = bit(l.leaf7[1], 20);
        info.umip = bit(l.leaf7[2], 2);
    }
    const uint32_t max_ext = l.ext0[0];
    if (max_ext >= 0x80000001) {
        const uint32_t edx = l.ext1[3];
        info.syscall = bit(edx, 11);
        info.nx = bit(edx, 20);
        info.pdpe1gb = bit(edx, 26);
        info.rdtscp = bit(edx, 27);
        info.long_mode = bit(edx, 29);
    }
    if (max_ext >= 0x80000004) {
        copy_words(info.brand, &l.brand[0][0], 12);
        info.brand[48] = 0;
    }
    if (max_ext >= 0x80000007) info.invariant_tsc = bit(l.ext7[3], 8);
    return info;
}

const char* vendor_name(Vendor v) {
    switch (v) {
    case Vendor::Intel:
        return "Intel";
    case Vendor::Amd:
        return "AMD";
    case Vendor::Other:
        return "other";
    }
    return "other";
}

} // namespace x86
