#pragma once
// Random bytes for programs: AT_RANDOM at exec and getrandom(2). From the
// CPU's RDRAND where it has one (SDM Vol. 1 7.3.17), mixed into a
// xorshift generator seeded from the TSC; not a cryptographic source.
#include <stddef.h>
#include <stdint.h>

namespace random {

void bytes(uint8_t* out, size_t n);

} // namespace random
