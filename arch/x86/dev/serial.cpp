#include "arch/x86/dev/serial.h"

#include "arch/x86/cpu/io.h"

namespace x86::serial {
namespace {

constexpr uint16_t COM1 = 0x3f8;
// Register offsets (16550 data sheet).
constexpr uint16_t DATA = 0, IER = 1, FCR = 2, LCR = 3, MCR = 4, LSR = 5;
constexpr uint8_t LSR_DATA_READY = 1 << 0, LSR_THR_EMPTY = 1 << 5, LSR_TX_IDLE = 1 << 6;

} // namespace

void init() {
    outb(COM1 + IER, 0);    // no interrupts yet
    outb(COM1 + LCR, 0x80); // DLAB: divisor follows
    outb(COM1 + DATA, 1);   // 115200 / 1
    outb(COM1 + IER, 0);
    outb(COM1 + LCR, 0x03); // 8 data bits, no parity, 1 stop bit
    // FIFOs stay off: turning them on clears them (16550 data sheet, FCR
    // bit 0), which would lose what was typed before the kernel started.
    // One interrupt per received byte is plenty for a console.
    outb(COM1 + FCR, 0);
    outb(COM1 + MCR, 0x0b); // DTR, RTS, OUT2 (OUT2 gates the IRQ line)
}

static void raw_put(char c) {
    while (!(inb(COM1 + LSR) & LSR_THR_EMPTY)) {
    }
    outb(COM1 + DATA, uint8_t(c));
}

void put(char c) {
    if (c == '\n') raw_put('\r');
    raw_put(c);
}

void flush() {
    while (!(inb(COM1 + LSR) & LSR_TX_IDLE)) {
    }
}

void enable_receive_interrupt() {
    outb(COM1 + IER, 0x01);
}

bool receive(uint8_t& byte) {
    if (!(inb(COM1 + LSR) & LSR_DATA_READY)) return false;
    byte = inb(COM1 + DATA);
    return true;
}

} // namespace x86::serial
