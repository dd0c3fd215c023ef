#include "kernel/console.h"

#include "arch/x86/cpu/cpu.h"
#include "arch/x86/dev/serial.h"
#include "arch/x86/dev/vga.h"
#include "kernel/time.h"

namespace console {
namespace {

class DeviceSink final : public fmt::Sink {
  public:
    void put(char c) override {
        x86::serial::put(c);
        x86::vga::put(c);
    }
};
DeviceSink devices;

} // namespace

void init() {
    x86::serial::init();
    x86::vga::init();
}

fmt::Sink& sink() {
    return devices;
}

void write(const char* text, size_t length) {
    kprint_lock();
    devices.write(text, length);
    kprint_unlock();
}

} // namespace console

// One CPU: a message is atomic if interrupts are off while it is written.
// The depth count lets a fault handler print while a message is half done.
namespace {
unsigned lock_depth;
bool interrupts_were_on;
} // namespace

void kprint_lock() {
    const bool on = x86::read_rflags() & x86::rflags::IF;
    x86::disable_interrupts();
    if (lock_depth++ == 0) interrupts_were_on = on;
}

void kprint_unlock() {
    if (--lock_depth == 0 && interrupts_were_on) x86::enable_interrupts();
}

bool RateLimit::allow() {
    x86::InterruptGuard guard;
    const uint64_t now = ktime::now_ns();
    if (!window_start_ns_ || now - window_start_ns_ >= 1000000000) {
        if (suppressed_) kprintln("{} {} more messages suppressed (at most {} a second)", tag_, suppressed_, BURST);
        window_start_ns_ = now;
        printed_ = 0;
        suppressed_ = 0;
    }
    if (printed_ < BURST) {
        printed_++;
        return true;
    }
    suppressed_++;
    suppressed_total_++;
    return false;
}
