#include "arch/x86/dev/rtc.h"

#include "arch/x86/cpu/io.h"

namespace x86::rtc {
namespace {

uint8_t cmos(uint8_t reg) {
    outb(0x70, reg);
    return inb(0x71);
}

unsigned from_bcd(uint8_t v) {
    return (v & 0x0f) + (v >> 4) * 10;
}

} // namespace

DateTime read() {
    // Wait out an update in progress (status A bit 7), then read twice
    // until two reads agree.
    DateTime a{}, b{};
    for (int attempt = 0; attempt < 5; attempt++) {
        while (cmos(0x0a) & 0x80) {
        }
        a = {cmos(0x09), cmos(0x08), cmos(0x07), cmos(0x04), cmos(0x02), cmos(0x00)};
        while (cmos(0x0a) & 0x80) {
        }
        b = {cmos(0x09), cmos(0x08), cmos(0x07), cmos(0x04), cmos(0x02), cmos(0x00)};
        if (a.second == b.second && a.minute == b.minute && a.hour == b.hour && a.day == b.day) break;
    }
    const uint8_t status_b = cmos(0x0b);
    if (!(status_b & 0x04)) { // BCD mode
        b.second = from_bcd(uint8_t(b.second));
        b.minute = from_bcd(uint8_t(b.minute));
        b.hour = from_bcd(uint8_t(b.hour & 0x7f)) | (b.hour & 0x80);
        b.day = from_bcd(uint8_t(b.day));
        b.month = from_bcd(uint8_t(b.month));
        b.year = from_bcd(uint8_t(b.year));
    }
    if (!(status_b & 0x02) && (b.hour & 0x80)) b.hour = ((b.hour & 0x7f) + 12) % 24; // 12-hour clock
    b.year += 2000;
    return b;
}

} // namespace x86::rtc
