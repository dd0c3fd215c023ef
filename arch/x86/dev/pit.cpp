#include "arch/x86/dev/pit.h"

#include "arch/x86/cpu/cpu.h"
#include "arch/x86/cpu/io.h"

namespace x86::pit {
namespace {
constexpr uint16_t CHANNEL0 = 0x40, CHANNEL2 = 0x42, COMMAND = 0x43, SPEAKER_GATE = 0x61;
}

void set_frequency(uint32_t hz) {
    uint32_t divisor = INPUT_HZ / hz;
    if (divisor < 1) divisor = 1;
    if (divisor > 0xffff) divisor = 0xffff;
    outb(COMMAND, 0x34); // channel 0, lobyte/hibyte, mode 2 (rate generator)
    outb(CHANNEL0, uint8_t(divisor));
    outb(CHANNEL0, uint8_t(divisor >> 8));
}

uint64_t measure_tsc_ticks(uint32_t ms) {
    // Channel 2 counts down once (mode 0) with its gate on port 0x61 bit 0;
    // its output shows on bit 5 when the count reaches zero.
    const uint32_t count = INPUT_HZ * ms / 1000;
    uint8_t gate = inb(SPEAKER_GATE);
    outb(SPEAKER_GATE, uint8_t((gate & ~0x02) | 0x01)); // gate on, speaker off
    outb(COMMAND, 0xb0);                                // channel 2, lobyte/hibyte, mode 0
    outb(CHANNEL2, uint8_t(count));
    outb(CHANNEL2, uint8_t(count >> 8));
    gate = inb(SPEAKER_GATE);
    outb(SPEAKER_GATE, uint8_t(gate & ~0x01)); // restart the count: gate low then high
    outb(SPEAKER_GATE, uint8_t(gate | 0x01));
    const uint64_t start = rdtsc();
    while (!(inb(SPEAKER_GATE) & 0x20)) {
    }
    return rdtsc() - start;
}

} // namespace x86::pit
