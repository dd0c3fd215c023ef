#pragma once
// The CMOS real-time clock: read once at boot for CLOCK_REALTIME.
#include <stdint.h>

namespace x86::rtc {

struct DateTime {
    unsigned year, month, day, hour, minute, second;
};
DateTime read();

} // namespace x86::rtc
