#pragma once
// The legacy 8259A pair: IRQ 0-15 remapped to vectors 0x20-0x2f.
#include <stdint.h>

namespace x86::pic {

void init(); // remap, everything masked
void unmask(unsigned irq);
void end_of_interrupt(unsigned irq);
bool is_spurious(unsigned irq); // IRQ 7/15 with no bit in the in-service register

} // namespace x86::pic
