#include "arch/x86/cpu/cpu.h"
#include "arch/x86/cpu/msr.h"
#include "arch/x86/desc/layout.h"
#include "arch/x86/entry/entry.h"
#include "arch/x86/entry/interrupts.h"
#include "arch/x86/mm/layout.h"
#include "arch/x86/mm/usercopy.h"

extern "C" char int80_entry[], sysenter_entry[], sysenter_flags_fixed[], syscall64_entry[], syscall32_entry[];

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

constexpr uint64_t EFAULT = 14;

// The i386 ABI's sixth argument does not fit the fast 32-bit gates: the
// vDSO leaves it on the user stack. Read it only through the copy helper
// so a bogus stack pointer gives -EFAULT, not a kernel fault.
bool read_user_u32(uint64_t address, uint64_t& out) {
    uint32_t value = 0;
    if (address > 0xffffffffull - 3) return false; // 32-bit callers: below 4 GiB
    if (x86_copy_user(&value, reinterpret_cast<const void*>(address), 4) != 0) return false;
    out = value;
    return true;
}

void finish(RegisterFrame& f) {
    interrupts::run_user_return_hook(f);
    sanitize_user_flags(f);
}

// The landing pad of the calling process's vDSO (0 if it has none).
uint64_t landing_pad(bool is64) {
    const uint64_t base = hooks.vdso_base ? hooks.vdso_base() : 0;
    return base ? base + (is64 ? landing_pad_offset64 : landing_pad_offset32) : 0;
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
        msr::write(msr::SYSENTER_EIP, reinterpret_cast<uint64_t>(sysenter_entry));
        support.sysenter = true;
        support.sysexit = sysexit_usable = cpu.vendor != Vendor::Amd;
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

EntryStep classify_entry_step(uint64_t rip) {
    if (rip >= reinterpret_cast<uint64_t>(sysenter_entry) && rip <= reinterpret_cast<uint64_t>(sysenter_flags_fixed))
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

uint64_t sysenter_address() {
    return reinterpret_cast<uint64_t>(sysenter_entry);
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

// int $0x80: always the i386 table, from 32- and 64-bit callers alike.
extern "C" void x86_int80_handler(RegisterFrame* f) {
    f->rax = uint64_t(hooks.dispatch(*f, i386_call(*f, Gate::Int80)));
    disable_interrupts();
    finish(*f);
}

// syscall from 64-bit mode (LSTAR): the x86_64 table.
extern "C" bool x86_syscall64_handler(RegisterFrame* f) {
    f->rax = uint64_t(hooks.dispatch(*f, x86_64_call(*f, Gate::Syscall)));
    disable_interrupts();
    finish(*f);
    return sysret64_safe(*f);
}

// syscall from compat mode (CSTAR, AMD): the i386 table; arg2 in ebp, arg6 at [esp].
extern "C" bool x86_syscall32_handler(RegisterFrame* f) {
    SystemCall call = i386_call(*f, Gate::Syscall);
    call.args[1] = uint32_t(f->rbp);
    if (!read_user_u32(uint32_t(f->rsp), call.args[5])) {
        f->rax = uint64_t(-EFAULT);
        disable_interrupts();
        finish(*f);
        return false; // through iretq
    }
    f->rax = uint64_t(hooks.dispatch(*f, call));
    disable_interrupts();
    finish(*f);
    return sysret32_safe(*f);
}

// sysenter: who called is known only to the kernel. The user stack pointer
// is in ebp/rbp (saved by the stub as the frame's rsp).
extern "C" int x86_sysenter_handler(RegisterFrame* f) {
    const bool is64 = hooks.caller_is_64bit();
    if (is64) {
        f->cs = gdt::USER_CS64;
        f->ss = gdt::USER_SS_SYSEXITQ;
        f->rip = landing_pad(true);
        f->rax = uint64_t(hooks.dispatch(*f, x86_64_call(*f, Gate::Sysenter)));
    } else {
        f->rsp = uint32_t(f->rsp);
        f->rip = landing_pad(false);
        SystemCall call = i386_call(*f, Gate::Sysenter);
        // The vDSO pushed ebp last, then copied esp to ebp: arg6 is at [ebp].
        if (!read_user_u32(f->rsp, call.args[5])) {
            f->rax = uint64_t(-EFAULT);
            disable_interrupts();
            finish(*f);
            return 0;
        }
        f->rax = uint64_t(hooks.dispatch(*f, call));
    }
    disable_interrupts();
    finish(*f);
    // A call that moved the vDSO (mremap) moved f->rip to the new pad too.
    if (!sysexit_usable || !sysexit_safe(*f, landing_pad(is64), is64)) return 0;
    return is64 ? 2 : 1;
}
