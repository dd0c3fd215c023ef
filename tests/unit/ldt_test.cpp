// arch/x86/desc/ldt.h and arch/x86/cpu/io_bitmap.h: modify_ldt's rules
// (Linux 6.1 arch/x86/kernel/ldt.c write_ldt, asm/desc.h fill_ldt and
// LDT_empty), the LDT table's growth and copies, the LDT's GDT descriptor
// (SDM Vol. 3A 3.5, Figure 7-4 with type 2), and the ioperm bitmap in the
// TSS's sense (SDM Vol. 1 19.5.2: bit set = the port faults).
//
// The access-rights values are the ones Linux's selftest ldt_gdt.c
// expects from LAR for the same user_desc (bits 8-23 of the high word).
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "arch/x86/cpu/io_bitmap.h"
#include "arch/x86/desc/descriptors.h"
#include "arch/x86/desc/layout.h"
#include "arch/x86/desc/ldt.h"

namespace {

using namespace x86;
using ldt::UserDesc;

constexpr uint32_t SEG_32BIT = ldt::SEG_32BIT, READ_EXEC_ONLY = ldt::READ_EXEC_ONLY,
                   LIMIT_IN_PAGES = ldt::LIMIT_IN_PAGES, SEG_NOT_PRESENT = ldt::SEG_NOT_PRESENT, USEABLE = ldt::USEABLE,
                   LM = ldt::LM;
constexpr uint32_t contents(unsigned c) {
    return c << 1;
}

// What LAR returns for a descriptor (bits 8-23 of its high dword), bits
// 19:16 (the limit's top) masked as the selftest does.
constexpr uint32_t lar(uint64_t d) {
    return uint32_t(d >> 32) & 0x00f0ff00u;
}
// LAR's bits, as ldt_gdt.c names them.
constexpr uint32_t AR_ACCESSED = 1 << 8, AR_S = 1 << 12, AR_DPL3 = 3 << 13, AR_P = 1 << 15, AR_AVL = 1 << 20,
                   AR_DB = 1 << 22, AR_G = 1 << 23, AR_L = 1 << 21;
constexpr uint32_t AR_TYPE(unsigned t) {
    return t << 9;
}

bool write(const UserDesc& d, bool old_mode, uint64_t& out, bool allow16 = false) {
    return ldt::encode_write(d, old_mode, allow16, out);
}

TEST(Ldt, SelectorsHaveTheTableBit) {
    EXPECT_EQ(ldt::selector(0), 0x7u);
    EXPECT_EQ(ldt::selector(6), 0x37u);
    EXPECT_EQ(ldt::selector(8191), 0xffffu);
    EXPECT_TRUE(ldt::names_ldt(0x37));
    EXPECT_FALSE(ldt::names_ldt(gdt::USER_DS));
    EXPECT_FALSE(ldt::names_ldt(gdt::USER_CS64));
}

// The selftest's do_simple_tests, case by case (new mode, 0x11).
TEST(Ldt, WritesEncodeAsLinuxSelftestExpects) {
    struct Case {
        uint32_t base, limit, flags, ar;
        const char* what;
    } cases[] = {
        {0, 10, SEG_32BIT | contents(2), AR_DPL3 | AR_TYPE(5) | AR_S | AR_P | AR_DB, "code"},
        {0, 10, SEG_32BIT | contents(2) | LIMIT_IN_PAGES, AR_DPL3 | AR_TYPE(5) | AR_S | AR_P | AR_DB | AR_G, "pages"},
        {0xf0000000, 10, SEG_32BIT | contents(2) | LIMIT_IN_PAGES | USEABLE,
         AR_DPL3 | AR_TYPE(5) | AR_S | AR_P | AR_DB | AR_G | AR_AVL, "useable"},
        {0, 10, SEG_32BIT | contents(2) | LIMIT_IN_PAGES | USEABLE | SEG_NOT_PRESENT,
         AR_DPL3 | AR_TYPE(5) | AR_S | AR_DB | AR_G | AR_AVL, "not present"},
        {0, 10, contents(2) | LIMIT_IN_PAGES | USEABLE | SEG_NOT_PRESENT, AR_DPL3 | AR_TYPE(5) | AR_S | AR_G | AR_AVL,
         "16-bit code"},
        {0, 10, SEG_32BIT | LIMIT_IN_PAGES | USEABLE | SEG_NOT_PRESENT,
         AR_DPL3 | AR_TYPE(1) | AR_S | AR_DB | AR_G | AR_AVL, "data"},
        {0, 10, SEG_32BIT | READ_EXEC_ONLY | LIMIT_IN_PAGES | USEABLE | SEG_NOT_PRESENT,
         AR_DPL3 | AR_TYPE(0) | AR_S | AR_DB | AR_G | AR_AVL, "read-only data"},
        {0, 10, SEG_32BIT | contents(1) | READ_EXEC_ONLY | LIMIT_IN_PAGES | USEABLE | SEG_NOT_PRESENT,
         AR_DPL3 | AR_TYPE(2) | AR_S | AR_DB | AR_G | AR_AVL, "expand-down read-only"},
        {0, 10, SEG_32BIT | contents(1) | USEABLE | SEG_NOT_PRESENT, AR_DPL3 | AR_TYPE(3) | AR_S | AR_DB | AR_AVL,
         "expand-down"},
        {0, 10, SEG_32BIT | contents(3) | USEABLE | SEG_NOT_PRESENT, AR_DPL3 | AR_TYPE(7) | AR_S | AR_DB | AR_AVL,
         "conforming, not present"},
        {0, 10, SEG_32BIT | contents(3) | READ_EXEC_ONLY | USEABLE | SEG_NOT_PRESENT,
         AR_DPL3 | AR_TYPE(6) | AR_S | AR_DB | AR_AVL, "conforming execute-only"},
        {0, 10, SEG_32BIT | contents(2) | READ_EXEC_ONLY | USEABLE | SEG_NOT_PRESENT | LM,
         AR_DPL3 | AR_TYPE(4) | AR_S | AR_DB | AR_AVL, "lm is ignored"},
    };
    for (const Case& c : cases) {
        uint64_t d = ~0ull;
        ASSERT_TRUE(write({0, c.base, c.limit, c.flags}, false, d)) << c.what;
        EXPECT_EQ(lar(d) & ~AR_ACCESSED, c.ar) << c.what;
        EXPECT_TRUE(lar(d) & AR_ACCESSED) << c.what << ": fill_ldt sets the accessed bit";
        EXPECT_FALSE(lar(d) & AR_L) << c.what;
        EXPECT_EQ((d & 0xffff) | (d >> 48 & 0xf) << 16, c.limit) << c.what;
        EXPECT_EQ(uint32_t((d >> 16 & 0xffffff) | (d >> 56) << 24), c.base) << c.what;
    }
}

TEST(Ldt, WriteRefusals) {
    uint64_t d = 0;
    EXPECT_TRUE(write({8191, 0, 1, SEG_32BIT}, false, d));
    EXPECT_FALSE(write({8192, 0, 1, SEG_32BIT}, false, d)) << "8192 entries";
    EXPECT_FALSE(write({~0u, 0, 1, SEG_32BIT}, false, d));
    // Conforming code: never in old mode, only not present in the new one.
    EXPECT_FALSE(write({0, 0, 1, SEG_32BIT | contents(3)}, false, d));
    EXPECT_FALSE(write({0, 0, 1, SEG_32BIT | contents(3) | SEG_NOT_PRESENT}, true, d));
    EXPECT_TRUE(write({0, 0, 1, SEG_32BIT | contents(3) | SEG_NOT_PRESENT}, false, d));
    // Checked before "empty": an empty conforming segment is still refused.
    EXPECT_FALSE(write({0, 0, 0, contents(3) | READ_EXEC_ONLY}, false, d));
}

TEST(Ldt, SixteenBitStacksAloneAreRefused) {
    uint64_t d = 0;
    // Writable, present, 16-bit data (grow-up or down): could be loaded into SS.
    EXPECT_FALSE(write({0, 0, 0xffff, 0}, false, d));
    EXPECT_FALSE(write({0, 0, 0xffff, contents(1)}, false, d));
    EXPECT_FALSE(write({0, 0, 0xffff, USEABLE | LIMIT_IN_PAGES}, true, d));
    EXPECT_TRUE(ldt::is_16bit_stack({0, 0, 0xffff, 0}));
    // With a kernel that repairs iretq (espfix), they would be fine.
    EXPECT_TRUE(write({0, 0, 0xffff, 0}, false, d, true));
    EXPECT_EQ(lar(d) & AR_DB, 0u);
    // What SS cannot hold: read-only, not present, code.
    EXPECT_TRUE(write({0, 0, 0xffff, READ_EXEC_ONLY}, false, d));
    EXPECT_TRUE(write({0, 0, 0xffff, SEG_NOT_PRESENT}, false, d));
    EXPECT_TRUE(write({0, 0, 0xffff, contents(2)}, false, d));
    EXPECT_TRUE(write({0, 0, 0xffff, contents(2) | READ_EXEC_ONLY}, false, d));
    EXPECT_EQ(lar(d) & AR_DB, 0u);
    EXPECT_FALSE(ldt::is_16bit_stack({0, 0, 0xffff, SEG_32BIT}));
}

TEST(Ldt, ClearingDescriptors) {
    uint64_t d = ~0ull;
    // LDT_empty: read_exec_only and seg_not_present, all else zero (useable
    // does count; lm does not).
    EXPECT_TRUE(ldt::is_empty({5, 0, 0, READ_EXEC_ONLY | SEG_NOT_PRESENT}));
    EXPECT_TRUE(ldt::is_empty({5, 0, 0, READ_EXEC_ONLY | SEG_NOT_PRESENT | LM}));
    EXPECT_FALSE(ldt::is_empty({5, 0, 0, READ_EXEC_ONLY | SEG_NOT_PRESENT | USEABLE}));
    EXPECT_FALSE(ldt::is_empty({5, 1, 0, READ_EXEC_ONLY | SEG_NOT_PRESENT}));
    EXPECT_FALSE(ldt::is_empty({5, 0, 1, READ_EXEC_ONLY | SEG_NOT_PRESENT}));
    EXPECT_FALSE(ldt::is_empty({5, 0, 0, SEG_32BIT | READ_EXEC_ONLY | SEG_NOT_PRESENT}));
    ASSERT_TRUE(write({5, 0, 0, READ_EXEC_ONLY | SEG_NOT_PRESENT}, false, d));
    EXPECT_EQ(d, 0u);
    // Old mode: base = limit = 0 clears, whatever the flags.
    d = ~0ull;
    ASSERT_TRUE(write({5, 0, 0, SEG_32BIT | contents(2)}, true, d));
    EXPECT_EQ(d, 0u);
    // New mode: all zero is a (16-bit, writable: refused here) segment, not a clear.
    EXPECT_FALSE(write({5, 0, 0, 0}, false, d));
    ASSERT_TRUE(write({5, 0, 0, READ_EXEC_ONLY}, false, d));
    EXPECT_NE(d, 0u);
    // Near misses of "empty" make real segments (the selftest's deletion cases).
    ASSERT_TRUE(write({0, 1, 0, READ_EXEC_ONLY | SEG_NOT_PRESENT}, false, d));
    EXPECT_EQ(lar(d) & ~AR_ACCESSED, AR_DPL3 | AR_TYPE(0) | AR_S);
}

TEST(Ldt, OldModeClearsAvl) {
    uint64_t d = 0;
    ASSERT_TRUE(write({0, 0, 10, SEG_32BIT | USEABLE}, true, d));
    EXPECT_EQ(lar(d) & AR_AVL, 0u);
    ASSERT_TRUE(write({0, 0, 10, SEG_32BIT | USEABLE}, false, d));
    EXPECT_EQ(lar(d) & AR_AVL, AR_AVL);
}

TEST(Ldt, TableGrowsKeepsAndCopies) {
    ldt::Table t;
    uint64_t* retired = reinterpret_cast<uint64_t*>(1);
    EXPECT_EQ(t.count(), 0u);
    EXPECT_EQ(t.read_size(4096), 0u) << "no LDT: a read returns 0";
    ASSERT_TRUE(t.write(3, 0x1111, &retired));
    EXPECT_EQ(retired, nullptr) << "nothing to free the first time";
    EXPECT_EQ(t.count(), 4u);
    EXPECT_EQ(t.entry(3), 0x1111u);
    EXPECT_EQ(t.entry(0), 0u);
    EXPECT_EQ(t.entry(4), 0u);
    const uint64_t* first = t.entries();
    const uint64_t v = t.version();
    ASSERT_TRUE(t.write(511, 0x2222, &retired));
    EXPECT_EQ(retired, nullptr) << "still within the first page of entries";
    EXPECT_EQ(t.entries(), first);
    EXPECT_NE(t.version(), v);
    ASSERT_TRUE(t.write(512, 0x3333, &retired));
    EXPECT_EQ(retired, first) << "grown: the old array is the caller's to free";
    delete[] retired;
    EXPECT_EQ(t.count(), 513u);
    EXPECT_EQ(t.entry(3), 0x1111u);
    EXPECT_EQ(t.entry(511), 0x2222u);
    EXPECT_EQ(t.entry(512), 0x3333u);
    // A lower entry does not shrink it.
    ASSERT_TRUE(t.write(1, 0x4444, &retired));
    EXPECT_EQ(t.count(), 513u);
    EXPECT_FALSE(t.write(8192, 1, &retired));
    ASSERT_TRUE(t.write(8191, 0x5555, &retired));
    delete[] retired;
    EXPECT_EQ(t.count(), 8192u);
    EXPECT_EQ(t.read_size(1u << 20), 65536u) << "capped at the largest LDT";
    EXPECT_EQ(t.read_size(100), 100u);

    ldt::Table c;
    ASSERT_TRUE(c.copy_from(t));
    EXPECT_EQ(c.count(), t.count());
    EXPECT_NE(c.entries(), t.entries());
    for (unsigned i : {1u, 3u, 511u, 512u, 8191u, 100u}) EXPECT_EQ(c.entry(i), t.entry(i)) << i;
    ASSERT_TRUE(c.write(3, 0x9999, &retired));
    EXPECT_EQ(t.entry(3), 0x1111u) << "a copy is independent (fork)";
    ldt::Table empty, e2;
    ASSERT_TRUE(e2.copy_from(empty));
    EXPECT_EQ(e2.count(), 0u);
}

TEST(Ldt, GdtDescriptor) {
    // base ffffc00000012340, limit 0xffff (8192 entries): type 2, P, DPL 0, S = 0.
    //   low  = 00 (base[31:24]) | 0 (flags, limit[19:16]) | 82 | 01 | 2340 | ffff
    const desc::SystemDescriptor d = desc::ldt64(0xffffc00000012340ull, 0xffff);
    EXPECT_EQ(d.low, 0x000082012340ffffull);
    EXPECT_EQ(d.high, 0x00000000ffffc000ull);
    EXPECT_EQ(desc::TYPE_LDT, 2u);
    EXPECT_EQ(gdt::LDT_SELECTOR, 0x50u);
}

// ---------------------------------------------------------------- ioperm's bitmap

TEST(IoBitmap, SetAndClearRanges) {
    auto* b = new IoBitmap;
    b->reset();
    EXPECT_TRUE(b->allows_none());
    EXPECT_FALSE(b->allows(0x80));
    b->set(0x80, 1, true);
    EXPECT_TRUE(b->allows(0x80));
    EXPECT_FALSE(b->allows(0x7f));
    EXPECT_FALSE(b->allows(0x81));
    EXPECT_EQ(b->bits[0x10], 0xfe) << "bit 0 of byte 16: 0 = allowed";
    EXPECT_EQ(b->used_bytes, 17u) << "the prefix the TSS needs";
    // A range across bytes.
    b->set(0x3f8, 16, true);
    for (unsigned p = 0x3f8; p < 0x408; p++) EXPECT_TRUE(b->allows(p)) << p;
    EXPECT_FALSE(b->allows(0x408));
    EXPECT_EQ(b->used_bytes, 0x408u / 8);
    // Taking the highest range away shrinks the prefix again.
    b->set(0x3f8, 16, false);
    EXPECT_EQ(b->used_bytes, 17u);
    b->set(0x80, 1, false);
    EXPECT_TRUE(b->allows_none());
    // The last port, and all of them.
    b->set(0xffff, 1, true);
    EXPECT_TRUE(b->allows(0xffff));
    EXPECT_FALSE(b->allows(0x10000)) << "no port 0x10000";
    EXPECT_EQ(b->used_bytes, IoBitmap::BYTES);
    b->set(0, IoBitmap::PORTS, true);
    for (unsigned i = 0; i < IoBitmap::BYTES; i++) ASSERT_EQ(b->bits[i], 0) << i;
    b->set(0, IoBitmap::PORTS, false);
    EXPECT_TRUE(b->allows_none());
    delete b;
}

TEST(IoBitmap, MatchesAPortByPortModel) {
    auto* b = new IoBitmap;
    b->reset();
    std::vector<bool> model(IoBitmap::PORTS, false);
    uint32_t x = 12345;
    auto next = [&x] { return x = x * 1103515245u + 12345u; };
    for (int round = 0; round < 300; round++) {
        const unsigned from = next() % IoBitmap::PORTS;
        const unsigned num = 1 + next() % (round % 3 == 0 ? 4000 : 40);
        const unsigned n = from + num > IoBitmap::PORTS ? IoBitmap::PORTS - from : num;
        const bool on = next() & 1;
        b->set(from, n, on);
        for (unsigned p = from; p < from + n; p++) model[p] = on;
        unsigned last = 0;
        for (unsigned p = 0; p < IoBitmap::PORTS; p++) {
            ASSERT_EQ(b->allows(p), model[p]) << "round " << round << " port " << p;
            if (model[p]) last = p / 8 + 1;
        }
        ASSERT_EQ(b->used_bytes, last) << round;
    }
    delete b;
}

} // namespace
