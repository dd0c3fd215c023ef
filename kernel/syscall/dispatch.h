#pragma once
// From a gate to a handler: table lookup, statistics and strace=1.
#include <stdint.h>

#include "arch/x86/entry/entry.h"
#include "kernel/syscall/uapi/sysgate/abi.h"

struct Process;

namespace syscall {

// Installs the dispatcher into the gates (arch/x86/entry/gates.cpp).
void init(bool trace);

// A gate as the Sysgate ABI numbers it (SYSGATE_GATE_* in <sysgate/abi.h>).
uint32_t abi_gate(x86::entry::Gate gate);
// Its name as strace=1 prints it: "int80", "sysenter", "syscall",
// "vdso-fallback", "vsyscall" ("?" for any other number).
const char* gate_label(unsigned gate);

// For a kernel fault's dump: the system call the process is in (name,
// number, arguments) and its user registers, from its frame alone.
void print_current_call(const Process& p);

// A call of the legacy vsyscall page: the x86_64 call `number` with the
// frame's rdi, rsi and rdx, counted and traced as the vsyscall gate.
int64_t dispatch_legacy(x86::RegisterFrame& frame, uint32_t number);

// strace=1, or SYSGATE_CTL_STRACE: every call printed (work::TRACE).
void set_trace(bool on);
bool trace_enabled();
// syscall_cycles=1, or SYSGATE_CTL_CYCLE_ACCOUNTING: TSC ticks per gate
// (work::STATS: every call then takes the slow path).
void set_cycle_accounting(bool on);
bool cycle_accounting();

// Per-gate counters, as sysgate_stats reports them. The calls are always
// counted; the ticks only while cycle accounting is on.
struct GateCounters {
    uint64_t calls[SYSGATE_GATES];
    uint64_t tsc_ticks[SYSGATE_GATES];
};
GateCounters counters();
void reset_counters();

} // namespace syscall
