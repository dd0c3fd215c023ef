#pragma once
// The per-CPU area, reached through the GS base while in the kernel.
//
// User code owns GS outside the kernel; every entry from user mode runs
// swapgs (SDM Vol. 2B SWAPGS), which exchanges GS.base with
// IA32_KERNEL_GS_BASE. The entry stubs read the first fields by offset
// (generated from this struct), so keep them plain.
#include <stddef.h>
#include <stdint.h>

namespace x86 {

struct PerCpu {
    PerCpu* self;              // gs:0, so C++ can find the struct
    uint64_t kernel_stack_top; // the current task's stack top (also TSS.RSP0)
    uint64_t user_rsp_scratch; // syscall entry parks the user RSP here
    uint64_t sysenter_return;  // the running task's sysenter landing pad in its vDSO (0: none)
    void* current;             // the running task (opaque to arch)
    uint64_t cpu_number;
    // Counts of interrupts that arrived in the kernel before its entry stub
    // had swapped GS (the gate window: arch/x86/entry/vectors.asm).
    uint64_t gs_window_hits;
    // The running task's work bits (x86::work in arch/x86/entry/entry.h):
    // what its next entry or return must do besides the fast path. The
    // stubs test this one word; the scheduler swaps it at each switch.
    uint32_t work;
    // The gate (SYSGATE_GATE_*) of the running task's last system call;
    // the fast paths store it here, the scheduler keeps it with the task.
    uint8_t last_gate;
    uint8_t sysenter_is64; // which sysenter stub IA32_SYSENTER_EIP names now
    uint16_t reserved;
};

// The running task, in one instruction (the entry stubs read the same field).
inline void* current_task() {
    void* task;
    asm volatile("movq %%gs:%c1, %0" : "=r"(task) : "i"(offsetof(PerCpu, current)));
    return task;
}

void percpu_init(); // GS base -> this CPU's area; KERNEL_GS_BASE -> 0
PerCpu& this_cpu();

} // namespace x86
