// arch/x86/cpu/cpuid.h: decode_cpuid() on recorded register values.
//
// Expected family/model/stepping are worked out by hand with the SDM Vol. 2A
// CPUID rule (Figure 3-6): Family = base family, plus extended family only
// when base family is 0xF; Model = base model, plus extended model << 4 when
// base family is 6 or 0xF.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

#include "arch/x86/cpu/cpuid.h"

namespace {

using x86::CpuidLeaves;
using x86::CpuInfo;
using x86::decode_cpuid;
using x86::Vendor;

enum { EAX = 0, EBX = 1, ECX = 2, EDX = 3 };

// Vendor strings as CPUID leaf 0 returns them (EBX, EDX, ECX), written out by
// hand: "Genu" = 47 65 6e 75 little-endian = 0x756e6547, and so on.
void set_intel(CpuidLeaves& l) {
    l.leaf0[EBX] = 0x756e6547; // "Genu"
    l.leaf0[EDX] = 0x49656e69; // "ineI"
    l.leaf0[ECX] = 0x6c65746e; // "ntel"
}
void set_amd(CpuidLeaves& l) {
    l.leaf0[EBX] = 0x68747541; // "Auth"
    l.leaf0[EDX] = 0x69746e65; // "enti"
    l.leaf0[ECX] = 0x444d4163; // "cAMD"
}
void set_hygon(CpuidLeaves& l) {
    l.leaf0[EBX] = 0x6f677948; // "Hygo"
    l.leaf0[EDX] = 0x6e65476e; // "nGen"
    l.leaf0[ECX] = 0x656e6975; // "uine"
}

// Packs a 12-character vendor string the way leaf 0 returns it.
void set_vendor(CpuidLeaves& l, const char (&s)[13]) {
    uint32_t w[3];
    std::memcpy(w, s, 12);
    l.leaf0[EBX] = w[0];
    l.leaf0[EDX] = w[1];
    l.leaf0[ECX] = w[2];
}

// Packs a brand string (at most 48 bytes, NUL-padded) into leaves 0x80000002..4.
void set_brand(CpuidLeaves& l, const char* s) {
    char bytes[48] = {};
    std::memcpy(bytes, s, std::min<size_t>(48, std::strlen(s)));
    std::memcpy(l.brand, bytes, 48);
}

// Intel Xeon Gold 6138 (Skylake-SP), as QEMU's Skylake-Server model reports
// it: signature 0x00050654 = ext model 5, family 6, model 5, stepping 4.
CpuidLeaves skylake_sp() {
    CpuidLeaves l;
    l.leaf0[EAX] = 0x16;
    set_intel(l);
    l.leaf1[EAX] = 0x00050654;
    l.leaf1[ECX] = 0x7ffefbff;
    l.leaf1[EDX] = 0xbfebfbff; // TSC, SEP, PGE, FXSR, ...
    l.leaf7[EBX] = 0xd19f4fbb; // SMEP (bit 7), SMAP (bit 20), no UMIP on this part
    l.leaf7[ECX] = 0x00000008; // PKU only
    l.ext0[EAX] = 0x80000008;
    l.ext1[ECX] = 0x00000121;
    l.ext1[EDX] = 0x2c100800; // SYSCALL (11), NX (20), Page1GB (26), RDTSCP (27), LM (29)
    set_brand(l, "Intel(R) Xeon(R) Gold 6138 CPU @ 2.00GHz");
    l.ext7[EDX] = 0x00000100; // invariant TSC
    return l;
}

// AMD EPYC 7601 (Zen 1, Naples): 0x00800F12 = ext family 0x08, base family
// 0xF, model 1, stepping 2 -> family 0x17, model 0x01.
CpuidLeaves epyc_7601() {
    CpuidLeaves l;
    l.leaf0[EAX] = 0xd;
    set_amd(l);
    l.leaf1[EAX] = 0x00800F12;
    l.leaf1[ECX] = 0x7ed8320b;
    l.leaf1[EDX] = 0x178bfbff;
    l.leaf7[EBX] = 0x209c01a9; // SMEP (7), SMAP (20)
    l.leaf7[ECX] = 0x00000000; // Zen 1: no UMIP
    l.ext0[EAX] = 0x8000001f;
    l.ext1[ECX] = 0x35c233ff;
    l.ext1[EDX] = 0x2fd3fbff;
    set_brand(l, "AMD EPYC 7601 32-Core Processor                ");
    l.ext7[EDX] = 0x00006799;
    return l;
}

// Pentium Pro 200: signature 0x611 (family 6, model 1, stepping 1), max basic
// leaf 2, no extended leaves (an Intel CPU answers an unknown leaf with the
// highest basic leaf's data: here leaf 2's descriptors).
CpuidLeaves pentium_pro(uint32_t signature) {
    CpuidLeaves l;
    l.leaf0[EAX] = 2;
    set_intel(l);
    l.leaf1[EAX] = signature;
    l.leaf1[EDX] = 0x0000fbff; // reports SEP (bit 11)
    l.ext0[EAX] = 0x03020101;  // leaf 2's EAX, not a max extended leaf
    // Garbage where the CPU has no such leaves: must be ignored.
    for (auto& r : l.leaf7) r = 0xffffffff;
    for (auto& r : l.ext1) r = 0xffffffff;
    for (auto& r : l.ext7) r = 0xffffffff;
    for (auto& w : l.brand)
        for (auto& r : w) r = 0x41414141;
    return l;
}

TEST(Cpuid, SkylakeSp) {
    const CpuInfo c = decode_cpuid(skylake_sp());
    EXPECT_EQ(c.vendor, Vendor::Intel);
    EXPECT_STREQ(c.vendor_string, "GenuineIntel");
    EXPECT_STREQ(x86::vendor_name(c.vendor), "Intel");
    EXPECT_EQ(c.family, 6u);
    EXPECT_EQ(c.model, 0x55u);
    EXPECT_EQ(c.stepping, 4u);
    EXPECT_TRUE(c.sep);
    EXPECT_TRUE(c.sysenter_usable);
    EXPECT_TRUE(c.syscall);
    EXPECT_TRUE(c.long_mode);
    EXPECT_TRUE(c.nx);
    EXPECT_TRUE(c.fsgsbase); // EBX bit 0
    EXPECT_TRUE(c.smep);
    EXPECT_TRUE(c.smap);
    EXPECT_FALSE(c.umip);
    EXPECT_TRUE(c.pge);
    EXPECT_TRUE(c.fxsr);
    EXPECT_TRUE(c.tsc);
    EXPECT_TRUE(c.rdtscp);
    EXPECT_TRUE(c.invariant_tsc);
    EXPECT_TRUE(c.pdpe1gb);
    EXPECT_STREQ(c.brand, "Intel(R) Xeon(R) Gold 6138 CPU @ 2.00GHz");
}

TEST(Cpuid, EpycZen1) {
    const CpuInfo c = decode_cpuid(epyc_7601());
    EXPECT_EQ(c.vendor, Vendor::Amd);
    EXPECT_STREQ(c.vendor_string, "AuthenticAMD");
    EXPECT_STREQ(x86::vendor_name(c.vendor), "AMD");
    EXPECT_EQ(c.family, 0x17u);
    EXPECT_EQ(c.model, 0x01u);
    EXPECT_EQ(c.stepping, 2u);
    EXPECT_TRUE(c.sep); // AMD reports SEP; sysenter works in legacy/compat mode only
    EXPECT_TRUE(c.sysenter_usable);
    EXPECT_TRUE(c.syscall);
    EXPECT_TRUE(c.long_mode);
    EXPECT_TRUE(c.nx);
    EXPECT_TRUE(c.fsgsbase);
    EXPECT_TRUE(c.smep);
    EXPECT_TRUE(c.smap);
    EXPECT_FALSE(c.umip);
    EXPECT_TRUE(c.rdtscp);
    EXPECT_TRUE(c.pdpe1gb);
    EXPECT_TRUE(c.invariant_tsc); // 0x6799 has bit 8
    EXPECT_STREQ(c.brand, "AMD EPYC 7601 32-Core Processor                ");
}

TEST(Cpuid, FamilyModelSteppingFromSignatures) {
    struct Case {
        uint32_t eax;
        unsigned family, model, stepping;
        const char* what;
    } cases[] = {
        {0x00050654, 6, 0x55, 4, "Skylake-SP"},
        {0x000906EA, 6, 0x9E, 0xA, "Coffee Lake"},
        {0x000106A5, 6, 0x1A, 5, "Nehalem"},
        {0x00000611, 6, 0x01, 1, "Pentium Pro"},
        {0x00000633, 6, 0x03, 3, "Pentium II Klamath"},
        {0x00800F12, 0x17, 0x01, 2, "EPYC 7601 (Zen 1)"},
        {0x00830F10, 0x17, 0x31, 0, "EPYC 7742 (Zen 2)"},
        {0x00A00F11, 0x19, 0x01, 1, "EPYC 7763 (Zen 3)"},
        {0x00020FB1, 0x0F, 0x2B, 1, "Athlon 64 X2 (K8): ext model with family 0xF"},
        {0x00000F29, 0x0F, 0x02, 9, "Pentium 4 Northwood"},
        {0x00000543, 5, 0x04, 3, "Pentium MMX"},
        // Extended fields must be ignored for other base families.
        {0x000F0543, 5, 0x04, 3, "family 5 with extended model bits set"},
        {0x0FF00654, 6, 0x05, 4, "family 6 with extended family bits set"},
        {0x0FF00412, 4, 0x01, 2, "family 4 with extended family bits set"},
        {0x000F0711, 7, 0x01, 1, "family 7 (Itanium) with extended model bits set"},
        {0x000F0E11, 0xE, 0x01, 1, "family 0xE with extended model bits set"},
        // Reserved bits 12-13 (processor type) and 28-31 do not leak in.
        {0xF0003654, 6, 0x05, 4, "type and reserved bits set"},
        {0x0FFFFFFF, 0x10E, 0xFF, 0xF, "every field at its maximum"},
    };
    for (const Case& k : cases) {
        CpuidLeaves l;
        l.leaf0[EAX] = 1;
        set_intel(l);
        l.leaf1[EAX] = k.eax;
        const CpuInfo c = decode_cpuid(l);
        EXPECT_EQ(c.family, k.family) << k.what;
        EXPECT_EQ(c.model, k.model) << k.what;
        EXPECT_EQ(c.stepping, k.stepping) << k.what;
    }
}

TEST(Cpuid, PentiumProSepQuirkApplies) {
    // Family 6, model 1, stepping 1: SEP is reported but SYSENTER is broken.
    const CpuInfo c = decode_cpuid(pentium_pro(0x00000611));
    EXPECT_EQ(c.family, 6u);
    EXPECT_EQ(c.model, 1u);
    EXPECT_EQ(c.stepping, 1u);
    EXPECT_TRUE(c.sep);
    EXPECT_FALSE(c.sysenter_usable);
}

TEST(Cpuid, SepQuirkBoundaries) {
    struct Case {
        uint32_t eax;
        bool usable;
        const char* what;
    } cases[] = {
        {0x00000600, false, "model 0 stepping 0"},
        {0x00000611, false, "Pentium Pro model 1 stepping 1"},
        {0x00000612, false, "model 1 stepping 2: last stepping of the quirk"},
        {0x00000622, false, "model 2 stepping 2"},
        {0x00000613, true, "model 1 stepping 3: stepping not < 3"},
        {0x00000619, true, "Pentium Pro model 1 stepping 9"},
        {0x00000630, true, "model 3 stepping 0: model not < 3"},
        {0x00000633, true, "Pentium II model 3 stepping 3"},
        {0x00010611, true, "displayed model 0x11 (extended model 1) is not < 3"},
        {0x00000511, true, "family 5 model 1 stepping 1: not family 6"},
        {0x00000F11, true, "family 0xF model 1 stepping 1: not family 6"},
    };
    for (const Case& k : cases) {
        const CpuInfo c = decode_cpuid(pentium_pro(k.eax));
        EXPECT_TRUE(c.sep) << k.what;
        EXPECT_EQ(c.sysenter_usable, k.usable) << k.what;
    }
}

TEST(Cpuid, SepQuirkRuleDirectly) {
    EXPECT_TRUE(x86::sep_quirk_applies(6, 0, 0));
    EXPECT_TRUE(x86::sep_quirk_applies(6, 2, 2));
    EXPECT_FALSE(x86::sep_quirk_applies(6, 3, 0));
    EXPECT_FALSE(x86::sep_quirk_applies(6, 0, 3));
    EXPECT_FALSE(x86::sep_quirk_applies(5, 1, 1));
    EXPECT_FALSE(x86::sep_quirk_applies(0xF, 1, 1));
    EXPECT_FALSE(x86::sep_quirk_applies(0x16, 1, 1)); // 6 in the low nibble only
    static_assert(x86::sep_quirk_applies(6, 1, 1), "usable in constant expressions");
}

TEST(Cpuid, NoSepMeansNoSysenterEvenOnAGoodModel) {
    CpuidLeaves l = skylake_sp();
    l.leaf1[EDX] &= ~(1u << 11);
    const CpuInfo c = decode_cpuid(l);
    EXPECT_FALSE(c.sep);
    EXPECT_FALSE(c.sysenter_usable);
}

TEST(Cpuid, PentiumProHasNoLeaf7OrExtendedLeaves) {
    const CpuInfo c = decode_cpuid(pentium_pro(0x00000619));
    // All-ones garbage in leaves the CPU does not have is ignored.
    EXPECT_FALSE(c.fsgsbase);
    EXPECT_FALSE(c.smep);
    EXPECT_FALSE(c.smap);
    EXPECT_FALSE(c.umip);
    EXPECT_FALSE(c.syscall);
    EXPECT_FALSE(c.long_mode);
    EXPECT_FALSE(c.nx);
    EXPECT_FALSE(c.rdtscp);
    EXPECT_FALSE(c.pdpe1gb);
    EXPECT_FALSE(c.invariant_tsc);
    EXPECT_STREQ(c.brand, "");
    // What leaf 1 says is still read.
    EXPECT_TRUE(c.sep);
    EXPECT_TRUE(c.sysenter_usable);
    EXPECT_TRUE(c.tsc);
    EXPECT_TRUE(c.pge);
    EXPECT_FALSE(c.fxsr); // 0xfbff: bit 24 clear
}

TEST(Cpuid, Leaf7ReadOnlyWhenMaxBasicLeafReachesIt) {
    CpuidLeaves l = skylake_sp();
    l.leaf7[EBX] = 0xffffffff;
    l.leaf7[ECX] = 0xffffffff;
    l.leaf0[EAX] = 6;
    CpuInfo c = decode_cpuid(l);
    EXPECT_FALSE(c.fsgsbase);
    EXPECT_FALSE(c.smep);
    EXPECT_FALSE(c.smap);
    EXPECT_FALSE(c.umip);
    l.leaf0[EAX] = 7;
    c = decode_cpuid(l);
    EXPECT_TRUE(c.fsgsbase);
    EXPECT_TRUE(c.smep);
    EXPECT_TRUE(c.smap);
    EXPECT_TRUE(c.umip);
}

TEST(Cpuid, MaxBasicLeafZeroReadsNoLeaf1) {
    CpuidLeaves l = skylake_sp();
    l.leaf0[EAX] = 0;
    const CpuInfo c = decode_cpuid(l);
    EXPECT_EQ(c.vendor, Vendor::Intel); // the vendor comes from leaf 0 itself
    EXPECT_EQ(c.family, 0u);
    EXPECT_EQ(c.model, 0u);
    EXPECT_EQ(c.stepping, 0u);
    EXPECT_FALSE(c.sep);
    EXPECT_FALSE(c.sysenter_usable);
    EXPECT_FALSE(c.tsc);
    EXPECT_FALSE(c.smep);
    // Extended leaves have their own maximum.
    EXPECT_TRUE(c.syscall);
    EXPECT_TRUE(c.long_mode);
}

TEST(Cpuid, ExtendedLeafThresholds) {
    CpuidLeaves l = skylake_sp();
    l.ext0[EAX] = 0x80000000; // no 0x80000001
    CpuInfo c = decode_cpuid(l);
    EXPECT_FALSE(c.syscall);
    EXPECT_FALSE(c.long_mode);
    EXPECT_FALSE(c.nx);
    EXPECT_STREQ(c.brand, "");
    EXPECT_FALSE(c.invariant_tsc);

    l.ext0[EAX] = 0x80000001; // features, but no brand string
    c = decode_cpuid(l);
    EXPECT_TRUE(c.syscall);
    EXPECT_TRUE(c.long_mode);
    EXPECT_STREQ(c.brand, "");

    l.ext0[EAX] = 0x80000003; // half the brand leaves: still none
    c = decode_cpuid(l);
    EXPECT_STREQ(c.brand, "");

    l.ext0[EAX] = 0x80000004;
    c = decode_cpuid(l);
    EXPECT_STREQ(c.brand, "Intel(R) Xeon(R) Gold 6138 CPU @ 2.00GHz");
    EXPECT_FALSE(c.invariant_tsc);

    l.ext0[EAX] = 0x80000007;
    c = decode_cpuid(l);
    EXPECT_TRUE(c.invariant_tsc);

    // A basic-leaf value echoed back (what Intel does for unknown leaves) is not an extended max.
    l.ext0[EAX] = 0x0000000d;
    c = decode_cpuid(l);
    EXPECT_FALSE(c.syscall);
    EXPECT_STREQ(c.brand, "");
}

TEST(Cpuid, EachFeatureBitAlone) {
    // One bit at a time, in its register: exactly that feature turns on.
    struct Bit {
        const char* name;
        int leaf; // 1 = leaf 1, 7 = leaf 7, 0x81 = 0x80000001, 0x87 = 0x80000007
        int reg;
        unsigned bit;
        bool CpuInfo::*field;
    } bits[] = {
        {"tsc", 1, EDX, 4, &CpuInfo::tsc},
        {"sep", 1, EDX, 11, &CpuInfo::sep},
        {"pge", 1, EDX, 13, &CpuInfo::pge},
        {"fxsr", 1, EDX, 24, &CpuInfo::fxsr},
        {"smep", 7, EBX, 7, &CpuInfo::smep},
        {"smap", 7, EBX, 20, &CpuInfo::smap},
        {"umip", 7, ECX, 2, &CpuInfo::umip},
        {"syscall", 0x81, EDX, 11, &CpuInfo::syscall},
        {"nx", 0x81, EDX, 20, &CpuInfo::nx},
        {"pdpe1gb", 0x81, EDX, 26, &CpuInfo::pdpe1gb},
        {"rdtscp", 0x81, EDX, 27, &CpuInfo::rdtscp},
        {"long_mode", 0x81, EDX, 29, &CpuInfo::long_mode},
        {"invariant_tsc", 0x87, EDX, 8, &CpuInfo::invariant_tsc},
    };
    for (const Bit& b : bits) {
        CpuidLeaves l;
        l.leaf0[EAX] = 7;
        set_intel(l);
        l.leaf1[EAX] = 0x00050654;
        l.ext0[EAX] = 0x80000008;
        uint32_t* regs = b.leaf == 1 ? l.leaf1 : b.leaf == 7 ? l.leaf7 : b.leaf == 0x81 ? l.ext1 : l.ext7;
        regs[b.reg] = 1u << b.bit;
        const CpuInfo c = decode_cpuid(l);
        for (const Bit& other : bits)
            EXPECT_EQ(c.*(other.field), &other == &b) << "only " << b.name << " set; " << other.name;
        // The same bit in a neighbouring register or position must not count.
        CpuidLeaves shifted = l;
        uint32_t* sregs = b.leaf == 1      ? shifted.leaf1
                          : b.leaf == 7    ? shifted.leaf7
                          : b.leaf == 0x81 ? shifted.ext1
                                           : shifted.ext7;
        sregs[b.reg] = (1u << b.bit) >> 1 | (b.bit < 31 ? (1u << b.bit) << 1 : 0);
        const CpuInfo s = decode_cpuid(shifted);
        EXPECT_FALSE(s.*(b.field)) << b.name << " decoded from a neighbouring bit";
    }
}

TEST(Cpuid, SysenterUsableFollowsSep) {
    CpuidLeaves l;
    l.leaf0[EAX] = 1;
    set_intel(l);
    l.leaf1[EAX] = 0x00050654;
    l.leaf1[EDX] = 1u << 11;
    EXPECT_TRUE(decode_cpuid(l).sysenter_usable);
    l.leaf1[EDX] = 1u << 10;
    EXPECT_FALSE(decode_cpuid(l).sysenter_usable);
}

TEST(Cpuid, Vendors) {
    CpuidLeaves l;
    set_hygon(l);
    CpuInfo c = decode_cpuid(l);
    EXPECT_STREQ(c.vendor_string, "HygonGenuine");
    EXPECT_EQ(c.vendor, Vendor::Amd); // Zen-derived: AMD's gate rules

    struct Case {
        char s[13];
        Vendor v;
    } cases[] = {
        {"GenuineIntel", Vendor::Intel},  {"AuthenticAMD", Vendor::Amd},
        {"HygonGenuine", Vendor::Amd},    {"CentaurHauls", Vendor::Other},
        {"  Shanghai  ", Vendor::Other},  {"GenuineIotel", Vendor::Other},
        {"AuthenticAMd", Vendor::Other},  {"genuineintel", Vendor::Other},
        {"TCGTCGTCGTCG", Vendor::Other},  {"KVMKVMKVM\0\0\0", Vendor::Other},
        {"Genuine\0ntel", Vendor::Other}, {"\0\0\0\0\0\0\0\0\0\0\0\0", Vendor::Other},
    };
    for (const Case& k : cases) {
        CpuidLeaves v;
        set_vendor(v, k.s);
        const CpuInfo d = decode_cpuid(v);
        EXPECT_EQ(d.vendor, k.v) << k.s;
        EXPECT_EQ(std::memcmp(d.vendor_string, k.s, 12), 0) << k.s;
        EXPECT_EQ(d.vendor_string[12], '\0');
    }
    EXPECT_STREQ(x86::vendor_name(Vendor::Other), "other");
}

TEST(Cpuid, VendorWordOrderIsEbxEdxEcx) {
    // EBX, ECX, EDX in register order would spell "GenuntelineI".
    CpuidLeaves l;
    l.leaf0[EBX] = 0x756e6547;
    l.leaf0[ECX] = 0x49656e69; // swapped on purpose
    l.leaf0[EDX] = 0x6c65746e;
    const CpuInfo c = decode_cpuid(l);
    EXPECT_STREQ(c.vendor_string, "GenuntelineI");
    EXPECT_EQ(c.vendor, Vendor::Other);
}

TEST(Cpuid, BrandStringAssembly) {
    CpuidLeaves l;
    l.ext0[EAX] = 0x80000004;
    // Worked out by hand: leaf 0x80000002 EAX..EDX = "Inte" "l(R)" " Xeo" "n(R)".
    l.brand[0][0] = 0x65746e49;
    l.brand[0][1] = 0x2952286c;
    l.brand[0][2] = 0x6f655820;
    l.brand[0][3] = 0x2952286e;
    l.brand[1][0] = 0x55504320; // " CPU"
    // The rest NUL: the string ends there.
    CpuInfo c = decode_cpuid(l);
    EXPECT_STREQ(c.brand, "Intel(R) Xeon(R) CPU");

    // A full 48-character brand has no NUL of its own: the decoder adds one.
    const std::string full = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL";
    ASSERT_EQ(full.size(), 48u);
    set_brand(l, full.c_str());
    c = decode_cpuid(l);
    EXPECT_EQ(std::string(c.brand), full);
    EXPECT_EQ(c.brand[48], '\0');

    // Leading spaces (older Intel parts right-justify) are kept as given.
    set_brand(l, "       Intel(R) Pentium(R) 4 CPU 3.00GHz");
    c = decode_cpuid(l);
    EXPECT_STREQ(c.brand, "       Intel(R) Pentium(R) 4 CPU 3.00GHz");
}

TEST(Cpuid, EmptyLeavesDecodeToNothing) {
    const CpuInfo c = decode_cpuid(CpuidLeaves{});
    EXPECT_EQ(c.vendor, Vendor::Other);
    EXPECT_STREQ(c.vendor_string, "");
    EXPECT_STREQ(c.brand, "");
    EXPECT_EQ(c.family, 0u);
    EXPECT_FALSE(c.sep || c.sysenter_usable || c.syscall || c.long_mode || c.nx || c.smep || c.smap || c.umip ||
                 c.pge || c.fxsr || c.tsc || c.rdtscp || c.invariant_tsc || c.pdpe1gb);
}

} // namespace
