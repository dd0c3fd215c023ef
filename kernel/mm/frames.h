#pragma once
// Physical page frames: one bit each, 1 = in use. Pure logic over a bitmap
// the caller provides; unit-tested on the host.
#include <stddef.h>
#include <stdint.h>

namespace mm {

class FrameAllocator {
  public:
    static constexpr uint64_t FRAME_SIZE = 4096;

    // Every frame starts in use; add_free_range() releases the RAM.
    void init(uint64_t* bitmap, uint64_t frame_count);
    void add_free_range(uint64_t start, uint64_t end); // shrinks inwards to whole frames
    void reserve_range(uint64_t start, uint64_t end);  // grows outwards to whole frames

    uint64_t allocate();      // lowest free frame's address; 0 when none (frame 0 is never free)
    bool free(uint64_t phys); // false: not a frame we manage, or already free
    bool is_free(uint64_t phys) const;

    uint64_t free_count() const { return free_; }
    uint64_t frame_count() const { return count_; }

  private:
    bool test(uint64_t frame) const { return bitmap_[frame / 64] >> (frame % 64) & 1; }
    void set(uint64_t frame) { bitmap_[frame / 64] |= 1ull << (frame % 64); }
    void clear(uint64_t frame) { bitmap_[frame / 64] &= ~(1ull << (frame % 64)); }

    uint64_t* bitmap_ = nullptr;
    uint64_t count_ = 0;
    uint64_t free_ = 0;
    uint64_t search_from_ = 0; // every frame below this word is in use
};

} // namespace mm
