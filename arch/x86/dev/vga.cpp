#include "arch/x86/dev/vga.h"

#include <stdint.h>

#include "arch/x86/mm/layout.h"

namespace x86::vga {
namespace {

constexpr unsigned COLUMNS = 80, ROWS = 25;
constexpr uint16_t ATTRIBUTE = 0x07 << 8; // light grey on black
constexpr uint64_t TEXT_BUFFER_PHYS = 0xb8000;

volatile uint16_t* screen() {
    return reinterpret_cast<volatile uint16_t*>(mm::phys_to_virt(TEXT_BUFFER_PHYS));
}
unsigned row, column;

void scroll() {
    volatile uint16_t* s = screen();
    for (unsigned i = 0; i < (ROWS - 1) * COLUMNS; i++) s[i] = s[i + COLUMNS];
    for (unsigned i = 0; i < COLUMNS; i++) s[(ROWS - 1) * COLUMNS + i] = ATTRIBUTE | ' ';
}

} // namespace

void init() {
    for (unsigned i = 0; i < ROWS * COLUMNS; i++) screen()[i] = ATTRIBUTE | ' ';
    row = column = 0;
}

void put(char c) {
    if (c == '\n') {
        column = 0;
        row++;
    } else if (c == '\r') {
        column = 0;
    } else if (c == '\b') {
        if (column) column--;
    } else {
        screen()[row * COLUMNS + column] = ATTRIBUTE | uint8_t(c);
        if (++column == COLUMNS) {
            column = 0;
            row++;
        }
    }
    if (row == ROWS) {
        scroll();
        row = ROWS - 1;
    }
}

} // namespace x86::vga
