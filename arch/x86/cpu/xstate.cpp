#include "arch/x86/cpu/xstate.h"

namespace x86::xstate {
namespace {

// The legacy components live in the first 512 bytes whatever CPUID says.
unsigned component_end(const Leaves& l, unsigned i) {
    if (i < 2) return LEGACY_SIZE;
    return l.comp[i][1] + l.comp[i][0];
}

} // namespace

uint64_t choose_features(const Leaves& l, unsigned max_size) {
    if (!l.xsave) return FPSSE;
    const uint64_t cpu = uint64_t(l.d0[3]) << 32 | l.d0[0];
    uint64_t f = cpu & KERNEL_SUPPORTED;
    f |= FPSSE; // x87 is architecturally always there; SSE is part of what Sysgate requires
    if (!(f & YMM)) f &= ~AVX512;
    if ((f & AVX512) != AVX512) f &= ~AVX512;
    if ((f & MPX) != MPX) f &= ~MPX;
    if (!l.pku) f &= ~PKRU;
    // Drop from the top until the area fits (the groups as one).
    for (unsigned i = COMPONENTS; i-- > 2;) {
        const uint64_t bit = 1ull << i;
        if (!(f & bit) || component_end(l, i) <= max_size) continue;
        f &= ~((bit & AVX512) ? AVX512 : (bit & MPX) ? MPX : bit);
    }
    return f;
}

unsigned area_size(const Leaves& l, uint64_t features) {
    unsigned size = MIN_SIZE;
    for (unsigned i = 2; i < COMPONENTS; i++)
        if ((features & (1ull << i)) && component_end(l, i) > size) size = component_end(l, i);
    return size;
}

Config configure(const Leaves& l, unsigned max_size) {
    Config c;
    for (unsigned i = 0; i < 2; i++) c.length[i] = i == 0 ? 160 : 256; // SDM Vol. 1 Table 13-? (legacy region)
    c.offset[1] = 160;
    if (!l.xsave) return c;
    c.xsave = true;
    c.xsaveopt = l.d1[0] & 1;
    c.cpu_features = uint64_t(l.d0[3]) << 32 | l.d0[0];
    c.features = choose_features(l, max_size);
    c.size = area_size(l, c.features);
    for (unsigned i = 2; i < COMPONENTS; i++)
        if (c.features & (1ull << i)) c.offset[i] = l.comp[i][1], c.length[i] = l.comp[i][0];
    return c;
}

unsigned frame_fpstate_size(const Config& c, bool ia32) {
    return c.size + (c.xsave ? FP_XSTATE_MAGIC2_SIZE : 0) + (ia32 ? FSAVE_HEADER_SIZE : 0);
}

SwBytes sw_bytes(const Config& c, bool ia32) {
    SwBytes sw{};
    sw.magic1 = FP_XSTATE_MAGIC1;
    sw.extended_size = c.size + FP_XSTATE_MAGIC2_SIZE + (ia32 ? FSAVE_HEADER_SIZE : 0);
    sw.xfeatures = c.features;
    sw.xstate_size = c.size;
    return sw;
}

uint64_t min_sigstack_size(const Config& c) {
    constexpr uint64_t RT_SIGFRAME = 440, FRAME_ALIGNMENT = 16, XSAVE_PADDING = 63;
    const uint64_t fpstate = frame_fpstate_size(c, true);
    const uint64_t size = RT_SIGFRAME + (FRAME_ALIGNMENT - 1) + fpstate + XSAVE_PADDING;
    return (size + FRAME_ALIGNMENT - 1) & ~(FRAME_ALIGNMENT - 1);
}

bool sw_bytes_announce_xstate(const SwBytes& sw, const Config& c) {
    return c.xsave && sw.magic1 == FP_XSTATE_MAGIC1 && sw.xstate_size >= MIN_SIZE && sw.xstate_size <= c.size &&
           sw.xstate_size <= sw.extended_size;
}

bool valid_header(const Header& h, uint64_t features) {
    if (h.xstate_bv & ~features) return false;
    if (h.xcomp_bv) return false;
    for (uint64_t r : h.reserved)
        if (r) return false;
    return true;
}

uint64_t restorable(const Config& c, uint64_t xfeatures, unsigned xstate_size) {
    uint64_t f = xfeatures & c.features;
    for (unsigned i = 2; i < COMPONENTS; i++)
        if ((f & (1ull << i)) && c.offset[i] + c.length[i] > xstate_size) f &= ~(1ull << i);
    return f;
}

} // namespace x86::xstate
