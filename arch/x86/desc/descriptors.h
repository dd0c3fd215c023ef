#pragma once
// constexpr encoders for the descriptors the CPU reads from the GDT and IDT.
// Pure: the unit tests check every bit against values worked out by hand
// from the SDM figures cited at each encoder.
#include <stdint.h>

namespace x86::desc {

// Segment selector (SDM Vol. 3A 3.4.2): index << 3 | TI << 2 | RPL.
constexpr uint16_t selector(unsigned gdt_index, unsigned rpl) {
    return uint16_t(gdt_index << 3 | (rpl & 3));
}
constexpr unsigned selector_index(uint16_t sel) {
    return sel >> 3;
}
constexpr unsigned selector_rpl(uint16_t sel) {
    return sel & 3;
}

// Code/data segment descriptor (SDM Vol. 3A 3.4.5, Figure 3-8).
struct Segment {
    uint32_t base = 0;
    uint32_t limit = 0xfffff; // 20 bits; in 4 KiB units when granular
    uint8_t type = 0;         // 4 bits: for code 0xA = execute/read, data 0x2 = read/write; +1 = accessed
    bool code_or_data = true; // S flag: 1 for code/data, 0 for system
    uint8_t dpl = 0;
    bool present = true;
    bool available = false; // AVL: free for software (user_desc's "useable")
    bool long_mode = false; // L: 64-bit code segment
    bool default_32 = true; // D/B: 32-bit segment (must be 0 when L = 1)
    bool granular = true;   // G: limit counts 4 KiB pages
};

// One field per line, in the order of the SDM figure.
// clang-format off
constexpr uint64_t encode(const Segment& s) {
    return (uint64_t(s.limit) & 0xffff)             // limit 15:0      bits 0-15
         | (uint64_t(s.base) & 0xffffff) << 16      // base 23:0       bits 16-39
         | uint64_t(s.type & 0xf) << 40             // type            bits 40-43
         | uint64_t(s.code_or_data) << 44           // S               bit 44
         | uint64_t(s.dpl & 3) << 45                // DPL             bits 45-46
         | uint64_t(s.present) << 47                // P               bit 47
         | (uint64_t(s.limit) >> 16 & 0xf) << 48    // limit 19:16     bits 48-51
         | uint64_t(s.available) << 52              // AVL             bit 52
         | uint64_t(s.long_mode) << 53              // L               bit 53
         | uint64_t(s.default_32) << 54             // D/B             bit 54
         | uint64_t(s.granular) << 55               // G               bit 55
         | (uint64_t(s.base) >> 24 & 0xff) << 56;   // base 31:24      bits 56-63
}
// clang-format on

constexpr uint8_t TYPE_CODE_EXEC_READ_ACCESSED = 0xb;
constexpr uint8_t TYPE_DATA_READ_WRITE_ACCESSED = 0x3;

// A flat 64-bit code segment: base and limit are ignored in 64-bit mode, L=1, D=0.
constexpr uint64_t code64(unsigned dpl) {
    return encode({.type = TYPE_CODE_EXEC_READ_ACCESSED, .dpl = uint8_t(dpl), .long_mode = true, .default_32 = false});
}
// A flat 4 GiB 32-bit code segment for compatibility mode.
constexpr uint64_t code32(unsigned dpl) {
    return encode({.type = TYPE_CODE_EXEC_READ_ACCESSED, .dpl = uint8_t(dpl)});
}
// A flat 4 GiB read/write data segment (also the stack segment).
constexpr uint64_t data(unsigned dpl) {
    return encode({.type = TYPE_DATA_READ_WRITE_ACCESSED, .dpl = uint8_t(dpl)});
}
// The descriptor a program asks for with a struct user_desc
// (set_thread_area, modify_ldt), field for field as Linux's fill_ldt: the
// flags word is seg_32bit, contents (2 bits), read_exec_only,
// limit_in_pages, seg_not_present, useable, lm, from bit 0. DPL 3 and the
// accessed bit always (so a read-only segment never needs writing).
constexpr uint64_t from_user_desc(uint32_t base, uint32_t limit, uint32_t flags) {
    return encode({.base = base,
                   .limit = limit & 0xfffff,
                   .type = uint8_t(((flags >> 3 & 1) ^ 1) << 1 | (flags >> 1 & 3) << 2 | 1),
                   .dpl = 3,
                   .present = !(flags >> 5 & 1),
                   .available = bool(flags >> 6 & 1),
                   .long_mode = bool(flags >> 7 & 1),
                   .default_32 = bool(flags & 1),
                   .granular = bool(flags >> 4 & 1)});
}

// 64-bit TSS descriptor: 16 bytes, two GDT slots (SDM Vol. 3A 7.2.3, Figure 7-4).
struct SystemDescriptor {
    uint64_t low;
    uint64_t high;
};
constexpr uint8_t TYPE_TSS64_AVAILABLE = 0x9;
constexpr SystemDescriptor tss64(uint64_t base, uint32_t limit) {
    return {encode({.base = uint32_t(base),
                    .limit = limit,
                    .type = TYPE_TSS64_AVAILABLE,
                    .code_or_data = false,
                    .default_32 = false,
                    .granular = false}),
            base >> 32};
}

// 64-bit LDT descriptor: the same 16-byte layout as the TSS's, type 2
// (SDM Vol. 3A 3.5, Table 3-2; 7.2.3, Figure 7-4). `limit` is the LDT's
// size in bytes minus one.
constexpr uint8_t TYPE_LDT = 0x2;
constexpr SystemDescriptor ldt64(uint64_t base, uint32_t limit) {
    return {encode({.base = uint32_t(base),
                    .limit = limit,
                    .type = TYPE_LDT,
                    .code_or_data = false,
                    .default_32 = false,
                    .granular = false}),
            base >> 32};
}

// 64-bit IDT gate (SDM Vol. 3A 6.14.1, Figure 6-8).
constexpr uint8_t TYPE_INTERRUPT_GATE = 0xe; // clears IF on entry
constexpr uint8_t TYPE_TRAP_GATE = 0xf;      // leaves IF alone
struct Gate {
    uint64_t low;
    uint64_t high;
};
// clang-format off
constexpr Gate gate(uint64_t offset, uint16_t code_selector, unsigned ist, uint8_t type, unsigned dpl) {
    return {(offset & 0xffff)                      // offset 15:0     bits 0-15
          | uint64_t(code_selector) << 16          // segment selector bits 16-31
          | uint64_t(ist & 7) << 32                // IST             bits 32-34
          | uint64_t(type & 0xf) << 40             // type            bits 40-43
          | uint64_t(dpl & 3) << 45                // DPL             bits 45-46
          | uint64_t(1) << 47                      // P               bit 47
          | (offset >> 16 & 0xffff) << 48,         // offset 31:16    bits 48-63
            offset >> 32};                         // offset 63:32    in the second quadword
}
// clang-format on

// 64-bit Task-State Segment (SDM Vol. 3A 7.7, Figure 7-11).
struct [[gnu::packed]] Tss64 {
    uint32_t reserved0;
    uint64_t rsp[3]; // stacks for a privilege change to ring 0..2
    uint64_t reserved1;
    uint64_t ist[7]; // IST1..IST7: stacks chosen by the gate's IST field
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base; // offset of the I/O permission bitmap; at or beyond the limit: none
};
static_assert(sizeof(Tss64) == 104);
static_assert(__builtin_offsetof(Tss64, rsp) == 4);
static_assert(__builtin_offsetof(Tss64, ist) == 36);
static_assert(__builtin_offsetof(Tss64, iomap_base) == 102);

} // namespace x86::desc
