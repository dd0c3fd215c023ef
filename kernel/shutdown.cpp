#include "kernel/shutdown.h"

#include "arch/x86/cpu/cpu.h"
#include "arch/x86/dev/power.h"
#include "kernel/backtrace.h"

void shutdown(uint8_t status) {
    x86::disable_interrupts();
    kprintln("sysgate: power off, status {}", status);
    x86::power::off(status);
}

void panic_message(const char* message) {
    x86::disable_interrupts();
    kprintln("");
    kprintln("KERNEL PANIC: {}", message);
    print_backtrace(reinterpret_cast<uint64_t>(__builtin_frame_address(0)));
    shutdown(status::KERNEL_FAULT);
}
