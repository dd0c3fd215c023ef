// arch/x86/boot/multiboot.h: parse() on a multiboot information structure
// built by hand in a host buffer, with the byte offsets of the Multiboot
// Specification 0.6.96, section 3.3:
//
//   0 flags  4 mem_lower  8 mem_upper  12 boot_device  16 cmdline
//   20 mods_count  24 mods_addr  28-43 syms  44 mmap_length  48 mmap_addr
//   52 drives_length  56 drives_addr  60 config_table  64 boot_loader_name
//
// mmap entries: size (u32, of the rest), base_addr (u64), length (u64), type (u32);
// the next entry starts at entry + size + 4.
// module entries: mod_start, mod_end, string, reserved (u32 each).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "arch/x86/boot/multiboot.h"

namespace {

using x86::multiboot::BootInfo;
using x86::multiboot::parse;

// Fake physical memory: [PHYS_BASE, PHYS_BASE + size) maps to the buffer.
constexpr uint64_t PHYS_BASE = 0x9000;
std::vector<unsigned char>* g_memory = nullptr;

const void* phys(uint64_t addr) {
    if (!g_memory || addr < PHYS_BASE || addr >= PHYS_BASE + g_memory->size())
        throw std::out_of_range("parse read outside the fake memory: " + std::to_string(addr));
    return g_memory->data() + (addr - PHYS_BASE);
}

class Multiboot : public ::testing::Test {
  protected:
    void SetUp() override {
        memory.assign(64 * 1024, 0xee); // garbage everywhere not written
        g_memory = &memory;
        for (int i = 0; i < 128; i++) memory[i] = 0; // the info structure itself
    }
    void TearDown() override { g_memory = nullptr; }

    void put32(uint64_t addr, uint32_t v) { std::memcpy(&memory[addr - PHYS_BASE], &v, 4); }
    void put64(uint64_t addr, uint64_t v) { std::memcpy(&memory[addr - PHYS_BASE], &v, 8); }
    uint64_t put_string(uint64_t addr, const char* s) {
        std::memcpy(&memory[addr - PHYS_BASE], s, std::strlen(s) + 1);
        return addr;
    }
    // One memory-map entry at `at` with the given size field; returns the next entry's address.
    uint64_t put_region(uint64_t at, uint32_t size_field, uint64_t base, uint64_t length, uint32_t type) {
        put32(at, size_field);
        put64(at + 4, base);
        put64(at + 12, length);
        put32(at + 20, type);
        if (size_field > 20) put32(at + 24, 1); // ACPI 3.0 extended attributes: enabled
        return at + size_field + 4;
    }
    BootInfo run() { return parse(INFO, phys); }

    static constexpr uint64_t INFO = PHYS_BASE; // the info structure
    static constexpr uint64_t MMAP = PHYS_BASE + 0x1000;
    static constexpr uint64_t MODS = PHYS_BASE + 0x3000;
    static constexpr uint64_t STRINGS = PHYS_BASE + 0x4000;
    std::vector<unsigned char> memory;
};

constexpr uint32_t MEM = 1 << 0, CMDLINE = 1 << 2, MODS_FLAG = 1 << 3, MMAP_FLAG = 1 << 6, LOADER = 1 << 9;

TEST_F(Multiboot, MagicValue) {
    EXPECT_EQ(x86::multiboot::LOADER_MAGIC, 0x2BADB002u);
}

TEST_F(Multiboot, NoFlagsGivesDefaults) {
    put32(INFO + 16, uint32_t(STRINGS)); // present but not flagged: ignored
    put32(INFO + 20, 3);
    const BootInfo b = run();
    EXPECT_STREQ(b.cmdline, "");
    EXPECT_STREQ(b.loader_name, "");
    EXPECT_EQ(b.region_count, 0u);
    EXPECT_EQ(b.module_count, 0u);
    EXPECT_FALSE(b.has_memory_map);
    EXPECT_EQ(b.info_start, INFO);
    EXPECT_GE(b.info_end, INFO + 68); // at least every field parse reads
}

TEST_F(Multiboot, CommandLineAndLoaderName) {
    put32(INFO + 0, CMDLINE | LOADER);
    put32(INFO + 16, uint32_t(put_string(STRINGS, "/boot/sysgate.elf strace=1 init=/bin/sh")));
    put32(INFO + 64, uint32_t(put_string(STRINGS + 0x100, "GRUB 2.06")));
    const BootInfo b = run();
    EXPECT_STREQ(b.cmdline, "/boot/sysgate.elf strace=1 init=/bin/sh");
    EXPECT_STREQ(b.loader_name, "GRUB 2.06");
    // The strings are read in place (pointers into "physical" memory).
    EXPECT_EQ(static_cast<const void*>(b.cmdline), phys(STRINGS));
}

TEST_F(Multiboot, FlagsAreCheckedOneByOne) {
    put32(INFO + 16, uint32_t(put_string(STRINGS, "cmd")));
    put32(INFO + 64, uint32_t(put_string(STRINGS + 0x100, "loader")));
    put32(INFO + 0, CMDLINE);
    EXPECT_STREQ(run().cmdline, "cmd");
    EXPECT_STREQ(run().loader_name, "");
    put32(INFO + 0, LOADER);
    EXPECT_STREQ(run().cmdline, "");
    EXPECT_STREQ(run().loader_name, "loader");
    // Neighbouring bits do not count.
    put32(INFO + 0, (1 << 1) | (1 << 8) | (1 << 10));
    EXPECT_STREQ(run().cmdline, "");
    EXPECT_STREQ(run().loader_name, "");
}

TEST_F(Multiboot, MemoryMapWithTwentyByteEntries) {
    // What QEMU and GRUB give a 128 MiB machine.
    uint64_t p = MMAP;
    p = put_region(p, 20, 0x0, 0x9fc00, 1);
    p = put_region(p, 20, 0x9fc00, 0x400, 2);
    p = put_region(p, 20, 0xf0000, 0x10000, 2);
    p = put_region(p, 20, 0x100000, 0x7ee0000, 1);
    p = put_region(p, 20, 0x7fe0000, 0x20000, 2);
    p = put_region(p, 20, 0xfffc0000, 0x40000, 2);
    p = put_region(p, 20, 0x100000000ull, 0x40000000ull, 1); // above 4 GiB: 64-bit fields
    put32(INFO + 0, MMAP_FLAG | MEM);
    put32(INFO + 4, 639); // mem_lower, ignored when there is a map
    put32(INFO + 8, 130048);
    put32(INFO + 44, uint32_t(p - MMAP));
    put32(INFO + 48, uint32_t(MMAP));
    const BootInfo b = run();
    EXPECT_TRUE(b.has_memory_map);
    ASSERT_EQ(b.region_count, 7u);
    EXPECT_EQ(b.regions[0].start, 0u);
    EXPECT_EQ(b.regions[0].length, 0x9fc00u);
    EXPECT_EQ(b.regions[0].type, 1u);
    EXPECT_EQ(b.regions[1].start, 0x9fc00u);
    EXPECT_EQ(b.regions[1].type, 2u);
    EXPECT_EQ(b.regions[3].start, 0x100000u);
    EXPECT_EQ(b.regions[3].length, 0x7ee0000u);
    EXPECT_EQ(b.regions[5].start, 0xfffc0000u);
    EXPECT_EQ(b.regions[6].start, 0x100000000ull);
    EXPECT_EQ(b.regions[6].length, 0x40000000ull);
    EXPECT_EQ(b.regions[6].type, 1u);
}

TEST_F(Multiboot, MemoryMapWithTwentyFourByteEntries) {
    // ACPI 3.0 entries carry extended attributes: the size field says 24 and
    // the next entry starts 28 bytes later.
    uint64_t p = MMAP;
    p = put_region(p, 24, 0x0, 0x9f000, 1);
    p = put_region(p, 24, 0x100000, 0x3ff00000, 1);
    p = put_region(p, 24, 0x40000000, 0x1000, 3);
    put32(INFO + 0, MMAP_FLAG);
    put32(INFO + 44, uint32_t(p - MMAP));
    put32(INFO + 48, uint32_t(MMAP));
    EXPECT_EQ(p - MMAP, 3u * 28);
    const BootInfo b = run();
    ASSERT_EQ(b.region_count, 3u);
    EXPECT_EQ(b.regions[1].start, 0x100000u);
    EXPECT_EQ(b.regions[1].length, 0x3ff00000u);
    EXPECT_EQ(b.regions[2].start, 0x40000000u);
    EXPECT_EQ(b.regions[2].type, 3u);
}

TEST_F(Multiboot, MemoryMapWithMixedEntrySizes) {
    uint64_t p = MMAP;
    p = put_region(p, 20, 0x1000, 0x2000, 1);
    p = put_region(p, 24, 0x3000, 0x4000, 4);
    p = put_region(p, 20, 0x5000, 0x6000, 5);
    put32(INFO + 0, MMAP_FLAG);
    put32(INFO + 44, uint32_t(p - MMAP));
    put32(INFO + 48, uint32_t(MMAP));
    const BootInfo b = run();
    ASSERT_EQ(b.region_count, 3u);
    EXPECT_EQ(b.regions[0].start, 0x1000u);
    EXPECT_EQ(b.regions[1].start, 0x3000u);
    EXPECT_EQ(b.regions[1].type, 4u);
    EXPECT_EQ(b.regions[2].start, 0x5000u);
    EXPECT_EQ(b.regions[2].length, 0x6000u);
    EXPECT_EQ(b.regions[2].type, 5u);
}

TEST_F(Multiboot, MemoryMapLengthBoundsTheEntries) {
    uint64_t p = MMAP;
    p = put_region(p, 20, 0x1000, 0x1000, 1);
    p = put_region(p, 20, 0x2000, 0x1000, 1);
    put_region(p, 20, 0x3000, 0x1000, 1); // beyond mmap_length: not read
    put32(INFO + 0, MMAP_FLAG);
    put32(INFO + 48, uint32_t(MMAP));
    put32(INFO + 44, 48);
    EXPECT_EQ(run().region_count, 2u);
    put32(INFO + 44, 48 + 23); // a partial trailing entry is ignored
    EXPECT_EQ(run().region_count, 2u);
    put32(INFO + 44, 48 + 24);
    EXPECT_EQ(run().region_count, 3u);
    put32(INFO + 44, 0);
    const BootInfo empty = run();
    EXPECT_EQ(empty.region_count, 0u);
    EXPECT_TRUE(empty.has_memory_map);
}

TEST_F(Multiboot, MemoryMapTruncatedAtMaxRegions) {
    const size_t n = BootInfo::MAX_REGIONS + 6;
    uint64_t p = MMAP;
    for (size_t i = 0; i < n; i++) p = put_region(p, 20, i * 0x10000, 0x10000, 1 + uint32_t(i % 5));
    put32(INFO + 0, MMAP_FLAG);
    put32(INFO + 44, uint32_t(p - MMAP));
    put32(INFO + 48, uint32_t(MMAP));
    const BootInfo b = run();
    ASSERT_EQ(b.region_count, BootInfo::MAX_REGIONS);
    EXPECT_EQ(BootInfo::MAX_REGIONS, 64u);
    for (size_t i = 0; i < b.region_count; i++) {
        EXPECT_EQ(b.regions[i].start, i * 0x10000) << i;
        EXPECT_EQ(b.regions[i].type, 1 + i % 5) << i;
    }
}

TEST_F(Multiboot, MemCountsWhenThereIsNoMap) {
    put32(INFO + 0, MEM);
    put32(INFO + 4, 639);             // KiB below 1 MiB
    put32(INFO + 8, 130048);          // KiB above 1 MiB
    put32(INFO + 48, uint32_t(MMAP)); // a map address without the flag: ignored
    put32(INFO + 44, 24);
    put_region(MMAP, 20, 0xdead0000, 0x1000, 1);
    const BootInfo b = run();
    EXPECT_FALSE(b.has_memory_map);
    ASSERT_EQ(b.region_count, 2u);
    EXPECT_EQ(b.regions[0].start, 0u);
    EXPECT_EQ(b.regions[0].length, 639u * 1024);
    EXPECT_EQ(b.regions[0].type, 1u);
    EXPECT_EQ(b.regions[1].start, 0x100000u);
    EXPECT_EQ(b.regions[1].length, 130048ull * 1024);
    EXPECT_EQ(b.regions[1].type, 1u);
}

TEST_F(Multiboot, MemCountsDoNotOverflow) {
    put32(INFO + 0, MEM);
    put32(INFO + 4, 0xffffffff);
    put32(INFO + 8, 0xffffffff);
    const BootInfo b = run();
    ASSERT_EQ(b.region_count, 2u);
    EXPECT_EQ(b.regions[1].length, 0xffffffffull * 1024); // computed in 64 bits
}

TEST_F(Multiboot, Modules) {
    // Two modules, as GRUB's `module2 /boot/initramfs.cpio initramfs` would list them.
    put32(MODS + 0, 0x200000);
    put32(MODS + 4, 0x2a3456);
    put32(MODS + 8, uint32_t(put_string(STRINGS, "initramfs")));
    put32(MODS + 16, 0x300000);
    put32(MODS + 20, 0x301000);
    put32(MODS + 24, 0); // no string
    put32(INFO + 0, MODS_FLAG);
    put32(INFO + 20, 2);
    put32(INFO + 24, uint32_t(MODS));
    const BootInfo b = run();
    ASSERT_EQ(b.module_count, 2u);
    EXPECT_EQ(b.modules[0].start, 0x200000u);
    EXPECT_EQ(b.modules[0].end, 0x2a3456u);
    EXPECT_STREQ(b.modules[0].args, "initramfs");
    EXPECT_EQ(b.modules[1].start, 0x300000u);
    EXPECT_EQ(b.modules[1].end, 0x301000u);
    EXPECT_STREQ(b.modules[1].args, "");
}

TEST_F(Multiboot, ModulesWithoutTheFlagAreIgnored) {
    put32(INFO + 0, MMAP_FLAG); // not bit 3
    put32(INFO + 20, 2);
    put32(INFO + 24, uint32_t(MODS));
    EXPECT_EQ(run().module_count, 0u);
    put32(INFO + 0, MODS_FLAG);
    put32(INFO + 20, 0); // flagged, none listed
    EXPECT_EQ(run().module_count, 0u);
}

TEST_F(Multiboot, ModulesTruncatedAtMaxModules) {
    const uint32_t n = BootInfo::MAX_MODULES + 3;
    for (uint32_t i = 0; i < n; i++) {
        put32(MODS + 16 * i + 0, 0x1000000 + i * 0x100000);
        put32(MODS + 16 * i + 4, 0x1000000 + i * 0x100000 + 0x800);
        put32(MODS + 16 * i + 8, 0);
        put32(MODS + 16 * i + 12, 0);
    }
    put32(INFO + 0, MODS_FLAG);
    put32(INFO + 20, n);
    put32(INFO + 24, uint32_t(MODS));
    const BootInfo b = run();
    ASSERT_EQ(b.module_count, BootInfo::MAX_MODULES);
    EXPECT_EQ(BootInfo::MAX_MODULES, 8u);
    for (size_t i = 0; i < b.module_count; i++) {
        EXPECT_EQ(b.modules[i].start, 0x1000000 + i * 0x100000) << i;
        EXPECT_EQ(b.modules[i].end, 0x1000000 + i * 0x100000 + 0x800) << i;
    }
}

TEST_F(Multiboot, EverythingTogether) {
    uint64_t p = MMAP;
    p = put_region(p, 20, 0x0, 0x9fc00, 1);
    p = put_region(p, 20, 0x100000, 0x7ee0000, 1);
    put32(MODS + 0, 0x500000);
    put32(MODS + 4, 0x520000);
    put32(MODS + 8, uint32_t(put_string(STRINGS + 0x200, "initramfs")));
    put32(INFO + 0, MEM | CMDLINE | MODS_FLAG | MMAP_FLAG | LOADER | (1 << 1) | (1 << 11));
    put32(INFO + 4, 639);
    put32(INFO + 8, 130048);
    put32(INFO + 16, uint32_t(put_string(STRINGS, "vsyscall=int80")));
    put32(INFO + 20, 1);
    put32(INFO + 24, uint32_t(MODS));
    put32(INFO + 44, uint32_t(p - MMAP));
    put32(INFO + 48, uint32_t(MMAP));
    put32(INFO + 64, uint32_t(put_string(STRINGS + 0x100, "qemu")));
    const BootInfo b = run();
    EXPECT_STREQ(b.cmdline, "vsyscall=int80");
    EXPECT_STREQ(b.loader_name, "qemu");
    EXPECT_TRUE(b.has_memory_map);
    ASSERT_EQ(b.region_count, 2u);
    EXPECT_EQ(b.regions[1].length, 0x7ee0000u);
    ASSERT_EQ(b.module_count, 1u);
    EXPECT_STREQ(b.modules[0].args, "initramfs");
    EXPECT_EQ(b.modules[0].end - b.modules[0].start, 0x20000u);
}

TEST(MultibootNames, RegionTypeNames) {
    EXPECT_STREQ(x86::multiboot::region_type_name(1), "available");
    EXPECT_STREQ(x86::multiboot::region_type_name(2), "reserved");
    EXPECT_STREQ(x86::multiboot::region_type_name(3), "ACPI reclaimable");
    EXPECT_STREQ(x86::multiboot::region_type_name(4), "ACPI NVS");
    EXPECT_STREQ(x86::multiboot::region_type_name(5), "bad");
    EXPECT_STREQ(x86::multiboot::region_type_name(0), "reserved");
    EXPECT_STREQ(x86::multiboot::region_type_name(0xffffffff), "reserved");
}

} // namespace
