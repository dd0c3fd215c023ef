#include "kernel/time.h"

#include "arch/x86/cpu/cpu.h"
#include "arch/x86/desc/idt.h"
#include "arch/x86/dev/pic.h"
#include "arch/x86/dev/pit.h"
#include "arch/x86/dev/rtc.h"
#include "arch/x86/entry/interrupts.h"
#include "arch/x86/mm/layout.h"
#include "arch/x86/vdso/vdso_data.h"
#include "kernel/console.h"

namespace ktime {
namespace {

volatile uint64_t tick_count;
unsigned hz;
uint64_t tsc_per_second;

// A whole page: it is mapped into every process as the vDSO data page.
alignas(4096) union {
    vdso_data fields;
    uint8_t page[4096];
} clock_page;
vdso_data& clock = clock_page.fields;
TickHook hooks[4];
unsigned hook_count;

void on_timer(x86::RegisterFrame&) {
    tick_count = tick_count + 1;
    x86::pic::end_of_interrupt(0);
    for (unsigned i = 0; i < hook_count; i++) hooks[i]();
}

} // namespace

void init(unsigned timer_hz) {
    clock.tsc_at_boot = x86::rdtsc();
    // Calibrate over 50 ms of PIT channel 2; take the fastest of three
    // (a slow measurement means the emulator was descheduled).
    uint64_t best = ~0ull;
    for (int i = 0; i < 3; i++) {
        const uint64_t t = x86::pit::measure_tsc_ticks(50);
        if (t < best) best = t;
    }
    tsc_per_second = best * 20;
    if (!tsc_per_second) tsc_per_second = 1;
    clock.seq++; // odd: being written
    clock.tsc_hz = tsc_per_second;
    clock.ns_mult = uint64_t((unsigned __int128)1000000000 << 32) / tsc_per_second;
    const x86::rtc::DateTime t = x86::rtc::read();
    const int64_t wall = unix_seconds(t.year, t.month, t.day, t.hour, t.minute, t.second);
    clock.realtime_offset_ns = wall * 1000000000 - int64_t(vdso_tsc_to_ns(&clock, x86::rdtsc()));
    clock.seq++;
    hz = timer_hz;
    x86::pit::set_frequency(hz);
    x86::interrupts::set_handler(x86::idt::IRQ_BASE + 0, on_timer);
    x86::pic::unmask(0);
    kprintln("[time] TSC {}.{:03} MHz (calibrated against the PIT), timer {} Hz, RTC {}-{:02}-{:02} "
             "{:02}:{:02}:{:02} UTC",
             tsc_per_second / 1000000, tsc_per_second / 1000 % 1000, hz, t.year, t.month, t.day, t.hour, t.minute,
             t.second);
}

uint64_t ticks() {
    return tick_count;
}

void set_timer_hz(unsigned new_hz) {
    hz = new_hz;
    x86::pit::set_frequency(hz);
}
unsigned timer_hz() {
    return hz;
}
uint64_t tsc_hz() {
    return tsc_per_second;
}

uint64_t now_ns() {
    return vdso_tsc_to_ns(&clock, x86::rdtsc());
}
int64_t realtime_ns() {
    return int64_t(now_ns()) + clock.realtime_offset_ns;
}
uint64_t clock_page_phys() {
    return x86::mm::kernel_image_virt_to_phys(&clock_page);
}

void add_tick_hook(TickHook hook) {
    if (hook_count < sizeof(hooks) / sizeof(hooks[0])) hooks[hook_count++] = hook;
}

} // namespace ktime
