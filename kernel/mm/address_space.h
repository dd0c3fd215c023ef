#pragma once
// A process's user address space: page tables for the lower half (the
// upper half is the kernel's, shared) and the list of regions the
// program may use (kernel/mm/regions.h). Anonymous memory is allocated on
// first touch; private pages belong to one address space (fork copies
// them), shared ones to a SharedMemory object (fork shares them), the
// vDSO's to the kernel.
//
// The operations below are the VMA-level steps of Linux's mm/mmap.c,
// mm/mprotect.c and mm/mremap.c; kernel/syscall/sys_memory.cpp checks the
// system calls' arguments and calls them in Linux's order.
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/desc/ldt.h"
#include "kernel/mm/regions.h"

namespace mm {

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

    const Region* regions() const { return list_.head(); }
    const RegionList& list() const { return list_; }
    const Region* find(uint64_t va) const { return list_.find(va); }

    // Adds a private anonymous region (no overlap allowed): -EINVAL for a
    // bad range, -EEXIST on overlap, -ENOMEM. Pages appear on first touch.
    int add_region(uint64_t start, uint64_t end, uint32_t prot, const char* name);
    // Adds the region `spec` describes (its next is ignored) and merges it
    // with alike neighbours. A shared one's object reference passes to the
    // address space on success.
    int add_region(const Region& spec);
    // Maps kernel frames read-only or executable as one special region
    // (the vDSO's code, its data page), present from the start.
    int map_kernel(uint64_t va, const uint64_t* frames, size_t pages, uint32_t prot, uint32_t may, Special special,
                   const char* name);
    // Makes every page of [start, end) present where a region allows some
    // access (the ELF loader, MAP_POPULATE, mlock). False if memory ran out.
    // For a program's own requests (for_program), private memory it cannot
    // write is left to its first touch: Linux maps its shared zero page
    // there (mm/memory.c, do_anonymous_page; populate_vma_page_range asks
    // no write without VM_WRITE), so populating it takes no memory, and
    // such a reservation is free.
    bool populate(uint64_t start, uint64_t end, bool for_program = false);
    // Copies bytes into the address space through the direct map, without
    // needing it to be the active one.
    bool write(uint64_t va, const void* src, size_t size);
    bool zero(uint64_t va, size_t size);

    // Moves the end of the region that starts at `start` (the program
    // break); creates it if absent. Growing fails with -ENOMEM on overlap.
    int resize_region(uint64_t start, uint64_t new_end, uint32_t prot, const char* name);

    // munmap of [start, start + length) (whole pages, in user space): the
    // regions are cut at both ends and what lies between goes. -EINVAL if
    // that would cut a special mapping, -ENOMEM if the cut needs more
    // regions than allowed.
    int unmap(uint64_t start, uint64_t length);
    // mprotect of [start, start + length), region by region as Linux does: -ENOMEM at
    // the first hole, -EACCES for rights a region may not get, -EINVAL for
    // a cut special mapping; what came before stays changed. Making private
    // memory writable checks free memory once (-ENOMEM). grows_down:
    // PROT_GROWSDOWN, the change reaches down to the start of a grows-down region.
    int protect(uint64_t start, uint64_t length, uint32_t prot, bool grows_down = false);

    // mremap's steps. The region that holds old_start grows in place to
    // new_end (the caller has checked that nothing is in the way).
    int expand(uint64_t old_start, uint64_t new_end);
    // [old_start, old_start + old_len), within one region, moves to the
    // free range at new_start as a region of new_len bytes; its page-table
    // entries move, the pages stay. keep_old (MREMAP_DONTUNMAP): the old
    // range stays mapped, without pages. A moved vDSO moves vdso_base.
    // -EINVAL if a special mapping would be cut, -ENOMEM.
    int move(uint64_t old_start, uint64_t old_len, uint64_t new_start, uint64_t new_len, bool keep_old);

    // Sets and clears vm:: flags on [start, end), which lies in one region
    // (madvise, mlock); -EINVAL if a special mapping would be cut, -ENOMEM
    // when out of regions.
    int change_flags(uint64_t start, uint64_t end, uint32_t set, uint32_t clear);
    // MADV_DONTNEED on [start, end) within one region: private pages are
    // freed (zeros on the next touch), shared ones leave this page table
    // only (their contents stay), the vDSO's stay.
    void discard(uint64_t start, uint64_t end);
    // MADV_REMOVE on shared memory: the pages' contents are gone for every
    // mapping; their frames are freed if no other region shows the object.
    void remove_shared(uint64_t start, uint64_t end);
    // mincore: whether the page at va of region r is in memory.
    bool resident(const Region& r, uint64_t va) const;

    // A page fault at `va`: allocate the page if a region allows the
    // access (growing a grows-down region down to it first). False means
    // the program touched memory it may not.
    bool handle_fault(uint64_t va, bool write, bool exec);

    // fork: a copy of every region; private pages copied, shared ones
    // shared, MADV_DONTFORK regions left out, MADV_WIPEONFORK ones empty.
    AddressSpace* clone() const;

    // The physical address behind va if its page is present, else ~0
    // (futexes are keyed by it, so shared memory shares them).
    uint64_t physical_address(uint64_t va) const;

    // The program break (brk): [brk_start, brk_end) is the "heap" region.
    uint64_t brk_start = 0, brk_end = 0;
    // Where the vDSO's code is (AT_SYSINFO_EHDR): the gates find their
    // landing pad from it, and mremap of the vDSO moves it (Linux's
    // mm->context.vdso). 0: none.
    uint64_t vdso_base = 0;
    // vm::LOCKED / LOCKONFAULT for every new mapping (mlockall(MCL_FUTURE)).
    uint32_t def_flags = 0;

    // The program's LDT (modify_ldt), shared like the memory by the tasks
    // that share it (Linux keeps it in mm->context). fork copies it
    // (sys_process.cpp); a new program starts without one.
    x86::ldt::Table ldt;

  private:
    AddressSpace() = default;
    Region* find_mutable(uint64_t va) { return list_.find(va); }
    void release(const Region& r, uint64_t start, uint64_t end);
    void destroy(Region* r); // unlinks nothing: frees its pages and object reference, deletes it
    void apply_protection(uint64_t start, uint64_t end, uint32_t prot);
    bool fault_in(const Region& r, uint64_t page);
    Region* grow_down(uint64_t va);

    uint64_t root_ = 0;
    unsigned refs_ = 1;
    RegionList list_;
};

// Page-table bits for a protection.
uint64_t pte_flags_for(uint32_t prot);

// Sysgate's commit rule: a mapping that may need `bytes` of fresh memory
// is refused at once (ENOMEM) unless that much is free, with a reserve kept
// back so the kernel still answers. (Linux's default heuristic compares
// with all of RAM and swap; here there is no swap and no OOM killer.)
bool enough_memory(uint64_t bytes);

} // namespace mm
