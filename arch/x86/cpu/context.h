#pragma once
// What must be saved and restored when the CPU moves from one user
// program to another, beyond the registers in the entry frame.
#include <stdint.h>

#include "arch/x86/cpu/io_bitmap.h"
#include "arch/x86/cpu/xstate.h"

namespace x86 {

namespace ldt {
class Table;
}

// A task's port permissions: ioperm's bitmap and iopl's level, per task
// as on Linux (arch/x86/kernel/ioport.c): inherited by fork and clone,
// kept across execve, gone with the task. EFLAGS.IOPL stays 0 whatever
// the level (Linux 6.1, CONFIG_X86_IOPL_IOPERM): iopl(3) grants every
// port through the TSS bitmap, and cli/sti still raise #GP (which the
// kernel then treats as a no-op, as Linux does).
struct IoPermissions {
    IoBitmap* bitmap = nullptr; // nullptr: no ioperm bits set
    uint8_t iopl = 0;           // 0-3; 3 = every port
    bool warned_cli_sti = false;

    IoPermissions() = default;
    ~IoPermissions();
    IoPermissions(const IoPermissions&) = delete;
    IoPermissions& operator=(const IoPermissions&) = delete;
};

struct UserContext {
    // The program's FPU and vector registers (x87, SSE, and AVX/AVX-512 as
    // enabled at boot): an XSAVE area in the standard format (SDM Vol. 1
    // 13.4), or an FXSAVE image where the CPU has no XSAVE. XSAVE needs 64-byte
    // alignment and the heap gives 16, so the area starts at the first 64-byte
    // boundary inside: use fpu_area(), or fxsave_image() for the first 512
    // bytes, which are always the FXSAVE image (x87 and SSE, exact: see
    // save_user_context).
    alignas(16) uint8_t fpu_storage[xstate::MAX_SIZE + 48];
    uint64_t fs_base = 0, gs_base = 0;
    uint16_t ds_selector = 0, es_selector = 0, fs_selector = 0, gs_selector = 0;
    uint64_t tls[3] = {}; // i386 TLS descriptors (set_thread_area), GDT slots 12-14
    // Selectors that could not be reloaded at the last switch (their
    // descriptor was gone) and were replaced by null, for tests and dumps.
    unsigned segment_reload_failures = 0;
    IoPermissions io;
};

// The task's saved FPU state (valid while it is not running; the running
// task's is in the CPU until save_user_context).
inline uint8_t* fpu_area(UserContext& ctx) {
    return reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(ctx.fpu_storage) + 63) & ~uintptr_t(63));
}
inline const uint8_t* fpu_area(const UserContext& ctx) {
    return fpu_area(const_cast<UserContext&>(ctx));
}
// Its first 512 bytes: the FXSAVE image (SDM Vol. 1 Table 10-2), what
// ptrace's GETFPREGS/SETFPREGS read and write.
inline uint8_t* fxsave_image(UserContext& ctx) {
    return fpu_area(ctx);
}
inline const uint8_t* fxsave_image(const UserContext& ctx) {
    return fpu_area(ctx);
}
// After writing the FXSAVE image of a task that is not running (SETFPREGS):
// makes XRSTOR load x87 and SSE from it (sets them in the XSAVE header's
// XSTATE_BV). A bad MXCSR is not loaded: the next switch to the task gives
// it the initial FPU state instead of a kernel fault.
void fxsave_image_written(UserContext& ctx);

// ---- the FPU configuration, fixed at boot (arch/x86/cpu/xstate.h)

// With XSAVE (CPUID.1:ECX[26]): CR4.OSXSAVE, XCR0 = the supported
// components the CPU has, the area size from CPUID.0Dh. Without it,
// FXSAVE/FXRSTOR as before. Call once, after CR4.OSFXSR is on.
const xstate::Config& init_xstate(bool cpu_has_xsave);
const xstate::Config& xstate_config();
// The MXCSR bits this CPU implements (SDM Vol. 1 11.6.6); restoring any
// other bit is a #GP.
uint32_t mxcsr_feature_mask();
// The live FPU state into `area` (64-byte aligned, xstate_config().size
// bytes): plain XSAVE (every component written; XSTATE_BV says which are
// in use) or FXSAVE. Bytes FXSAVE/XSAVE do not write are zero.
void save_fpu_state(void* area);
// `area` into the FPU (the XSAVE header must hold a valid XSTATE_BV).
// False if XRSTOR/FXRSTOR refused it (#GP, caught by an exception fixup,
// never a kernel fault); the FPU is then in its initial state.
bool restore_fpu_state(const void* area);
// The initial state (as after FNINIT, MXCSR 0x1f80, vector registers zero)
// written into `area`, and loaded into the FPU.
void init_fpu_area(void* area);
void reset_fpu_state();

// A fresh program's state: FPU as after FNINIT, MXCSR 0x1f80 (all
// exceptions masked), zero bases, null FS and GS, and DS = ES = the user
// data selector for a 32-bit program, null for a 64-bit one (as Linux's
// start_thread).
void reset_user_context(UserContext& ctx, bool is64);
// Called on the way out of the running program / into the next one.
void save_user_context(UserContext& ctx);
// `ldt`: the LDT of the task's address space (nullptr: none). It is
// installed first, since DS, ES, FS or GS may name it.
void load_user_context(UserContext& ctx, bool is64, const ldt::Table* ldt = nullptr);

// ---- the LDT of the running task (modify_ldt)
// Installs the table again after a change (a new array or a new count),
// then reloads DS and ES if they name the LDT, as Linux's
// refresh_ldt_segments: a selector whose entry is gone becomes null now,
// not at some later switch. (CS and SS are checked by iretq on the way out.)
void reload_ldt(const ldt::Table* ldt);
// set_thread_area changed GDT entry `selector`'s descriptor: reload every
// data segment register that holds it (Linux's do_set_thread_area); one
// that no longer loads becomes null with a zero base.
void refresh_user_segments(uint16_t selector);

// ---- port permissions
// fork/clone: the child gets a copy of the parent's. False when out of memory.
bool copy_io_permissions(UserContext& child, const UserContext& parent);
// ioperm on [from, from + num) (checked: from + num <= 65536). False when
// out of memory. `running`: the context is the CPU's, update the TSS now.
bool set_io_bitmap(UserContext& ctx, unsigned from, unsigned num, bool allow, bool running);
void set_iopl(UserContext& ctx, unsigned level, bool running);

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
