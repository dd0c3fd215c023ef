#pragma once
// Kernel time: a periodic tick and the TSC, calibrated against the PIT.
#include <stdint.h>

namespace ktime {

void init(unsigned timer_hz); // calibrates the TSC, programs the tick (interrupts stay off)
uint64_t ticks();
unsigned timer_hz();
uint64_t tsc_hz();
uint64_t now_ns();           // since boot, from the TSC
uint64_t tsc_to_ns(uint64_t tsc_ticks);

// Called by the timer interrupt handler chain (kernel/sched registers more).
using TickHook = void (*)();
void add_tick_hook(TickHook hook);

} // namespace ktime
