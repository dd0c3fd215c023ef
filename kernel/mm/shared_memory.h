#pragma once
// Shared anonymous memory (MAP_SHARED | MAP_ANONYMOUS, or a shared mapping
// of /dev/zero): an object that owns the frames of its pages, like the
// shmem file Linux makes for such a mapping (mm/shmem.c, shmem_zero_setup).
// Every region that shows it holds a reference, whichever address space the
// region is in: fork gives the child's copy of the region its own reference,
// so parent and child see the same frames, including pages first touched
// after the fork. Page tables only borrow the frames; the last reference
// frees them. Pure logic over a frame source, unit-tested on the host.
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/mm/paging.h"

namespace mm {

class SharedMemory {
  public:
    // An object of `pages` pages, none allocated yet, with one reference;
    // nullptr when the kernel heap is out of memory.
    static SharedMemory* create(uint64_t pages);

    uint64_t pages() const { return pages_; }
    unsigned refs() const { return refs_; }
    uint64_t resident() const { return resident_; } // pages that have a frame

    void get() { refs_++; }
    // Drops a reference. The last one frees every frame (through `memory`)
    // and the object itself, and returns true.
    bool put(x86::paging::PhysicalMemory& memory);
    // Drops a reference that is known not to be the last (two regions merged).
    void drop_duplicate() { refs_--; }

    // The frame of page `index`, or 0 if it has none yet (or is past the end).
    uint64_t frame(uint64_t index) const;
    // The frame of page `index`, allocated (zeroed) on first use; 0 if the
    // index is past the end or memory ran out.
    uint64_t frame_or_allocate(uint64_t index, x86::paging::PhysicalMemory& memory);
    // Page `index` loses its frame (MADV_REMOVE): freed if `free_it`, else
    // zeroed in place because some page table may still map it.
    void remove(uint64_t index, x86::paging::PhysicalMemory& memory, bool free_it);

  private:
    static constexpr uint64_t PER_LEAF = 512; // frames per table of the two-level index
    SharedMemory() = default;
    ~SharedMemory();

    uint64_t pages_ = 0;
    uint64_t resident_ = 0;
    unsigned refs_ = 1;
    uint64_t** leaves_ = nullptr; // pages_ / PER_LEAF tables, each allocated on first use
};

} // namespace mm
