#include "kernel/proc/ptrace.h"

#include "arch/x86/cpu/context.h"
#include "arch/x86/cpu/cpu.h"
#include "arch/x86/cpu/percpu.h"
#include "arch/x86/desc/layout.h"
#include "arch/x86/entry/entry.h"
#include "arch/x86/mm/layout.h"
#include "kernel/errno.h"
#include "kernel/mm/memory.h"
#include "kernel/proc/process.h"
#include "kernel/proc/ptrace_abi.h"
#include "kernel/proc/sched.h"
#include "kernel/proc/sigframe.h"
#include "kernel/proc/signal.h"
#include "kernel/uaccess.h"

namespace ptrace {
namespace {

using namespace ptrace_abi;
using x86::RegisterFrame;
using x86::entry::Abi;
using x86::entry::Gate;
using x86::entry::SystemCall;

constexpr uint64_t CLONE_VFORK = 0x4000, CLONE_UNTRACED = 0x800000;
constexpr int SIGTRAP = sig::SIGTRAP;
constexpr uint32_t AUDIT_ARCH_X86_64 = 0xc000003e, AUDIT_ARCH_I386 = 0x40000003;

// The first 512 bytes of a task's FPU area, FXSAVE format (SDM Vol. 1
// 10.5.1), wherever the save code keeps them: the only place this file
// touches the FPU state.
uint8_t* fxsave_area(x86::UserContext& ctx) {
    return x86::fxsave_image(ctx);
}

// RFLAGS bits a tracer may change (Linux's FLAG_MASK in arch/x86/kernel/ptrace.c).
constexpr uint64_t FLAG_MASK = x86::rflags::CF | (1 << 2) /*PF*/ | (1 << 4) /*AF*/ | (1 << 6) /*ZF*/ | (1 << 7) /*SF*/ |
                               x86::rflags::TF | x86::rflags::DF | (1 << 11) /*OF*/ | x86::rflags::RF | x86::rflags::AC;

Process* caller_leader() {
    return current_process()->group->leader;
}

// A task's work bits from another task (it is not running: this CPU runs the caller).
void change_work(Process* t, uint32_t set, uint32_t clear) {
    x86::InterruptGuard guard;
    if (t == current_process())
        x86::this_cpu().work = (x86::this_cpu().work & ~clear) | set;
    else
        t->work = (t->work & ~clear) | set;
}

void notify_tracer(Process* t) {
    Process* tracer = t->ptrace.tracer;
    signals::send(tracer, sig::SIGCHLD);
    wake_all(tracer->child_exited);
}

// The calling tracee stops, reporting `status` to wait4, until the tracer
// resumes or detaches it or it is killed. Returns the signal it was
// resumed with (0: none).
int stop(int status) {
    Process* p = current_process();
    PtraceState& st = p->ptrace;
    x86::InterruptGuard guard;
    if (!st.tracer || signals::kill_pending(*p)) return 0;
    st.stopped = true;
    st.resumed = false;
    st.resume_signal = 0;
    st.report = status;
    notify_tracer(p);
    while (!st.resumed && st.tracer && !signals::kill_pending(*p)) sleep_on(st.stop_wait, Sleep::Killable);
    st.stopped = false;
    st.report = 0;
    // What the tracer may have done to the registers leaves through iretq.
    x86::this_cpu().work |= x86::work::FRAME;
    return signals::kill_pending(*p) ? 0 : st.resume_signal;
}

void set_stop_siginfo(PtraceState& st, int signo, int code, uint64_t addr = 0) {
    st.si_signo = signo;
    st.si_code = code;
    st.si_pid = current_process()->tgid;
    st.si_addr = addr;
}

// The tracer lets the tracee go: how (mode), with which signal.
void resume(Process* t, PtraceResume mode, int signal) {
    PtraceState& st = t->ptrace;
    RegisterFrame& f = t->frame();
    st.mode = mode;
    const bool step = mode == PtraceResume::Step || mode == PtraceResume::SysemuStep;
    if (step && !(f.rflags & x86::rflags::TF)) {
        f.rflags |= x86::rflags::TF;
        st.set_tf = true;
    } else if (!step && st.set_tf) {
        f.rflags &= ~x86::rflags::TF;
        st.set_tf = false;
    }
    const bool syscalls =
        mode == PtraceResume::Syscall || mode == PtraceResume::Sysemu || mode == PtraceResume::SysemuStep;
    const uint32_t bit = x86::work::PTRACE;
    change_work(t, x86::work::FRAME | (syscalls ? bit : 0u), syscalls ? 0u : bit);
    x86::InterruptGuard guard;
    st.resume_signal = signal;
    st.resumed = true;
    wake_all(st.stop_wait);
}

void detach(Process* t, int signal) {
    resume(t, PtraceResume::Cont, signal);
    PtraceState& st = t->ptrace;
    st.tracer = nullptr;
    st.options = 0;
    st.seized = false;
    st.interrupt = false;
    st.report = 0;
}

// ---- the registers

uint64_t orig_rax(const Process* t) {
    const RegisterFrame& f = t->frame();
    if (t->ptrace.vsyscall) return t->ptrace.number;
    return x86::entry::is_system_call(f) ? f.error_code : ~0ull;
}

void set_orig_rax(Process* t, uint64_t v) {
    RegisterFrame& f = t->frame();
    if (t->ptrace.vsyscall)
        t->ptrace.number = v;
    else if (x86::entry::is_system_call(f))
        f.error_code = v;
}

uint64_t flags_for_tracer(const Process* t) {
    const uint64_t flags = t->frame().rflags;
    return t->ptrace.set_tf ? flags & ~x86::rflags::TF : flags; // as Linux hides TIF_FORCED_TF
}

int set_flags(Process* t, uint64_t value) {
    RegisterFrame& f = t->frame();
    if (value & x86::rflags::TF)
        t->ptrace.set_tf = false; // the tracer's own now
    else if (t->ptrace.set_tf)
        value |= x86::rflags::TF;
    f.rflags = (f.rflags & ~FLAG_MASK) | (value & FLAG_MASK);
    return 0;
}

// Linux's invalid_selector: a selector other than 0 must have RPL 3.
bool invalid_selector(uint64_t v) {
    return v > 0xffff || (v != 0 && (v & 3) != 3);
}

uint64_t getreg64(const Process* t, unsigned r) {
    const RegisterFrame& f = t->frame();
    const x86::UserContext& c = t->user_context;
    switch (r) {
    case R15:
        return f.r15;
    case R14:
        return f.r14;
    case R13:
        return f.r13;
    case R12:
        return f.r12;
    case RBP:
        return f.rbp;
    case RBX:
        return f.rbx;
    case R11:
        return f.r11;
    case R10:
        return f.r10;
    case R9:
        return f.r9;
    case R8:
        return f.r8;
    case RAX:
        return f.rax;
    case RCX:
        return f.rcx;
    case RDX:
        return f.rdx;
    case RSI:
        return f.rsi;
    case RDI:
        return f.rdi;
    case ORIG_RAX:
        return orig_rax(t);
    case RIP:
        return f.rip;
    case CS:
        return f.cs & 0xffff;
    case EFLAGS:
        return flags_for_tracer(t);
    case RSP:
        return f.rsp;
    case SS:
        return f.ss & 0xffff;
    case FS_BASE:
        return c.fs_base;
    case GS_BASE:
        return c.gs_base;
    case DS:
        return c.ds_selector;
    case ES:
        return c.es_selector;
    case FS:
        return c.fs_selector;
    case GS:
        return c.gs_selector;
    }
    return 0;
}

int putreg64(Process* t, unsigned r, uint64_t v) {
    RegisterFrame& f = t->frame();
    x86::UserContext& c = t->user_context;
    switch (r) {
    case R15:
        f.r15 = v;
        break;
    case R14:
        f.r14 = v;
        break;
    case R13:
        f.r13 = v;
        break;
    case R12:
        f.r12 = v;
        break;
    case RBP:
        f.rbp = v;
        break;
    case RBX:
        f.rbx = v;
        break;
    case R11:
        f.r11 = v;
        break;
    case R10:
        f.r10 = v;
        break;
    case R9:
        f.r9 = v;
        break;
    case R8:
        f.r8 = v;
        break;
    case RAX:
        f.rax = v;
        break;
    case RCX:
        f.rcx = v;
        break;
    case RDX:
        f.rdx = v;
        break;
    case RSI:
        f.rsi = v;
        break;
    case RDI:
        f.rdi = v;
        break;
    case ORIG_RAX:
        set_orig_rax(t, v);
        break;
    // Any RIP: a non-canonical one makes the return's iretq fault, which
    // gives the tracee a SIGSEGV (arch/x86/entry/interrupts.cpp), as on Linux.
    case RIP:
        f.rip = v;
        break;
    case RSP:
        f.rsp = v;
        break;
    case EFLAGS:
        return set_flags(t, v);
    // CS and SS: never 0, RPL 3. One the CPU cannot load makes the
    // return's iretq fault: SIGSEGV for the tracee, never a kernel fault.
    case CS:
    case SS:
        if (v == 0 || invalid_selector(v)) return -err::EIO;
        (r == CS ? f.cs : f.ss) = v;
        break;
    case FS_BASE:
    case GS_BASE:
        if (v >= TASK_SIZE_MAX) return -err::EIO;
        (r == FS_BASE ? c.fs_base : c.gs_base) = v;
        break;
    case DS:
    case ES:
    case FS:
    case GS:
        // Loaded when the tracee runs again; one that does not load becomes null then.
        if (invalid_selector(v)) return -err::EIO;
        (r == DS ? c.ds_selector : r == ES ? c.es_selector : r == FS ? c.fs_selector : c.gs_selector) = uint16_t(v);
        break;
    default:
        return -err::EIO;
    }
    return 0;
}

// The i386 user_regs_struct in terms of the 64-bit one.
constexpr unsigned REG32_TO_64[REGS32_COUNT] = {RBX, RCX, RDX,      RSI, RDI, RBP,    RAX, DS, ES,
                                                FS,  GS,  ORIG_RAX, RIP, CS,  EFLAGS, RSP, SS};

uint32_t getreg32(const Process* t, unsigned r) {
    return uint32_t(getreg64(t, REG32_TO_64[r]));
}

int putreg32(Process* t, unsigned r, uint32_t v) {
    const unsigned r64 = REG32_TO_64[r];
    // eax and orig_eax of an i386 task sign-extend, so that -1 (no
    // restart) and the -ERESTART codes keep their meaning (Linux's
    // TS_I386_REGS_POKED).
    if ((r == EAX || r == ORIG_EAX) && !t->is64) return putreg64(t, r64, uint64_t(int64_t(int32_t(v))));
    if (r64 == EFLAGS) return set_flags(t, (t->frame().rflags & ~0xffffffffull) | v);
    return putreg64(t, r64, v);
}

// ---- debug registers

uint64_t get_debugreg(const Process* t, unsigned n) {
    const PtraceState& st = t->ptrace;
    if (n < 4) return st.dr[n];
    if (n == 6) return st.dr6 ^ DR6_RESERVED;
    if (n == 7) return st.dr7;
    return 0;
}

int set_debugreg(Process* t, unsigned n, uint64_t v, bool abi64) {
    PtraceState& st = t->ptrace;
    if (n < 4) {
        const Breakpoint b = decode_dr7(st.dr7, n);
        if (check_breakpoint_address(v, b.enabled ? b.length : 1)) return -err::EINVAL;
        if (b.enabled) {
            uint64_t address[4] = {st.dr[0], st.dr[1], st.dr[2], st.dr[3]};
            address[n] = v;
            if (validate_dr7(st.dr7, address, abi64)) return -err::EINVAL;
        }
        st.dr[n] = v;
        return 0;
    }
    if (n == 6) {
        st.dr6 = v ^ DR6_RESERVED;
        return 0;
    }
    if (n == 7) {
        if (!abi64) v = uint32_t(v);
        if (const int e = validate_dr7(v, st.dr, abi64)) return e;
        st.dr7 = v;
        return 0;
    }
    return -err::EIO;
}

uint64_t read_dr6() {
    uint64_t v;
    asm volatile("mov %%db6, %0" : "=r"(v));
    return v;
}
void write_dr6(uint64_t v) {
    asm volatile("mov %0, %%db6" ::"r"(v));
}
void write_dr7(uint64_t v) {
    asm volatile("mov %0, %%db7" ::"r"(v));
}
void load_breakpoints(const uint64_t (&dr)[4]) {
    asm volatile("mov %0, %%db0" ::"r"(dr[0]));
    asm volatile("mov %0, %%db1" ::"r"(dr[1]));
    asm volatile("mov %0, %%db2" ::"r"(dr[2]));
    asm volatile("mov %0, %%db3" ::"r"(dr[3]));
}
bool breakpoints_loaded; // DR7 holds some task's enabled breakpoints

// ---- the tracee's memory, through the direct map (it need not be the
// ---- active address space). Returns the bytes done.

size_t access_memory(Process* t, uint64_t va, void* buf, size_t n, bool write, bool force) {
    mm::AddressSpace* as = t->mm;
    if (!as) return 0;
    uint8_t* b = static_cast<uint8_t*>(buf);
    size_t done = 0;
    while (done < n) {
        const uint64_t a = va + done;
        if (a < va || a >= x86::mm::USER_TOP) break;
        const mm::Region* r = as->find(a);
        if (!r || a < r->start) break;
        // ptrace (force) may read what the program may make readable and
        // write its private copies even if read-only, as Linux's
        // FOLL_FORCE; process_vm_readv/writev only what the program itself may.
        const uint32_t want = write ? mm::PROT_WRITE : mm::PROT_READ;
        const bool allowed = force ? (r->flags & (want << mm::vm::MAY_SHIFT)) || (r->prot & want) : (r->prot & want);
        if (!allowed || (write && r->backing == mm::Backing::Kernel)) break;
        const uint64_t page = a & ~uint64_t(x86::mm::PAGE_SIZE - 1);
        uint64_t phys = as->physical_address(page);
        if (phys == ~0ull) {
            if (!as->handle_fault(page, write && (r->prot & mm::PROT_WRITE), false) &&
                !as->handle_fault(page, false, false))
                break;
            phys = as->physical_address(page);
            if (phys == ~0ull) break;
        }
        const uint64_t offset = a - page;
        size_t chunk = x86::mm::PAGE_SIZE - offset;
        if (chunk > n - done) chunk = n - done;
        uint8_t* kernel = static_cast<uint8_t*>(x86::mm::phys_to_virt(phys)) + offset;
        if (write)
            __builtin_memcpy(kernel, b + done, chunk);
        else
            __builtin_memcpy(b + done, kernel, chunk);
        done += chunk;
    }
    return done;
}

// ---- finding the tracee of a request

bool valid_signal(uint64_t s) {
    return s <= uint64_t(sig::NSIG);
}

// Linux's ptrace_check_attach: traced by the caller and, unless
// `any_state`, stopped.
Process* traced_child(int pid, bool any_state) {
    Process* t = proc::find(pid);
    if (!t || t->state == ProcessState::Zombie || t->ptrace.tracer != caller_leader()) return nullptr;
    if (!any_state && !t->ptrace.stopped) return nullptr;
    return t;
}

long attach(int pid, bool seize, uint64_t addr, uint64_t data) {
    if (seize && (addr || (data & ~uint64_t(O_MASK)))) return -err::EIO;
    Process* t = proc::find(pid);
    if (!t || t->state == ProcessState::Zombie) return -err::ESRCH;
    Process* self = current_process();
    // Not itself, not its own process's tasks, not init (whose end powers
    // Sysgate off; Linux lets root attach to it), nothing already traced or exiting.
    if (t->group == self->group || t->tgid == 1 || t->ptrace.tracer || t->group->exiting) return -err::EPERM;
    PtraceState& st = t->ptrace;
    st.tracer = caller_leader();
    st.options = seize ? uint32_t(data) : 0;
    st.seized = seize;
    st.mode = PtraceResume::Cont;
    st.report = 0;
    st.interrupt = false;
    if (!seize) signals::send_to_task(t, sig::SIGSTOP);
    return 0;
}

long traceme() {
    Process* p = current_process();
    Process* parent = p->group->leader->parent;
    if (p->ptrace.tracer || !parent || p->tgid == 1) return -err::EPERM;
    p->ptrace.tracer = parent;
    p->ptrace.options = 0;
    p->ptrace.seized = false;
    p->ptrace.mode = PtraceResume::Cont;
    return 0;
}

// struct ptrace_syscall_info (include/uapi/linux/ptrace.h).
struct SyscallInfo {
    uint8_t op;
    uint8_t pad[3];
    uint32_t arch;
    uint64_t instruction_pointer;
    uint64_t stack_pointer;
    union {
        struct {
            uint64_t nr;
            uint64_t args[6];
        } entry;
        struct {
            int64_t rval;
            uint8_t is_error;
        } exit;
    };
};
static_assert(sizeof(SyscallInfo) == 80);

long get_syscall_info(Process* t, uint64_t size, uint64_t address) {
    const PtraceState& st = t->ptrace;
    const RegisterFrame& f = t->frame();
    SyscallInfo info;
    __builtin_memset(&info, 0, sizeof(info));
    info.op = st.syscall_op;
    info.arch = (st.syscall_op ? st.call64 : t->is64) ? AUDIT_ARCH_X86_64 : AUDIT_ARCH_I386;
    info.instruction_pointer = f.rip;
    info.stack_pointer = f.rsp;
    size_t actual = offsetof(SyscallInfo, entry);
    if (st.syscall_op == 1) {
        info.entry.nr = orig_rax(t);
        for (int i = 0; i < 6; i++) info.entry.args[i] = st.args[i];
        actual = offsetof(SyscallInfo, entry.args) + sizeof(info.entry.args);
    } else if (st.syscall_op == 2) {
        info.exit.rval = int64_t(f.rax);
        info.exit.is_error = int64_t(f.rax) < 0 && int64_t(f.rax) >= -4095;
        actual = offsetof(SyscallInfo, exit.is_error) + 1;
    }
    const size_t n = size < actual ? size : actual;
    if (n && copy_to_user(UserPtr<void>(address), &info, n)) return -err::EFAULT;
    return long(actual);
}

long get_siginfo(const Process* t, uint64_t address, bool abi64) {
    const PtraceState& st = t->ptrace;
    uint8_t info[128] = {};
    const int32_t head[3] = {st.si_signo, 0, st.si_code};
    __builtin_memcpy(info, head, sizeof(head));
    const size_t fields = abi64 ? 16 : 12; // the union after si_signo, si_errno, si_code
    if (st.si_addr) {
        if (abi64)
            __builtin_memcpy(info + fields, &st.si_addr, 8);
        else {
            const uint32_t a = uint32_t(st.si_addr);
            __builtin_memcpy(info + fields, &a, 4);
        }
    } else {
        __builtin_memcpy(info + fields, &st.si_pid, 4); // si_pid, then si_uid 0
    }
    return copy_to_user(UserPtr<void>(address), info, sizeof(info)) ? -err::EFAULT : 0;
}

long get_regs(const Process* t, uint64_t address, bool abi64) {
    if (abi64) {
        uint64_t regs[REGS64_COUNT];
        for (unsigned i = 0; i < REGS64_COUNT; i++) regs[i] = getreg64(t, i);
        return copy_to_user(UserPtr<void>(address), regs, sizeof(regs)) ? -err::EFAULT : 0;
    }
    uint32_t regs[REGS32_COUNT];
    for (unsigned i = 0; i < REGS32_COUNT; i++) regs[i] = getreg32(t, i);
    return copy_to_user(UserPtr<void>(address), regs, sizeof(regs)) ? -err::EFAULT : 0;
}

long set_regs(Process* t, uint64_t address, bool abi64) {
    long e = 0;
    if (abi64) {
        uint64_t regs[REGS64_COUNT];
        if (copy_from_user(regs, UserPtr<const void>(address), sizeof(regs))) return -err::EFAULT;
        for (unsigned i = 0; i < REGS64_COUNT && !e; i++) e = putreg64(t, i, regs[i]);
    } else {
        uint32_t regs[REGS32_COUNT];
        if (copy_from_user(regs, UserPtr<const void>(address), sizeof(regs))) return -err::EFAULT;
        for (unsigned i = 0; i < REGS32_COUNT && !e; i++) e = putreg32(t, i, regs[i]);
    }
    change_work(t, x86::work::FRAME, 0);
    return e;
}

// MXCSR bits that may be loaded on every CPU Sysgate runs on (SDM Vol. 1
// 11.6.6: 0xffbf without DAZ); an FXRSTOR of any other bit would #GP.
constexpr uint32_t SAFE_MXCSR = 0xffbf;

long fpregs(Process* t, uint64_t req, uint64_t address, bool abi64) {
    uint8_t* fx = fxsave_area(t->user_context);
    const bool fsave = !abi64 && req != GETFPXREGS && req != SETFPXREGS; // i386 GETFPREGS: the FSAVE image
    const bool get = req == GETFPREGS || req == GETFPXREGS;
    if (get && fsave) {
        const sigframe::FsaveEnv env = sigframe::fsave_env_from_fxsave(
            *reinterpret_cast<const sigframe::FxsaveArea*>(fx), uint16_t(t->frame().cs), t->user_context.ds_selector);
        return copy_to_user(UserPtr<void>(address), &env, sizeof(env)) ? -err::EFAULT : 0;
    }
    if (get) return copy_to_user(UserPtr<void>(address), fx, 512) ? -err::EFAULT : 0;
    alignas(16) sigframe::FxsaveArea image;
    __builtin_memcpy(&image, fx, sizeof(image));
    if (fsave) {
        sigframe::FsaveEnv env;
        if (copy_from_user(&env, UserPtr<const void>(address), sizeof(env))) return -err::EFAULT;
        sigframe::fold_fsave_env(image, env);
    } else if (copy_from_user(&image, UserPtr<const void>(address), sizeof(image))) {
        return -err::EFAULT;
    }
    image.mxcsr &= SAFE_MXCSR;
    __builtin_memcpy(fx, &image, sizeof(image));
    x86::fxsave_image_written(t->user_context); // the XSAVE header follows the new image
    return 0;
}

long peek_user(Process* t, uint64_t offset, uint64_t address, bool abi64) {
    const UserField field = decode_user_offset(abi64, offset);
    uint64_t value = 0;
    switch (field.slot) {
    case Slot::Invalid:
        return -err::EIO;
    case Slot::Register:
        value = abi64 ? getreg64(t, field.index) : getreg32(t, field.index);
        break;
    case Slot::DebugReg:
        value = get_debugreg(t, field.index);
        break;
    case Slot::Other:
        break;
    }
    if (abi64) return write_user(UserPtr<uint64_t>(address), value) ? -err::EFAULT : 0;
    return write_user(UserPtr<uint32_t>(address), uint32_t(value)) ? -err::EFAULT : 0;
}

long poke_user(Process* t, uint64_t offset, uint64_t value, bool abi64) {
    const UserField field = decode_user_offset(abi64, offset);
    long e = 0;
    switch (field.slot) {
    case Slot::Invalid:
        return -err::EIO;
    case Slot::Register:
        e = abi64 ? putreg64(t, field.index, value) : putreg32(t, field.index, uint32_t(value));
        change_work(t, x86::work::FRAME, 0);
        break;
    case Slot::DebugReg:
        e = set_debugreg(t, field.index, abi64 ? value : uint32_t(value), abi64);
        break;
    case Slot::Other:
        e = abi64 ? -err::EIO : 0; // i386's dummy fields are ignored (putreg32's default)
        break;
    }
    return e;
}

// ---- the i386 fast gates' registers at a syscall stop

// A tracer sees an i386 call in Linux's registers whatever the gate:
// ebx, ecx, edx, esi, edi, ebp. Two gates carry some elsewhere: sysenter
// leaves the user stack pointer in ebp (the sixth argument, the caller's
// ebp, is at [ebp], pushed by the vDSO), and compat syscall the second
// argument in ebp (ecx holds the return address) and the sixth at [esp].
// For the stop they move where Linux has them (as Linux's
// do_fast_syscall_32 loads regs->bp from the stack); afterwards they go
// back where the vDSO's code after the gate expects them: ebp's value to
// the stack slot the vDSO pops it from, so a tracer's change reaches the
// program, and the gate's own registers as they were, so that a tracer
// rewinding rip by 2 (the gate instruction) makes the call again.
bool present_i386_arguments(RegisterFrame& f, const SystemCall& call) {
    if (call.abi != Abi::I386 || (call.gate != Gate::Sysenter && call.gate != Gate::Syscall)) return false;
    // Not once the call has replaced the frame (execve, sigreturn): the
    // stack is another one then, and its registers are no gate's.
    const PtraceState& st = current_process()->ptrace;
    if (f.rsp != st.gate_rsp || f.rip != st.gate_rip) return false;
    uint32_t sixth = 0; // at [esp]: the caller's ebp, pushed by the vDSO (0 if unreadable)
    copy_from_user(&sixth, UserPtr<const void>(uint32_t(f.rsp)), sizeof(sixth));
    if (call.gate == Gate::Syscall) f.rcx = uint32_t(f.rbp); // the second argument
    f.rbp = sixth;
    return true;
}

void restore_fast_gate_registers(RegisterFrame& f, const SystemCall& call) {
    const uint64_t stack = uint32_t(f.rsp);
    const uint32_t sixth = uint32_t(f.rbp);
    // The slot was read before the call; a stack that cannot be written
    // now leaves the change unseen, nothing worse.
    copy_to_user(UserPtr<void>(stack), &sixth, sizeof(sixth));
    if (call.gate == Gate::Syscall) {
        f.rbp = uint32_t(f.rcx); // the vDSO moves it back to ecx
        f.rcx = f.rip;
    } else {
        f.rbp = stack; // sysenter's protocol: our stack pointer in ebp
    }
}

} // namespace

bool is_traced(const Process& p) {
    return p.ptrace.tracer != nullptr;
}

long request(long req, int pid, uint64_t addr, uint64_t data, bool abi64) {
    if (req == TRACEME) return traceme();
    if (req == ATTACH || req == SEIZE) return attach(pid, req == SEIZE, addr, data);
    Process* t = traced_child(pid, req == KILL || req == INTERRUPT);
    if (!t) return -err::ESRCH;
    PtraceState& st = t->ptrace;
    const size_t word = abi64 ? 8 : 4;
    if (!abi64) addr = uint32_t(addr), data = uint32_t(data);
    switch (req) {
    case PEEKTEXT:
    case PEEKDATA: {
        uint64_t value = 0;
        if (access_memory(t, addr, &value, word, false, true) != word) return -err::EIO;
        return copy_to_user(UserPtr<void>(data), &value, word) ? -err::EFAULT : 0;
    }
    case POKETEXT:
    case POKEDATA:
        return access_memory(t, addr, &data, word, true, true) == word ? 0 : -err::EIO;
    case PEEKUSER:
        return peek_user(t, addr, data, abi64);
    case POKEUSER:
        return poke_user(t, addr, data, abi64);
    case GETREGS:
        return get_regs(t, data, abi64);
    case SETREGS:
        return set_regs(t, data, abi64);
    case GETFPREGS:
    case SETFPREGS:
        return fpregs(t, req, data, abi64);
    case GETFPXREGS:
    case SETFPXREGS:
        if (abi64) return -err::EIO; // i386 only
        return fpregs(t, req, data, abi64);
    case SETOPTIONS:
        if (data & ~uint64_t(O_MASK)) return -err::EINVAL;
        st.options = uint32_t(data);
        return 0;
    case GETEVENTMSG:
        return copy_to_user(UserPtr<void>(data), &st.event_message, word) ? -err::EFAULT : 0;
    case GETSIGINFO:
        return get_siginfo(t, data, abi64);
    case SETSIGINFO: {
        int32_t head[3];
        if (copy_from_user(head, UserPtr<const void>(data), sizeof(head))) return -err::EFAULT;
        st.si_signo = head[0];
        st.si_code = head[2];
        return 0;
    }
    case GET_SYSCALL_INFO:
        return get_syscall_info(t, addr, data);
    case CONT:
    case SYSCALL:
    case SYSEMU:
    case SYSEMU_SINGLESTEP:
    case SINGLESTEP: {
        if (!valid_signal(data)) return -err::EIO;
        const PtraceResume mode = req == CONT         ? PtraceResume::Cont
                                  : req == SYSCALL    ? PtraceResume::Syscall
                                  : req == SYSEMU     ? PtraceResume::Sysemu
                                  : req == SINGLESTEP ? PtraceResume::Step
                                                      : PtraceResume::SysemuStep;
        resume(t, mode, int(data));
        return 0;
    }
    case DETACH:
        if (!valid_signal(data)) return -err::EIO;
        detach(t, int(data));
        return 0;
    case KILL:
        signals::send_to_task(t, sig::SIGKILL);
        return 0;
    case INTERRUPT:
        if (!st.seized) return -err::EIO;
        if (!st.stopped) {
            st.interrupt = true;
            change_work(t, x86::work::SIGNAL, 0);
            interrupt_sleep(t);
        }
        return 0;
    default:
        return -err::EIO;
    }
}

// ---- the tracee's side

bool syscall_entry(RegisterFrame& f, SystemCall& call, int64_t& result) {
    Process* p = current_process();
    PtraceState& st = p->ptrace;
    const bool emu = st.mode == PtraceResume::Sysemu || st.mode == PtraceResume::SysemuStep;
    st.gate_rsp = f.rsp; // the gate's frame, before the call may replace it
    st.gate_rip = f.rip;
    if (!st.tracer || (st.mode != PtraceResume::Syscall && !emu)) return false;
    st.vsyscall = call.gate == Gate::Vsyscall;
    st.number = call.number;
    for (int i = 0; i < 6; i++) st.args[i] = call.args[i];
    st.syscall_op = 1;
    st.call64 = call.abi == Abi::X86_64;
    f.rax = uint64_t(-err::ENOSYS); // what the tracer sees, and the result of a skipped call
    set_stop_siginfo(st, SIGTRAP, SIGTRAP | ((st.options & O_TRACESYSGOOD) ? 0x80 : 0));
    const bool fast32 = present_i386_arguments(f, call);
    if (fast32) st.args[5] = uint32_t(f.rbp);
    const int s = stop(syscall_stop_status(st.options & O_TRACESYSGOOD));
    st.syscall_op = 0;
    if (s) signals::send_to_task(p, s);
    // The call made is the one the registers now describe.
    const uint64_t nr = orig_rax(p);
    if (call.abi == Abi::X86_64) {
        const uint64_t a[6] = {f.rdi, f.rsi, f.rdx, f.r10, f.r8, f.r9};
        for (int i = 0; i < (call.gate == Gate::Vsyscall ? 3 : 6); i++) call.args[i] = a[i];
    } else {
        const uint64_t a[6] = {f.rbx, f.rcx, f.rdx, f.rsi, f.rdi, f.rbp};
        for (int i = 0; i < 6; i++) call.args[i] = uint32_t(a[i]);
    }
    if (fast32) restore_fast_gate_registers(f, call);
    if (emu || signals::kill_pending(*p) || int32_t(nr) == -1) {
        result = int64_t(f.rax);
        return true;
    }
    call.number = uint32_t(nr);
    return false;
}

int64_t syscall_exit(RegisterFrame& f, const SystemCall& call, int64_t result) {
    Process* p = current_process();
    PtraceState& st = p->ptrace;
    (void)call;
    if (st.tracer && st.mode == PtraceResume::Syscall) {
        f.rax = uint64_t(result);
        st.syscall_op = 2;
        st.call64 = call.abi == Abi::X86_64;
        st.rval = result;
        set_stop_siginfo(st, SIGTRAP, SIGTRAP | ((st.options & O_TRACESYSGOOD) ? 0x80 : 0));
        const bool fast32 = present_i386_arguments(f, call);
        const int s = stop(syscall_stop_status(st.options & O_TRACESYSGOOD));
        if (fast32) restore_fast_gate_registers(f, call);
        st.gate_rsp = st.gate_rip = 0;
        st.syscall_op = 0;
        if (s) signals::send_to_task(p, s);
        result = int64_t(f.rax);
    } else if (st.tracer && st.mode == PtraceResume::Step && (f.rflags & x86::rflags::TF)) {
        // A step over a system-call instruction ends when the call
        // returns (Linux's user_single_step_report).
        signals::send_to_task(p, SIGTRAP);
    }
    st.vsyscall = false;
    return result;
}

int signal_stop(RegisterFrame& f, int s) {
    Process* p = current_process();
    PtraceState& st = p->ptrace;
    (void)f;
    if (!st.tracer || s == sig::SIGKILL) return s;
    const FaultInfo& fault = p->signals.fault;
    set_stop_siginfo(st, s, fault.signal == s ? 0x80 /*SI_KERNEL*/ : 0 /*SI_USER*/,
                     fault.signal == s ? fault.address : 0);
    return stop(stopped_status(s));
}

void on_return_to_user(RegisterFrame&) {
    Process* p = current_process();
    PtraceState& st = p->ptrace;
    if (!st.tracer || !st.interrupt) return;
    st.interrupt = false;
    set_stop_siginfo(st, SIGTRAP, SIGTRAP | EVENT_STOP << 8);
    stop(stopped_status(SIGTRAP, EVENT_STOP));
}

int on_clone(Process* parent, Process* child, uint64_t flags, int exit_signal) {
    const PtraceState& pst = parent->ptrace;
    if (!pst.tracer || (flags & CLONE_UNTRACED)) return 0;
    const int event = (flags & CLONE_VFORK) ? EVENT_VFORK : exit_signal != sig::SIGCHLD ? EVENT_CLONE : EVENT_FORK;
    const uint32_t option = event == EVENT_VFORK ? O_TRACEVFORK : event == EVENT_CLONE ? O_TRACECLONE : O_TRACEFORK;
    if (!(pst.options & option)) return 0;
    PtraceState& st = child->ptrace;
    st.tracer = pst.tracer;
    st.options = pst.options;
    st.seized = pst.seized;
    st.mode = PtraceResume::Cont;
    // The child starts with a stop of its own: SIGSTOP, or EVENT_STOP when seized.
    if (st.seized)
        st.interrupt = true;
    else
        signals::send_to_task(child, sig::SIGSTOP);
    return event;
}

void report_clone(int event, int child_pid) {
    if (!event) return;
    PtraceState& st = current_process()->ptrace;
    st.event_message = uint64_t(child_pid);
    set_stop_siginfo(st, SIGTRAP, SIGTRAP | event << 8);
    stop(stopped_status(SIGTRAP, event));
}

void on_exec(int old_pid) {
    Process* p = current_process();
    PtraceState& st = p->ptrace;
    // A new program starts without the old one's breakpoints (Linux's
    // flush_ptrace_hw_breakpoint in flush_thread).
    for (uint64_t& d : st.dr) d = 0;
    st.dr7 = 0;
    st.dr6 = 0;
    switch_debug_registers(p);
    if (!st.tracer) return;
    if (st.options & O_TRACEEXEC) {
        st.event_message = uint64_t(old_pid);
        set_stop_siginfo(st, SIGTRAP, SIGTRAP | EVENT_EXEC << 8);
        stop(stopped_status(SIGTRAP, EVENT_EXEC));
    } else if (!st.seized) {
        signals::send_to_task(p, SIGTRAP); // the classic stop after exec
    }
}

void on_exit(int wait_status) {
    Process* p = current_process();
    PtraceState& st = p->ptrace;
    if (!st.tracer) return;
    if ((st.options & O_TRACEEXIT) && !signals::kill_pending(*p)) {
        st.event_message = uint64_t(uint32_t(wait_status));
        set_stop_siginfo(st, SIGTRAP, SIGTRAP | EVENT_EXIT << 8);
        stop(stopped_status(SIGTRAP, EVENT_EXIT));
    }
    x86::InterruptGuard guard;
    Process* tracer = st.tracer;
    st.tracer = nullptr;
    st.report = 0;
    if (tracer) wake_all(tracer->child_exited); // a tracer waiting for this task looks again
}

void tracer_gone(Process* leader) {
    x86::InterruptGuard guard;
    for (Process* t = proc::first(); t; t = t->next_in_table) {
        if (t->ptrace.tracer != leader) continue;
        if (t->ptrace.options & O_EXITKILL) signals::send_to_task(t, sig::SIGKILL);
        detach(t, 0);
    }
}

int wait_stopped(Process* self, int pid, int* wait_status, bool* any_tracee) {
    x86::InterruptGuard guard;
    for (Process* t = proc::first(); t; t = t->next_in_table) {
        if (t->ptrace.tracer != self || t->state == ProcessState::Zombie) continue;
        if (pid > 0 && t->pid != pid) continue;
        *any_tracee = true;
        if (t->ptrace.stopped && t->ptrace.report) {
            *wait_status = t->ptrace.report;
            t->ptrace.report = 0;
            return t->pid;
        }
    }
    return 0;
}

// ---- #DB

void on_user_debug(RegisterFrame& f) {
    const uint64_t events = read_dr6() ^ DR6_RESERVED; // positive polarity: a bit set is an event
    write_dr6(DR6_RESERVED);
    Process* p = current_process();
    if (!p || p->is_idle) return;
    PtraceState& st = p->ptrace;
    st.dr6 = events & (DR6_TRAP_BITS | DR6_BS);
    // An instruction breakpoint is a fault: RF lets the instruction run
    // once the handler (or the tracer) resumes it (Linux's
    // hw_breakpoint_handler does the same).
    for (unsigned i = 0; i < 4; i++) {
        const Breakpoint b = decode_dr7(st.dr7, i);
        if ((events & (1u << i)) && b.enabled && b.type == 0) f.rflags |= x86::rflags::RF;
    }
}

bool on_kernel_debug(RegisterFrame&) {
    const uint64_t events = read_dr6() ^ DR6_RESERVED;
    write_dr6(DR6_RESERVED); // the CPU never clears DR6: no stale bit may confuse the next #DB
    if ((events & DR6_BS) || !(events & DR6_TRAP_BITS)) return false; // a single step: trap.cpp's to judge
    // A user's watchpoint, hit by the kernel touching that user memory
    // (a copy to or from user space) or at the first instruction of an
    // entry after MOV SS (the CPU delays the #DB by one instruction): the
    // kernel goes on; the tracer sees the bits in DR6.
    Process* p = current_process();
    if (p && !p->is_idle) p->ptrace.dr6 |= events & DR6_TRAP_BITS;
    return true;
}

void switch_debug_registers(Process* next) {
    const uint64_t dr7 = next && !next->is_idle ? hardware_dr7(next->ptrace.dr7) : 0;
    if (dr7) {
        write_dr7(0);
        load_breakpoints(next->ptrace.dr);
        write_dr7(dr7);
        breakpoints_loaded = true;
    } else if (breakpoints_loaded) {
        write_dr7(0);
        breakpoints_loaded = false;
    }
}

} // namespace ptrace

// ---- for sys_ptrace.cpp: process_vm_readv/writev's remote side.
namespace ptrace {
size_t access_process_memory(Process* t, uint64_t va, void* buf, size_t n, bool write) {
    return access_memory(t, va, buf, n, write, false);
}
} // namespace ptrace
