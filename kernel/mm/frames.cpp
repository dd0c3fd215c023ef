#include "kernel/mm/frames.h"

namespace mm {

void FrameAllocator::init(uint64_t* bitmap, uint64_t frame_count) {
    bitmap_ = bitmap;
    count_ = frame_count;
    free_ = 0;
    search_from_ = 0;
    for (uint64_t w = 0; w < (frame_count + 63) / 64; w++) bitmap_[w] = ~0ull;
}

void FrameAllocator::add_free_range(uint64_t start, uint64_t end) {
    uint64_t first = start / FRAME_SIZE + (start % FRAME_SIZE != 0); // no overflow near 2^64
    uint64_t last = end / FRAME_SIZE;                                // exclusive
    if (first == 0) first = 1; // physical page 0 stays reserved: 0 means "no frame"
    if (last > count_) last = count_;
    for (uint64_t f = first; f < last; f++) {
        if (test(f)) {
            clear(f);
            free_++;
        }
    }
    search_from_ = 0;
}

void FrameAllocator::reserve_range(uint64_t start, uint64_t end) {
    uint64_t first = start / FRAME_SIZE;
    uint64_t last = end / FRAME_SIZE + (end % FRAME_SIZE != 0); // no overflow near 2^64
    if (last > count_) last = count_;
    for (uint64_t f = first; f < last; f++) {
        if (!test(f)) {
            set(f);
            free_--;
        }
    }
}

uint64_t FrameAllocator::allocate() {
    const uint64_t words = (count_ + 63) / 64;
    for (uint64_t w = search_from_; w < words; w++) {
        if (bitmap_[w] == ~0ull) continue;
        const uint64_t bit = uint64_t(__builtin_ctzll(~bitmap_[w]));
        const uint64_t frame = w * 64 + bit;
        if (frame >= count_) break;
        set(frame);
        free_--;
        search_from_ = w;
        return frame * FRAME_SIZE;
    }
    search_from_ = words;
    return 0;
}

bool FrameAllocator::free(uint64_t phys) {
    const uint64_t frame = phys / FRAME_SIZE;
    if (phys % FRAME_SIZE || frame == 0 || frame >= count_ || !test(frame)) return false;
    clear(frame);
    free_++;
    if (frame / 64 < search_from_) search_from_ = frame / 64;
    return true;
}

bool FrameAllocator::is_free(uint64_t phys) const {
    const uint64_t frame = phys / FRAME_SIZE;
    return frame < count_ && !test(frame);
}

} // namespace mm
