#pragma once
// What must be saved and restored when the CPU moves from one user
// program to another, beyond the registers in the entry frame.
#include <stdint.h>

namespace x86 {

struct UserContext {
    alignas(16) uint8_t fxsave[512]; // x87/SSE state (SDM Vol. 1 10.5, FXSAVE area)
    uint64_t fs_base = 0, gs_base = 0;
    uint16_t ds_selector = 0, es_selector = 0, fs_selector = 0, gs_selector = 0;
    uint64_t tls[3] = {}; // i386 TLS descriptors (set_thread_area), GDT slots 12-14
    // Selectors that could not be reloaded at the last switch (their
    // descriptor was gone) and were replaced by null, for tests and dumps.
    unsigned segment_reload_failures = 0;
};

// A fresh program's state: FPU as after FNINIT, MXCSR 0x1f80 (all
// exceptions masked), zero bases, null FS and GS, and DS = ES = the user
// data selector for a 32-bit program, null for a 64-bit one (as Linux's
// start_thread).
void reset_user_context(UserContext& ctx, bool is64);
// Called on the way out of the running program / into the next one.
void save_user_context(UserContext& ctx);
void load_user_context(UserContext& ctx, bool is64);

// The kernel stack the next entry from user mode lands on: TSS.RSP0 for
// interrupts and int $0x80, and the per-CPU copy the sysenter and syscall
// stubs load.
void set_entry_stack(uint64_t top);
void switch_address_space(uint64_t pml4_phys);

// The FS/GS base a 64-bit program sets with arch_prctl; applied at once.
void set_user_fs_base(uint64_t base);
void set_user_gs_base(uint64_t base);
uint64_t user_fs_base();
uint64_t user_gs_base();

// Loads the TLS descriptors into the GDT now (set_thread_area on the
// running program).
void install_tls(const uint64_t (&tls)[3]);

} // namespace x86

// Switches kernel stacks: saves callee-saved registers and RSP into
// *save_rsp, loads new_rsp and returns on the other stack (switch.asm).
extern "C" void x86_switch_stack(uint64_t* save_rsp, uint64_t new_rsp);
// Where a new task's kernel stack "returns" to: it calls the function in
// r12 with r13 as its argument; if that returns, leaves for user mode
// through the frame on the stack.
extern "C" void x86_task_start();
