#pragma once
// Clamping an index after its bounds check, so a mispredicted check
// cannot steer a speculative load past the end of a table (Spectre v1;
// the idea of Linux's array_index_nospec).
#include <stdint.h>

namespace x86 {

// index if index < size, else 0, computed without a branch.
inline uint64_t index_nospec(uint64_t index, uint64_t size) {
    uint64_t mask;
    // cmp sets CF when index < size; sbb turns CF into all-ones or zero.
    asm("cmp %2, %1; sbb %0, %0" : "=r"(mask) : "r"(index), "r"(size) : "cc");
    return index & mask;
}

} // namespace x86
