#pragma once
// Where the vDSO lives in every process (fixed addresses, as the original
// linux-gate page at 0xffffe000 was; Linux later randomised them).
#include <stdint.h>

namespace x86::vdso {

// 32-bit programs: a page below the historical linux-gate address
// (0xffffe000), so that two pages of code fit; the data page below.
constexpr uint64_t CODE32 = 0xffffd000; // up to two pages, below the top page
constexpr uint64_t DATA32 = 0xffffc000;
constexpr uint64_t STACK_TOP32 = 0xffffb000;
// The top page of a 32-bit address space stays unmapped: a pointer there
// (or one that would wrap past 4 GiB) is always -EFAULT.
static_assert(CODE32 + 2 * 4096 <= 0xfffff000);

// 64-bit programs: just below the guard page under 2^47.
constexpr uint64_t CODE64 = 0x7fffffffd000; // up to two pages
constexpr uint64_t DATA64 = 0x7fffffffc000;
constexpr uint64_t STACK_TOP64 = 0x7ffffffbc000;

constexpr uint64_t MAX_CODE_PAGES = 2;

} // namespace x86::vdso
