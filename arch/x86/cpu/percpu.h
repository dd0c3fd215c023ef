#pragma once
// The per-CPU area, reached through the GS base while in the kernel.
//
// User code owns GS outside the kernel; every entry from user mode runs
// swapgs (SDM Vol. 2B SWAPGS), which exchanges GS.base with
// IA32_KERNEL_GS_BASE. The entry stubs read the first fields by offset
// (generated from this struct), so keep them plain.
#include <stdint.h>

namespace x86 {

struct PerCpu {
    PerCpu* self;                  // gs:0, so C++ can find the struct
    uint64_t kernel_stack_top;     // the current task's stack top (also TSS.RSP0)
    uint64_t user_rsp_scratch;     // syscall entry parks the user RSP here
    uint64_t sysenter_single_step; // set by #DB when a sysenter was single-stepped
    void* current;                 // the running task (opaque to arch)
    uint64_t cpu_number;
    // Counts of interrupts that arrived in the kernel before its entry stub
    // had swapped GS (the gate window: arch/x86/entry/vectors.asm).
    uint64_t gs_window_hits;
    // The running task's work bits (x86::work in arch/x86/entry/entry.h):
    // what its next entry or return must do besides the fast path. The
    // stubs test this one word; the scheduler swaps it at each switch.
    uint32_t work;
    uint32_t reserved;
};

void percpu_init(); // GS base -> this CPU's area; KERNEL_GS_BASE -> 0
PerCpu& this_cpu();

} // namespace x86
