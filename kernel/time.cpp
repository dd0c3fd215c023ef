#include "kernel/time.h"

#include "arch/x86/cpu/cpu.h"
#include "arch/x86/desc/idt.h"
#include "arch/x86/dev/pic.h"
#include "arch/x86/dev/pit.h"
#include "arch/x86/entry/interrupts.h"
#include "kernel/console.h"

namespace ktime {
namespace {

volatile uint64_t tick_count;
unsigned hz;
uint64_t tsc_per_second;
uint64_t tsc_at_boot;
TickHook hooks[4];
unsigned hook_count;

void on_timer(x86::RegisterFrame&) {
    tick_count = tick_count + 1;
    x86::pic::end_of_interrupt(0);
    for (unsigned i = 0; i < hook_count; i++) hooks[i]();
}

} // namespace

void init(unsigned timer_hz) {
    tsc_at_boot = x86::rdtsc();
    // Calibrate over 50 ms of PIT channel 2; take the fastest of three
    // (a slow measurement means the emulator was descheduled).
    uint64_t best = ~0ull;
    for (int i = 0; i < 3; i++) {
        const uint64_t t = x86::pit::measure_tsc_ticks(50);
        if (t < best) best = t;
    }
    tsc_per_second = best * 20;
    if (!tsc_per_second) tsc_per_second = 1;
    hz = timer_hz;
    x86::pit::set_frequency(hz);
    x86::interrupts::set_handler(x86::idt::IRQ_BASE + 0, on_timer);
    x86::pic::unmask(0);
    kprintln("[time] TSC {}.{:03} MHz (calibrated against the PIT), timer {} Hz", tsc_per_second / 1000000,
             tsc_per_second / 1000 % 1000, hz);
}

uint64_t ticks() { return tick_count; }
unsigned timer_hz() { return hz; }
uint64_t tsc_hz() { return tsc_per_second; }

uint64_t tsc_to_ns(uint64_t t) {
    // t * 1e9 / hz without overflowing for a few hours of uptime.
    return t / tsc_per_second * 1000000000ull + t % tsc_per_second * 1000000000ull / tsc_per_second;
}

uint64_t now_ns() { return tsc_to_ns(x86::rdtsc() - tsc_at_boot); }

void add_tick_hook(TickHook hook) {
    if (hook_count < sizeof(hooks) / sizeof(hooks[0])) hooks[hook_count++] = hook;
}

} // namespace ktime
