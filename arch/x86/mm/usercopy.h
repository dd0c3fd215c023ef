#pragma once
// Fault-tolerant memory access primitives (arch/x86/mm/usercopy.asm).
// Callers check ranges first; see kernel/uaccess.h for the typed interface.
#include <stdint.h>

extern "C" {
uint64_t x86_copy_user(void* dst, const void* src, uint64_t n); // bytes not copied
int64_t x86_strncpy_user(char* dst, const char* src, uint64_t max);
uint64_t x86_zero_user(void* dst, uint64_t n);
int x86_probe_read_u64(const void* address, uint64_t* out);
}

namespace x86 {
// The fixup address for a faulting kernel RIP, or 0 if the fault is a bug.
uint64_t exception_fixup(uint64_t rip);
} // namespace x86
