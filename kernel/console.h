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
