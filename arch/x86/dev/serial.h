#pragma once
// COM1, a 16550 UART: the kernel console and the line the test harness reads.
#include <stdint.h>

namespace x86::serial {

void init();                     // 115200 8N1, FIFOs off (see serial.cpp)
void put(char c);                // blocking; "\n" becomes "\r\n"
void flush();                    // waits until the transmitter is empty (LSR bit 6)
void enable_receive_interrupt(); // IRQ 4 on each received byte
bool receive(uint8_t& byte);     // non-blocking: true if a byte was waiting

} // namespace x86::serial
