// arch/x86/desc/descriptors.h and layout.h: the constexpr descriptor
// encoders and the GDT layout the fast system-call gates depend on.
//
// Expected values are worked out by hand from SDM Vol. 3A Figure 3-8 (segment
// descriptor), Figure 7-4 (64-bit TSS descriptor), Figure 6-8 (64-bit IDT
// gate) and Vol. 2B's SYSENTER/SYSEXIT/SYSCALL/SYSRET pseudo-code.
//
// Segment descriptor, 64 bits:
//   0-15 limit[15:0]   16-39 base[23:0]   40-43 type   44 S   45-46 DPL
//   47 P   48-51 limit[19:16]   52 AVL   53 L   54 D/B   55 G   56-63 base[31:24]
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <set>

#include "arch/x86/desc/descriptors.h"
#include "arch/x86/desc/gdt.h"
#include "arch/x86/desc/idt.h"
#include "arch/x86/desc/layout.h"

namespace {

using namespace x86;
using desc::Segment;

constexpr uint64_t bits(uint64_t value, unsigned lo, unsigned hi) {
    return (value >> lo) & ((hi - lo == 63) ? ~0ull : ((1ull << (hi - lo + 1)) - 1));
}

// A segment with every field zero / false.
constexpr Segment zero_segment() {
    return Segment{.base = 0,
                   .limit = 0,
                   .type = 0,
                   .code_or_data = false,
                   .dpl = 0,
                   .present = false,
                   .long_mode = false,
                   .default_32 = false,
                   .granular = false};
}

// ------------------------------------------------------------ flat segments

TEST(Descriptors, FlatSegmentsMatchHandWorkedValues) {
    // Kernel code 64: limit ffff, base 0, access 9b (P, DPL0, S, type b), flags a (G, L), limit f.
    EXPECT_EQ(desc::code64(0), 0x00af9b000000ffffull);
    // Kernel data: access 93 (P, DPL0, S, type 3), flags c (G, D/B).
    EXPECT_EQ(desc::data(0), 0x00cf93000000ffffull);
    // User code 32: access fb (P, DPL3, S, type b), flags c.
    EXPECT_EQ(desc::code32(3), 0x00cffb000000ffffull);
    // User data: access f3.
    EXPECT_EQ(desc::data(3), 0x00cff3000000ffffull);
    // User code 64: access fb, flags a.
    EXPECT_EQ(desc::code64(3), 0x00affb000000ffffull);
    // Kernel code 32 (not installed, but a valid encoding): access 9b, flags c.
    EXPECT_EQ(desc::code32(0), 0x00cf9b000000ffffull);
}

TEST(Descriptors, FlatSegmentsFieldByField) {
    struct Case {
        uint64_t d;
        unsigned type, dpl, l, db;
        const char* what;
    } cases[] = {
        {desc::code64(0), 0xb, 0, 1, 0, "kernel code64"}, {desc::data(0), 0x3, 0, 0, 1, "kernel data"},
        {desc::code32(3), 0xb, 3, 0, 1, "user code32"},   {desc::data(3), 0x3, 3, 0, 1, "user data"},
        {desc::code64(3), 0xb, 3, 1, 0, "user code64"},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(bits(c.d, 0, 15), 0xffffu) << c.what << ": limit[15:0]";
        EXPECT_EQ(bits(c.d, 16, 39), 0u) << c.what << ": base[23:0]";
        EXPECT_EQ(bits(c.d, 40, 43), c.type) << c.what << ": type";
        EXPECT_EQ(bits(c.d, 43, 43), (c.type >> 3) & 1) << c.what << ": code bit";
        EXPECT_EQ(bits(c.d, 40, 40), 1u) << c.what << ": accessed (pre-set, so the CPU never writes the GDT)";
        EXPECT_EQ(bits(c.d, 44, 44), 1u) << c.what << ": S (code/data)";
        EXPECT_EQ(bits(c.d, 45, 46), c.dpl) << c.what << ": DPL";
        EXPECT_EQ(bits(c.d, 47, 47), 1u) << c.what << ": P";
        EXPECT_EQ(bits(c.d, 48, 51), 0xfu) << c.what << ": limit[19:16]";
        EXPECT_EQ(bits(c.d, 52, 52), 0u) << c.what << ": AVL";
        EXPECT_EQ(bits(c.d, 53, 53), c.l) << c.what << ": L";
        EXPECT_EQ(bits(c.d, 54, 54), c.db) << c.what << ": D/B";
        EXPECT_EQ(bits(c.d, 55, 55), 1u) << c.what << ": G";
        EXPECT_EQ(bits(c.d, 56, 63), 0u) << c.what << ": base[31:24]";
        // SDM 5.2.1: L=1 with D=1 is reserved.
        EXPECT_FALSE(bits(c.d, 53, 53) && bits(c.d, 54, 54)) << c.what;
    }
}

// ------------------------------------------------------------ encode()

TEST(Descriptors, EncodeAllZeroIsZero) {
    EXPECT_EQ(desc::encode(zero_segment()), 0u);
}

TEST(Descriptors, EncodeEachFieldAlone) {
    Segment s = zero_segment();
    s.code_or_data = true;
    EXPECT_EQ(desc::encode(s), 1ull << 44);
    s = zero_segment();
    s.present = true;
    EXPECT_EQ(desc::encode(s), 1ull << 47);
    s = zero_segment();
    s.long_mode = true;
    EXPECT_EQ(desc::encode(s), 1ull << 53);
    s = zero_segment();
    s.default_32 = true;
    EXPECT_EQ(desc::encode(s), 1ull << 54);
    s = zero_segment();
    s.granular = true;
    EXPECT_EQ(desc::encode(s), 1ull << 55);
    for (unsigned dpl = 0; dpl < 4; dpl++) {
        s = zero_segment();
        s.dpl = uint8_t(dpl);
        EXPECT_EQ(desc::encode(s), uint64_t(dpl) << 45) << "dpl " << dpl;
    }
    for (unsigned type = 0; type < 16; type++) {
        s = zero_segment();
        s.type = uint8_t(type);
        EXPECT_EQ(desc::encode(s), uint64_t(type) << 40) << "type " << type;
    }
    // Base: bits 0-23 to 16-39, bits 24-31 to 56-63, one bit at a time.
    for (unsigned b = 0; b < 32; b++) {
        s = zero_segment();
        s.base = 1u << b;
        const unsigned where = b < 24 ? 16 + b : 56 + (b - 24);
        EXPECT_EQ(desc::encode(s), 1ull << where) << "base bit " << b;
    }
    // Limit: bits 0-15 to 0-15, bits 16-19 to 48-51.
    for (unsigned b = 0; b < 20; b++) {
        s = zero_segment();
        s.limit = 1u << b;
        const unsigned where = b < 16 ? b : 48 + (b - 16);
        EXPECT_EQ(desc::encode(s), 1ull << where) << "limit bit " << b;
    }
}

TEST(Descriptors, EncodeUnusualValues) {
    // base 12345678, limit abcde, type 5, S, DPL 2, P, D/B, byte granular:
    //   low dword  = base[15:0] << 16 | limit[15:0]                = 5678bcde
    //   high dword = base[31:24] << 24 | D/B (22) | limit[19:16] << 16
    //              | P (15) | DPL 2 (0x4000) | S (12) | type << 8 | base[23:16]
    //              = 12 000000 + 400000 + a0000 + 8000 + 4000 + 1000 + 500 + 34 = 124ad534
    EXPECT_EQ(desc::encode({.base = 0x12345678,
                            .limit = 0xabcde,
                            .type = 0x5,
                            .code_or_data = true,
                            .dpl = 2,
                            .present = true,
                            .long_mode = false,
                            .default_32 = true,
                            .granular = false}),
              0x124ad5345678bcdeull);
    // Everything at its maximum but P and S clear, L set, D clear:
    //   low = ffffffff; high = ff | G 800000 | L 200000 | f0000 | DPL3 6000 | type f00 | ff =
    //   ffaf6fff
    EXPECT_EQ(desc::encode({.base = 0xffffffff,
                            .limit = 0xfffff,
                            .type = 0xf,
                            .code_or_data = false,
                            .dpl = 3,
                            .present = false,
                            .long_mode = true,
                            .default_32 = false,
                            .granular = true}),
              0xffaf6fffffffffffull);
}

TEST(Descriptors, EncodeMasksOutOfRangeFields) {
    // Oversized fields must not spill into their neighbours.
    Segment s = zero_segment();
    s.limit = 0xffffffff; // only 20 bits exist: AVL/L/D/G stay clear
    EXPECT_EQ(desc::encode(s), 0x000f00000000ffffull);
    s = zero_segment();
    s.type = 0xff; // the high nibble would be S and DPL
    EXPECT_EQ(desc::encode(s), 0x00000f0000000000ull);
    s = zero_segment();
    s.dpl = 0xff; // only 2 bits: P stays clear
    EXPECT_EQ(desc::encode(s), 0x0000600000000000ull);
}

TEST(Descriptors, DefaultSegmentIsFlatRing0DataShape) {
    // Segment{} defaults: base 0, limit fffff, type 0, S, DPL 0, P, D/B, G.
    EXPECT_EQ(desc::encode(Segment{}), 0x00cf90000000ffffull);
}

// ------------------------------------------------------------ from_user_desc (set_thread_area, modify_ldt)

// struct user_desc's flags word, bit by bit (arch/x86/include/uapi/asm/ldt.h).
constexpr uint32_t SEG_32BIT = 1, CONTENTS_STACK = 1 << 1, CONTENTS_CODE = 2 << 1, READ_EXEC_ONLY = 1 << 3,
                   LIMIT_IN_PAGES = 1 << 4, SEG_NOT_PRESENT = 1 << 5, USEABLE = 1 << 6, LM = 1 << 7;

TEST(Descriptors, FromUserDescGlibcTls) {
    // glibc's i386 TLS: base b7e00000, limit fffff pages, seg_32bit, useable.
    //   low = 0000ffff; high = b7 | d (G, D, AVL) f | f3 (P, DPL 3, S, type 3) | e0 = b7dff3e0
    EXPECT_EQ(desc::from_user_desc(0xb7e00000, 0xfffff, SEG_32BIT | LIMIT_IN_PAGES | USEABLE), 0xb7dff3e00000ffffull);
}

TEST(Descriptors, FromUserDescFieldByField) {
    // Byte-granular, small limit: G clear; read/write data (type 3).
    //   low = base[15:0] 5678 << 16 | limit 0fff; high = 12 | 4 (D) 0 | f3 | 34
    EXPECT_EQ(desc::from_user_desc(0x12345678, 0xfff, SEG_32BIT), 0x1240f33456780fffull);
    // Not present: P clear, everything else as given.
    EXPECT_EQ(desc::from_user_desc(0, 0, SEG_32BIT | SEG_NOT_PRESENT), 0x0040730000000000ull);
    // read_exec_only: a read-only data segment (type 1: accessed, not writable).
    EXPECT_EQ(bits(desc::from_user_desc(0, 0, SEG_32BIT | READ_EXEC_ONLY), 40, 43), 0x1u);
    // contents 1: an expand-down data segment (type 7 with write).
    EXPECT_EQ(bits(desc::from_user_desc(0, 0, SEG_32BIT | CONTENTS_STACK), 40, 43), 0x7u);
    // contents 2: code, readable unless read_exec_only (types b and 9).
    EXPECT_EQ(bits(desc::from_user_desc(0, 0, SEG_32BIT | CONTENTS_CODE), 40, 43), 0xbu);
    EXPECT_EQ(bits(desc::from_user_desc(0, 0, SEG_32BIT | CONTENTS_CODE | READ_EXEC_ONLY), 40, 43), 0x9u);
    // 16-bit: D clear. lm: L set. useable: AVL set.
    EXPECT_EQ(bits(desc::from_user_desc(0, 0, 0), 54, 54), 0u);
    EXPECT_EQ(bits(desc::from_user_desc(0, 0, LM), 53, 53), 1u);
    EXPECT_EQ(bits(desc::from_user_desc(0, 0, USEABLE), 52, 52), 1u);
    // A full 32-bit base round-trips through both base fields; the limit is 20 bits.
    const uint64_t d = desc::from_user_desc(0xdeadbeef, 0xffffffff, SEG_32BIT | LIMIT_IN_PAGES);
    EXPECT_EQ(bits(d, 16, 39) | bits(d, 56, 63) << 24, 0xdeadbeefu);
    EXPECT_EQ(bits(d, 0, 15) | bits(d, 48, 51) << 16, 0xfffffu);
    EXPECT_EQ(bits(d, 45, 46), 3u); // always user
    EXPECT_EQ(bits(d, 44, 44), 1u); // always code/data
}

// ------------------------------------------------------------ TSS descriptor

TEST(Descriptors, Tss64) {
    // base ffffffff80123450, limit 67 (sizeof(Tss64) - 1):
    //   low  = 80 | 0 (G, D, L, AVL, limit[19:16]) | 89 (P, DPL 0, S=0, type 9) | 12 | 3450 | 0067
    //   high = ffffffff (base[63:32]), bits 32-63 reserved zero
    const desc::SystemDescriptor t = desc::tss64(0xffffffff80123450ull, 0x67);
    EXPECT_EQ(t.low, 0x8000891234500067ull);
    EXPECT_EQ(t.high, 0x00000000ffffffffull);
    EXPECT_EQ(bits(t.low, 40, 43), desc::TYPE_TSS64_AVAILABLE);
    EXPECT_EQ(desc::TYPE_TSS64_AVAILABLE, 9u);
    EXPECT_EQ(bits(t.low, 44, 44), 0u); // system descriptor
    EXPECT_EQ(bits(t.low, 47, 47), 1u);
    EXPECT_EQ(bits(t.low, 52, 55), 0u); // G, D, L, AVL all clear

    // Base bits spread over three places, one at a time.
    for (unsigned b = 0; b < 64; b++) {
        const desc::SystemDescriptor s = desc::tss64(1ull << b, 0);
        const uint64_t type_and_p = 0x89ull << 40;
        if (b < 24) {
            EXPECT_EQ(s.low, type_and_p | 1ull << (16 + b)) << b;
            EXPECT_EQ(s.high, 0u) << b;
        } else if (b < 32) {
            EXPECT_EQ(s.low, type_and_p | 1ull << (56 + b - 24)) << b;
            EXPECT_EQ(s.high, 0u) << b;
        } else {
            EXPECT_EQ(s.low, type_and_p) << b;
            EXPECT_EQ(s.high, 1ull << (b - 32)) << b;
        }
    }
    // Limit above 16 bits goes to 48-51 (byte granular).
    EXPECT_EQ(desc::tss64(0, 0x12345).low, 0x0001890000002345ull);
}

TEST(Descriptors, Tss64Layout) {
    EXPECT_EQ(sizeof(desc::Tss64), 104u);
    EXPECT_EQ(offsetof(desc::Tss64, rsp), 4u);
    EXPECT_EQ(offsetof(desc::Tss64, ist), 36u);
    EXPECT_EQ(offsetof(desc::Tss64, iomap_base), 102u);
}

// ------------------------------------------------------------ IDT gates

TEST(Descriptors, InterruptGateHandWorked) {
    // offset ffffffff80105a30, selector 08, IST 1, interrupt gate, DPL 0:
    //   low = offset[31:16] 8010 | P,DPL0,type e = 8e | IST 01 | selector 0008 | offset[15:0] 5a30
    const desc::Gate g = desc::gate(0xffffffff80105a30ull, 0x08, 1, desc::TYPE_INTERRUPT_GATE, 0);
    EXPECT_EQ(g.low, 0x80108e0100085a30ull);
    EXPECT_EQ(g.high, 0x00000000ffffffffull);
}

TEST(Descriptors, TrapGateForInt80HandWorked) {
    // The classic system-call gate: trap gate (f), DPL 3 -> access byte ef.
    const desc::Gate g = desc::gate(0xffffffff80106000ull, gdt::KERNEL_CS, 0, desc::TYPE_TRAP_GATE, 3);
    EXPECT_EQ(g.low, 0x8010ef0000106000ull);
    EXPECT_EQ(g.high, 0x00000000ffffffffull);
}

TEST(Descriptors, GateFieldByField) {
    EXPECT_EQ(desc::TYPE_INTERRUPT_GATE, 0xeu);
    EXPECT_EQ(desc::TYPE_TRAP_GATE, 0xfu);
    // Offset bits: 0-15 -> 0-15, 16-31 -> 48-63, 32-63 -> high 0-31.
    for (unsigned b = 0; b < 64; b++) {
        const desc::Gate g = desc::gate(1ull << b, 0, 0, 0, 0);
        const uint64_t p = 1ull << 47;
        if (b < 16) {
            EXPECT_EQ(g.low, p | 1ull << b) << b;
            EXPECT_EQ(g.high, 0u) << b;
        } else if (b < 32) {
            EXPECT_EQ(g.low, p | 1ull << (48 + b - 16)) << b;
            EXPECT_EQ(g.high, 0u) << b;
        } else {
            EXPECT_EQ(g.low, p) << b;
            EXPECT_EQ(g.high, 1ull << (b - 32)) << b;
        }
    }
    // Selector: 16-31.
    EXPECT_EQ(desc::gate(0, 0xffff, 0, 0, 0).low, 0x00008000ffff0000ull);
    // IST: 32-34, masked to 3 bits (bits 35-39 stay zero).
    for (unsigned ist = 0; ist < 8; ist++)
        EXPECT_EQ(desc::gate(0, 0, ist, 0, 0).low, 1ull << 47 | uint64_t(ist) << 32) << ist;
    EXPECT_EQ(desc::gate(0, 0, 0xff, 0, 0).low, 1ull << 47 | 7ull << 32);
    // Type: 40-43, masked (bit 44 must stay zero: a gate is a system descriptor).
    EXPECT_EQ(desc::gate(0, 0, 0, 0xff, 0).low, 1ull << 47 | 0xfull << 40);
    // DPL: 45-46, masked.
    for (unsigned dpl = 0; dpl < 4; dpl++)
        EXPECT_EQ(desc::gate(0, 0, 0, 0, dpl).low, 1ull << 47 | uint64_t(dpl) << 45) << dpl;
    EXPECT_EQ(desc::gate(0, 0, 0, 0, 7).low, 1ull << 47 | 3ull << 45);
    // Present is always set; the reserved high dword stays zero for any offset.
    EXPECT_EQ(desc::gate(~0ull, 0xffff, 7, 0xf, 3).high, 0xffffffffull);
    EXPECT_EQ(desc::gate(~0ull, 0xffff, 7, 0xf, 3).low, 0xffffef07ffffffffull);
}

TEST(Descriptors, GatesTheKernelBuilds) {
    // idt.cpp: every vector an interrupt gate on KERNEL_CS; #DF, NMI, #MC and
    // #DB on their IST stacks; int3 and into callable from ring 3; 0x80 a
    // DPL-3 trap gate on the normal stack.
    EXPECT_EQ(gdt::IST_DOUBLE_FAULT, 1u);
    EXPECT_EQ(gdt::IST_NMI, 2u);
    EXPECT_EQ(gdt::IST_MACHINE_CHECK, 3u);
    EXPECT_EQ(gdt::IST_DEBUG, 4u);
    const uint64_t stub = 0xffffffff80104000ull;
    struct Case {
        unsigned vector, ist, type, dpl;
        uint64_t low;
    } cases[] = {
        {idt::DIVIDE_ERROR, 0, desc::TYPE_INTERRUPT_GATE, 0, 0x80108e0000104000ull},
        {idt::DEBUG, gdt::IST_DEBUG, desc::TYPE_INTERRUPT_GATE, 0, 0x80108e0400104000ull},
        {idt::NMI, gdt::IST_NMI, desc::TYPE_INTERRUPT_GATE, 0, 0x80108e0200104000ull},
        {idt::BREAKPOINT, 0, desc::TYPE_INTERRUPT_GATE, 3, 0x8010ee0000104000ull},
        {idt::OVERFLOW, 0, desc::TYPE_INTERRUPT_GATE, 3, 0x8010ee0000104000ull},
        {idt::DOUBLE_FAULT, gdt::IST_DOUBLE_FAULT, desc::TYPE_INTERRUPT_GATE, 0, 0x80108e0100104000ull},
        {idt::MACHINE_CHECK, gdt::IST_MACHINE_CHECK, desc::TYPE_INTERRUPT_GATE, 0, 0x80108e0300104000ull},
        {idt::SYSCALL_INT80, 0, desc::TYPE_TRAP_GATE, 3, 0x8010ef0000104000ull},
    };
    for (const Case& c : cases) {
        const desc::Gate g = desc::gate(stub, gdt::KERNEL_CS, c.ist, uint8_t(c.type), c.dpl);
        EXPECT_EQ(g.low, c.low) << "vector " << c.vector;
        EXPECT_EQ(g.high, 0xffffffffull) << "vector " << c.vector;
    }
}

// ------------------------------------------------------------ selectors

TEST(Descriptors, Selector) {
    EXPECT_EQ(desc::selector(1, 0), 0x08);
    EXPECT_EQ(desc::selector(3, 3), 0x1b);
    EXPECT_EQ(desc::selector(5, 3), 0x2b);
    EXPECT_EQ(desc::selector(9, 3), 0x4b);
    EXPECT_EQ(desc::selector(0, 0), 0x00);
    EXPECT_EQ(desc::selector(3, 7), 0x1b); // RPL masked to 2 bits: the TI bit (GDT) stays 0
    EXPECT_EQ(desc::selector(0x1fff, 3), 0xfffb);
    EXPECT_EQ(desc::selector(4, 3) & 4, 0); // TI = 0: always the GDT
    EXPECT_EQ(desc::selector_index(0x2b), 5u);
    EXPECT_EQ(desc::selector_rpl(0x2b), 3u);
    EXPECT_EQ(desc::selector_index(0x38), 7u);
    EXPECT_EQ(desc::selector_rpl(0x38), 0u);
    for (unsigned i = 0; i < 16; i++)
        for (unsigned r = 0; r < 4; r++) {
            EXPECT_EQ(desc::selector_index(desc::selector(i, r)), i);
            EXPECT_EQ(desc::selector_rpl(desc::selector(i, r)), r);
        }
}

// ------------------------------------------------------------ the GDT layout

TEST(GdtLayout, SelectorValues) {
    // Every selector a program can see is Linux's (arch/x86/include/asm/segment.h):
    // __KERNEL_CS 0x10, __KERNEL_DS 0x18, __USER32_CS 0x23, __USER_DS 0x2b, __USER_CS 0x33.
    EXPECT_EQ(gdt::KERNEL_CS, 0x10);
    EXPECT_EQ(gdt::KERNEL_SS, 0x18);
    EXPECT_EQ(gdt::USER_CS32, 0x23);
    EXPECT_EQ(gdt::USER_DS, 0x2b);
    EXPECT_EQ(gdt::USER_CS64, 0x33);
    EXPECT_EQ(gdt::USER_SS_SYSEXITQ, 0x3b);
    EXPECT_EQ(gdt::TSS_SELECTOR, 0x40);
    EXPECT_EQ(gdt::SYSENTER_CS_VALUE, 0x10);
    EXPECT_EQ(desc::selector(gdt::LDT, 0), 0x50);
    // i386 TLS selectors with RPL 3, as set_thread_area's entry_number 12..14 gives them (Linux's
    // GDT_ENTRY_TLS_MIN is 12 on x86_64).
    EXPECT_EQ(desc::selector(gdt::TLS_FIRST, 3), 0x63);
    EXPECT_EQ(desc::selector(gdt::TLS_FIRST + 2, 3), 0x73);
    EXPECT_EQ(gdt::ENTRY_COUNT, 16u);
}

TEST(GdtLayout, StarValue) {
    // STAR[63:48] = 0x20 (user code32, RPL bits clear), STAR[47:32] = 0x10, STAR[31:0] unused:
    // Linux's MSR_STAR value too.
    EXPECT_EQ(gdt::STAR_VALUE, 0x0020001000000000ull);
}

TEST(GdtLayout, SysenterSysexitArithmetic) {
    // SDM Vol. 2B SYSENTER: SS = IA32_SYSENTER_CS + 8.
    EXPECT_EQ(gdt::sysenter_ss(0x08), 0x10);
    EXPECT_EQ(gdt::sysenter_ss(0x40), 0x48);
    // SYSEXIT (32-bit): CS = MSR + 16, SS = MSR + 24, both OR 3.
    EXPECT_EQ(gdt::sysexit_cs(0x08), 0x1b);
    EXPECT_EQ(gdt::sysexit_ss(0x08), 0x23);
    // SYSEXIT with REX.W: CS = MSR + 32, SS = MSR + 40, both OR 3.
    EXPECT_EQ(gdt::sysexitq_cs(0x08), 0x2b);
    EXPECT_EQ(gdt::sysexitq_ss(0x08), 0x33);
    // RPL forced to 3 whatever the MSR's low bits.
    EXPECT_EQ(gdt::sysexit_cs(0x0b), 0x1b);
    EXPECT_EQ(gdt::sysexit_cs(0x09), 0x1b);
    EXPECT_EQ(gdt::sysexitq_ss(0x0a), 0x33);
    EXPECT_EQ(gdt::sysexit_cs(0x60), 0x73);
    EXPECT_EQ(gdt::sysexitq_cs(0x60), 0x83);
    // 16-bit wrap-around, as the CPU's 16-bit selector arithmetic.
    EXPECT_EQ(gdt::sysexitq_ss(0xfff0), 0x001b);
}

TEST(GdtLayout, SyscallSysretArithmetic) {
    // SYSCALL: CS = STAR[47:32] AND fffc, SS = STAR[47:32] + 8.
    EXPECT_EQ(gdt::syscall_cs(0x0000000800000000ull), 0x08);
    EXPECT_EQ(gdt::syscall_cs(0x0000000b00000000ull), 0x08); // RPL forced to 0
    EXPECT_EQ(gdt::syscall_ss(0x0000000800000000ull), 0x10);
    EXPECT_EQ(gdt::syscall_ss(0x0000001000000000ull), 0x18);
    EXPECT_EQ(gdt::syscall_ss(0x0000000b00000000ull),
              0x13);                                         // SS is not masked: STAR[47:32] + 8 as is
    EXPECT_EQ(gdt::syscall_cs(0xffff0010ffffffffull), 0x10); // STAR[63:48] and [31:0] do not leak
    EXPECT_EQ(gdt::syscall_ss(0xffff0010ffffffffull), 0x18);
    // SYSRET: CS = STAR[63:48] OR 3 (32-bit) or STAR[63:48] + 16 OR 3 (64-bit); SS = STAR[63:48] +
    // 8 OR 3.
    EXPECT_EQ(gdt::sysretl_cs(0x0018000000000000ull), 0x1b);
    EXPECT_EQ(gdt::sysretl_cs(0x001b000000000000ull), 0x1b);
    EXPECT_EQ(gdt::sysret_ss(0x0018000000000000ull), 0x23);
    EXPECT_EQ(gdt::sysretq_cs(0x0018000000000000ull), 0x2b);
    EXPECT_EQ(gdt::sysretq_cs(0x001b000000000000ull), 0x2b);
    // Linux's layout puts STAR[63:48] = 0x23 (USER32_CS): sysretq CS = 0x33, SS = 0x2b.
    EXPECT_EQ(gdt::sysretq_cs(0x0023001000000000ull), 0x33);
    EXPECT_EQ(gdt::sysret_ss(0x0023001000000000ull), 0x2b);
    EXPECT_EQ(gdt::sysretl_cs(0x0023001000000000ull), 0x23);
    EXPECT_EQ(gdt::sysretl_cs(0x00000000ffffffffull), 0x03); // the low half does not leak
}

TEST(GdtLayout, GatesLandOnTheRightSelectors) {
    EXPECT_EQ(gdt::sysenter_ss(gdt::SYSENTER_CS_VALUE), gdt::KERNEL_SS);
    EXPECT_EQ(gdt::sysexit_cs(gdt::SYSENTER_CS_VALUE), gdt::USER_CS32);
    EXPECT_EQ(gdt::sysexit_ss(gdt::SYSENTER_CS_VALUE), gdt::USER_DS);
    EXPECT_EQ(gdt::sysexitq_cs(gdt::SYSENTER_CS_VALUE), gdt::USER_CS64);
    EXPECT_EQ(gdt::sysexitq_ss(gdt::SYSENTER_CS_VALUE), gdt::USER_SS_SYSEXITQ);
    EXPECT_EQ(gdt::syscall_cs(gdt::STAR_VALUE), gdt::KERNEL_CS);
    EXPECT_EQ(gdt::syscall_ss(gdt::STAR_VALUE), gdt::KERNEL_SS);
    EXPECT_EQ(gdt::sysretl_cs(gdt::STAR_VALUE), gdt::USER_CS32);
    EXPECT_EQ(gdt::sysret_ss(gdt::STAR_VALUE), gdt::USER_DS);
    EXPECT_EQ(gdt::sysretq_cs(gdt::STAR_VALUE), gdt::USER_CS64);
}

TEST(GdtLayout, EveryFixedDescriptor) {
    EXPECT_EQ(gdt::fixed_descriptor(gdt::NULL_INDEX), 0u);
    EXPECT_EQ(gdt::fixed_descriptor(gdt::Index(1)), 0u); // Linux's 32-bit kernel code slot: unused
    EXPECT_EQ(gdt::fixed_descriptor(gdt::KERNEL_CODE), 0x00af9b000000ffffull);
    EXPECT_EQ(gdt::fixed_descriptor(gdt::KERNEL_DATA), 0x00cf93000000ffffull);
    EXPECT_EQ(gdt::fixed_descriptor(gdt::USER_CODE32), 0x00cffb000000ffffull);
    EXPECT_EQ(gdt::fixed_descriptor(gdt::USER_DATA), 0x00cff3000000ffffull);
    EXPECT_EQ(gdt::fixed_descriptor(gdt::USER_CODE64), 0x00affb000000ffffull);
    EXPECT_EQ(gdt::fixed_descriptor(gdt::USER_DATA_SYSEXITQ), 0x00cff3000000ffffull);
    // The TSS's two slots and the TLS slots are filled later (gdt.cpp, the scheduler):
    // until then they are null descriptors, which fault if loaded.
    EXPECT_EQ(gdt::fixed_descriptor(gdt::TSS), 0u);
    EXPECT_EQ(gdt::fixed_descriptor(gdt::Index(gdt::TSS + 1)), 0u);
    EXPECT_EQ(gdt::fixed_descriptor(gdt::LDT), 0u);
    EXPECT_EQ(gdt::fixed_descriptor(gdt::Index(gdt::LDT + 1)), 0u);
    for (unsigned i = gdt::TLS_FIRST; i < gdt::ENTRY_COUNT; i++)
        EXPECT_EQ(gdt::fixed_descriptor(gdt::Index(i)), 0u) << i;
    EXPECT_EQ(gdt::fixed_descriptor(gdt::Index(gdt::ENTRY_COUNT)), 0u);
    EXPECT_EQ(gdt::fixed_descriptor(gdt::Index(1000)), 0u);
}

TEST(GdtLayout, SelectorRplMatchesDescriptorDpl) {
    const uint16_t selectors[] = {gdt::KERNEL_CS, gdt::KERNEL_SS, gdt::USER_CS32,
                                  gdt::USER_DS,   gdt::USER_CS64, gdt::USER_SS_SYSEXITQ};
    for (uint16_t sel : selectors) {
        const uint64_t d = gdt::fixed_descriptor(gdt::Index(desc::selector_index(sel)));
        EXPECT_EQ(bits(d, 45, 46), desc::selector_rpl(sel)) << std::hex << sel;
        EXPECT_EQ(bits(d, 47, 47), 1u) << std::hex << sel;
    }
    // The selectors point at the right kinds of segment.
    auto is_code64 = [](uint16_t s) {
        const uint64_t d = gdt::fixed_descriptor(gdt::Index(desc::selector_index(s)));
        return bits(d, 43, 43) == 1 && bits(d, 53, 53) == 1 && bits(d, 54, 54) == 0;
    };
    auto is_code32 = [](uint16_t s) {
        const uint64_t d = gdt::fixed_descriptor(gdt::Index(desc::selector_index(s)));
        return bits(d, 43, 43) == 1 && bits(d, 53, 53) == 0 && bits(d, 54, 54) == 1;
    };
    auto is_writable_data = [](uint16_t s) {
        const uint64_t d = gdt::fixed_descriptor(gdt::Index(desc::selector_index(s)));
        return bits(d, 43, 43) == 0 && bits(d, 41, 41) == 1 && bits(d, 44, 44) == 1;
    };
    EXPECT_TRUE(is_code64(gdt::KERNEL_CS));
    EXPECT_TRUE(is_writable_data(gdt::KERNEL_SS));
    EXPECT_TRUE(is_code32(gdt::USER_CS32));
    EXPECT_TRUE(is_writable_data(gdt::USER_DS));
    EXPECT_TRUE(is_code64(gdt::USER_CS64));
    EXPECT_TRUE(is_writable_data(gdt::USER_SS_SYSEXITQ));
    EXPECT_EQ(gdt::fixed_descriptor(gdt::USER_DATA), gdt::fixed_descriptor(gdt::USER_DATA_SYSEXITQ));
}

TEST(GdtLayout, SlotsDoNotOverlap) {
    // Linux's order: the 16-byte TSS right after the fixed descriptors, then the
    // 16-byte LDT, then the TLS slots, then one unused slot (Linux's CPU number entry).
    EXPECT_EQ(unsigned(gdt::TSS), unsigned(gdt::USER_DATA_SYSEXITQ) + 1);
    EXPECT_EQ(gdt::LDT, gdt::TSS + 2);
    EXPECT_EQ(gdt::TLS_FIRST, gdt::LDT + 2);
    EXPECT_EQ(gdt::ENTRY_COUNT, gdt::TLS_FIRST + gdt::TLS_COUNT + 1);
    EXPECT_EQ(gdt::TLS_COUNT, 3u); // GDT_ENTRY_TLS_ENTRIES on Linux
    std::set<unsigned> used;
    for (unsigned i : {unsigned(gdt::NULL_INDEX), 1u, unsigned(gdt::KERNEL_CODE), unsigned(gdt::KERNEL_DATA),
                       unsigned(gdt::USER_CODE32), unsigned(gdt::USER_DATA), unsigned(gdt::USER_CODE64),
                       unsigned(gdt::USER_DATA_SYSEXITQ), unsigned(gdt::TSS), unsigned(gdt::TSS) + 1,
                       unsigned(gdt::LDT), unsigned(gdt::LDT) + 1})
        EXPECT_TRUE(used.insert(i).second) << "slot " << i << " used twice";
    for (unsigned i = gdt::TLS_FIRST; i < gdt::TLS_FIRST + gdt::TLS_COUNT; i++)
        EXPECT_TRUE(used.insert(i).second) << "TLS slot " << i << " overlaps";
    EXPECT_TRUE(used.insert(gdt::ENTRY_COUNT - 1).second);
    EXPECT_EQ(used.size(), size_t(gdt::ENTRY_COUNT));
    EXPECT_EQ(*used.rbegin(), unsigned(gdt::ENTRY_COUNT) - 1);
}

TEST(GdtLayout, TssDescriptorTheKernelInstalls) {
    // gdt.cpp: tss64(&tss, sizeof(tss) - 1) in slots 8-9; limit 103 = 0x67.
    const uint64_t tss_address = 0xffffffff80345680ull;
    const desc::SystemDescriptor t = desc::tss64(tss_address, sizeof(desc::Tss64) - 1);
    EXPECT_EQ(t.low, 0x8000893456800067ull);
    EXPECT_EQ(t.high, 0xffffffffull);
}

// ------------------------------------------------------------ a wrong layout is caught

// The fixed descriptors, by what they are.
enum Kind { KCODE, KDATA, UCODE32, UDATA, UCODE64, UDATA2, KIND_COUNT };

uint64_t descriptor_of(Kind k) {
    switch (k) {
    case KCODE:
        return desc::code64(0);
    case KDATA:
        return desc::data(0);
    case UCODE32:
        return desc::code32(3);
    case UDATA:
    case UDATA2:
        return desc::data(3);
    case UCODE64:
        return desc::code64(3);
    default:
        return 0;
    }
}

// Checks every gate's selector arithmetic against a GDT (slots 0 and 1
// null, slots 2..7 as given), with SYSENTER_CS and STAR derived from where
// the kernel and user code segments are.
using Table = std::array<uint64_t, 9>;
bool gates_work(const Table& table, uint16_t sysenter_cs, uint64_t star) {
    auto at = [&](uint16_t sel) -> uint64_t {
        const unsigned i = desc::selector_index(sel);
        return i < table.size() ? table[i] : 0;
    };
    auto dpl_matches = [&](uint16_t sel) {
        return bits(at(sel), 45, 46) == desc::selector_rpl(sel) && bits(at(sel), 47, 47) == 1;
    };
    const uint16_t sysenter_cs_loaded = sysenter_cs & 0xfffc;
    return at(sysenter_cs_loaded) == desc::code64(0) && at(gdt::sysenter_ss(sysenter_cs)) == desc::data(0) &&
           at(gdt::sysexit_cs(sysenter_cs)) == desc::code32(3) && dpl_matches(gdt::sysexit_cs(sysenter_cs)) &&
           at(gdt::sysexit_ss(sysenter_cs)) == desc::data(3) && at(gdt::sysexitq_cs(sysenter_cs)) == desc::code64(3) &&
           at(gdt::sysexitq_ss(sysenter_cs)) == desc::data(3) && at(gdt::syscall_cs(star)) == desc::code64(0) &&
           at(gdt::syscall_ss(star)) == desc::data(0) && at(gdt::sysretl_cs(star)) == desc::code32(3) &&
           at(gdt::sysret_ss(star)) == desc::data(3) && at(gdt::sysretq_cs(star)) == desc::code64(3);
}

Table sysgate_table() {
    Table table{};
    for (unsigned i = 0; i <= gdt::USER_DATA_SYSEXITQ; i++) table[i] = gdt::fixed_descriptor(gdt::Index(i));
    return table;
}

TEST(GdtLayout, SysgateTablePassesTheGateCheck) {
    EXPECT_TRUE(gates_work(sysgate_table(), gdt::SYSENTER_CS_VALUE, gdt::STAR_VALUE));
}

TEST(GdtLayout, WrongOrdersBreakTheGates) {
    // Linux's own GDT has no descriptor after the 64-bit user code (it never
    // uses sysexitq): sysexitq's SS (MSR + 40) lands on an empty slot.
    Table linux_gdt{0, 0, desc::code64(0), desc::data(0), desc::code32(3), desc::data(3), desc::code64(3), 0, 0};
    EXPECT_FALSE(gates_work(linux_gdt, 0x10, gdt::STAR_VALUE));
    EXPECT_NE(linux_gdt[desc::selector_index(gdt::sysexitq_ss(0x10))], desc::data(3));

    // The 64-bit user code before the 32-bit one: sysexit would return 32-bit
    // programs into a 64-bit code segment.
    Table swapped{0, 0, desc::code64(0), desc::data(0), desc::code64(3), desc::data(3), desc::code32(3), desc::data(3),
                  0};
    EXPECT_FALSE(gates_work(swapped, 0x10, gdt::STAR_VALUE));
    EXPECT_EQ(swapped[desc::selector_index(gdt::sysexit_cs(0x10))], desc::code64(3));

    // Kernel data before kernel code: SYSENTER_CS = 0x18 gives SS = 0x20, a user segment.
    Table data_first{
        0, 0, desc::data(0), desc::code64(0), desc::code32(3), desc::data(3), desc::code64(3), desc::data(3), 0};
    EXPECT_FALSE(gates_work(data_first, 0x18, 0x0020001800000000ull));
    EXPECT_EQ(data_first[desc::selector_index(gdt::sysenter_ss(0x18))], desc::code32(3));

    // The right table but a wrong MSR value (off by one slot) also fails.
    const Table good = sysgate_table();
    EXPECT_FALSE(gates_work(good, 0x18, gdt::STAR_VALUE));
    EXPECT_FALSE(gates_work(good, 0x10, 0x0028001000000000ull)); // STAR[63:48] at user data
    EXPECT_FALSE(gates_work(good, 0x10, 0x0020001800000000ull)); // STAR[47:32] at kernel data
}

TEST(GdtLayout, SysgateOrderIsTheOnlyOneThatWorks) {
    // Every arrangement of the six fixed descriptors in slots 2..7, with
    // SYSENTER_CS and STAR taken from where the kernel code and user code32
    // landed: only Sysgate's (up to swapping its two identical user data
    // descriptors) satisfies all four gates at once.
    std::array<int, KIND_COUNT> order{KCODE, KDATA, UCODE32, UDATA, UCODE64, UDATA2};
    std::sort(order.begin(), order.end());
    std::set<Table> working;
    size_t tried = 0;
    do {
        Table table{};
        unsigned kcode = 0, ucode32 = 0;
        for (unsigned slot = 0; slot < KIND_COUNT; slot++) {
            table[slot + 2] = descriptor_of(Kind(order[slot]));
            if (order[slot] == KCODE) kcode = slot + 2;
            if (order[slot] == UCODE32) ucode32 = slot + 2;
        }
        const uint16_t sysenter_cs = desc::selector(kcode, 0);
        const uint64_t star = uint64_t(desc::selector(ucode32, 0)) << 48 | uint64_t(sysenter_cs) << 32;
        if (gates_work(table, sysenter_cs, star)) working.insert(table);
        tried++;
    } while (std::next_permutation(order.begin(), order.end()));
    EXPECT_EQ(tried, 720u);
    ASSERT_EQ(working.size(), 1u);
    EXPECT_EQ(*working.begin(), sysgate_table());
}

// Compile-time checks are part of the contract too.
static_assert(desc::code64(0) == 0x00af9b000000ffffull);
static_assert(desc::data(3) == 0x00cff3000000ffffull);
static_assert(gdt::sysexitq_ss(gdt::SYSENTER_CS_VALUE) == gdt::USER_SS_SYSEXITQ);

} // namespace
