#pragma once
// The kernel heap behind new/delete: first fit over an explicit free list,
// boundary tags for O(1) coalescing, growing at the top on demand.
// Pure logic; the kernel supplies a grow callback that maps pages.
#include <stddef.h>
#include <stdint.h>

namespace mm {

class Heap {
  public:
    // Makes [old_end, new_end) usable memory; false when it cannot.
    using GrowFn = bool (*)(uintptr_t old_end, uintptr_t new_end, void* ctx);

    static constexpr size_t ALIGNMENT = 16;

    void init(uintptr_t base, size_t max_size, GrowFn grow, void* ctx);
    void* allocate(size_t size); // 16-byte aligned; nullptr when out of memory
    // false: not a live block of this heap (a double free or a wild pointer).
    bool free(void* p);

    size_t bytes_in_use() const { return in_use_; } // payload + headers of live blocks
    size_t bytes_mapped() const { return end_ - base_; }
    size_t live_blocks() const { return live_; }
    // Walks every block and checks the tags: for tests and debugging.
    bool check() const;

    struct Block; // public only so heap.cpp can check its size

  private:
    Block* first_fit(size_t total);
    bool extend(size_t at_least);
    void insert_free(Block* b);
    void remove_free(Block* b);
    Block* coalesce(Block* b);
    void split(Block* b, size_t total);

    uintptr_t base_ = 0, end_ = 0, limit_ = 0;
    GrowFn grow_ = nullptr;
    void* ctx_ = nullptr;
    Block* free_list_ = nullptr;
    Block* last_ = nullptr; // the highest block, to extend it
    size_t in_use_ = 0, live_ = 0;
};

} // namespace mm
