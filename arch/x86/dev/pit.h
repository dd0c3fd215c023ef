#pragma once
// The 8254 programmable interval timer: the periodic tick (channel 0) and
// the reference for TSC calibration (channel 2).
#include <stdint.h>

namespace x86::pit {

constexpr uint32_t INPUT_HZ = 1193182;

void set_frequency(uint32_t hz); // channel 0, rate generator
// Measures how many TSC ticks elapse in `ms` milliseconds of channel 2.
uint64_t measure_tsc_ticks(uint32_t ms);

} // namespace x86::pit
