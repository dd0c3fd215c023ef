#include "arch/x86/boot/multiboot.h"

namespace x86::multiboot {
namespace {

// The multiboot_info fields Sysgate reads (spec section 3.3, byte offsets).
struct [[gnu::packed]] Info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper;
    uint32_t boot_device;
    uint32_t cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
};
static_assert(__builtin_offsetof(Info, mmap_length) == 44);
static_assert(__builtin_offsetof(Info, boot_loader_name) == 64);

struct [[gnu::packed]] MmapEntry {
    uint32_t size; // of the rest of the entry
    uint64_t addr, len;
    uint32_t type;
};

struct [[gnu::packed]] ModEntry {
    uint32_t mod_start, mod_end, string, reserved;
};

constexpr uint32_t FLAG_MEM = 1 << 0, FLAG_CMDLINE = 1 << 2, FLAG_MODS = 1 << 3, FLAG_MMAP = 1 << 6,
                   FLAG_LOADER_NAME = 1 << 9;

} // namespace

BootInfo parse(uint64_t info_phys, const void* (*phys)(uint64_t)) {
    BootInfo out;
    const Info& info = *static_cast<const Info*>(phys(info_phys));
    out.info_start = info_phys;
    out.info_end = info_phys + sizeof(Info);
    if (info.flags & FLAG_CMDLINE) out.cmdline = static_cast<const char*>(phys(info.cmdline));
    if (info.flags & FLAG_LOADER_NAME) out.loader_name = static_cast<const char*>(phys(info.boot_loader_name));

    if (info.flags & FLAG_MMAP) {
        out.has_memory_map = true;
        uint64_t p = info.mmap_addr;
        const uint64_t end = uint64_t(info.mmap_addr) + info.mmap_length;
        while (p + sizeof(MmapEntry) <= end && out.region_count < BootInfo::MAX_REGIONS) {
            const MmapEntry& e = *static_cast<const MmapEntry*>(phys(p));
            out.regions[out.region_count++] = {e.addr, e.len, e.type};
            p += e.size + sizeof(e.size);
        }
    } else if (info.flags & FLAG_MEM) {
        // No map: fall back to the two counts (KiB below 1 MiB, KiB above 1 MiB).
        out.regions[out.region_count++] = {0, uint64_t(info.mem_lower) * 1024, 1};
        out.regions[out.region_count++] = {0x100000, uint64_t(info.mem_upper) * 1024, 1};
    }

    if (info.flags & FLAG_MODS) {
        for (uint32_t i = 0; i < info.mods_count && out.module_count < BootInfo::MAX_MODULES; i++) {
            const ModEntry& m = *static_cast<const ModEntry*>(phys(info.mods_addr + i * sizeof(ModEntry)));
            out.modules[out.module_count++] = {m.mod_start, m.mod_end,
                                               m.string ? static_cast<const char*>(phys(m.string)) : ""};
        }
    }
    return out;
}

const char* region_type_name(uint32_t type) {
    switch (type) {
    case 1:
        return "available";
    case 3:
        return "ACPI reclaimable";
    case 4:
        return "ACPI NVS";
    case 5:
        return "bad";
    default:
        return "reserved";
    }
}

} // namespace x86::multiboot
