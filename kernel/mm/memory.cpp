#include "kernel/mm/memory.h"

#include "arch/x86/cpu/cpu.h"
#include "arch/x86/mm/layout.h"
#include "kernel/console.h"
#include "kernel/mm/frames.h"
#include "kernel/mm/heap.h"
#include "kernel/shutdown.h"

// Section boundaries from linker.ld.
extern "C" char _boot_start[], _boot_end[], _text_start[], _text_end[], _rodata_start[], _rodata_end[], _data_start[],
    _data_end[];

namespace mm {
namespace {

using namespace x86::paging;
using x86::mm::KERNEL_VIRT_OFFSET;
using x86::mm::PAGE_SIZE;

// Physical memory Sysgate manages: up to 4 GiB (a 128 KiB bitmap).
constexpr uint64_t MAX_PHYS = 4ull << 30;
uint64_t frame_bitmap[MAX_PHYS / PAGE_SIZE / 64];
FrameAllocator frames;

uint64_t nx_bit;
uint64_t global_bit;
uint64_t kernel_pml4;

class DirectMapMemory final : public PhysicalMemory {
  public:
    uint64_t* table(uint64_t phys) override { return static_cast<uint64_t*>(x86::mm::phys_to_virt(phys)); }
    uint64_t allocate_zeroed() override { return allocate_frame(); }
    void free(uint64_t phys) override { free_frame(phys); }
};
DirectMapMemory direct_memory;

Heap heap;

bool grow_heap(uintptr_t old_end, uintptr_t new_end, void*) {
    Walker kernel(direct_memory, kernel_pml4);
    for (uintptr_t va = old_end; va < new_end; va += PAGE_SIZE) {
        const uint64_t frame = allocate_frame_unzeroed();
        if (!frame || !kernel.map(va, frame, pte::WRITE | nx_bit | global_bit)) return false;
    }
    return true;
}

// Kernel stack slots: 32 KiB of address space each, the stack in the top
// 16 KiB and the rest never mapped, so running off the bottom faults.
constexpr uint64_t STACK_SLOT_SIZE = 32 * 1024;
constexpr unsigned STACK_SLOTS = 4096;
uint64_t stack_slot_used[STACK_SLOTS / 64];

uint64_t stack_slot_base(unsigned slot) {
    return x86::mm::KERNEL_STACKS_BASE + slot * STACK_SLOT_SIZE;
}

void map_range(Walker& w, uint64_t virt_start, uint64_t virt_end, uint64_t flags) {
    for (uint64_t va = x86::mm::page_down(virt_start); va < virt_end; va += PAGE_SIZE)
        if (!w.map(va, va - KERNEL_VIRT_OFFSET, flags)) panic("out of memory building kernel page tables");
}

} // namespace

uint64_t allocate_frame_unzeroed() {
    return frames.allocate();
}

uint64_t allocate_frame() {
    const uint64_t phys = frames.allocate();
    if (phys) __builtin_memset(x86::mm::phys_to_virt(phys), 0, PAGE_SIZE);
    return phys;
}

void free_frame(uint64_t phys) {
    if (!frames.free(phys)) panic("free of frame {:#x} that is not allocated", phys);
}

uint64_t free_frames() {
    return frames.free_count();
}
uint64_t total_frames() {
    return frames.frame_count();
}
PhysicalMemory& physical_memory() {
    return direct_memory;
}
uint64_t kernel_root() {
    return kernel_pml4;
}
uint64_t pte_nx() {
    return nx_bit;
}

void init(const x86::multiboot::BootInfo& boot, const Hardening& hw) {
    nx_bit = hw.nx ? pte::NO_EXECUTE : 0;
    global_bit = hw.global_pages ? pte::GLOBAL : 0;

    uint64_t top = 0, available = 0;
    for (size_t i = 0; i < boot.region_count; i++) {
        const auto& r = boot.regions[i];
        if (r.type != 1) continue;
        available += r.length;
        if (r.start + r.length > top) top = r.start + r.length;
    }
    if (top > MAX_PHYS) {
        kprintln("[mm] only the first 4 GiB of RAM are used");
        top = MAX_PHYS;
    }
    frames.init(frame_bitmap, top / PAGE_SIZE);
    for (size_t i = 0; i < boot.region_count; i++)
        if (boot.regions[i].type == 1)
            frames.add_free_range(boot.regions[i].start, boot.regions[i].start + boot.regions[i].length);

    // Keep: the first MiB (BIOS data, VGA, firmware), the kernel image, the
    // multiboot information and the modules (the initramfs is read in place).
    frames.reserve_range(0, 0x100000);
    frames.reserve_range(reinterpret_cast<uint64_t>(_boot_start),
                         reinterpret_cast<uint64_t>(_data_end) - KERNEL_VIRT_OFFSET);
    frames.reserve_range(boot.info_start, boot.info_end);
    for (size_t i = 0; i < boot.module_count; i++) frames.reserve_range(boot.modules[i].start, boot.modules[i].end);

    kprintln("[mm] {} MiB usable RAM, {} frames free", available >> 20, frames.free_count());

    // The kernel's page tables. The PDPTs of the kernel half are created
    // now and never freed, so every address space can share them by
    // copying PML4 entries 256-511 once.
    kernel_pml4 = allocate_frame();
    if (!kernel_pml4) panic("no memory for the kernel page tables");
    Walker kernel(direct_memory, kernel_pml4);
    const uint64_t shared_regions[] = {x86::mm::DIRECT_MAP_BASE, x86::mm::HEAP_BASE, x86::mm::KERNEL_STACKS_BASE,
                                       KERNEL_VIRT_OFFSET};
    for (uint64_t base : shared_regions) {
        uint64_t* pml4 = direct_memory.table(kernel_pml4);
        const uint64_t pdpt = allocate_frame();
        if (!pdpt) panic("no memory for the kernel page tables");
        pml4[index(4, base)] = make_entry(pdpt, pte::PRESENT | pte::WRITE);
    }

    // Direct map: every physical page up to the top of RAM, 2 MiB at a time, never executable.
    for (uint64_t phys = 0; phys < top; phys += 2 << 20)
        if (!kernel.map_huge(x86::mm::DIRECT_MAP_BASE + phys, phys, pte::WRITE | nx_bit | global_bit))
            panic("out of memory building the direct map");

    // The image, W^X: code read-only and executable, everything else not executable.
    map_range(kernel, reinterpret_cast<uint64_t>(_text_start), reinterpret_cast<uint64_t>(_text_end), global_bit);
    map_range(kernel, reinterpret_cast<uint64_t>(_rodata_start), reinterpret_cast<uint64_t>(_rodata_end),
              nx_bit | global_bit);
    map_range(kernel, reinterpret_cast<uint64_t>(_data_start), reinterpret_cast<uint64_t>(_data_end),
              pte::WRITE | nx_bit | global_bit);
    // The boot sections hold the stack kernel_main still runs on: data now.
    map_range(kernel, reinterpret_cast<uint64_t>(_boot_start) + KERNEL_VIRT_OFFSET,
              reinterpret_cast<uint64_t>(_boot_end) + KERNEL_VIRT_OFFSET, pte::WRITE | nx_bit);

    x86::write_cr3(kernel_pml4); // the identity map of the boot tables is gone from here on
    kprintln("[mm] kernel page tables: text r-x, rodata r--{}, data rw-{}, direct map of {} MiB", hw.nx ? " nx" : "",
             hw.nx ? " nx" : "", top >> 20);

    heap.init(x86::mm::HEAP_BASE, x86::mm::HEAP_MAX, grow_heap, nullptr);
}

KernelStack allocate_kernel_stack() {
    for (unsigned slot = 0; slot < STACK_SLOTS; slot++) {
        if (stack_slot_used[slot / 64] >> (slot % 64) & 1) continue;
        const uint64_t top = stack_slot_base(slot) + STACK_SLOT_SIZE;
        const uint64_t bottom = top - KERNEL_STACK_SIZE;
        Walker kernel(direct_memory, kernel_pml4);
        for (uint64_t va = bottom; va < top; va += PAGE_SIZE) {
            const uint64_t frame = allocate_frame();
            if (!frame || !kernel.map(va, frame, pte::WRITE | nx_bit | global_bit)) {
                if (frame) free_frame(frame);
                for (uint64_t undo = bottom; undo < va; undo += PAGE_SIZE) {
                    free_frame(kernel.unmap(undo));
                    x86::invlpg(undo);
                }
                return {};
            }
        }
        stack_slot_used[slot / 64] |= 1ull << (slot % 64);
        return {bottom, top};
    }
    return {};
}

void free_kernel_stack(KernelStack stack) {
    const unsigned slot = unsigned((stack.top - STACK_SLOT_SIZE - x86::mm::KERNEL_STACKS_BASE) / STACK_SLOT_SIZE);
    Walker kernel(direct_memory, kernel_pml4);
    for (uint64_t va = stack.bottom; va < stack.top; va += PAGE_SIZE) {
        free_frame(kernel.unmap(va));
        x86::invlpg(va);
    }
    stack_slot_used[slot / 64] &= ~(1ull << (slot % 64));
}

bool is_stack_guard(uint64_t va) {
    if (va < x86::mm::KERNEL_STACKS_BASE || va >= stack_slot_base(STACK_SLOTS)) return false;
    return (va - x86::mm::KERNEL_STACKS_BASE) % STACK_SLOT_SIZE < STACK_SLOT_SIZE - KERNEL_STACK_SIZE;
}

bool is_mapped(uint64_t va) {
    if (!x86::mm::is_canonical(va)) return false;
    Walker current(direct_memory, x86::read_cr3() & pte::ADDRESS_MASK);
    return current.translate(va) != ~0ull;
}

size_t heap_in_use() {
    return heap.bytes_in_use();
}
bool heap_check() {
    return heap.check();
}

} // namespace mm

// new and delete: the kernel heap. Allocation failure returns nullptr
// (no exceptions); callers check.
void* operator new(size_t size) {
    return mm::heap.allocate(size);
}
void* operator new[](size_t size) {
    return mm::heap.allocate(size);
}
void operator delete(void* p) noexcept {
    if (!mm::heap.free(p)) panic("delete of {} that is not a live heap block", p);
}
void operator delete[](void* p) noexcept {
    operator delete(p);
}
void operator delete(void* p, size_t) noexcept {
    operator delete(p);
}
void operator delete[](void* p, size_t) noexcept {
    operator delete(p);
}
