#include "kernel/mm/shared_memory.h"

namespace mm {

SharedMemory* SharedMemory::create(uint64_t pages) {
    SharedMemory* s = new SharedMemory;
    if (!s) return nullptr;
    const uint64_t leaves = (pages + PER_LEAF - 1) / PER_LEAF;
    s->pages_ = pages;
    if (leaves) {
        s->leaves_ = new uint64_t*[leaves];
        if (!s->leaves_) {
            delete s;
            return nullptr;
        }
        for (uint64_t i = 0; i < leaves; i++) s->leaves_[i] = nullptr;
    }
    return s;
}

SharedMemory::~SharedMemory() {
    const uint64_t leaves = (pages_ + PER_LEAF - 1) / PER_LEAF;
    if (leaves_)
        for (uint64_t i = 0; i < leaves; i++) delete[] leaves_[i];
    delete[] leaves_;
}

bool SharedMemory::put(x86::paging::PhysicalMemory& memory) {
    if (--refs_) return false;
    const uint64_t leaves = (pages_ + PER_LEAF - 1) / PER_LEAF;
    for (uint64_t i = 0; i < leaves; i++) {
        if (!leaves_[i]) continue;
        for (uint64_t j = 0; j < PER_LEAF; j++)
            if (leaves_[i][j]) memory.free(leaves_[i][j]);
    }
    delete this;
    return true;
}

uint64_t SharedMemory::frame(uint64_t index) const {
    if (index >= pages_) return 0;
    const uint64_t* leaf = leaves_[index / PER_LEAF];
    return leaf ? leaf[index % PER_LEAF] : 0;
}

uint64_t SharedMemory::frame_or_allocate(uint64_t index, x86::paging::PhysicalMemory& memory) {
    if (index >= pages_) return 0;
    uint64_t*& leaf = leaves_[index / PER_LEAF];
    if (!leaf) {
        leaf = new uint64_t[PER_LEAF];
        if (!leaf) return 0;
        for (uint64_t j = 0; j < PER_LEAF; j++) leaf[j] = 0;
    }
    uint64_t& slot = leaf[index % PER_LEAF];
    if (!slot) {
        slot = memory.allocate_zeroed();
        if (slot) resident_++;
    }
    return slot;
}

void SharedMemory::remove(uint64_t index, x86::paging::PhysicalMemory& memory, bool free_it) {
    if (index >= pages_ || !leaves_[index / PER_LEAF]) return;
    uint64_t& slot = leaves_[index / PER_LEAF][index % PER_LEAF];
    if (!slot) return;
    if (free_it) {
        memory.free(slot);
        slot = 0;
        resident_--;
    } else {
        uint64_t* words = memory.table(slot);
        for (unsigned i = 0; i < 512; i++) words[i] = 0;
    }
}

} // namespace mm
