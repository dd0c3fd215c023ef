#pragma once
// What the multiboot loader tells the kernel (Multiboot Specification 0.6.96,
// section 3.3), copied out of the loader's structures into plain arrays.
#include <stddef.h>
#include <stdint.h>

namespace x86::multiboot {

constexpr uint32_t LOADER_MAGIC = 0x2BADB002;

struct MemoryRegion {
    uint64_t start, length;
    uint32_t type; // 1 = available RAM, 3 = ACPI reclaimable, 4 = NVS, 5 = bad, other = reserved
};

struct Module {
    uint64_t start, end; // physical, end exclusive
    const char* args;    // the module's command line (e.g. "initramfs")
};

struct BootInfo {
    const char* cmdline = "";
    const char* loader_name = "";
    static constexpr size_t MAX_REGIONS = 64, MAX_MODULES = 8;
    MemoryRegion regions[MAX_REGIONS];
    size_t region_count = 0;
    Module modules[MAX_MODULES];
    size_t module_count = 0;
    uint64_t info_start = 0, info_end = 0; // the multiboot structures themselves, to keep reserved
    bool has_memory_map = false;
};

// Reads the structures at physical address `info`; `phys` turns a physical
// address into a pointer (the direct map in the kernel, a buffer in tests).
BootInfo parse(uint64_t info, const void* (*phys)(uint64_t));

const char* region_type_name(uint32_t type);

} // namespace x86::multiboot
