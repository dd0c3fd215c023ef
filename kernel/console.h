#pragma once
// Kernel messages: kprint("...{}...", args) to the serial line and the VGA
// screen. Safe from interrupt context (each call is atomic).
#include "kernel/format.h"

namespace console {

void init();
fmt::Sink& sink(); // writes to every console device
void write(const char* text, size_t length);

} // namespace console

void kprint_lock();
void kprint_unlock();

template <typename... Ts>
void kprint(fmt::StringView format, const Ts&... args) {
    kprint_lock();
    fmt::format(console::sink(), format, args...);
    kprint_unlock();
}

template <typename... Ts>
void kprintln(fmt::StringView format, const Ts&... args) {
    kprint_lock();
    fmt::format(console::sink(), format, args...);
    console::sink().put('\n');
    kprint_unlock();
}

// For messages a program can cause at any rate (a fault, a bad handler, an
// overlong input line): at most BURST of one kind per second; the rest are
// counted, and the next message that gets through says how many were not
// printed. One static RateLimit per kind of message:
//     static RateLimit limit("[fault]");
//     if (limit.allow()) kprintln(...);
class RateLimit {
  public:
    static constexpr unsigned BURST = 10;
    constexpr explicit RateLimit(const char* tag) : tag_(tag) {}
    bool allow();
    uint64_t suppressed_total() const { return suppressed_total_; }

  private:
    const char* tag_;
    uint64_t window_start_ns_ = 0;
    unsigned printed_ = 0;
    uint64_t suppressed_ = 0, suppressed_total_ = 0;
};
