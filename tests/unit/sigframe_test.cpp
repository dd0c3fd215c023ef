// kernel/proc/sigframe.h: the signal-frame layouts and their pure pieces.
// Sizes and offsets are Linux's (arch/x86/include/asm/sigframe.h,
// uapi/asm/sigcontext.h, as `pahole` shows them on an x86_64 build with
// IA32_EMULATION); the FPU conversions are worked out by hand from SDM
// Vol. 1 8.1.7 (the tag word) and Table 10-2 (the FXSAVE image) and
// checked against what Linux's arch/x86/kernel/fpu/regset.c computes.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "arch/x86/desc/layout.h"
#include "arch/x86/vdso/vdso_data.h"
#include "kernel/proc/sigframe.h"

namespace {

using namespace sigframe;

TEST(Sigframe, LayoutsAreLinuxs) {
    EXPECT_EQ(sizeof(RtSigFrame64), 440u);
    EXPECT_EQ(offsetof(RtSigFrame64, uc), 8u);
    EXPECT_EQ(offsetof(RtSigFrame64, info), 312u);
    EXPECT_EQ(offsetof(UContext64, mcontext), 40u);
    EXPECT_EQ(offsetof(UContext64, sigmask), 296u);
    EXPECT_EQ(offsetof(SigContext64, cs), 144u);
    EXPECT_EQ(offsetof(SigContext64, ss), 150u);
    EXPECT_EQ(offsetof(SigContext64, fpstate), 184u);

    EXPECT_EQ(sizeof(RtSigFrame32), 268u);
    EXPECT_EQ(offsetof(RtSigFrame32, info), 16u);
    EXPECT_EQ(offsetof(RtSigFrame32, uc), 144u);
    EXPECT_EQ(offsetof(RtSigFrame32, retcode), 260u);
    EXPECT_EQ(offsetof(UContext32, mcontext), 20u);
    EXPECT_EQ(offsetof(UContext32, sigmask), 108u);

    EXPECT_EQ(sizeof(SigFrame32), 732u);
    EXPECT_EQ(offsetof(SigFrame32, sc), 8u);
    EXPECT_EQ(offsetof(SigFrame32, fpstate_unused), 96u);
    EXPECT_EQ(offsetof(SigFrame32, extramask), 720u);
    EXPECT_EQ(offsetof(SigFrame32, retcode), 724u);

    EXPECT_EQ(offsetof(SigContext32, cs), 60u);
    EXPECT_EQ(offsetof(SigContext32, ss), 72u);
    EXPECT_EQ(offsetof(SigContext32, fpstate), 76u);
    EXPECT_EQ(offsetof(SigContext32, oldmask), 80u);
    EXPECT_EQ(sizeof(FpState32), 624u);
    EXPECT_EQ(offsetof(FpState32, status), 108u);
    EXPECT_EQ(offsetof(FpState32, magic), 110u);
    EXPECT_EQ(offsetof(FxsaveArea, mxcsr), 24u);
    EXPECT_EQ(offsetof(FxsaveArea, st_space), 32u);
    EXPECT_EQ(offsetof(FxsaveArea, sw_reserved), 464u);
}

TEST(Sigframe, RetcodeIsLinuxs) {
    // Linux's ia32_setup_frame / ia32_setup_rt_frame `code`, little-endian.
    const uint8_t old_frame[8] = {0x58, 0xb8, 0x77, 0x00, 0x00, 0x00, 0xcd, 0x80};
    const uint8_t rt_frame[8] = {0xb8, 0xad, 0x00, 0x00, 0x00, 0xcd, 0x80, 0x00};
    EXPECT_EQ(memcmp(SIGRETURN_CODE, old_frame, 8), 0);
    EXPECT_EQ(memcmp(RT_SIGRETURN_CODE, rt_frame, 8), 0);
}

TEST(Sigframe, FramesAlignAsTheAbisSay) {
    for (uint64_t sp = 0x1000; sp < 0x1040; sp++) {
        const uint64_t a32 = align_frame32(sp), a64 = align_frame64(sp);
        EXPECT_EQ((a32 + 4) % 16, 0u) << sp;
        EXPECT_LE(a32, sp);
        EXPECT_GT(a32 + 16, sp);
        EXPECT_EQ((a64 + 8) % 16, 0u) << sp;
        EXPECT_LT(a64, sp);
        EXPECT_GE(a64 + 24, sp);
    }
    EXPECT_EQ(align_frame32(0x1000), 0xffcu); // Linux: ((sp + 4) & -16) - 4
    EXPECT_EQ(align_frame32(0x100c), 0x100cu);
    EXPECT_EQ(align_frame64(0x1000), 0xff8u); // Linux: round_down(sp, 16) - 8
}

// ---- the x87 tag word

// An 80-bit register in an FXSAVE slot (16 bytes).
void put_register(FxsaveArea& fx, unsigned slot, uint64_t significand, uint16_t sign_exponent) {
    uint8_t* p = reinterpret_cast<uint8_t*>(fx.st_space) + 16 * slot;
    memcpy(p, &significand, 8);
    memcpy(p + 8, &sign_exponent, 2);
}

FxsaveArea empty_fpu() {
    FxsaveArea fx;
    memset(&fx, 0, sizeof(fx));
    fx.cwd = 0x037f;
    fx.mxcsr = 0x1f80;
    return fx;
}

TEST(Sigframe, FullTagWordFromTheAbridgedOne) {
    FxsaveArea fx = empty_fpu();
    EXPECT_EQ(full_tag_word(fx), 0xffffffffu); // all empty (11), the upper half set as Linux does

    // One push (fld1): TOP = 7, physical register 7 is ST(0), valid (00).
    fx.swd = 7 << 11;
    fx.twd = 1 << 7;
    put_register(fx, 0, 0x8000000000000000ull, 0x3fff);
    EXPECT_EQ(full_tag_word(fx), 0xffff3fffu);

    // Three pushes: TOP = 5; ST(0) = R5 zero (01), ST(1) = R6 a NaN
    // (special, 10), ST(2) = R7 a denormal (special, 10).
    fx.swd = 5 << 11;
    fx.twd = (1 << 5) | (1 << 6) | (1 << 7);
    put_register(fx, 0, 0, 0x0000);
    put_register(fx, 1, 0xc000000000000000ull, 0x7fff);
    put_register(fx, 2, 0x0000000000000001ull, 0x0000);
    EXPECT_EQ(full_tag_word(fx), 0xffff0000u | 0x03ff | (1u << 10) | (2u << 12) | (2u << 14));

    // An unnormal (exponent nonzero, integer bit clear) is special too.
    fx.swd = 0;
    fx.twd = 1;
    put_register(fx, 0, 0x4000000000000000ull, 0x4000);
    EXPECT_EQ(full_tag_word(fx) & 3, 2u);
    put_register(fx, 0, 0xc000000000000000ull, 0xc000); // negative, normal: valid
    EXPECT_EQ(full_tag_word(fx) & 3, 0u);
}

TEST(Sigframe, AbridgedTagWordFromTheFullOne) {
    EXPECT_EQ(abridged_tag_word(0xffffffff), 0x00);
    EXPECT_EQ(abridged_tag_word(0xffff0000), 0xff); // all valid
    EXPECT_EQ(abridged_tag_word(0xffff3fff), 0x80);
    // Any tag but 11 is "not empty": valid, zero and special alike.
    EXPECT_EQ(abridged_tag_word(0xfffffffc | 0), 0x01);
    EXPECT_EQ(abridged_tag_word(0xfffffffc | 1), 0x01);
    EXPECT_EQ(abridged_tag_word(0xfffffffc | 2), 0x01);
    for (uint32_t bits = 0; bits < 256; bits++) {
        uint32_t full = 0xffff0000;
        for (unsigned i = 0; i < 8; i++) full |= ((bits >> i) & 1 ? 0u : 3u) << (2 * i);
        EXPECT_EQ(abridged_tag_word(full), bits);
    }
}

// ---- the FSAVE-format header of the i386 fpstate

TEST(Sigframe, FsaveHeaderFromTheFxsaveImage) {
    FxsaveArea fx = empty_fpu();
    fx.cwd = 0x0c7f;
    fx.swd = (7 << 11) | 0x41; // TOP 7, C0 and IE
    fx.twd = 1 << 7;
    fx.fop = 0x1d9;
    fx.rip = 0x0000000008049abcull;
    fx.rdp = 0x00000000080ff000ull;
    put_register(fx, 0, 0x8000000000000000ull, 0x3fff); // 1.0
    put_register(fx, 3, 0x1234567890abcdefull, 0x4321);
    const FsaveEnv env = fsave_env_from_fxsave(fx, 0x23, 0x2b);
    EXPECT_EQ(env.cwd, 0xffff0c7fu);
    EXPECT_EQ(env.swd, 0xffff3841u);
    EXPECT_EQ(env.twd, 0xffff3fffu);
    EXPECT_EQ(env.fip, 0x08049abcu);
    EXPECT_EQ(env.fcs, 0x23u); // a 64-bit kernel has no FCS: the program's CS (and no opcode)
    EXPECT_EQ(env.foo, 0x080ff000u);
    EXPECT_EQ(env.fos, 0xffff002bu);
    const uint8_t one[10] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f};
    EXPECT_EQ(memcmp(env.st_space, one, 10), 0);
    const uint8_t fourth[10] = {0xef, 0xcd, 0xab, 0x90, 0x78, 0x56, 0x34, 0x12, 0x21, 0x43};
    EXPECT_EQ(memcmp(reinterpret_cast<const uint8_t*>(env.st_space) + 30, fourth, 10), 0);
}

TEST(Sigframe, FsaveHeaderFoldsBack) {
    FxsaveArea fx = empty_fpu();
    fx.swd = 6 << 11;
    fx.twd = 0xc0;
    fx.mxcsr = 0x7f80;
    fx.xmm_space[0] = 0xdeadbeef;
    put_register(fx, 0, 0x8000000000000000ull, 0x3fff);
    put_register(fx, 1, 0xc000000000000000ull, 0x4000);
    FsaveEnv env = fsave_env_from_fxsave(fx, 0x23, 0x2b);

    // Unchanged, the round trip changes nothing a program can see.
    FxsaveArea back = fx;
    fold_fsave_env(back, env);
    EXPECT_EQ(memcmp(&back, &fx, sizeof(fx)), 0);

    // A handler's changes to the header win over the image's x87 part; the
    // rest of the image (MXCSR, the XMM registers) stays.
    env.cwd = 0xffff027f;
    env.twd = 0xffff0fff; // R6 and R7 valid
    env.fcs = 0x07ff0023; // opcode in the upper half
    const uint8_t two[10] = {0, 0, 0, 0, 0, 0, 0, 0x80, 0x00, 0x40};
    memcpy(env.st_space, two, 10);
    FxsaveArea other = fx;
    other.cwd = 0x1234;
    fold_fsave_env(other, env);
    EXPECT_EQ(other.cwd, 0x027f);
    EXPECT_EQ(other.twd, 0xc0);
    EXPECT_EQ(other.fop, 0x07ff);
    EXPECT_EQ(memcmp(other.st_space, two, 10), 0);
    EXPECT_EQ(other.mxcsr, 0x7f80u);
    EXPECT_EQ(other.xmm_space[0], 0xdeadbeefu);
}

// ---- which stack segments sigreturn keeps

// LAR's access rights are bits 8-23 of the descriptor's upper dword.
uint32_t access_rights(uint64_t descriptor) {
    return uint32_t(descriptor >> 32) & 0x00f0ff00;
}

TEST(Sigframe, UsableUserStackSegments) {
    using x86::gdt::fixed_descriptor;
    EXPECT_TRUE(usable_user_ss(true, access_rights(fixed_descriptor(x86::gdt::USER_DATA))));
    EXPECT_TRUE(usable_user_ss(true, access_rights(fixed_descriptor(x86::gdt::USER_DATA_SYSEXITQ))));
    EXPECT_FALSE(usable_user_ss(true, access_rights(fixed_descriptor(x86::gdt::USER_CODE32))));
    EXPECT_FALSE(usable_user_ss(true, access_rights(fixed_descriptor(x86::gdt::USER_CODE64))));
    EXPECT_FALSE(usable_user_ss(true, access_rights(fixed_descriptor(x86::gdt::KERNEL_DATA)))); // DPL 0
    EXPECT_FALSE(usable_user_ss(false, access_rights(fixed_descriptor(x86::gdt::USER_DATA))));  // LAR said no

    const uint32_t data = ar::S | ar::DPL3 | ar::P;
    EXPECT_TRUE(usable_user_ss(true, data | ar::TYPE_RWDATA));
    EXPECT_TRUE(usable_user_ss(true, data | ar::TYPE_RWDATA_EXPDOWN));
    EXPECT_TRUE(usable_user_ss(true, data | ar::TYPE_RWDATA | (1u << 8) | (1u << 22) | (1u << 23))); // A, D/B, G
    EXPECT_FALSE(usable_user_ss(true, data));                                                        // read-only
    EXPECT_FALSE(usable_user_ss(true, (data & ~ar::P) | ar::TYPE_RWDATA));                           // not present
    EXPECT_FALSE(usable_user_ss(true, (data & ~ar::S) | ar::TYPE_RWDATA));            // a system descriptor
    EXPECT_FALSE(usable_user_ss(true, ar::S | ar::P | ar::TYPE_RWDATA));              // DPL 0
    EXPECT_FALSE(usable_user_ss(true, ar::S | (1u << 13) | ar::P | ar::TYPE_RWDATA)); // DPL 1
}

// ---- the vDSO's clock arithmetic (arch/x86/vdso/vdso_data.h)

TEST(Sigframe, MulShr32MatchesA128BitProduct) {
    uint64_t x = 0x9e3779b97f4a7c15ull;
    auto next = [&x] {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        return x;
    };
    const uint64_t edges[] = {0, 1, 0xffffffff, 0x100000000ull, ~0ull, 0x8000000000000000ull};
    for (uint64_t a : edges)
        for (uint64_t b : edges)
            EXPECT_EQ(vdso_mul_shr32(a, b), uint64_t((unsigned __int128)a * b >> 32)) << a << " " << b;
    for (int i = 0; i < 100000; i++) {
        const uint64_t a = next(), b = i % 2 ? next() : next() >> 32;
        ASSERT_EQ(vdso_mul_shr32(a, b), uint64_t((unsigned __int128)a * b >> 32)) << a << " " << b;
    }
}

} // namespace
