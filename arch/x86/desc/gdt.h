#pragma once
// Installs the GDT of arch/x86/desc/layout.h and the TSS.
#include <stdint.h>

#include "arch/x86/desc/descriptors.h"

namespace x86::gdt {

void init(); // lgdt, reload every segment register, ltr

// The TSS: RSP0 for ring-3 -> ring-0 transitions, and the IST stacks.
enum IstSlot : unsigned { IST_DOUBLE_FAULT = 1, IST_NMI = 2, IST_MACHINE_CHECK = 3, IST_DEBUG = 4 };
void set_kernel_stack(uint64_t rsp0);
uint64_t kernel_stack();
uint64_t ist_stack_top(IstSlot slot);

// i386 TLS descriptors (set_thread_area) live in GDT slots TLS_FIRST..;
// the scheduler installs each task's three on every switch.
void set_tls_descriptors(const uint64_t (&descriptors)[3]);

// The LDT of the running program (arch/x86/desc/ldt.h): the GDT's LDT
// descriptor (slots 10-11) and LDTR. nullptr or 0 entries: no LDT (LDTR
// null, so every selector with TI = 1 faults).
void set_ldt(const uint64_t* ldt_entries, unsigned count);

// The TSS's I/O permission bitmap for the running task (SDM Vol. 1 19.5.2):
// none (every port access from ring 3 faults), all ports (iopl(3)), or a
// copy of the first `bytes` bytes of the task's bitmap (bit set = the port
// faults; the bytes beyond are all ones). io_permit_map(nullptr, 0) selects
// the map as the last copy left it.
constexpr unsigned IO_BITMAP_BYTES = 65536 / 8;
void io_permit_none();
void io_permit_all();
void io_permit_map(const uint8_t* map, unsigned bytes);

// The live table, for tests and the boot log.
const uint64_t* table();

} // namespace x86::gdt
