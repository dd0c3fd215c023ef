#pragma once
// Kernel time: a periodic tick and the TSC, calibrated against the PIT.
#include <stdint.h>

namespace ktime {

void init(unsigned timer_hz); // calibrates the TSC, programs the tick (interrupts stay off)
uint64_t ticks();
unsigned timer_hz();
void set_timer_hz(unsigned hz); // reprograms the PIT (sysgate_ctl, for the gate-window test)
uint64_t tsc_hz();
uint64_t now_ns();     // CLOCK_MONOTONIC: since boot, from the TSC
int64_t realtime_ns(); // CLOCK_REALTIME: the RTC at boot plus now_ns()

// The clock parameters live in the page the vDSO maps read-only, so the
// kernel and __vdso_clock_gettime compute time the same way.
uint64_t clock_page_phys();

// Seconds since 1970-01-01 for a UTC calendar date (proleptic Gregorian).
constexpr int64_t unix_seconds(unsigned year, unsigned month, unsigned day, unsigned hour, unsigned minute,
                               unsigned second) {
    // Days from civil (H. Hinnant's algorithm): March-based years make
    // February the last month, so leap days fall at the end.
    const int64_t y = int64_t(year) - (month <= 2);
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (int64_t(month) + (month > 2 ? -3 : 9)) + 2) / 5 + int64_t(day) - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const int64_t days = era * 146097 + doe - 719468;
    return days * 86400 + int64_t(hour) * 3600 + int64_t(minute) * 60 + int64_t(second);
}

// Called by the timer interrupt handler chain (kernel/sched registers more).
using TickHook = void (*)();
void add_tick_hook(TickHook hook);

} // namespace ktime
