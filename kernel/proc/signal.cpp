#include "kernel/proc/signal.h"

#include "arch/x86/cpu/context.h"
#include "arch/x86/cpu/cpu.h"
#include "arch/x86/desc/idt.h"
#include "arch/x86/desc/layout.h"
#include "arch/x86/entry/entry.h"
#include "arch/x86/mm/layout.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/proc/process.h"
#include "kernel/uaccess.h"

namespace signals {
namespace {

using x86::RegisterFrame;

enum class Default { Terminate, Core, Ignore };

Default default_action(int s) {
    switch (s) {
    case sig::SIGQUIT:
    case sig::SIGILL:
    case sig::SIGTRAP:
    case sig::SIGABRT:
    case sig::SIGBUS:
    case sig::SIGFPE:
    case sig::SIGSEGV:
    case sig::SIGXCPU:
    case sig::SIGXFSZ:
    case sig::SIGSYS:
        return Default::Core;
    case sig::SIGCHLD:
    case sig::SIGURG:
    case sig::SIGWINCH:
    case sig::SIGCONT:
    // No job control in Sysgate: the stop signals are ignored.
    case sig::SIGSTOP:
    case sig::SIGTSTP:
    case sig::SIGTTIN:
    case sig::SIGTTOU:
        return Default::Ignore;
    default:
        return Default::Terminate;
    }
}

constexpr uint64_t UNBLOCKABLE = sig::bit(sig::SIGKILL) | sig::bit(sig::SIGSTOP);

// RFLAGS bits a signal handler's return may change (Linux's FIX_EFLAGS).
constexpr uint64_t USER_FLAGS = x86::rflags::AC | (1 << 11) /*OF*/ | x86::rflags::DF | x86::rflags::TF |
                                (1 << 7) /*SF*/ | (1 << 6) /*ZF*/ | (1 << 4) /*AF*/ | (1 << 2) /*PF*/ |
                                x86::rflags::CF | x86::rflags::RF;

// ---- Linux's frame layouts (arch/x86/include/uapi/asm/sigcontext.h,
// ---- arch/x86/include/asm/sigframe.h), so handlers can read ucontext.

struct SigInfo {
    int32_t signo, errno_, code;
    int32_t pad0;
    uint64_t addr; // si_addr for faults
    uint8_t rest[128 - 24];
};
static_assert(sizeof(SigInfo) == 128);

// i386's siginfo: the union follows the three ints at once, so si_addr
// is at offset 12, not 16.
struct SigInfo32 {
    int32_t signo, errno_, code;
    uint32_t addr;
    uint8_t rest[128 - 16];
};
static_assert(sizeof(SigInfo32) == 128);

struct SigContext64 {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2, fpstate;
    uint64_t reserved[8];
};
static_assert(sizeof(SigContext64) == 256);

struct UContext64 {
    uint64_t flags, link;
    uint64_t ss_sp;
    int32_t ss_flags, pad;
    uint64_t ss_size;
    SigContext64 mcontext;
    uint64_t sigmask;
};
static_assert(sizeof(UContext64) == 304);

struct RtSigFrame64 {
    uint64_t pretcode;
    UContext64 uc;
    SigInfo info;
};

struct SigContext32 {
    uint16_t gs, gsh, fs, fsh, es, esh, ds, dsh;
    uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax, trapno, err, eip;
    uint16_t cs, csh;
    uint32_t eflags, esp_at_signal;
    uint16_t ss, ssh;
    uint32_t fpstate, oldmask, cr2;
};
static_assert(sizeof(SigContext32) == 88);

struct [[gnu::packed]] UContext32 {
    uint32_t flags, link;
    uint32_t ss_sp;
    int32_t ss_flags;
    uint32_t ss_size;
    SigContext32 mcontext;
    uint32_t sigmask[2];
};
static_assert(sizeof(UContext32) == 116);

struct [[gnu::packed]] RtSigFrame32 {
    uint32_t pretcode;
    int32_t sig;
    uint32_t pinfo, puc;
    SigInfo32 info;
    UContext32 uc;
    uint8_t retcode[8];
};

constexpr size_t FPSTATE_SIZE = 512;

// A fatal signal ends the whole process; a task killed because its
// process is ending (exit_group, execve) just ends.
[[noreturn]] void die(int s) {
    Process* p = current_process();
    if (p->group->exiting || p->group->exec_in_progress) proc::exit_thread(p->group->exit_status);
    const bool core = default_action(s) == Default::Core;
    proc::exit_group((s & 0x7f) | (core ? 0x80 : 0));
}

uint64_t deliverable_mask(const Process& p) {
    return (p.signals.pending | p.group->pending) & (~p.signals.blocked | UNBLOCKABLE);
}

// A signal whose disposition is to ignore it is discarded when sent.
bool discarded(const Process* p, int s) {
    const uint64_t handler = p->signals.action(s).handler;
    return s != sig::SIGKILL &&
           (handler == sig::SIG_IGN || (handler == sig::SIG_DFL && default_action(s) == Default::Ignore));
}

constexpr int SS_ONSTACK = 1, SS_DISABLE = 2;

bool on_altstack(const SignalState& s, uint64_t sp) {
    return s.altstack_size && sp > s.altstack_base && sp <= s.altstack_base + s.altstack_size;
}

// Where the handler's frame goes: the alternate stack for SA_ONSTACK
// handlers (unless already on it), else below the interrupted stack.
uint64_t frame_stack(const RegisterFrame& f, const KernelSigaction& act, bool is64) {
    const SignalState& s = current_process()->signals;
    const uint64_t sp = is64 ? f.rsp : uint32_t(f.rsp);
    if ((act.flags & sig::SA_ONSTACK) && s.altstack_size && !on_altstack(s, sp))
        return s.altstack_base + s.altstack_size;
    return is64 ? sp - 128 : sp; // skip the x86_64 red zone
}

// The user's x87/SSE state in FXSAVE format. FXSAVE leaves bytes 464-511
// of its area alone (SDM Vol. 1 10.5.1, "available" and reserved), so the
// area is zeroed first: no byte of a signal frame may be stale kernel stack.
void save_fpu(uint8_t (&area)[FPSTATE_SIZE]) {
    __builtin_memset(area, 0, sizeof(area));
    asm volatile("fxsave64 %0" : "+m"(area));
}

// The fault details for a frame of signal s: those of the fault that
// raised s, else none (a signal sent by kill carries no fault address).
FaultInfo fault_for(int s) {
    const FaultInfo& f = current_process()->signals.fault;
    return f.signal == s ? f : FaultInfo{};
}

bool push_frame64(RegisterFrame& f, int s, const KernelSigaction& act, uint64_t old_mask) {
    const FaultInfo last_fault = fault_for(s);
    alignas(16) uint8_t fpu[FPSTATE_SIZE];
    save_fpu(fpu);
    // Room for the FPU state (64-aligned) and the frame.
    uint64_t sp = frame_stack(f, act, true);
    sp = (sp - FPSTATE_SIZE) & ~uint64_t(63);
    const uint64_t fpstate = sp;
    sp = ((sp - sizeof(RtSigFrame64)) & ~uint64_t(15)) - 8; // as after a call: (sp + 8) % 16 == 0

    RtSigFrame64 frame;
    __builtin_memset(&frame, 0, sizeof(frame)); // padding included: it is copied out
    frame.pretcode = act.restorer;
    frame.info.signo = s;
    frame.info.addr = last_fault.address;
    SigContext64& m = frame.uc.mcontext;
    m = {f.r8,
         f.r9,
         f.r10,
         f.r11,
         f.r12,
         f.r13,
         f.r14,
         f.r15,
         f.rdi,
         f.rsi,
         f.rbp,
         f.rbx,
         f.rdx,
         f.rax,
         f.rcx,
         f.rsp,
         f.rip,
         f.rflags,
         uint16_t(f.cs),
         0,
         0,
         uint16_t(f.ss),
         last_fault.error,
         last_fault.trapno,
         old_mask,
         last_fault.address,
         fpstate,
         {}};
    frame.uc.sigmask = old_mask;
    const SignalState& st = current_process()->signals;
    frame.uc.ss_sp = st.altstack_base;
    frame.uc.ss_size = st.altstack_size;
    frame.uc.ss_flags = !st.altstack_size ? SS_DISABLE : on_altstack(st, f.rsp) ? SS_ONSTACK : 0;
    if (copy_to_user(UserPtr<void>(fpstate), fpu, FPSTATE_SIZE) ||
        copy_to_user(UserPtr<void>(sp), &frame, sizeof(frame)))
        return false;
    f.rsp = sp;
    f.rip = act.handler;
    f.rdi = uint64_t(s);
    f.rsi = sp + __builtin_offsetof(RtSigFrame64, info);
    f.rdx = sp + __builtin_offsetof(RtSigFrame64, uc);
    f.rax = 0;
    f.rflags &= ~(x86::rflags::TF | x86::rflags::DF | x86::rflags::RF);
    f.cs = x86::gdt::USER_CS64;
    f.ss = x86::gdt::USER_DS;
    return true;
}

bool push_frame32(RegisterFrame& f, int s, const KernelSigaction& act, uint64_t old_mask) {
    const FaultInfo last_fault = fault_for(s);
    alignas(16) uint8_t fpu[FPSTATE_SIZE];
    save_fpu(fpu);
    uint64_t sp = frame_stack(f, act, false);
    sp = (sp - FPSTATE_SIZE) & ~uint64_t(63);
    const uint64_t fpstate = sp;
    sp = ((sp - sizeof(RtSigFrame32)) & ~uint64_t(15)) - 4;
    if (sp > 0xffffffffull) return false;

    RtSigFrame32 frame;
    __builtin_memset(&frame, 0, sizeof(frame));
    frame.sig = s;
    frame.pinfo = uint32_t(sp + __builtin_offsetof(RtSigFrame32, info));
    frame.puc = uint32_t(sp + __builtin_offsetof(RtSigFrame32, uc));
    frame.info.signo = s;
    frame.info.addr = uint32_t(last_fault.address);
    uint16_t fs, gs;
    asm volatile("mov %%fs, %0; mov %%gs, %1" : "=r"(fs), "=r"(gs));
    SigContext32 m;
    __builtin_memset(&m, 0, sizeof(m));
    m.gs = gs;
    m.fs = fs;
    m.es = m.ds = x86::gdt::USER_DS;
    m.edi = uint32_t(f.rdi), m.esi = uint32_t(f.rsi), m.ebp = uint32_t(f.rbp), m.esp = uint32_t(f.rsp);
    m.ebx = uint32_t(f.rbx), m.edx = uint32_t(f.rdx), m.ecx = uint32_t(f.rcx), m.eax = uint32_t(f.rax);
    m.trapno = uint32_t(last_fault.trapno), m.err = uint32_t(last_fault.error), m.eip = uint32_t(f.rip);
    m.cs = uint16_t(f.cs), m.eflags = uint32_t(f.rflags), m.esp_at_signal = uint32_t(f.rsp), m.ss = uint16_t(f.ss);
    m.fpstate = uint32_t(fpstate), m.oldmask = uint32_t(old_mask), m.cr2 = uint32_t(last_fault.address);
    frame.uc.mcontext = m;
    const SignalState& st = current_process()->signals;
    frame.uc.ss_sp = uint32_t(st.altstack_base);
    frame.uc.ss_size = uint32_t(st.altstack_size);
    frame.uc.ss_flags = !st.altstack_size ? SS_DISABLE : on_altstack(st, uint32_t(f.rsp)) ? SS_ONSTACK : 0;
    frame.uc.sigmask[0] = uint32_t(old_mask);
    frame.uc.sigmask[1] = uint32_t(old_mask >> 32);
    // Without SA_RESTORER, return through code on the stack, as old i386
    // kernels did: mov $173, %eax; int $0x80 (rt_sigreturn).
    const uint8_t retcode[8] = {0xb8, 173, 0, 0, 0, 0xcd, 0x80, 0};
    __builtin_memcpy(frame.retcode, retcode, sizeof(retcode));
    frame.pretcode = (act.flags & sig::SA_RESTORER) ? uint32_t(act.restorer)
                                                    : uint32_t(sp + __builtin_offsetof(RtSigFrame32, retcode));
    if (copy_to_user(UserPtr<void>(fpstate), fpu, FPSTATE_SIZE) ||
        copy_to_user(UserPtr<void>(sp), &frame, sizeof(frame)))
        return false;
    f.rsp = sp;
    f.rip = uint32_t(act.handler);
    f.rax = uint64_t(s);
    f.rdx = frame.pinfo;
    f.rcx = frame.puc;
    f.rflags &= ~(x86::rflags::TF | x86::rflags::DF | x86::rflags::RF);
    f.cs = x86::gdt::USER_CS32;
    f.ss = x86::gdt::USER_DS;
    return true;
}

void restore_fpu(uint64_t fpstate) {
    alignas(16) uint8_t fpu[FPSTATE_SIZE];
    if (!fpstate || copy_from_user(fpu, UserPtr<const void>(fpstate), FPSTATE_SIZE)) return;
    // MXCSR (offset 24) with reserved bits set would make fxrstor fault in
    // the kernel: keep only the architectural bits.
    uint32_t mxcsr;
    __builtin_memcpy(&mxcsr, fpu + 24, 4);
    mxcsr &= 0xffbf;
    __builtin_memcpy(fpu + 24, &mxcsr, 4);
    asm volatile("fxrstor64 %0" ::"m"(fpu));
}

} // namespace

const char* name(int s) {
    static const char* const names[] = {
        "0",         "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT", "SIGBUS",
        "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",  "SIGPIPE", "SIGALRM", "SIGTERM",
        "SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",  "SIGTTIN", "SIGTTOU", "SIGURG",
        "SIGXCPU",   "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",   "SIGPWR",  "SIGSYS"};
    return s > 0 && s < 32 ? names[s] : "SIGRT";
}

void send(Process* p, int s) {
    if (s < 1 || s > sig::NSIG || !p->group || !p->group->live) return;
    if (discarded(p, s)) return;
    x86::InterruptGuard guard;
    ThreadGroup* g = p->group;
    g->pending |= sig::bit(s);
    // Wake a task that can take it: one that does not block it (all of
    // them for SIGKILL, which ends them all).
    for (Process* t = g->threads; t; t = t->next_thread) {
        if (!(deliverable_mask(*t) & sig::bit(s))) continue;
        interrupt_sleep(t, s == sig::SIGKILL);
        if (s != sig::SIGKILL) break;
    }
}

void send_to_task(Process* p, int s) {
    if (s < 1 || s > sig::NSIG || p->state == ProcessState::Zombie) return;
    if (discarded(p, s)) return;
    x86::InterruptGuard guard;
    p->signals.pending |= sig::bit(s);
    if (deliverable_mask(*p) & sig::bit(s)) interrupt_sleep(p, s == sig::SIGKILL);
}

bool has_deliverable(const Process& p) {
    return deliverable_mask(p);
}

bool kill_pending(const Process& p) {
    return (p.signals.pending | p.group->pending) & sig::bit(sig::SIGKILL);
}

SignalHandlers* new_handlers() {
    return new SignalHandlers;
}

SignalHandlers* copy_handlers(const SignalHandlers& h) {
    SignalHandlers* copy = new SignalHandlers;
    if (copy) __builtin_memcpy(copy->actions, h.actions, sizeof(copy->actions));
    return copy;
}

void put_handlers(SignalState& s) {
    if (s.handlers && --s.handlers->refs == 0) delete s.handlers;
    s.handlers = nullptr;
}

void deliver(RegisterFrame& f) {
    Process* p = current_process();
    while (has_deliverable(*p)) {
        // The task's own signals first (faults, tgkill), then the process's.
        const uint64_t mask = ~p->signals.blocked | UNBLOCKABLE;
        uint64_t& from = (p->signals.pending & mask) ? p->signals.pending : p->group->pending;
        const int s = __builtin_ctzll(from & mask) + 1;
        from &= ~sig::bit(s);
        KernelSigaction& act = p->signals.action(s);
        if (s == sig::SIGKILL || act.handler == sig::SIG_DFL) {
            if (default_action(s) == Default::Ignore) continue;
            die(s);
        }
        if (act.handler == sig::SIG_IGN) continue;

        // iretq to a non-canonical address faults in ring 0: a 64-bit
        // handler outside user space ends the program here instead (Linux
        // ends up with the same SIGSEGV through its iret fixup).
        static RateLimit signal_messages("[signal]");
        if (p->is64 && act.handler >= x86::mm::USER_TOP) {
            if (signal_messages.allow())
                kprintln("[signal] pid {} ({}): {} handler at {:#x} is not a user address; killed", p->pid, p->name,
                         name(s), act.handler);
            die(sig::SIGSEGV);
        }
        // A blocking call this signal interrupted: made again after the
        // handler if it asked for that (SA_RESTART), else it fails with EINTR.
        if (interrupted_call(f)) {
            if (act.flags & sig::SA_RESTART)
                x86::entry::rewind_to_gate(f);
            else
                f.rax = uint64_t(-err::EINTR);
        }
        const uint64_t old_mask = p->signals.blocked;
        x86::enable_interrupts(); // writing the frame may fault pages in
        const bool pushed = p->is64 ? push_frame64(f, s, act, old_mask) : push_frame32(f, s, act, old_mask);
        x86::disable_interrupts();
        if (!pushed) {
            if (signal_messages.allow())
                kprintln("[signal] pid {} ({}): cannot write the {} frame on its stack at {:#x}; killed", p->pid,
                         p->name, name(s), f.rsp);
            die(sig::SIGSEGV);
        }
        p->signals.blocked |= act.mask & ~UNBLOCKABLE;
        if (!(act.flags & sig::SA_NODEFER)) p->signals.blocked |= sig::bit(s);
        if (act.flags & sig::SA_RESETHAND) act = {};
        if (p->signals.fault.signal == s) p->signals.fault = {};
        return; // one handler frame per return; the rest when it returns
    }
}

bool interrupted_call(const RegisterFrame& f) {
    // error_code holds the call's number; rt_sigreturn sets it to ~0 so a
    // restored frame is never taken for an interrupted call.
    return x86::entry::is_system_call(f) && int64_t(f.rax) == -err::ERESTARTSYS && f.error_code != ~0ull;
}

int64_t sigreturn(RegisterFrame& f, bool is64) {
    Process* p = current_process();
    if (is64) {
        const uint64_t frame_address = f.rsp - 8; // the handler's ret popped pretcode
        RtSigFrame64 frame;
        if (copy_from_user(&frame, UserPtr<const void>(frame_address), sizeof(frame))) die(sig::SIGSEGV);
        const SigContext64& m = frame.uc.mcontext;
        if (m.rip >= x86::mm::USER_TOP) die(sig::SIGSEGV); // iretq to it would fault in the kernel
        f.r8 = m.r8, f.r9 = m.r9, f.r10 = m.r10, f.r11 = m.r11, f.r12 = m.r12, f.r13 = m.r13, f.r14 = m.r14;
        f.r15 = m.r15, f.rdi = m.rdi, f.rsi = m.rsi, f.rbp = m.rbp, f.rbx = m.rbx, f.rdx = m.rdx;
        f.rax = m.rax, f.rcx = m.rcx, f.rsp = m.rsp, f.rip = m.rip;
        f.rflags = (f.rflags & ~USER_FLAGS) | (m.eflags & USER_FLAGS);
        f.cs = x86::gdt::USER_CS64;
        f.ss = x86::gdt::USER_DS;
        f.error_code = ~0ull; // the restored frame is not a call to restart
        p->signals.blocked = frame.uc.sigmask & ~UNBLOCKABLE;
        restore_fpu(m.fpstate);
    } else {
        const uint64_t frame_address = uint32_t(f.rsp) - 4;
        RtSigFrame32 frame;
        if (copy_from_user(&frame, UserPtr<const void>(frame_address), sizeof(frame))) die(sig::SIGSEGV);
        const SigContext32 m = frame.uc.mcontext;
        f.rdi = m.edi, f.rsi = m.esi, f.rbp = m.ebp, f.rsp = m.esp, f.rbx = m.ebx, f.rdx = m.edx;
        f.rcx = m.ecx, f.rax = m.eax, f.rip = m.eip;
        f.rflags = (f.rflags & ~USER_FLAGS) | (m.eflags & USER_FLAGS);
        f.cs = x86::gdt::USER_CS32;
        f.ss = x86::gdt::USER_DS;
        f.error_code = ~0ull; // the restored frame is not a call to restart
        p->signals.blocked = (uint64_t(frame.uc.sigmask[1]) << 32 | frame.uc.sigmask[0]) & ~UNBLOCKABLE;
        restore_fpu(m.fpstate);
    }
    return int64_t(f.rax);
}

uint64_t frame_size(bool is64) {
    // The FPU area (64-aligned), the frame (16-aligned), and 64-bit's red zone.
    return is64 ? FPSTATE_SIZE + 64 + sizeof(RtSigFrame64) + 16 + 128 : FPSTATE_SIZE + 64 + sizeof(RtSigFrame32) + 16;
}

int signal_for_exception(unsigned vector) {
    switch (vector) {
    case x86::idt::DIVIDE_ERROR:
    case x86::idt::X87_FPU_ERROR:
    case x86::idt::SIMD_ERROR:
        return sig::SIGFPE;
    case x86::idt::DEBUG:
    case x86::idt::BREAKPOINT:
        return sig::SIGTRAP;
    case x86::idt::INVALID_OPCODE:
        return sig::SIGILL;
    case x86::idt::ALIGNMENT_CHECK:
    case x86::idt::SEGMENT_NOT_PRESENT: // as Linux: arch/x86/kernel/traps.c
    case x86::idt::STACK_FAULT:
        return sig::SIGBUS;
    default:
        return sig::SIGSEGV; // #GP, #PF, bound, overflow
    }
}

void reset_on_exec(SignalState& s) {
    // Handlers shared with tasks of the old program's process are its own now.
    if (s.handlers->refs > 1) {
        if (SignalHandlers* own = copy_handlers(*s.handlers)) {
            put_handlers(s);
            s.handlers = own;
        }
    }
    for (int i = 1; i <= sig::NSIG; i++)
        if (s.handlers->actions[i].handler != sig::SIG_IGN) s.handlers->actions[i] = {};
    s.altstack_base = s.altstack_size = 0;
    s.fault = {};
}

long set_altstack(uint64_t new_base, uint64_t new_size, int new_flags, bool change, uint64_t& old_base,
                  uint64_t& old_size, int& old_flags) {
    Process* p = current_process();
    SignalState& s = p->signals;
    const uint64_t sp = p->frame().rsp;
    old_base = s.altstack_base;
    old_size = s.altstack_size;
    old_flags = !s.altstack_size ? SS_DISABLE : on_altstack(s, sp) ? SS_ONSTACK : 0;
    if (!change) return 0;
    if (on_altstack(s, sp)) return -err::EPERM; // cannot change the stack we run on
    if (new_flags & ~SS_DISABLE) return -err::EINVAL;
    if (new_flags & SS_DISABLE) {
        s.altstack_base = s.altstack_size = 0;
        return 0;
    }
    if (new_size < 2048) return -err::ENOMEM; // MINSIGSTKSZ
    s.altstack_base = new_base;
    s.altstack_size = new_size;
    return 0;
}

// A user-mode CPU exception (registered with kernel/trap.cpp by proc).
void on_user_exception(RegisterFrame& f, uint64_t fault_address) {
    Process* p = current_process();
    const unsigned vector = unsigned(f.entry);
    const int s = signal_for_exception(vector);
    p->signals.fault = {fault_address, vector, f.error_code, s};
    static RateLimit fault_messages("[fault]");
    if (s != sig::SIGTRAP && fault_messages.allow()) {
        if (vector == x86::idt::PAGE_FAULT)
            kprintln("[fault] pid {} ({}): {} at {:#x} ({}, {}) rip {:#x}: {}", p->pid, p->name,
                     x86::idt::exception_name(vector), fault_address, f.error_code & 1 ? "protection" : "not present",
                     f.error_code & 16  ? "fetch"
                     : f.error_code & 2 ? "write"
                                        : "read",
                     f.rip, name(s));
        else
            kprintln("[fault] pid {} ({}): {} rip {:#x}: {}", p->pid, p->name, x86::idt::exception_name(vector), f.rip,
                     name(s));
    }
    // A fault cannot be blocked or ignored: if it is, the program dies of it.
    KernelSigaction& act = p->signals.action(s);
    if ((p->signals.blocked & sig::bit(s)) || act.handler == sig::SIG_IGN) {
        p->signals.blocked &= ~sig::bit(s);
        act = {};
    }
    p->signals.pending |= sig::bit(s);
}

} // namespace signals
