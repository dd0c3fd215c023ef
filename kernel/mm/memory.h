#pragma once
// Kernel memory: physical frames, the kernel's own page tables, the heap
// and guarded kernel stacks.
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/boot/multiboot.h"
#include "arch/x86/mm/paging.h"

namespace mm {

struct Hardening {
    bool nx, smep, smap, umip, global_pages;
};

// Builds the frame allocator from the memory map, switches to page tables
// with W^X kernel sections and an NX direct map, and prepares the heap.
void init(const x86::multiboot::BootInfo& boot, const Hardening& hw);

uint64_t allocate_frame(); // zeroed; 0 when out of memory
uint64_t allocate_frame_unzeroed();
void free_frame(uint64_t phys); // panics on a double free
uint64_t free_frames();
uint64_t total_frames();

// The physical page behind the direct map, for page-table walkers.
x86::paging::PhysicalMemory& physical_memory();
uint64_t kernel_root(); // PML4 of the kernel; its upper half is shared by every address space
uint64_t pte_nx();      // the NX bit, or 0 when the CPU has none

// A kernel stack with an unmapped guard page below it.
struct KernelStack {
    uint64_t bottom = 0, top = 0; // usable range [bottom, top)
    explicit operator bool() const { return top != 0; }
};
constexpr size_t KERNEL_STACK_SIZE = 16 * 1024;
KernelStack allocate_kernel_stack();
void free_kernel_stack(KernelStack stack);
// If va lies in the guard page of a kernel stack slot, true.
bool is_stack_guard(uint64_t va);

// Heap statistics (new/delete).
size_t heap_in_use();
bool heap_check();

// True if va is mapped in the current page tables (for backtraces and dumps).
bool is_mapped(uint64_t va);

} // namespace mm
