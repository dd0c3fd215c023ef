#pragma once
// From a gate to a handler: table lookup, statistics and strace=1.
#include <stdint.h>

#include "arch/x86/entry/entry.h"
#include "kernel/syscall/uapi/sysgate/abi.h"

namespace syscall {

// Installs the dispatcher into the gates (arch/x86/entry/gates.cpp).
void init(bool trace);

// A gate as the Sysgate ABI numbers it (SYSGATE_GATE_* in <sysgate/abi.h>).
uint32_t abi_gate(x86::entry::Gate gate);

// A call of the legacy vsyscall page: the x86_64 call `number` with the
// frame's rdi, rsi and rdx, counted and traced as the vsyscall gate.
int64_t dispatch_legacy(x86::RegisterFrame& frame, uint32_t number);

void set_trace(bool on);
bool trace_enabled();

// Per-gate counters, as sysgate_stats reports them.
struct GateCounters {
    uint64_t calls[SYSGATE_GATES];
    uint64_t tsc_ticks[SYSGATE_GATES];
};
const GateCounters& counters();
void reset_counters();

} // namespace syscall
