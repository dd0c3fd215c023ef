#pragma once
// Ending the machine with a status the host can see.
#include <stdint.h>

namespace x86::power {

// Tries, in order: QEMU's isa-debug-exit (port 0xf4), Bochs' shutdown port
// (0x8900), ACPI soft-off on QEMU and Bochs, then halts forever. The caller
// prints the status on serial first: it is the only channel that carries
// all 256 values on every emulator.
[[noreturn]] void off(uint8_t status);

} // namespace x86::power
