// The XSAVE layout logic (arch/x86/cpu/xstate.cpp): which components the
// kernel enables from CPUID's answers, the area size, the sw_reserved
// bytes and frame sizes of Linux's signal frames, and the rules sigreturn
// applies to a frame's XSAVE header. Also docs/writing-programs.md's
// numbers: its per-row table is the boot tests' (tests/boot/cases.py
// XSTATE, checked against every row at each `make check`) and agrees with
// these rules.
#include "arch/x86/cpu/xstate.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <tuple>

#include "arch/x86/cpu/cpuid.h"
#include "script_runner.h"

using namespace x86::xstate;

namespace {

// CPUID.0Dh answers: `mask` supported, the standard-format offsets and
// sizes of the SDM (Vol. 1 13.4.3, identical on every CPU that has the
// component).
Leaves leaves(uint64_t mask, bool xsaveopt = true, bool pku = true) {
    Leaves l;
    l.xsave = true;
    l.pku = pku;
    l.d0[0] = uint32_t(mask);
    l.d0[3] = uint32_t(mask >> 32);
    l.d1[0] = xsaveopt ? 1 : 0;
    const struct {
        unsigned bit, size, offset;
    } std_layout[] = {{2, 256, 576},  {3, 64, 960},    {4, 64, 1024}, {5, 64, 1088},
                      {6, 512, 1152}, {7, 1024, 1664}, {9, 8, 2688}};
    for (const auto& c : std_layout) {
        if (!(mask & (1ull << c.bit))) continue;
        l.comp[c.bit][0] = c.size;
        l.comp[c.bit][1] = c.offset;
    }
    return l;
}

} // namespace

TEST(Xstate, NoXsaveKeepsFxsave) {
    Leaves l;
    const Config c = configure(l);
    EXPECT_FALSE(c.xsave);
    EXPECT_EQ(c.features, FPSSE);
    EXPECT_EQ(c.size, 512u);
}

// QEMU 7.2 TCG's -cpu max offers 0x21f: x87, SSE, AVX, MPX, PKRU.
TEST(Xstate, QemuMaxLikeLinux) {
    const Config c = configure(leaves(0x21f));
    EXPECT_TRUE(c.xsave);
    EXPECT_TRUE(c.xsaveopt);
    EXPECT_EQ(c.features, 0x21fu);
    EXPECT_EQ(c.size, 2696u); // PKRU at 2688, 8 bytes
    EXPECT_EQ(c.offset[2], 576u);
    EXPECT_EQ(c.length[2], 256u);
}

TEST(Xstate, PkruOnlyWithPku) {
    const Config c = configure(leaves(0x21f, true, false));
    EXPECT_EQ(c.features, 0x1fu);
    EXPECT_EQ(c.size, 1088u); // BNDCSR ends at 1024 + 64
}

TEST(Xstate, AvxOnly) {
    const Config c = configure(leaves(0x7, false));
    EXPECT_EQ(c.features, 0x7u);
    EXPECT_EQ(c.size, 832u);
    EXPECT_FALSE(c.xsaveopt);
}

// Bochs' corei7_skylake_x: AVX-512 without MPX or PKRU.
TEST(Xstate, Avx512) {
    const Config c = configure(leaves(0xe7));
    EXPECT_EQ(c.features, 0xe7u);
    EXPECT_EQ(c.size, 2688u);
}

TEST(Xstate, GroupsAllOrNothing) {
    EXPECT_EQ(choose_features(leaves(0x67)), 0x7u);     // AVX-512 without Hi16_ZMM
    EXPECT_EQ(choose_features(leaves(0xe3)), 0x3u);     // AVX-512 without AVX
    EXPECT_EQ(choose_features(leaves(0x0f)), 0x7u);     // BNDREGS without BNDCSR
    EXPECT_EQ(choose_features(leaves(0x400ff)), 0xffu); // AMX's XTILECFG (bit 17): not supported
}

TEST(Xstate, TooLargeAreaDropsComponentsNotPanic) {
    // A limit between AVX's end and AVX-512's: AVX-512 goes as a whole.
    const Config c = configure(leaves(0x2ff), 1100);
    EXPECT_EQ(c.features, 0x1fu);
    EXPECT_EQ(c.size, 1088u);
    EXPECT_LE(configure(leaves(0x2ff), MIN_SIZE).size, MIN_SIZE);
    EXPECT_EQ(configure(leaves(0x2ff), MIN_SIZE).features, FPSSE);
    // A CPU reporting an offset past the maximum for PKRU.
    Leaves odd = leaves(0x207);
    odd.comp[9][1] = MAX_SIZE;
    EXPECT_EQ(configure(odd).features, 0x7u);
}

TEST(Xstate, CpuidDecodesXsaveBit) {
    x86::CpuidLeaves l;
    l.leaf0[0] = 1;
    l.leaf1[2] = 1u << 26;
    EXPECT_TRUE(x86::decode_cpuid(l).xsave);
    l.leaf1[2] = 0;
    EXPECT_FALSE(x86::decode_cpuid(l).xsave);
}

// ---- signal frames

TEST(XstateFrame, SwBytesLayout) {
    static_assert(offsetof(SwBytes, magic1) == 0 && offsetof(SwBytes, extended_size) == 4);
    static_assert(offsetof(SwBytes, xfeatures) == 8 && offsetof(SwBytes, xstate_size) == 16);
    const Config c = configure(leaves(0x7));
    const SwBytes sw64 = sw_bytes(c, false), sw32 = sw_bytes(c, true);
    EXPECT_EQ(sw64.magic1, 0x46505853u);
    EXPECT_EQ(sw64.xstate_size, 832u);
    EXPECT_EQ(sw64.extended_size, 836u); // + magic2
    EXPECT_EQ(sw64.xfeatures, 0x7u);
    EXPECT_EQ(sw32.extended_size, 948u); // + struct fregs_state (112)
    for (uint32_t p : sw64.padding) EXPECT_EQ(p, 0u);
}

TEST(XstateFrame, FpstateSizes) {
    const Config avx = configure(leaves(0x7)), fx = configure(Leaves{});
    EXPECT_EQ(frame_fpstate_size(avx, false), 836u);
    EXPECT_EQ(frame_fpstate_size(avx, true), 948u);
    EXPECT_EQ(frame_fpstate_size(fx, false), 512u); // no magic2 without XSAVE
    EXPECT_EQ(frame_fpstate_size(fx, true), 624u);  // sizeof(struct _fpstate_32)
}

// AT_MINSIGSTKSZ by Linux's init_sigframe_size: 440 + 15 + fpstate (with
// magic2 and the FSAVE header) + 63, rounded up to 16.
TEST(XstateFrame, MinSigstackSizeAsLinux) {
    EXPECT_EQ(min_sigstack_size(configure(Leaves{})), 1152u);      // 440+15+624+63 = 1142
    EXPECT_EQ(min_sigstack_size(configure(leaves(0x7))), 1472u);   // 440+15+948+63 = 1466
    EXPECT_EQ(min_sigstack_size(configure(leaves(0x21f))), 3344u); // 440+15+2812+63 = 3330
    EXPECT_EQ(min_sigstack_size(configure(leaves(0xe7))), 3328u);  // 440+15+2804+63 = 3322
    EXPECT_EQ(min_sigstack_size(configure(leaves(0x21f))) % 16, 0u);
}

TEST(XstateFrame, SwBytesAnnounceXstate) {
    const Config c = configure(leaves(0x7));
    SwBytes sw = sw_bytes(c, false);
    EXPECT_TRUE(sw_bytes_announce_xstate(sw, c));
    SwBytes bad = sw;
    bad.magic1 = 0;
    EXPECT_FALSE(sw_bytes_announce_xstate(bad, c));
    bad = sw;
    bad.xstate_size = 575; // smaller than the legacy area and header
    EXPECT_FALSE(sw_bytes_announce_xstate(bad, c));
    bad = sw;
    bad.xstate_size = 833; // larger than the kernel's area
    EXPECT_FALSE(sw_bytes_announce_xstate(bad, c));
    bad = sw;
    bad.extended_size = 831; // xstate_size above extended_size
    EXPECT_FALSE(sw_bytes_announce_xstate(bad, c));
    bad = sw;
    bad.xstate_size = 576; // smaller areas are fine (their components: initial)
    EXPECT_TRUE(sw_bytes_announce_xstate(bad, c));
    EXPECT_FALSE(sw_bytes_announce_xstate(sw, configure(Leaves{}))); // no XSAVE: never
}

TEST(XstateFrame, HeaderRules) {
    Header h{};
    h.xstate_bv = 0x7;
    EXPECT_TRUE(valid_header(h, 0x7));
    h.xstate_bv = 0;
    EXPECT_TRUE(valid_header(h, 0x7));
    h.xstate_bv = 0xf; // a component the kernel did not enable
    EXPECT_FALSE(valid_header(h, 0x7));
    h.xstate_bv = 0x7;
    h.xcomp_bv = 1ull << 63 | 7; // compacted format
    EXPECT_FALSE(valid_header(h, 0x7));
    h.xcomp_bv = 0;
    for (unsigned i = 0; i < 6; i++) {
        Header r = h;
        r.reserved[i] = 1ull << (i * 9);
        EXPECT_FALSE(valid_header(r, 0x7)) << "reserved[" << i << "]";
    }
    Header corrupt = h; // what Linux's corrupt_xstate_header selftest writes
    corrupt.reserved[0] = 0xfffffff;
    EXPECT_FALSE(valid_header(corrupt, 0x21f));
}

TEST(XstateFrame, Restorable) {
    const Config c = configure(leaves(0x21f));
    EXPECT_EQ(restorable(c, 0x21f, 2696), 0x21fu);
    EXPECT_EQ(restorable(c, 0x7, 2696), 0x7u);      // only what the frame announces
    EXPECT_EQ(restorable(c, 0xffff, 2696), 0x21fu); // never more than the kernel has
    EXPECT_EQ(restorable(c, 0x21f, 832), 0x7u);     // components past the area's end: initial
    EXPECT_EQ(restorable(c, 0x21f, 576), 0x3u);
}

// ---- the documentation

namespace {

using Row = std::tuple<std::string, std::string, unsigned, unsigned>; // XCR0, offered, area, AT_MINSIGSTKSZ

std::map<std::string, Row> rows_matching(const std::string& text, const std::regex& re) {
    std::map<std::string, Row> rows;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (std::regex_search(line, m, re))
            rows[m[1]] = Row{m[2], m[3], unsigned(std::stoul(m[4])), unsigned(std::stoul(m[5]))};
    }
    return rows;
}

} // namespace

TEST(XstateDocs, TableIsTheBootTestsAndFollowsTheRules) {
    const std::filesystem::path root = script_runner::source_dir();
    const std::string doc = script_runner::read_file(root / "docs/writing-programs.md");
    const std::string cases = script_runner::read_file(root / "tests/boot/cases.py");
    // | row | offered | XCR0 | area | AT_MINSIGSTKSZ |
    const auto in_doc =
        rows_matching(doc, std::regex(R"(^\| ([a-z]+-[a-z]+) \| (0x[0-9a-f]+) \| (0x[0-9a-f]+) \| (\d+) \| (\d+) \|)"));
    //     "row": ("XCR0", "offered", area, AT_MINSIGSTKSZ),
    const auto in_cases = rows_matching(
        cases, std::regex(R"re(^\s*"([a-z]+-[a-z]+)": \("(0x[0-9a-f]+)", "(0x[0-9a-f]+)", (\d+), (\d+)\),)re"));
    ASSERT_EQ(in_cases.size(), 4u);
    ASSERT_EQ(in_doc.size(), in_cases.size());
    for (const auto& [row, c] : in_cases) {
        ASSERT_TRUE(in_doc.count(row)) << row;
        const auto& [offered_doc, xcr0_doc, area_doc, min_doc] = in_doc.at(row);
        const auto& [xcr0, offered, area, min] = c;
        EXPECT_EQ(offered_doc, offered) << row;
        EXPECT_EQ(xcr0_doc, xcr0) << row;
        EXPECT_EQ(area_doc, area) << row;
        EXPECT_EQ(min_doc, min) << row;
        // And the kernel's rules give those numbers from what the CPU offers.
        const Config k = configure(leaves(std::stoull(offered, nullptr, 16)));
        EXPECT_EQ(k.features, std::stoull(xcr0, nullptr, 16)) << row;
        EXPECT_EQ(k.size, area) << row;
        EXPECT_EQ(min_sigstack_size(k), min) << row;
    }
    EXPECT_NE(doc.find("FP_XSTATE_MAGIC1 (0x46505853)"), std::string::npos);
    EXPECT_EQ(FP_XSTATE_MAGIC1, 0x46505853u);
}
