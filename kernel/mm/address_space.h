#pragma once
// A process's user address space: page tables for the lower half (the
// upper half is the kernel's, shared) and the list of regions the
// program may use. Anonymous memory is allocated on first touch.
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/desc/ldt.h"

namespace mm {

// Protection bits, as in mmap's PROT_*.
enum Prot : uint32_t { PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4 };

struct Region {
    uint64_t start, end; // page aligned, [start, end)
    uint32_t prot;
    bool shared_frames; // vDSO pages: the frames belong to the kernel, never freed
    const char* name;   // for ps/debugging: "text", "heap", "stack", "vdso", "mmap"
    Region* next;       // sorted by start
};

class AddressSpace {
  public:
    // A new, empty address space (nullptr when out of memory).
    static AddressSpace* create();
    ~AddressSpace();
    AddressSpace(const AddressSpace&) = delete;
    AddressSpace& operator=(const AddressSpace&) = delete;

    uint64_t root() const { return root_; }
    void get() { refs_++; }
    bool put() { return --refs_ == 0; } // true: the caller deletes it
    unsigned refs() const { return refs_; }

    // Adds a region (no overlap allowed). Pages appear on first touch.
    int add_region(uint64_t start, uint64_t end, uint32_t prot, const char* name);
    // Maps a kernel-owned frame read-only/executable into every program (vDSO).
    int map_shared(uint64_t va, uint64_t phys, uint32_t prot, const char* name);
    // Allocates the pages of [start, end) now (the ELF loader uses this).
    bool populate(uint64_t start, uint64_t end);
    // Copies bytes into the address space through the direct map, without
    // needing it to be the active one.
    bool write(uint64_t va, const void* src, size_t size);
    bool zero(uint64_t va, size_t size);

    // Moves the end of the region that starts at `start` (the program
    // break); creates it if absent. Growing fails with -ENOMEM on overlap.
    int resize_region(uint64_t start, uint64_t new_end, uint32_t prot, const char* name);

    // munmap / mprotect semantics on whole pages; regions are split as needed.
    int unmap(uint64_t start, uint64_t length);
    int protect(uint64_t start, uint64_t length, uint32_t prot);
    // A free range of `length` bytes at or below `below` (top-down, as Linux does).
    uint64_t find_free(uint64_t length, uint64_t below) const;

    // A page fault at `va`: allocate the page if a region allows the
    // access. False means the program touched memory it may not.
    bool handle_fault(uint64_t va, bool write, bool exec);

    // fork: a copy of every region and every present page.
    AddressSpace* clone() const;

    // The physical address behind va if its page is present, else ~0
    // (futexes are keyed by it, so shared memory shares them).
    uint64_t physical_address(uint64_t va) const;

    const Region* regions() const { return regions_; }
    const Region* find(uint64_t va) const;

    // The program break (brk): [brk_start, brk_end) is the "heap" region.
    uint64_t brk_start = 0, brk_end = 0;

    // The program's LDT (modify_ldt), shared like the memory by the tasks
    // that share it (Linux keeps it in mm->context). fork copies it
    // (sys_process.cpp); a new program starts without one.
    x86::ldt::Table ldt;

  private:
    AddressSpace() = default;
    Region* find_mutable(uint64_t va);
    void insert(Region* r);
    void release_pages(uint64_t start, uint64_t end, bool shared_frames);
    bool split_at(uint64_t address);
    void apply_protection(uint64_t start, uint64_t end, uint32_t prot);

    uint64_t root_ = 0;
    unsigned refs_ = 1;
    Region* regions_ = nullptr;
};

// Page-table bits for a protection.
uint64_t pte_flags_for(uint32_t prot);

} // namespace mm
