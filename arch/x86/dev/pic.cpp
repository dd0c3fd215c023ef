#include "arch/x86/dev/pic.h"

#include "arch/x86/cpu/io.h"
#include "arch/x86/desc/idt.h"

namespace x86::pic {
namespace {

constexpr uint16_t MASTER_CMD = 0x20, MASTER_DATA = 0x21, SLAVE_CMD = 0xa0, SLAVE_DATA = 0xa1;
constexpr uint8_t EOI = 0x20, READ_ISR = 0x0b;
uint16_t mask = 0xffff;

void write_mask() {
    outb(MASTER_DATA, uint8_t(mask));
    outb(SLAVE_DATA, uint8_t(mask >> 8));
}

} // namespace

void init() {
    // ICW1: edge triggered, cascade, ICW4 follows.
    outb(MASTER_CMD, 0x11);
    io_wait();
    outb(SLAVE_CMD, 0x11);
    io_wait();
    // ICW2: vector offsets. ICW3: slave on IRQ 2. ICW4: 8086 mode.
    outb(MASTER_DATA, idt::IRQ_BASE);
    io_wait();
    outb(SLAVE_DATA, idt::IRQ_BASE + 8);
    io_wait();
    outb(MASTER_DATA, 4);
    io_wait();
    outb(SLAVE_DATA, 2);
    io_wait();
    outb(MASTER_DATA, 1);
    io_wait();
    outb(SLAVE_DATA, 1);
    io_wait();
    mask = 0xffff & ~(1u << 2); // the cascade line stays open
    write_mask();
}

void unmask(unsigned irq) {
    mask &= uint16_t(~(1u << irq));
    write_mask();
}

void end_of_interrupt(unsigned irq) {
    if (irq >= 8) outb(SLAVE_CMD, EOI);
    outb(MASTER_CMD, EOI);
}

bool is_spurious(unsigned irq) {
    if (irq != 7 && irq != 15) return false;
    const uint16_t cmd = irq == 7 ? MASTER_CMD : SLAVE_CMD;
    outb(cmd, READ_ISR);
    if (inb(cmd) & 0x80) return false;
    if (irq == 15) outb(MASTER_CMD, EOI); // the master saw a real cascade interrupt
    return true;
}

} // namespace x86::pic
