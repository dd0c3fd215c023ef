#pragma once
// The virtual address space (4-level paging, 48-bit addresses).
//
//   0000000000000000 - 00007ffffffff000  user (per process); the last page
//                                        below 2^47 is never mapped, so no
//                                        sysret can land on a non-canonical RIP
//   ffff800000000000 - ...               direct map of physical memory (NX)
//   ffffc00000000000 - ...               kernel heap (grows on demand)
//   ffffc80000000000 - ...               kernel stacks, each below a guard page
//   ffffffff80000000 - ...               kernel image (W^X per section)
#include <stdint.h>

namespace x86::mm {

constexpr uint64_t PAGE_SIZE = 4096;
constexpr uint64_t USER_TOP = 0x00007ffffffff000; // first address user space may not use
constexpr uint64_t DIRECT_MAP_BASE = 0xffff800000000000;
constexpr uint64_t DIRECT_MAP_MAX = 64ull << 30; // physical memory covered: 64 GiB
constexpr uint64_t HEAP_BASE = 0xffffc00000000000;
constexpr uint64_t HEAP_MAX = 1ull << 30;
constexpr uint64_t KERNEL_STACKS_BASE = 0xffffc80000000000;
constexpr uint64_t KERNEL_VIRT_OFFSET = 0xffffffff80000000;

constexpr uint64_t page_down(uint64_t a) {
    return a & ~(PAGE_SIZE - 1);
}
constexpr uint64_t page_up(uint64_t a) {
    return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

inline void* phys_to_virt(uint64_t phys) {
    return reinterpret_cast<void*>(DIRECT_MAP_BASE + phys);
}
inline uint64_t direct_virt_to_phys(const void* virt) {
    return reinterpret_cast<uint64_t>(virt) - DIRECT_MAP_BASE;
}
inline uint64_t kernel_image_virt_to_phys(const void* virt) {
    return reinterpret_cast<uint64_t>(virt) - KERNEL_VIRT_OFFSET;
}

// A canonical address has bits 63..47 all equal (SDM Vol. 1 3.3.7.1).
constexpr bool is_canonical(uint64_t a) {
    uint64_t top = a >> 47;
    return top == 0 || top == 0x1ffff;
}

} // namespace x86::mm
