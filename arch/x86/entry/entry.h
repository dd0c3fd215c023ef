#pragma once
// The system-call gates: MSR setup, the C++ half of each entry stub, and
// the rules for leaving through a fast return instruction.
#include <stdint.h>

#include "arch/x86/cpu/cpuid.h"
#include "arch/x86/entry/frame.h"

namespace x86 {

// What a task's next system-call entry or return to user mode must do
// besides the fast path, as bits of one word (PerCpu::work for the running
// task): the stubs test it once on the way in and once on the way out.
namespace work {
enum : uint32_t {
    SIGNAL = 1 << 0,  // a signal may be deliverable (and a call it interrupted may need restarting)
    RESCHED = 1 << 1, // the time slice is over, or a woken task should run
    FRAME = 1 << 2,   // the frame was rewritten (sigreturn, exec, a moved vDSO): iretq, flags sanitised
    TRACE = 1 << 3,   // strace=1: every call printed (every task's while on)
    STATS = 1 << 4,   // per-gate cycle accounting (every task's while on)
    POISON = 1 << 5,  // SYSGATE_CTL_POISON_STACK
    STEP = 1 << 6,    // a single step was absorbed on sysenter: TF goes back into the saved flags
    PTRACE = 1 << 7,  // traced with PTRACE_SYSCALL/SYSEMU: syscall-entry and -exit stops (kernel/proc/ptrace.cpp)
};
// Bits that belong to the whole system, not to one task: the scheduler
// adds them to whichever task runs.
constexpr uint32_t GLOBAL = TRACE | STATS;
// Checked before the call (what changes how it is made) and after it.
constexpr uint32_t ON_ENTRY = TRACE | STATS | POISON | STEP | PTRACE;
constexpr uint32_t ON_EXIT = ~0u;
} // namespace work

} // namespace x86

namespace x86::entry {

// Vsyscall: a call to the legacy vsyscall page, emulated on the page fault
// its fetch raises (kernel/vsyscall_page.cpp): the fourth way in.
enum class Gate : uint8_t { Int80, Sysenter, Syscall, Vsyscall };
enum class Abi : uint8_t { I386, X86_64 };

const char* gate_name(Gate gate);

// One system call as the gate decoded it from the registers.
struct SystemCall {
    Gate gate;
    Abi abi;
    uint32_t number;  // x86_64: the low 32 bits of rax (an int); i386: eax
    uint64_t args[6]; // i386 arguments zero-extended from 32 bits
    // sysenter and compat syscall: the sixth is on the user stack (the
    // frame's rsp), read only by the calls that take six.
    bool arg6_on_user_stack = false;
};

// What the kernel provides to the gates.
struct Hooks {
    // Runs the call; the result goes to the frame's rax. May rewrite the
    // frame (execve, rt_sigreturn) or never return (exit).
    int64_t (*dispatch)(RegisterFrame& frame, const SystemCall& call);
};
void install(const Hooks& hooks);

// The vDSO's landing pads after its sysenter instruction (32- and 64-bit),
// as offsets from the vDSO's base: a sysenter returns to the pad of the
// caller's vDSO, wherever mremap has moved it (Linux: do_fast_syscall_32
// adds current->mm->context.vdso).
void set_sysenter_landing_pads(uint64_t pad32_offset, uint64_t pad64_offset);

// The gates' view of the task about to run (a switch, an execve, a moved
// vDSO): sysenter enters a stub of the task's bitness (IA32_SYSENTER_EIP
// is rewritten only when the bitness changes) and returns to the landing
// pad of the task's vDSO (vdso_base 0: none).
void switch_task_gates(bool is64, uint64_t vdso_base);

// Writes the MSRs of every gate the CPU has: SYSENTER_CS/ESP/EIP, EFER.SCE,
// STAR, LSTAR, CSTAR and FMASK. CSTAR is set even on Intel: emulators let
// compat-mode syscall through, and then it must reach a real entry.
struct GateSupport {
    bool sysenter, syscall;
    bool sysexit; // sysexit in long mode: Intel only (AMD raises #UD)
};
GateSupport init_msrs(const CpuInfo& cpu);

// What to do with a kernel-mode #DB at `rip` (a user's TF single step
// carried into the kernel by a fast gate):
//   Sysenter: sysenter does not clear TF; the trap hits the stub's first
//     instructions, before it has saved the user's flags (sysenter.asm);
//   Syscall: some CPUs and emulators (Bochs) take the trap after syscall
//     itself, on the entry's first instruction; FMASK has cleared TF and
//     the user's flags are safe in r11, so there is nothing to restore.
enum class EntryStep { None, Sysenter, Syscall };
EntryStep classify_entry_step(uint64_t rip);

// The fast return instructions reproduce a frame only under conditions
// (sysret64_safe and friends say which); otherwise the frame leaves through iretq.
bool sysret64_safe(const RegisterFrame& f);
bool sysret32_safe(const RegisterFrame& f);
bool sysexit_safe(const RegisterFrame& f, uint64_t landing_pad, bool is64);
// IOPL and VM can never be returned to user mode; IF always is.
void sanitize_user_flags(RegisterFrame& f);

// Makes a system call happen again when the frame returns: the number back
// in rax (from error_code, where every stub saved it) and RIP back on the
// instruction that entered: int $0x80 and syscall are 2 bytes before the
// return address; a sysenter returns to the vDSO's landing pad, which
// every vDSO variant places right after a sysenter instruction. False if
// the frame is not a system call's.
bool rewind_to_gate(RegisterFrame& f);
bool is_system_call(const RegisterFrame& f);

// Entry points, for tests and the boot log.
uint64_t sysenter_address(bool is64); // the stub for callers of this bitness
uint64_t syscall64_address();
uint64_t syscall32_address();

// The FMASK value: RFLAGS bits syscall clears on entry.
uint64_t fmask_value();

} // namespace x86::entry
