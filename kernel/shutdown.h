#pragma once
// Ending a boot. The last serial line always states the status:
//   "sysgate: power off, status N"
// which is what scripts/boot reads (tests/boot asserts on it).
#include <stdint.h>

namespace status {
constexpr uint8_t OK = 0;
constexpr uint8_t SELFTEST_FAILED = 1;
constexpr uint8_t KERNEL_FAULT = 254; // panic, unexpected exception, double fault
} // namespace status

[[noreturn]] void shutdown(uint8_t status);

// Prints the message and a backtrace, then shuts down with KERNEL_FAULT.
[[noreturn]] void panic_message(const char* message);

#include "kernel/console.h"
template <typename... Ts>
[[noreturn]] void panic(fmt::StringView format, const Ts&... args) {
    char text[256];
    fmt::format_to(text, sizeof(text), format, args...);
    panic_message(text);
}

#define KASSERT(cond)                                                                                                  \
    do {                                                                                                               \
        if (!(cond)) panic("assertion failed: {} ({}:{})", #cond, __FILE__, __LINE__);                                 \
    } while (0)
