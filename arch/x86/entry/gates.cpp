#include "arch/x86/cpu/cpu.h"
#include "arch/x86/cpu/msr.h"
#include "arch/x86/cpu/percpu.h"
#include "arch/x86/desc/layout.h"
#include "arch/x86/entry/entry.h"
#include "arch/x86/entry/interrupts.h"
#include "arch/x86/mm/layout.h"
#include "arch/x86/mm/usercopy.h"

extern "C" char int80_entry[], sysenter32_entry[], sysenter32_flags_fixed[], sysenter32_slow_entry[],
    sysenter32_slow_flags_fixed[], sysenter64_entry[], sysenter64_flags_fixed[], syscall64_entry[], syscall32_entry[];

namespace x86::entry {
namespace {

Hooks hooks;
uint64_t landing_pad_offset32, landing_pad_offset64; // from the vDSO's base
// AMD CPUs raise #UD for sysenter/sysexit in long mode, but an emulator
// may still let a sysenter in (QEMU does): then leave through iretq.
bool sysexit_usable;

// A small stack for the instant between sysenter and the stub's switch to
// the task's own stack (the role TSS.esp1 played in Linux 2.6).
alignas(16) uint8_t sysenter_stack[256];

bool sysenter_usable;

// Where a sysenter returns: the landing pad of the running task's vDSO,
// which the stubs push as the frame's RIP (PerCpu::sysenter_return).
uint64_t landing_pad() {
    return this_cpu().sysenter_return;
}

// Every slow return: what the work bits asked for, then the checks the
// fast path skipped. Interrupts are off from here to the return.
void exit_work(RegisterFrame& f) {
    disable_interrupts();
    interrupts::run_user_return_hook(f); // resched, signals, restarts (kernel/init.cpp)
    sanitize_user_flags(f);
    this_cpu().work &= ~work::FRAME;
}

// A single step absorbed on the way in (trap.cpp) goes back into the
// user's flags before the call, which may replace them (sigreturn).
void restore_absorbed_step(RegisterFrame& f) {
    if (this_cpu().work & work::STEP) {
        this_cpu().work &= ~work::STEP;
        f.rflags |= rflags::TF;
    }
}

SystemCall i386_call(const RegisterFrame& f, Gate gate) {
    return {gate,
            Abi::I386,
            uint32_t(f.rax),
            {uint32_t(f.rbx), uint32_t(f.rcx), uint32_t(f.rdx), uint32_t(f.rsi), uint32_t(f.rdi), uint32_t(f.rbp)}};
}

SystemCall x86_64_call(const RegisterFrame& f, Gate gate) {
    return {gate, Abi::X86_64, uint32_t(f.rax), {f.rdi, f.rsi, f.rdx, f.r10, f.r8, f.r9}};
}

} // namespace

const char* gate_name(Gate gate) {
    switch (gate) {
    case Gate::Int80:
        return "int80";
    case Gate::Sysenter:
        return "sysenter";
    case Gate::Syscall:
        return "syscall";
    case Gate::Vsyscall:
        return "vsyscall";
    }
    return "?";
}

void install(const Hooks& h) {
    hooks = h;
}

void set_sysenter_landing_pads(uint64_t pad32_offset, uint64_t pad64_offset) {
    landing_pad_offset32 = pad32_offset;
    landing_pad_offset64 = pad64_offset;
}

uint64_t fmask_value() {
    return rflags::TF | rflags::NT | rflags::AC | rflags::DF | rflags::IF;
}

GateSupport init_msrs(const CpuInfo& cpu) {
    GateSupport support{};
    if (cpu.sep) {
        msr::write(msr::SYSENTER_CS, gdt::SYSENTER_CS_VALUE);
        msr::write(msr::SYSENTER_ESP, reinterpret_cast<uint64_t>(sysenter_stack + sizeof(sysenter_stack)));
        support.sysenter = sysenter_usable = true;
        support.sysexit = sysexit_usable = cpu.vendor != Vendor::Amd;
        msr::write(msr::SYSENTER_EIP, sysenter_address(false));
        this_cpu().sysenter_is64 = 0;
    }
    if (cpu.syscall) {
        msr::write(msr::EFER, msr::read(msr::EFER) | msr::EFER_SCE);
        msr::write(msr::STAR, gdt::STAR_VALUE);
        msr::write(msr::LSTAR, reinterpret_cast<uint64_t>(syscall64_entry));
        msr::write(msr::CSTAR, reinterpret_cast<uint64_t>(syscall32_entry));
        msr::write(msr::FMASK, fmask_value());
        support.syscall = true;
    }
    return support;
}

void switch_task_gates(bool is64, uint64_t vdso_base) {
    PerCpu& cpu = this_cpu();
    cpu.sysenter_return = vdso_base ? vdso_base + (is64 ? landing_pad_offset64 : landing_pad_offset32) : 0;
    if (sysenter_usable && cpu.sysenter_is64 != is64) {
        msr::write(msr::SYSENTER_EIP, sysenter_address(is64));
        cpu.sysenter_is64 = is64;
    }
}

EntryStep classify_entry_step(uint64_t rip) {
    const auto within = [rip](const char* from, const char* to) {
        return rip >= reinterpret_cast<uint64_t>(from) && rip <= reinterpret_cast<uint64_t>(to);
    };
    if (within(sysenter32_entry, sysenter32_flags_fixed) ||
        within(sysenter32_slow_entry, sysenter32_slow_flags_fixed) || within(sysenter64_entry, sysenter64_flags_fixed))
        return EntryStep::Sysenter;
    if (rip == reinterpret_cast<uint64_t>(syscall64_entry) || rip == reinterpret_cast<uint64_t>(syscall32_entry))
        return EntryStep::Syscall;
    return EntryStep::None;
}

void sanitize_user_flags(RegisterFrame& f) {
    f.rflags = (f.rflags & ~(rflags::IOPL | rflags::VM)) | rflags::IF | rflags::FIXED;
}

bool sysret64_safe(const RegisterFrame& f) {
    return f.rcx == f.rip && f.r11 == f.rflags && f.cs == gdt::USER_CS64 && f.ss == gdt::USER_DS &&
           f.rip < mm::USER_TOP && !(f.rflags & (rflags::RF | rflags::TF));
}

bool sysret32_safe(const RegisterFrame& f) {
    return f.rcx == f.rip && f.r11 == f.rflags && f.cs == gdt::USER_CS32 && f.ss == gdt::USER_DS &&
           f.rip <= 0xffffffffull && !(f.rflags & (rflags::RF | rflags::TF));
}

bool sysexit_safe(const RegisterFrame& f, uint64_t landing_pad, bool is64) {
    if (f.rip != landing_pad || !landing_pad) return false; // sysexit clobbers rcx/rdx: only the vDSO restores them
    if (f.rflags & (rflags::TF | rflags::RF | rflags::NT)) return false;
    if (is64) return f.cs == gdt::USER_CS64 && f.ss == gdt::USER_SS_SYSEXITQ && f.rsp < mm::USER_TOP;
    return f.cs == gdt::USER_CS32 && f.ss == gdt::USER_DS && f.rsp <= 0xffffffffull;
}

bool is_system_call(const RegisterFrame& f) {
    return f.entry == ENTRY_INT80 || f.entry == ENTRY_SYSENTER || f.entry == ENTRY_SYSCALL64 ||
           f.entry == ENTRY_SYSCALL32;
}

bool rewind_to_gate(RegisterFrame& f) {
    if (!is_system_call(f)) return false;
    f.rax = f.error_code;
    f.rip -= 2; // cd 80 (int $0x80), 0f 05 (syscall), 0f 34 (sysenter before the landing pad)
    return true;
}

uint64_t sysenter_address(bool is64) {
    // Where sysexit is not usable (AMD), a 32-bit sysenter that an
    // emulator lets in takes the stub that always leaves through C (iretq).
    if (is64) return reinterpret_cast<uint64_t>(sysenter64_entry);
    return reinterpret_cast<uint64_t>(sysexit_usable ? sysenter32_entry : sysenter32_slow_entry);
}
uint64_t syscall64_address() {
    return reinterpret_cast<uint64_t>(syscall64_entry);
}
uint64_t syscall32_address() {
    return reinterpret_cast<uint64_t>(syscall32_entry);
}

} // namespace x86::entry

using namespace x86;
using namespace x86::entry;

// The slow paths. The stubs (int80.asm, sysenter.asm, syscall.asm) make
// the common call themselves: a range check, one indirect call through
// the generated handler array, one test of the task's work word. They come
// here when a work bit is set on entry (strace, cycle accounting, stack
// poisoning, an absorbed single step) or on exit (a signal, a reschedule,
// a rewritten frame), or when the number is out of range (-ENOSYS, or a
// vDSO fallback call: kernel/syscall/dispatch.cpp). Each *_slow makes the
// call in C and then does the exit work; each *_exit_work does the exit
// work of a call the stub made. Both return with interrupts off and say
// how to leave.

// int $0x80: always the i386 table, from 32- and 64-bit callers alike;
// always iretq.
extern "C" void x86_int80_slow(RegisterFrame* f) {
    f->rax = uint64_t(hooks.dispatch(*f, i386_call(*f, Gate::Int80)));
    exit_work(*f);
}
extern "C" void x86_int80_exit_work(RegisterFrame* f) {
    exit_work(*f);
}

// syscall from 64-bit mode (LSTAR): the x86_64 table. True: sysretq.
extern "C" bool x86_syscall64_slow(RegisterFrame* f) {
    f->rax = uint64_t(hooks.dispatch(*f, x86_64_call(*f, Gate::Syscall)));
    exit_work(*f);
    return sysret64_safe(*f);
}
extern "C" bool x86_syscall64_exit_work(RegisterFrame* f) {
    exit_work(*f);
    return sysret64_safe(*f);
}

// syscall from compat mode (CSTAR, AMD): the i386 table; the vDSO passes
// the second argument in ebp (syscall clobbers ecx) and leaves the sixth
// at [esp], read only by the calls that take six. True: sysretl.
extern "C" bool x86_syscall32_slow(RegisterFrame* f) {
    SystemCall call = i386_call(*f, Gate::Syscall);
    call.args[1] = uint32_t(f->rbp);
    call.args[5] = 0;
    call.arg6_on_user_stack = true;
    f->rax = uint64_t(hooks.dispatch(*f, call));
    exit_work(*f);
    return sysret32_safe(*f);
}
extern "C" bool x86_syscall32_exit_work(RegisterFrame* f) {
    exit_work(*f);
    return sysret32_safe(*f);
}

// sysenter: the stub of the caller's bitness (switch_task_gates) built the
// frame with the user stack pointer from ebp/rbp and the landing pad as
// RIP. True: sysexit (32-bit) or sysexitq (64-bit).
extern "C" bool x86_sysenter32_slow(RegisterFrame* f) {
    restore_absorbed_step(*f);
    SystemCall call = i386_call(*f, Gate::Sysenter);
    call.args[5] = 0; // at [ebp]
    call.arg6_on_user_stack = true;
    f->rax = uint64_t(hooks.dispatch(*f, call));
    exit_work(*f);
    return sysexit_usable && sysexit_safe(*f, landing_pad(), false);
}
extern "C" bool x86_sysenter32_exit_work(RegisterFrame* f) {
    exit_work(*f);
    return sysexit_usable && sysexit_safe(*f, landing_pad(), false);
}

// sysenter from 64-bit code (Intel; a vDSO built for it on request): the
// x86_64 ABI, always through C, a curiosity rather than a fast path.
extern "C" bool x86_sysenter64_slow(RegisterFrame* f) {
    restore_absorbed_step(*f);
    f->rax = uint64_t(hooks.dispatch(*f, x86_64_call(*f, Gate::Sysenter)));
    exit_work(*f);
    return sysexit_usable && sysexit_safe(*f, landing_pad(), true);
}
