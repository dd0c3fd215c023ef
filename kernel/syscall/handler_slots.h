#pragma once
// How many slots the entry stubs' handler arrays have for a table of
// `numbers` system calls: the next power of two, the extra slots -ENOSYS.
// The stubs clamp an in-range number with one `and` by slots - 1, so that
// a mispredicted range check cannot index past the array speculatively
// (the job of Linux's array_index_nospec). The generated arrays
// (scripts/gen-syscalls) and arch/x86/entry/asm_offsets.cpp both use this.
#include <stdint.h>

namespace syscall {
constexpr uint32_t handler_slots(uint32_t numbers) {
    uint32_t slots = 1;
    while (slots < numbers) slots *= 2;
    return slots;
}
static_assert(handler_slots(1003) == 1024 && handler_slots(1024) == 1024 && handler_slots(1) == 1);
} // namespace syscall
