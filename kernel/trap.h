#pragma once
// Policy for CPU exceptions: what a fault means depends on who took it.
//  - user mode: the process gets a signal (kernel/process), the kernel goes on;
//  - kernel mode, in a user-copy routine: resume at its fixup (-EFAULT);
//  - kernel mode, a breakpoint: report and resume (self-tests use this);
//  - kernel mode, anything else: a register dump, a backtrace, power off.
#include <stdint.h>

#include "arch/x86/entry/frame.h"

namespace trap {

void init();

// Prints every register of a frame, decoded (page-fault error codes, CR2).
void dump_frame(const x86::RegisterFrame& frame);

// What user-mode exceptions do; set by the process layer.
using UserFaultHandler = void (*)(x86::RegisterFrame& frame);
void set_user_fault_handler(UserFaultHandler handler);

// Counters for the self-tests.
extern unsigned kernel_breakpoints;
// Spurious IRQ 7/15s from the PIC (sysgate_stats reports them).
extern uint64_t spurious_irqs;

} // namespace trap
