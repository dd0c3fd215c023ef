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

// The live table, for tests and the boot log.
const uint64_t* table();

} // namespace x86::gdt
