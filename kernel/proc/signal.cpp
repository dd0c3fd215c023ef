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
#include "kernel/proc/sched.h"
#include "kernel/proc/sigframe.h"
#include "kernel/uaccess.h"
#include "kernel/vdso.h"

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

constexpr int SS_ONSTACK = 1, SS_DISABLE = 2;

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
    if (ptrace::is_traced(*p)) return false; // its tracer sees every signal (a signal-delivery stop)
    const uint64_t handler = p->signals.action(s).handler;
    return s != sig::SIGKILL &&
           (handler == sig::SIG_IGN || (handler == sig::SIG_DFL && default_action(s) == Default::Ignore));
}

// A signal the kernel raises itself (Linux's force_sig): blocking or
// ignoring it does not keep it away; a handler still runs.
void force_signal(Process* p, int s) {
    KernelSigaction& act = p->signals.action(s);
    if ((p->signals.blocked & sig::bit(s)) || act.handler == sig::SIG_IGN) {
        p->signals.blocked &= ~sig::bit(s);
        act = {};
    }
    p->signals.pending |= sig::bit(s);
    sched::set_work(p, x86::work::SIGNAL);
}

bool on_altstack(const SignalState& s, uint64_t sp) {
    return s.altstack_size && sp > s.altstack_base && sp <= s.altstack_base + s.altstack_size;
}

// ---- the live segment registers. While the kernel runs, the program's DS,
// ---- ES, FS and GS are still in the CPU (64-bit code does not use them;
// ---- arch/x86/cpu/context.cpp saves them only at a switch).

extern "C" {
int x86_load_user_segment_ds(uint16_t selector);
int x86_load_user_segment_es(uint16_t selector);
int x86_load_user_segment_fs(uint16_t selector);
int x86_load_user_segment_gs(uint16_t selector);
}

struct Segments {
    uint16_t ds, es, fs, gs;
};

Segments live_segments() {
    Segments s;
    asm volatile("mov %%ds, %0; mov %%es, %1; mov %%fs, %2; mov %%gs, %3"
                 : "=r"(s.ds), "=r"(s.es), "=r"(s.fs), "=r"(s.gs));
    return s;
}

// As Linux's reload_segments (arch/x86/ia32/ia32_signal.c): each selector
// with RPL 3, loaded only if it changed (a reload would reset a base set
// since); one that cannot be loaded gives null, never a kernel fault.
void load_segments(const Segments& want) {
    const Segments now = live_segments();
    x86::InterruptGuard no_interrupts; // the GS load swaps the GS bases around it
    if ((want.gs | 3) != now.gs) x86_load_user_segment_gs(uint16_t(want.gs | 3));
    if ((want.fs | 3) != now.fs) x86_load_user_segment_fs(uint16_t(want.fs | 3));
    if ((want.ds | 3) != now.ds) x86_load_user_segment_ds(uint16_t(want.ds | 3));
    if ((want.es | 3) != now.es) x86_load_user_segment_es(uint16_t(want.es | 3));
}

// A stack segment a 64-bit program can return to: `ss` if it is usable in
// ring 3, else the user data selector (Linux's force_valid_ss). With the
// selector's RPL of 3, LAR sets no ZF for a selector past the table, an LDT
// one (there is no LDT) or a more privileged descriptor; it never faults.
uint16_t valid_ss_or_user_ds(uint16_t ss) {
    uint32_t rights = 0;
    bool valid = false;
    asm volatile("lar %2, %0\n\tsetz %1" : "=r"(rights), "=qm"(valid) : "r"(uint32_t(ss)) : "cc");
    return sigframe::usable_user_ss(valid, rights) ? ss : x86::gdt::USER_DS;
}

// ---- where a frame goes

// The alternate stack for SA_ONSTACK handlers (unless already on it), else
// below the interrupted stack. For i386 also Linux's "legacy signal stack
// switching": a handler with a restorer address but no SA_RESTORER flag,
// interrupting code on a stack segment of its own, runs at that address.
// `altstack`: the frame goes on the alternate stack (entering it or already on it).
uint64_t frame_stack(const RegisterFrame& f, const KernelSigaction& act, bool is64, bool& altstack) {
    const SignalState& s = current_process()->signals;
    const uint64_t sp = is64 ? f.rsp : uint32_t(f.rsp);
    altstack = on_altstack(s, sp);
    if (act.flags & sig::SA_ONSTACK) {
        if (s.altstack_size && !altstack) {
            altstack = true;
            return s.altstack_base + s.altstack_size;
        }
    } else if (!is64 && f.ss != x86::gdt::USER_DS && !(act.flags & sig::SA_RESTORER) && act.restorer) {
        return uint32_t(act.restorer);
    }
    return is64 ? sp - 128 : sp; // skip the x86_64 red zone
}

// ---- the FPU and extended state (docs/writing-programs.md, "The FPU and
// ---- extended state"; Linux's arch/x86/kernel/fpu/signal.c)

using x86::xstate::Config;
using x86::xstate::Header;
using x86::xstate::SwBytes;

// A frame's XSAVE area (or FXSAVE image) and magic2, built in kernel memory.
struct alignas(64) FpuImage {
    uint8_t bytes[x86::xstate::MAX_SIZE + 64];
    Header& header() { return *reinterpret_cast<Header*>(bytes + x86::xstate::LEGACY_SIZE); }
    sigframe::FxsaveArea& fx() { return *reinterpret_cast<sigframe::FxsaveArea*>(bytes); }
};

// The live state as Linux's copy_fpstate_to_sigframe leaves it in a frame:
// XSAVE's standard format (never XSAVEC's or XSAVES' compacted one), the
// sw_reserved bytes saying so (also without XSAVE, as Linux), XSTATE_BV
// with x87 and SSE always set (so that a handler editing only the FXSAVE
// part is heard), magic2 right after the area. Returns the bytes to copy.
unsigned save_fpu(FpuImage& img, bool ia32) {
    const Config& c = x86::xstate_config();
    x86::save_fpu_state(img.bytes); // zeroed first: no stale kernel bytes reach the frame
    const SwBytes sw = x86::xstate::sw_bytes(c, ia32);
    __builtin_memcpy(img.bytes + x86::xstate::SW_BYTES_OFFSET, &sw, sizeof(sw));
    if (!c.xsave) return c.size;
    img.header().xstate_bv |= x86::xstate::FPSSE;
    __builtin_memcpy(img.bytes + c.size, &x86::xstate::FP_XSTATE_MAGIC2, 4);
    return c.size + x86::xstate::FP_XSTATE_MAGIC2_SIZE;
}

// Loads the fpstate whose FXSAVE image / XSAVE area is at user address `fx`
// (`env`: an i386 frame's FSAVE header, read from in front of it). As
// Linux's __fpu_restore_sig: sw_reserved with magic1, a plausible size and
// magic2 at xstate_size announce an XSAVE area, whose header must then be
// valid (no component outside XCR0, XCOMP_BV zero, reserved bytes zero);
// without them only the FXSAVE image is restored and AVX and above go to
// their initial state. Components announced in sw_reserved's xfeatures
// are restored, the others initialised. The checks are everything XRSTOR
// checks, done before it; the XRSTOR is also covered by an exception
// fixup. False: nothing usable, the FPU is in its initial state.
bool restore_fpu(uint64_t fx, const sigframe::FsaveEnv* env, bool is64) {
    using namespace x86::xstate;
    const Config& c = x86::xstate_config();
    FpuImage img;
    __builtin_memset(img.bytes, 0, c.size);
    if (copy_from_user(img.bytes, UserPtr<const void>(fx), LEGACY_SIZE)) return false;
    SwBytes sw;
    __builtin_memcpy(&sw, img.bytes + SW_BYTES_OFFSET, sizeof(sw));
    bool fx_only = true;
    if (sw_bytes_announce_xstate(sw, c)) {
        uint32_t magic2;
        if (copy_from_user(&magic2, UserPtr<const void>(fx + sw.xstate_size), 4)) return false;
        fx_only = magic2 != FP_XSTATE_MAGIC2;
    }
    // Linux restores a 64-bit frame with XRSTOR / FXRSTOR straight from the
    // frame: a misaligned one is a #GP there, so a bad frame here too.
    if (is64 && (fx & (fx_only ? 15 : 63))) return false;
    uint64_t loaded = FPSSE; // the components whose MXCSR-bearing data is loaded
    if (!c.xsave) {
        // FXRSTOR: the image as it is.
    } else if (fx_only) {
        img.header().xstate_bv = FPSSE;
    } else {
        if (copy_from_user(img.bytes + LEGACY_SIZE, UserPtr<const void>(fx + LEGACY_SIZE),
                           sw.xstate_size - LEGACY_SIZE))
            return false;
        if (!valid_header(img.header(), c.features)) return false;
        loaded = restorable(c, sw.xfeatures, sw.xstate_size);
        img.header().xstate_bv &= loaded;
    }
    if (env) sigframe::fold_fsave_env(img.fx(), *env);
    // XRSTOR loads MXCSR when SSE or AVX is requested (and #GPs on a bit the
    // CPU lacks, as FXRSTOR does); otherwise Linux's second XRSTOR from the
    // initial state gives 0x1f80.
    if (!(loaded & (SSE | YMM)))
        img.fx().mxcsr = 0x1f80;
    else if (img.fx().mxcsr & ~x86::mxcsr_feature_mask())
        return false;
    return x86::restore_fpu_state(img.bytes);
}

bool restore_fpu64(uint64_t fpstate) {
    if (!fpstate) { // a null fpstate: the FPU as a new program has it (fpu__clear_user_states)
        x86::reset_fpu_state();
        return true;
    }
    if (restore_fpu(fpstate, nullptr, true)) return true;
    x86::reset_fpu_state();
    return false;
}

// The i386 layout: the FSAVE-format header first, then the FXSAVE image
// or XSAVE area. As on Linux, the header's x87 part wins over the image's
// (it is what an old handler edits); MXCSR and the SSE registers come
// from the image.
bool restore_fpu32(uint32_t fpstate) {
    if (!fpstate) {
        x86::reset_fpu_state();
        return true;
    }
    sigframe::FsaveEnv env;
    if (!copy_from_user(&env, UserPtr<const void>(fpstate), sizeof(env)) &&
        restore_fpu(uint64_t(fpstate) + x86::xstate::FSAVE_HEADER_SIZE, &env, false))
        return true;
    x86::reset_fpu_state();
    return false;
}

// The fault details for a frame of signal s: those of the fault that
// raised s, else none (a signal sent by kill carries no fault address).
FaultInfo fault_for(int s) {
    const FaultInfo& f = current_process()->signals.fault;
    return f.signal == s ? f : FaultInfo{};
}

// ---- building frames. Each returns nullptr or why it could not.

const char* push_frame64(RegisterFrame& f, int s, const KernelSigaction& act, uint64_t old_mask) {
    using namespace sigframe;
    // x86_64 handlers must say where they return: there is no 64-bit
    // trampoline (Linux refuses the same way).
    if (!(act.flags & sig::SA_RESTORER)) return "a 64-bit handler without SA_RESTORER";
    const FaultInfo last_fault = fault_for(s);
    FpuImage fpu;
    const unsigned fpu_size = save_fpu(fpu, false);
    // Room for the FPU state (64-aligned) and the frame.
    bool altstack;
    uint64_t sp = frame_stack(f, act, true, altstack);
    sp = (sp - fpu_size) & ~uint64_t(63);
    const uint64_t fpstate = sp;
    sp = align_frame64(sp - sizeof(RtSigFrame64));
    // A frame that does not fit on the alternate stack is not written below
    // it (Linux's get_sigframe: "overflowed sigaltstack").
    if (altstack && !on_altstack(current_process()->signals, sp)) return "overflowed sigaltstack";

    RtSigFrame64 frame;
    __builtin_memset(&frame, 0, sizeof(frame)); // padding included: it is copied out
    frame.pretcode = act.restorer;
    frame.info.signo = s;
    frame.info.addr = last_fault.address;
    // The ss in the sigcontext is the interrupted one, and sigreturn must
    // give it back exactly when the signal came from 64-bit code.
    frame.uc.flags = UC_SIGCONTEXT_SS | (f.cs == x86::gdt::USER_CS64 ? UC_STRICT_RESTORE_SS : 0) |
                     (x86::xstate_config().xsave ? UC_FP_XSTATE : 0);
    SigContext64& m = frame.uc.mcontext;
    m.r8 = f.r8, m.r9 = f.r9, m.r10 = f.r10, m.r11 = f.r11, m.r12 = f.r12, m.r13 = f.r13, m.r14 = f.r14;
    m.r15 = f.r15, m.rdi = f.rdi, m.rsi = f.rsi, m.rbp = f.rbp, m.rbx = f.rbx, m.rdx = f.rdx, m.rax = f.rax;
    m.rcx = f.rcx, m.rsp = f.rsp, m.rip = f.rip, m.eflags = f.rflags;
    m.cs = uint16_t(f.cs), m.gs = 0, m.fs = 0, m.ss = uint16_t(f.ss); // fs, gs: 0, as Linux
    m.err = last_fault.error, m.trapno = last_fault.trapno, m.oldmask = old_mask, m.cr2 = last_fault.address;
    m.fpstate = fpstate;
    frame.uc.sigmask = old_mask;
    const SignalState& st = current_process()->signals;
    frame.uc.ss_sp = st.altstack_base;
    frame.uc.ss_size = st.altstack_size;
    frame.uc.ss_flags = !st.altstack_size ? SS_DISABLE : on_altstack(st, f.rsp) ? SS_ONSTACK : 0;
    if (copy_to_user(UserPtr<void>(fpstate), fpu.bytes, fpu_size) ||
        copy_to_user(UserPtr<void>(sp), &frame, sizeof(frame)))
        return "cannot write the frame";
    f.rsp = sp;
    f.rip = act.handler;
    f.rdi = uint64_t(s);
    f.rsi = sp + offsetof(RtSigFrame64, info);
    f.rdx = sp + offsetof(RtSigFrame64, uc);
    f.rax = 0;
    f.rflags &= ~(x86::rflags::TF | x86::rflags::DF | x86::rflags::RF);
    // The handler runs in 64-bit mode whatever it interrupted, on the
    // interrupted SS if that one is usable: DOSEMU reads the SS register
    // to learn where the signal came from (Linux keeps it the same way).
    f.cs = x86::gdt::USER_CS64;
    if (f.ss != x86::gdt::USER_DS) f.ss = valid_ss_or_user_ds(uint16_t(f.ss));
    return nullptr;
}

// i386 frames: the rt frame (struct rt_sigframe_ia32) for SA_SIGINFO
// handlers, the old one (struct sigframe_ia32) for the others, which
// return through sigreturn (119) instead of rt_sigreturn (173).
const char* push_frame32(RegisterFrame& f, int s, const KernelSigaction& act, uint64_t old_mask) {
    using namespace sigframe;
    const bool rt = act.flags & sig::SA_SIGINFO;
    const FaultInfo last_fault = fault_for(s);
    const Segments seg = live_segments();

    // The FPU state as Linux lays it out (fpu__alloc_mathframe): the
    // FXSAVE image or XSAVE area 64-aligned, the FSAVE-format header right
    // below it. (Linux's ia32 frames have no altstack overflow check: a
    // frame that does not fit faults on the memory below.)
    FpuImage fpu;
    const unsigned fpu_size = save_fpu(fpu, true);
    FsaveHeader32 head;
    head.env = fsave_env_from_fxsave(fpu.fx(), uint16_t(f.cs), seg.ds);
    head.status = fpu.fx().swd;
    head.magic = X86_FXSR_MAGIC;
    bool altstack;
    uint64_t sp = frame_stack(f, act, false, altstack);
    sp = (sp - fpu_size) & ~uint64_t(63);
    const uint64_t fpstate = sp - sizeof(FsaveHeader32);
    sp = align_frame32(fpstate - (rt ? sizeof(RtSigFrame32) : sizeof(SigFrame32)));
    if (sp > 0xffffffffull || fpstate + sizeof(head) + fpu_size > 0x100000000ull) return "cannot write the frame";

    SigContext32 m;
    __builtin_memset(&m, 0, sizeof(m));
    m.gs = seg.gs, m.fs = seg.fs, m.es = seg.es, m.ds = seg.ds;
    m.edi = uint32_t(f.rdi), m.esi = uint32_t(f.rsi), m.ebp = uint32_t(f.rbp), m.esp = uint32_t(f.rsp);
    m.ebx = uint32_t(f.rbx), m.edx = uint32_t(f.rdx), m.ecx = uint32_t(f.rcx), m.eax = uint32_t(f.rax);
    m.trapno = uint32_t(last_fault.trapno), m.err = uint32_t(last_fault.error), m.eip = uint32_t(f.rip);
    m.cs = uint16_t(f.cs), m.eflags = uint32_t(f.rflags), m.esp_at_signal = uint32_t(f.rsp), m.ss = uint16_t(f.ss);
    m.fpstate = uint32_t(fpstate), m.oldmask = uint32_t(old_mask), m.cr2 = uint32_t(last_fault.address);

    // Without SA_RESTORER the handler returns into the vDSO's trampoline
    // (the stack is not executable: no code is written there).
    const uint32_t restorer =
        (act.flags & sig::SA_RESTORER) ? uint32_t(act.restorer) : uint32_t(vdso::sigreturn_trampoline32(rt));
    bool failed = copy_to_user(UserPtr<void>(fpstate), &head, sizeof(head)) ||
                  copy_to_user(UserPtr<void>(fpstate + sizeof(head)), fpu.bytes, fpu_size);
    uint32_t regparm_dx = 0, regparm_cx = 0;
    if (rt) {
        RtSigFrame32 frame;
        __builtin_memset(&frame, 0, sizeof(frame));
        frame.pretcode = restorer;
        frame.sig = s;
        frame.pinfo = uint32_t(sp + offsetof(RtSigFrame32, info));
        frame.puc = uint32_t(sp + offsetof(RtSigFrame32, uc));
        frame.uc.flags = x86::xstate_config().xsave ? uint32_t(UC_FP_XSTATE) : 0;
        frame.info.signo = s;
        frame.info.addr = uint32_t(last_fault.address);
        frame.uc.mcontext = m;
        const SignalState& st = current_process()->signals;
        frame.uc.ss_sp = uint32_t(st.altstack_base);
        frame.uc.ss_size = uint32_t(st.altstack_size);
        frame.uc.ss_flags = !st.altstack_size ? SS_DISABLE : on_altstack(st, uint32_t(f.rsp)) ? SS_ONSTACK : 0;
        frame.uc.sigmask[0] = uint32_t(old_mask);
        frame.uc.sigmask[1] = uint32_t(old_mask >> 32);
        __builtin_memcpy(frame.retcode, RT_SIGRETURN_CODE, sizeof(frame.retcode));
        failed = failed || copy_to_user(UserPtr<void>(sp), &frame, sizeof(frame));
        regparm_dx = frame.pinfo, regparm_cx = frame.puc;
    } else {
        SigFrame32 frame;
        __builtin_memset(&frame, 0, sizeof(frame));
        frame.pretcode = restorer;
        frame.sig = s;
        frame.sc = m;
        frame.extramask[0] = uint32_t(old_mask >> 32);
        __builtin_memcpy(frame.retcode, SIGRETURN_CODE, sizeof(frame.retcode));
        failed = failed || copy_to_user(UserPtr<void>(sp), &frame, sizeof(frame));
    }
    // Nothing in the frame changes before the whole signal frame is
    // written: a frame that cannot be written turns into a SIGSEGV, whose
    // own frame must record the interrupted registers as they were.
    if (failed) return "cannot write the frame";
    // Registers too, for handlers compiled with -mregparm=3 (0 for the old frame).
    f.rdx = regparm_dx;
    f.rcx = regparm_cx;
    f.rsp = sp;
    f.rip = uint32_t(act.handler);
    f.rax = uint64_t(s);
    f.rflags &= ~(x86::rflags::TF | x86::rflags::DF | x86::rflags::RF);
    f.cs = x86::gdt::USER_CS32;
    f.ss = x86::gdt::USER_DS;
    x86_load_user_segment_ds(x86::gdt::USER_DS); // the handler's data segments (the user data selector always loads)
    x86_load_user_segment_es(x86::gdt::USER_DS);
    return nullptr;
}

// ---- reading frames back (sigreturn, rt_sigreturn)

// The mask and the registers both ABIs restore alike; RFLAGS only in the
// bits a program may change; cs and ss with RPL 3 and otherwise as the
// frame says: a selector that cannot be loaded makes the iretq fault, and
// the program gets a SIGSEGV or SIGBUS (arch/x86/entry/interrupts.cpp).
void restore_common(RegisterFrame& f, uint64_t mask, uint64_t flags, uint16_t cs, uint16_t ss) {
    set_blocked(mask);
    sched::set_work(current_process(), x86::work::FRAME); // leave through iretq, flags sanitised
    f.rflags = (f.rflags & ~USER_FLAGS) | (flags & USER_FLAGS);
    f.cs = cs | 3u;
    f.ss = ss | 3u;
    f.error_code = ~0ull; // the restored frame is not a call to restart
}

// sigaltstack as the frame's uc_stack says (Linux's restore_altstack: a
// handler may change it so); an impossible one changes nothing.
void restore_altstack(uint64_t base, uint64_t size, int flags) {
    uint64_t b, sz;
    int fl;
    set_altstack(base, size, flags, true, b, sz, fl);
}

// A frame sigreturn cannot read or use: SIGSEGV (Linux's signal_fault).
int64_t bad_frame(RegisterFrame& f, const char* what, uint64_t address) {
    Process* p = current_process();
    static RateLimit messages("[signal]");
    if (messages.allow())
        kprintln("[signal] pid {} ({}): bad {} frame at {:#x} (rip {:#x}): SIGSEGV", p->pid, p->name, what, address,
                 f.rip);
    force_signal(p, sig::SIGSEGV);
    return 0;
}

int64_t rt_sigreturn64(RegisterFrame& f) {
    using namespace sigframe;
    const uint64_t frame_address = f.rsp - 8; // the handler's ret popped pretcode
    UContext64 uc;
    if (copy_from_user(&uc, UserPtr<const void>(frame_address + offsetof(RtSigFrame64, uc)), sizeof(uc)))
        return bad_frame(f, "rt_sigreturn", frame_address);
    const SigContext64& m = uc.mcontext;
    restore_common(f, uc.sigmask, m.eflags, m.cs, m.ss);
    f.r8 = m.r8, f.r9 = m.r9, f.r10 = m.r10, f.r11 = m.r11, f.r12 = m.r12, f.r13 = m.r13, f.r14 = m.r14;
    f.r15 = m.r15, f.rdi = m.rdi, f.rsi = m.rsi, f.rbp = m.rbp, f.rbx = m.rbx, f.rdx = m.rdx;
    f.rax = m.rax, f.rcx = m.rcx, f.rsp = m.rsp;
    // Any RIP, even a non-canonical one or the kernel's: iretq faults on
    // the first and the program's first fetch on the second, both giving it
    // a SIGSEGV with that RIP in its sigcontext, as on Linux. The fast
    // returns are not used for it (arch/x86/entry/gates.cpp, sysret64_safe).
    f.rip = m.rip;
    // Returning to 64-bit code with a frame that did not insist on its SS
    // (uc_flags without UC_STRICT_RESTORE_SS): an unusable SS is replaced.
    if (!(uc.flags & UC_STRICT_RESTORE_SS) && f.cs == x86::gdt::USER_CS64) f.ss = valid_ss_or_user_ds(uint16_t(f.ss));
    if (!restore_fpu64(m.fpstate)) return bad_frame(f, "rt_sigreturn FPU", m.fpstate);
    restore_altstack(uc.ss_sp, uc.ss_size, uc.ss_flags);
    return int64_t(f.rax);
}

int64_t sigreturn32(RegisterFrame& f, bool rt) {
    using namespace sigframe;
    // rt: the handler's ret popped pretcode. Old frame: pretcode, and the
    // trampoline's popl the signal number.
    const uint64_t frame_address = uint32_t(f.rsp) - (rt ? 4 : 8);
    SigContext32 m;
    uint64_t mask;
    UContext32 uc;
    if (rt) {
        if (copy_from_user(&uc, UserPtr<const void>(frame_address + offsetof(RtSigFrame32, uc)), sizeof(uc)))
            return bad_frame(f, "rt_sigreturn", frame_address);
        m = uc.mcontext;
        mask = uint64_t(uc.sigmask[1]) << 32 | uc.sigmask[0];
    } else {
        uint32_t extramask;
        if (copy_from_user(&m, UserPtr<const void>(frame_address + offsetof(SigFrame32, sc)), sizeof(m)) ||
            copy_from_user(&extramask, UserPtr<const void>(frame_address + offsetof(SigFrame32, extramask)), 4))
            return bad_frame(f, "sigreturn", frame_address);
        mask = uint64_t(extramask) << 32 | m.oldmask;
    }
    restore_common(f, mask, m.eflags, m.cs, m.ss);
    f.rdi = m.edi, f.rsi = m.esi, f.rbp = m.ebp, f.rsp = m.esp, f.rbx = m.ebx, f.rdx = m.edx;
    f.rcx = m.ecx, f.rax = m.eax, f.rip = m.eip;
    load_segments({m.ds, m.es, m.fs, m.gs});
    if (!restore_fpu32(m.fpstate)) return bad_frame(f, rt ? "rt_sigreturn FPU" : "sigreturn FPU", m.fpstate);
    if (rt) restore_altstack(uc.ss_sp, uc.ss_size, uc.ss_flags);
    return int64_t(f.rax);
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
    // Every task that can take it looks at its signals on its next return;
    // one of them is woken (all of them for SIGKILL, which ends them all).
    bool woken = false;
    for (Process* t = g->threads; t; t = t->next_thread) {
        if (!(deliverable_mask(*t) & sig::bit(s))) continue;
        sched::set_work(t, x86::work::SIGNAL);
        if (woken && s != sig::SIGKILL) continue;
        interrupt_sleep(t, s == sig::SIGKILL);
        woken = true;
    }
}

void send_to_task(Process* p, int s) {
    if (s < 1 || s > sig::NSIG || p->state == ProcessState::Zombie) return;
    if (discarded(p, s)) return;
    x86::InterruptGuard guard;
    p->signals.pending |= sig::bit(s);
    if (deliverable_mask(*p) & sig::bit(s)) {
        sched::set_work(p, x86::work::SIGNAL);
        interrupt_sleep(p, s == sig::SIGKILL);
    }
}

bool has_deliverable(const Process& p) {
    return deliverable_mask(p);
}

void set_blocked(uint64_t mask) {
    Process* p = current_process();
    p->signals.blocked = mask & ~UNBLOCKABLE;
    if (deliverable_mask(*p)) sched::set_work(p, x86::work::SIGNAL);
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
        int s = __builtin_ctzll(from & mask) + 1;
        from &= ~sig::bit(s);
        // A tracee stops first; its tracer says which signal, if any, to act on.
        if (ptrace::is_traced(*p) && s != sig::SIGKILL) {
            const int chosen = ptrace::signal_stop(f, s);
            if (!chosen) continue;
            if (chosen != s && (p->signals.blocked & sig::bit(chosen))) {
                p->signals.pending |= sig::bit(chosen); // blocked: it waits, as any other
                continue;
            }
            s = chosen;
        }
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
        const char* failed = p->is64 ? push_frame64(f, s, act, old_mask) : push_frame32(f, s, act, old_mask);
        x86::disable_interrupts();
        if (failed) {
            // Linux's force_sigsegv: a SIGSEGV that cannot be delivered kills;
            // any other signal turns into a SIGSEGV, which a handler may take.
            if (signal_messages.allow())
                kprintln("[signal] pid {} ({}): {} for {} (stack at {:#x}); {}", p->pid, p->name, failed, name(s),
                         f.rsp, s == sig::SIGSEGV ? "killed" : "SIGSEGV");
            if (s == sig::SIGSEGV) die(sig::SIGSEGV);
            force_signal(p, sig::SIGSEGV);
            continue;
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
    return is64 ? rt_sigreturn64(f) : sigreturn32(f, true);
}

int64_t sigreturn_old32(RegisterFrame& f) {
    return sigreturn32(f, false);
}

uint64_t frame_size(bool is64) {
    // Linux's get_sigframe_size, the same for both bitnesses (arch/x86/cpu/xstate.h).
    (void)is64;
    return x86::xstate::min_sigstack_size(x86::xstate_config());
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
    force_signal(p, s);
}

} // namespace signals
