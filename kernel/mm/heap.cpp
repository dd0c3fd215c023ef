#include "kernel/mm/heap.h"

namespace mm {

// Layout of a block: the header, then the payload. A free block keeps its
// list links in the payload. `prev_size` (the boundary tag) finds the
// block below without a footer.
struct Heap::Block {
    static constexpr uint32_t USED_MAGIC = 0x5e6a7e11, FREE_MAGIC = 0xf4ee0b1c;
    size_t size;      // whole block, header included; multiple of 16
    size_t prev_size; // 0 for the first block
    uint32_t magic;
    uint32_t pad;
    uint64_t pad2;
    // payload follows (16-byte aligned); free blocks: links
    Block*& next_free() { return reinterpret_cast<Block**>(this + 1)[0]; }
    Block*& prev_free() { return reinterpret_cast<Block**>(this + 1)[1]; }
    void* payload() { return this + 1; }
    Block* next() { return reinterpret_cast<Block*>(reinterpret_cast<uintptr_t>(this) + size); }
    Block* prev() { return reinterpret_cast<Block*>(reinterpret_cast<uintptr_t>(this) - prev_size); }
    bool is_free() const { return magic == FREE_MAGIC; }
};
static_assert(sizeof(Heap::Block) % Heap::ALIGNMENT == 0);

namespace {
constexpr size_t HEADER = sizeof(size_t) * 4;
constexpr size_t MIN_BLOCK = HEADER + 16; // room for the two free-list links
constexpr size_t GROW_CHUNK = 64 * 1024;
constexpr size_t round_up(size_t v, size_t a) {
    return (v + a - 1) & ~(a - 1);
}
} // namespace

void Heap::init(uintptr_t base, size_t max_size, GrowFn grow, void* ctx) {
    base_ = end_ = round_up(base, ALIGNMENT);
    limit_ = base + max_size;
    grow_ = grow;
    ctx_ = ctx;
    free_list_ = last_ = nullptr;
    in_use_ = live_ = 0;
}

void Heap::insert_free(Block* b) {
    b->magic = Block::FREE_MAGIC;
    b->next_free() = free_list_;
    b->prev_free() = nullptr;
    if (free_list_) free_list_->prev_free() = b;
    free_list_ = b;
}

void Heap::remove_free(Block* b) {
    if (b->prev_free())
        b->prev_free()->next_free() = b->next_free();
    else
        free_list_ = b->next_free();
    if (b->next_free()) b->next_free()->prev_free() = b->prev_free();
}

// Merges a free block (not on the list) with free neighbours; returns the result.
Heap::Block* Heap::coalesce(Block* b) {
    if (b != last_) {
        Block* n = b->next();
        if (n->is_free()) {
            remove_free(n);
            if (n == last_) last_ = b;
            b->size += n->size;
        }
    }
    if (b->prev_size) {
        Block* p = b->prev();
        if (p->is_free()) {
            remove_free(p);
            if (b == last_) last_ = p;
            p->size += b->size;
            b = p;
        }
    }
    if (b != last_) b->next()->prev_size = b->size;
    return b;
}

void Heap::split(Block* b, size_t total) {
    if (b->size - total < MIN_BLOCK) return;
    Block* rest = reinterpret_cast<Block*>(reinterpret_cast<uintptr_t>(b) + total);
    rest->size = b->size - total;
    rest->prev_size = total;
    b->size = total;
    if (b == last_)
        last_ = rest;
    else
        rest->next()->prev_size = rest->size;
    insert_free(coalesce(rest));
}

Heap::Block* Heap::first_fit(size_t total) {
    for (Block* b = free_list_; b; b = b->next_free())
        if (b->size >= total) return b;
    return nullptr;
}

bool Heap::extend(size_t at_least) {
    const size_t grow = round_up(at_least > GROW_CHUNK ? at_least : GROW_CHUNK, 4096);
    if (end_ + grow > limit_ || end_ + grow < end_) return false;
    if (!grow_ || !grow_(end_, end_ + grow, ctx_)) return false;
    Block* b = reinterpret_cast<Block*>(end_);
    b->size = grow;
    b->prev_size = last_ ? last_->size : 0;
    last_ = b;
    end_ += grow;
    insert_free(coalesce(b));
    return true;
}

void* Heap::allocate(size_t size) {
    if (size > limit_ - base_) return nullptr;
    size_t total = round_up(size + HEADER, ALIGNMENT);
    if (total < MIN_BLOCK) total = MIN_BLOCK;
    Block* b = first_fit(total);
    if (!b) {
        if (!extend(total)) return nullptr;
        b = first_fit(total);
        if (!b) return nullptr;
    }
    remove_free(b);
    b->magic = Block::USED_MAGIC;
    split(b, total);
    in_use_ += b->size;
    live_++;
    return b->payload();
}

bool Heap::free(void* p) {
    if (!p) return true;
    const uintptr_t addr = reinterpret_cast<uintptr_t>(p);
    if (addr < base_ + HEADER || addr >= end_ || addr % ALIGNMENT) return false;
    Block* b = static_cast<Block*>(p) - 1;
    if (b->magic != Block::USED_MAGIC) return false;
    in_use_ -= b->size;
    live_--;
    b->magic = Block::FREE_MAGIC;
    insert_free(coalesce(b));
    return true;
}

bool Heap::check() const {
    uintptr_t p = base_;
    size_t prev = 0;
    size_t used = 0;
    while (p < end_) {
        const Block* b = reinterpret_cast<const Block*>(p);
        if (b->size < MIN_BLOCK || b->size % ALIGNMENT || b->prev_size != prev) return false;
        if (b->magic != Block::USED_MAGIC && b->magic != Block::FREE_MAGIC) return false;
        if (b->magic == Block::USED_MAGIC) used += b->size;
        prev = b->size;
        p += b->size;
    }
    return p == end_ && used == in_use_;
}

} // namespace mm
