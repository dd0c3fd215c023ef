#pragma once
// The regions of a user address space (Linux's VMAs): a list of
// page-aligned, non-overlapping ranges sorted by address, each with its
// rights and what backs its pages, and where a new mapping goes. Pure
// logic over the list, unit-tested on the host (tests/unit/regions_test.cpp);
// the page tables are kernel/mm/address_space.cpp's business.
#include <stddef.h>
#include <stdint.h>

namespace mm {

class SharedMemory;

// Protection bits, as in mmap's PROT_*.
enum Prot : uint32_t { PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4 };
constexpr uint32_t PROT_ALL = PROT_READ | PROT_WRITE | PROT_EXEC;

enum class Backing : uint8_t {
    Private, // anonymous, private: every frame belongs to this address space alone
    Shared,  // anonymous, MAP_SHARED: the frames belong to a SharedMemory object
    Kernel,  // the vDSO and its data page: kernel frames, never freed, always mapped
};

// Mappings the kernel itself made and keeps track of (Linux's special
// mappings): never split, never grown; the vDSO's moves are followed.
enum class Special : uint8_t { None, Vdso, Vvar };

// Region::flags, after Linux's VM_* flags (include/linux/mm.h).
namespace vm {
// What mprotect may grant (VM_MAYREAD...): the PROT_* bits shifted by 4.
constexpr uint32_t MAY_SHIFT = 4;
constexpr uint32_t MAY_READ = PROT_READ << MAY_SHIFT, MAY_WRITE = PROT_WRITE << MAY_SHIFT,
                   MAY_EXEC = PROT_EXEC << MAY_SHIFT, MAY_ALL = MAY_READ | MAY_WRITE | MAY_EXEC;
constexpr uint32_t ACCOUNT = 1u << 8;      // its size was checked against free memory (private, writable)
constexpr uint32_t NORESERVE = 1u << 9;    // MAP_NORESERVE: never checked
constexpr uint32_t GROWSDOWN = 1u << 10;   // MAP_GROWSDOWN: a fault just below extends it
constexpr uint32_t LOCKED = 1u << 11;      // mlock: every page present
constexpr uint32_t LOCKONFAULT = 1u << 12; // mlock2(MLOCK_ONFAULT): locked as pages appear
constexpr uint32_t DONTCOPY = 1u << 13;    // MADV_DONTFORK: a child of fork does not get it
constexpr uint32_t WIPEONFORK = 1u << 14;  // MADV_WIPEONFORK: a child of fork gets it empty
} // namespace vm

struct Region {
    uint64_t start, end; // page aligned, [start, end)
    uint32_t prot;       // PROT_*
    uint32_t flags;      // vm::*
    Backing backing;
    Special special;
    SharedMemory* object; // Backing::Shared: one reference per region
    uint64_t pgoff;       // Backing::Shared: the object's page that `start` shows
    const char* name;     // for debugging: "text", "data", "heap", "stack", "mmap", "vdso", "vvar"
    Region* next;         // sorted by start

    uint64_t size() const { return end - start; }
};

// Linux's stack_guard_gap: 256 pages kept free below a grows-down region.
constexpr uint64_t STACK_GUARD_GAP = 256 * 4096;
// Where a grows-down region's reach begins (Linux's vm_start_gap).
uint64_t start_gap(const Region& r);
// Two neighbours that can become one region (Linux's is_mergeable_vma):
// adjacent, with the same rights, flags, backing and name, and for shared
// memory the same object at consecutive pages. Special mappings never merge.
bool mergeable(const Region& a, const Region& b);

class RegionList {
  public:
    // Linux's vm.max_map_count default: more regions than this fail with ENOMEM.
    static constexpr unsigned MAX_REGIONS = 65530;

    Region* head() const { return head_; }
    unsigned count() const { return count_; }

    // The region holding va, or nullptr.
    Region* find(uint64_t va) const;
    // The first region that ends above va (Linux's find_vma), or nullptr.
    Region* first_ending_above(uint64_t va) const;
    // The region just before r in the list, or nullptr.
    Region* before(const Region* r) const;
    // True if some region meets [start, end) (no guard gaps).
    bool intersects(uint64_t start, uint64_t end) const;

    // Links r in at its place (the caller has checked that it overlaps nothing).
    void insert(Region* r);
    // Unlinks r; the caller owns it (and its object reference) afterwards.
    void unlink(Region* r);
    // Makes `address` a region boundary: the region holding it is cut in two,
    // the tail taking its own reference to a shared object. False when out
    // of memory or regions. Never refuses a special mapping: callers check.
    bool split_at(uint64_t address);
    // Joins every mergeable pair among the regions that meet [start, end]
    // and their neighbours (what Linux's vma_merge does after a change).
    void merge_around(uint64_t start, uint64_t end);

  private:
    bool merge_with_next(Region* r);

    Region* head_ = nullptr;
    unsigned count_ = 0;
};

// True if [start, start + length) meets no region, nor the guard gap below
// a grows-down one (the test Linux applies to a hint).
bool is_free(const RegionList& list, uint64_t start, uint64_t length);
// The highest free [a, a + length) with low <= a and a + length <= high
// (Linux's top-down vm_unmapped_area); 0 if there is none.
uint64_t find_top_down(const RegionList& list, uint64_t length, uint64_t low, uint64_t high);
// The lowest such range (bottom-up); 0 if there is none.
uint64_t find_bottom_up(const RegionList& list, uint64_t length, uint64_t low, uint64_t high);

// MAP_32BIT, from 64-bit code: the mapping goes in [1 GiB, 2 GiB) (Linux's
// find_start_end, arch/x86/kernel/sys_x86_64.c, without randomisation).
constexpr uint64_t MAP_32BIT_LOW = 0x40000000, MAP_32BIT_HIGH = 0x80000000;

struct Placement {
    uint64_t hint;        // page aligned; 0: none
    uint64_t length;      // page aligned, not 0
    uint64_t task_size;   // the end of what the call may use (TASK_SIZE)
    uint64_t mmap_base;   // the top-down search starts below this
    uint64_t min_address; // nothing is placed lower (mmap_min_addr)
    bool low_2g;          // MAP_32BIT from a 64-bit call
};
// Where a mapping without MAP_FIXED goes, as Linux's
// arch_get_unmapped_area_topdown decides: the hint if the range is free;
// else the highest free range below mmap_base; else the lowest one from a
// third of task_size up (arch_get_unmapped_area). With low_2g: the hint if
// it ends below 2 GiB and is free, else the lowest free range in
// [1 GiB, 2 GiB). Returns 0 when nothing fits (ENOMEM).
uint64_t place(const RegionList& list, const Placement& request);

} // namespace mm
