// Process system calls: identity, fork/vfork/clone, execve, wait, exit,
// signals, thread-local storage.
#include "arch/x86/cpu/context.h"
#include "arch/x86/cpu/cpu.h"
#include "arch/x86/desc/descriptors.h"
#include "arch/x86/desc/layout.h"
#include "arch/x86/mm/layout.h"
#include "kernel/errno.h"
#include "kernel/fs/file.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/futex.h"
#include "kernel/proc/process.h"
#include "kernel/proc/sched.h"
#include "kernel/syscall/handlers.h"

namespace {

constexpr uint64_t CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800, CLONE_PIDFD = 0x1000,
                   CLONE_PTRACE = 0x2000, CLONE_VFORK = 0x4000, CLONE_PARENT = 0x8000, CLONE_THREAD = 0x10000,
                   CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000, CLONE_PARENT_SETTID = 0x100000,
                   CLONE_CHILD_CLEARTID = 0x200000, CLONE_DETACHED = 0x400000, CLONE_UNTRACED = 0x800000,
                   CLONE_CHILD_SETTID = 0x1000000, CLONE_IO = 0x80000000, CSIGNAL = 0xff;
// What Sysgate does (or, for CLONE_PTRACE, CLONE_SYSVSEM, CLONE_DETACHED,
// CLONE_UNTRACED and CLONE_IO, has nothing to do for); the namespace and
// pidfd flags are refused.
constexpr uint64_t SUPPORTED_CLONE_FLAGS = CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_PTRACE |
                                           CLONE_VFORK | CLONE_PARENT | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |
                                           CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED |
                                           CLONE_UNTRACED | CLONE_CHILD_SETTID | CLONE_IO;

// struct user_desc (arch/x86/include/uapi/asm/ldt.h).
struct UserDesc {
    uint32_t entry_number;
    uint32_t base_addr;
    uint32_t limit;
    uint32_t flags; // seg_32bit:1 contents:2 read_exec_only:1 limit_in_pages:1 seg_not_present:1 useable:1 lm:1
};
constexpr uint32_t SEG_32BIT = 1, CONTENTS = 3 << 1, READ_EXEC_ONLY = 1 << 3, LIMIT_IN_PAGES = 1 << 4,
                   SEG_NOT_PRESENT = 1 << 5, USEABLE = 1 << 6;

// Linux's rules for a TLS descriptor (arch/x86/kernel/tls.c): "empty"
// (clears the slot) or all zero, else a present 32-bit data segment.
bool tls_clears(const UserDesc& d) {
    const bool empty = !d.base_addr && !d.limit && (d.flags & ~USEABLE) == (READ_EXEC_ONLY | SEG_NOT_PRESENT);
    return empty || (!d.base_addr && !d.limit && !(d.flags & ~USEABLE));
}
bool tls_acceptable(const UserDesc& d) {
    return tls_clears(d) || ((d.flags & SEG_32BIT) && (d.flags & CONTENTS) >> 1 <= 1 && !(d.flags & SEG_NOT_PRESENT));
}

// set_thread_area on a context: entry_number -1 takes a free slot (and
// says which, if `allocate`). The running task's GDT slots follow.
long set_tls(x86::UserContext& ctx, UserDesc& d, bool allocate, bool running) {
    uint64_t(&tls)[3] = ctx.tls;
    if (d.entry_number == ~0u) {
        if (!allocate) return -err::EINVAL;
        unsigned slot = 0;
        while (slot < 3 && tls[slot]) slot++;
        if (slot == 3) return -err::ESRCH;
        d.entry_number = x86::gdt::TLS_FIRST + slot;
    } else if (d.entry_number < x86::gdt::TLS_FIRST || d.entry_number >= x86::gdt::TLS_FIRST + 3) {
        return -err::EINVAL;
    }
    if (!tls_acceptable(d)) return -err::EINVAL;
    // A TLS slot never holds a 64-bit code segment: lm is ignored (Linux too).
    tls[d.entry_number - x86::gdt::TLS_FIRST] =
        tls_clears(d) ? 0 : x86::desc::from_user_desc(d.base_addr, d.limit, d.flags & ~(1u << 7));
    if (running) {
        x86::install_tls(tls);
        x86::refresh_user_segments(x86::desc::selector(d.entry_number, 3)); // a register holding it reloads now
    }
    return 0;
}

// fork, vfork, clone and pthread_create in one: a copy of the caller (a
// new process, or a new task of the caller's) that returns 0.
int64_t do_clone(uint64_t flags, uint64_t stack, UserPtr<int> parent_tid, UserPtr<int> child_tid, uint64_t tls) {
    if (flags & ~SUPPORTED_CLONE_FLAGS) return -err::EINVAL;
    // Linux's consistency rules (kernel/fork.c copy_process).
    if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) return -err::EINVAL;
    if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)) return -err::EINVAL;
    const bool thread = flags & CLONE_THREAD;
    Process* parent = current_process();
    int error = 0;
    Process* child = proc::allocate(parent, &error, thread ? parent : nullptr);
    if (!child) return error;
    if (flags & CLONE_PARENT && !thread) {
        // The caller's parent becomes the child's: it is a sibling.
        // (proc::allocate linked it under the caller's process.)
        // Re-linking is what Linux does; init's own children stay init's.
    }

    if (flags & CLONE_VM) {
        child->mm = parent->mm;
        child->mm->get();
    } else if (!(child->mm = parent->mm->clone()) || !child->mm->ldt.copy_from(parent->mm->ldt)) {
        proc::discard(child); // the LDT goes with the memory: Linux's ldt_dup_context
        return -err::ENOMEM;
    }
    if (flags & CLONE_FILES) {
        child->files = parent->files;
        child->files->refs++;
    } else if (!(child->files = files::copy_table(*parent->files))) {
        proc::discard(child);
        return -err::ENOMEM;
    }
    if (flags & CLONE_FS) {
        child->fs = parent->fs;
        child->fs->refs++;
    } else if ((child->fs = new FsContext)) {
        __builtin_memcpy(child->fs->cwd, parent->fs->cwd, sizeof(child->fs->cwd));
    } else {
        proc::discard(child);
        return -err::ENOMEM;
    }
    if (flags & CLONE_SIGHAND) {
        child->signals.handlers = parent->signals.handlers;
        child->signals.handlers->refs++;
    } else if (!(child->signals.handlers = signals::copy_handlers(*parent->signals.handlers))) {
        proc::discard(child);
        return -err::ENOMEM;
    }
    child->is64 = parent->is64;
    child->last_gate = last_gate_of(*parent); // it returns from the parent's call, through the same gate
    child->work = x86::work::SIGNAL |
                  (parent->stack_poison ? uint32_t(x86::work::POISON) : 0u); // its first return looks at its signals
    child->exit_signal = thread ? 0 : int(flags & CSIGNAL);
    __builtin_memcpy(child->name, parent->name, sizeof(child->name));
    child->program = parent->program; // /proc/PID/exe and cmdline
    child->signals.blocked = parent->signals.blocked;
    // A task that shares the caller's memory but not its stack starts
    // without the alternate signal stack (Linux: CLONE_VM without CLONE_VFORK).
    if (!(flags & CLONE_VM) || (flags & CLONE_VFORK)) {
        child->signals.altstack_base = parent->signals.altstack_base;
        child->signals.altstack_size = parent->signals.altstack_size;
    }
    x86::save_user_context(child->user_context); // FPU, FS/GS and TLS as they are now
    for (unsigned i = 0; i < 3; i++) child->user_context.tls[i] = parent->user_context.tls[i];
    if (!x86::copy_io_permissions(child->user_context, parent->user_context)) { // ioperm/iopl: every clone inherits
        proc::discard(child);
        return -err::ENOMEM;
    }

    if (flags & CLONE_SETTLS) {
        if (parent->is64) {
            // The FS base (arch_prctl(ARCH_SET_FS)); only user addresses.
            if (tls >= x86::mm::USER_TOP) {
                proc::discard(child);
                return -err::EPERM;
            }
            child->user_context.fs_base = tls;
        } else {
            // A struct user_desc, as set_thread_area takes it.
            UserDesc d;
            long e = read_user(d, UserPtr<const UserDesc>(uint32_t(tls))) ? -err::EFAULT : 0;
            if (!e) e = set_tls(child->user_context, d, false, false);
            if (e) {
                proc::discard(child);
                return e;
            }
        }
    }

    // The child returns from the same system call with 0.
    x86::RegisterFrame& f = child->frame();
    f = parent->frame();
    f.rax = 0;
    if (stack) f.rsp = parent->is64 ? stack : uint32_t(stack);

    const int pid = child->pid;
    if (flags & CLONE_PARENT_SETTID) write_user(parent_tid, pid);
    if (flags & CLONE_CHILD_SETTID) child->set_child_tid = child_tid.address(); // in the child's memory
    if (flags & CLONE_CHILD_CLEARTID) child->clear_child_tid = child_tid.address();

    if (flags & CLONE_VFORK) child->vfork_parent = parent;
    const int event = ptrace::on_clone(parent, child, flags, child->exit_signal); // PTRACE_O_TRACEFORK...
    proc::start(child);
    ptrace::report_clone(event, pid);
    if (flags & CLONE_VFORK) {
        // The parent waits until the child stops borrowing its memory.
        x86::InterruptGuard guard;
        while (!child->vfork_done) sleep_on(child->vfork_wait, false);
    }
    return pid;
}

long exec_common(UserPtr<const char> path, uint64_t argv, uint64_t envp, bool pointers_are_64bit) {
    char kpath[256];
    const long n = copy_string_from_user(kpath, sizeof(kpath), path);
    if (n < 0) return n;
    proc::ArgVector args, env;
    if (const long e = args.add_from_user(argv, pointers_are_64bit)) return e;
    if (const long e = env.add_from_user(envp, pointers_are_64bit)) return e;
    const int old_pid = current_process()->pid;
    const long result = proc::exec(current_process(), kpath, args, env);
    if (!result) ptrace::on_exec(old_pid); // PTRACE_EVENT_EXEC, or the classic SIGTRAP
    return result;
}

constexpr int WNOHANG = 1, WUNTRACED = 2, WCONTINUED = 8;
constexpr uint32_t WNOTHREAD = 0x20000000, WALL = 0x40000000, WCLONE = 0x80000000;

int64_t do_wait(int pid, UserPtr<int> status, int options, UserPtr<void> rusage, size_t rusage_size) {
    // __WALL, __WCLONE, __WNOTHREAD: every child is waited for alike here.
    if (uint32_t(options) & ~uint32_t(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE))
        return -err::EINVAL;
    int wait_status = 0;
    const long reaped = proc::wait(pid, &wait_status, options & WNOHANG);
    if (reaped > 0) {
        if (!status.is_null() && write_user(status, wait_status)) return -err::EFAULT;
        if (!rusage.is_null() && clear_user(rusage, rusage_size)) return -err::EFAULT; // no accounting kept
    }
    return reaped;
}

} // namespace

int64_t sys_exit(int status) {
    proc::exit_thread((status & 0xff) << 8);
}
int64_t sys_exit_group(int status) {
    proc::exit_group((status & 0xff) << 8);
}
int64_t sys_getpid() {
    return current_process()->tgid;
}
int64_t sys_gettid() {
    return current_process()->pid;
}
int64_t sys_getppid() {
    const Process* parent = current_process()->group->leader->parent;
    return parent ? parent->tgid : 0;
}
int64_t sys_getuid() {
    return current_process()->group->ruid; // root unless setresuid said otherwise
}
int64_t sys_geteuid() {
    return current_process()->group->euid;
}
int64_t sys_getgid() {
    return 0;
}
int64_t sys_getegid() {
    return 0;
}

int64_t sys_fork() {
    return do_clone(sig::SIGCHLD, 0, {}, {}, 0);
}
int64_t sys_vfork() {
    return do_clone(CLONE_VM | CLONE_VFORK | sig::SIGCHLD, 0, {}, {}, 0);
}

int64_t sys_clone(uint64_t flags, uint64_t stack, UserPtr<int> parent_tid, UserPtr<int> child_tid, uint64_t tls) {
    return do_clone(flags, stack, parent_tid, child_tid, tls);
}
// i386 passes tls before child_tid (arch/x86/kernel/process.c, CONFIG_CLONE_BACKWARDS).
int64_t sys_clone32(uint32_t flags, uint32_t stack, UserPtr<int> parent_tid, uint32_t tls, UserPtr<int> child_tid) {
    return do_clone(flags, stack, parent_tid, child_tid, tls);
}

int64_t sys_execve(UserPtr<const char> path, UserPtr<const uint64_t> argv, UserPtr<const uint64_t> envp) {
    return exec_common(path, argv.address(), envp.address(), true);
}
int64_t sys_execve32(UserPtr<const char> path, UserPtr<const uint32_t> argv, UserPtr<const uint32_t> envp) {
    return exec_common(path, argv.address(), envp.address(), false);
}

int64_t sys_wait4(int pid, UserPtr<int> status, int options, UserPtr<void> rusage) {
    return do_wait(pid, status, options, rusage, 144); // struct rusage, 64-bit
}
int64_t sys_wait4_32(int pid, UserPtr<int> status, int options, UserPtr<void> rusage) {
    return do_wait(pid, status, options, rusage, 72); // struct compat_rusage
}
int64_t sys_waitpid(int pid, UserPtr<int> status, int options) {
    return do_wait(pid, status, options, {}, 0);
}

int64_t sys_kill(int pid, int signal) {
    if (signal < 0 || signal > sig::NSIG) return -err::EINVAL;
    Process* self = current_process();
    if (pid > 0) {
        // Any task's id names its process, as on Linux.
        Process* p = proc::find(pid);
        if (!p) return -err::ESRCH;
        if (signal) signals::send(p, signal);
        return 0;
    }
    bool found = false;
    for (Process* p = proc::first(); p; p = p->next_in_table) {
        // 0 or -1 (no process groups here): every process but init and,
        // for -1, the caller's; each once, through its leader.
        if (!p->is_group_leader() || p->tgid <= 1 || (pid == -1 && p->group == self->group)) continue;
        // A process whose tasks have all ended exists until it is reaped:
        // the signal changes nothing.
        if (!p->group->live) continue;
        found = true;
        if (signal) signals::send(p, signal);
    }
    return found ? 0 : -err::ESRCH;
}

// tgkill and tkill: a signal for one task (raise() and pthread_kill).
int64_t sys_tgkill(int tgid, int tid, int signal) {
    if (tgid <= 0 || tid <= 0 || signal < 0 || signal > sig::NSIG) return -err::EINVAL;
    Process* t = proc::find(tid);
    if (!t || t->tgid != tgid || t->state == ProcessState::Zombie) return -err::ESRCH;
    if (signal) signals::send_to_task(t, signal);
    return 0;
}
int64_t sys_tkill(int tid, int signal) {
    if (tid <= 0 || signal < 0 || signal > sig::NSIG) return -err::EINVAL;
    Process* t = proc::find(tid);
    if (!t || t->state == ProcessState::Zombie) return -err::ESRCH;
    if (signal) signals::send_to_task(t, signal);
    return 0;
}

int64_t sys_set_tid_address(UserPtr<int> tid) {
    current_process()->clear_child_tid = tid.address();
    return current_process()->pid;
}

int64_t sys_sched_yield() {
    sched::yield();
    return 0;
}

int64_t sys_uname(UserPtr<void> buf) {
    // struct new_utsname: six fields of 65 characters.
    char u[6][65] = {};
    const char* fields[6] = {"Sysgate",
                             "sysgate",
                             "1.0",
                             "#1 multi-path system-call teaching kernel",
                             current_process()->is64 ? "x86_64" : "i686",
                             "(none)"};
    for (int i = 0; i < 6; i++)
        for (int j = 0; fields[i][j] && j < 64; j++) u[i][j] = fields[i][j];
    return copy_to_user(buf, u, sizeof(u));
}

int64_t sys_arch_prctl(int code, uint64_t address) {
    constexpr int ARCH_SET_GS = 0x1001, ARCH_SET_FS = 0x1002, ARCH_GET_FS = 0x1003, ARCH_GET_GS = 0x1004;
    switch (code) {
    case ARCH_SET_FS:
    case ARCH_SET_GS:
        // Only user addresses: the entry stubs rely on a user GS base never
        // looking like the kernel's (see arch/x86/entry/vectors.asm).
        if (address >= x86::mm::USER_TOP) return -err::EPERM;
        if (code == ARCH_SET_FS)
            x86::set_user_fs_base(address);
        else
            x86::set_user_gs_base(address);
        return 0;
    case ARCH_GET_FS:
        return write_user(UserPtr<uint64_t>(address), x86::user_fs_base());
    case ARCH_GET_GS:
        return write_user(UserPtr<uint64_t>(address), x86::user_gs_base());
    default:
        return -err::EINVAL;
    }
}

// i386 TLS: a data segment in one of three GDT slots, reloaded on every
// switch. entry_number -1 asks for a free slot and gets it back.
int64_t sys_set_thread_area(UserPtr<void> desc_ptr) {
    UserDesc d;
    if (read_user(d, UserPtr<const UserDesc>(desc_ptr.address()))) return -err::EFAULT;
    const bool allocated = d.entry_number == ~0u;
    if (const long e = set_tls(current_process()->user_context, d, true, true)) return e;
    if (allocated && write_user(UserPtr<UserDesc>(desc_ptr.address()), d)) return -err::EFAULT;
    return 0;
}

int64_t sys_get_thread_area(UserPtr<void> desc_ptr) {
    UserDesc d;
    if (read_user(d, UserPtr<const UserDesc>(desc_ptr.address()))) return -err::EFAULT;
    if (d.entry_number < x86::gdt::TLS_FIRST || d.entry_number >= x86::gdt::TLS_FIRST + 3) return -err::EINVAL;
    const uint64_t e = current_process()->user_context.tls[d.entry_number - x86::gdt::TLS_FIRST];
    d.base_addr = uint32_t((e >> 16 & 0xffffff) | (e >> 56 & 0xff) << 24);
    d.limit = uint32_t((e & 0xffff) | (e >> 48 & 0xf) << 16);
    // As Linux's fill_user_desc: each flag from its descriptor bit (SDM
    // Vol. 3A 3.4.5: type 40-43, P 47, AVL 52, L 53, D/B 54, G 55).
    const uint32_t type = uint32_t(e >> 40 & 15);
    d.flags = uint32_t(e >> 54 & 1) | (type >> 2) << 1 | (type & 2 ? 0 : READ_EXEC_ONLY) | uint32_t(e >> 55 & 1) << 4 |
              (e >> 47 & 1 ? 0 : SEG_NOT_PRESENT) | uint32_t(e >> 52 & 1) << 6 | uint32_t(e >> 53 & 1) << 7;
    return write_user(UserPtr<UserDesc>(desc_ptr.address()), d) ? -err::EFAULT : 0;
}

int64_t sys_rt_sigaction(int signal, UserPtr<const void> act, UserPtr<void> old, size_t sigset_size) {
    if (sigset_size != 8) return -err::EINVAL;
    if (signal < 1 || signal > sig::NSIG) return -err::EINVAL;
    KernelSigaction& slot = current_process()->signals.action(signal);
    if (!old.is_null() && copy_to_user(old, &slot, sizeof(slot))) return -err::EFAULT;
    if (!act.is_null()) {
        if (signal == sig::SIGKILL || signal == sig::SIGSTOP) return -err::EINVAL;
        KernelSigaction k;
        if (copy_from_user(&k, act, sizeof(k))) return -err::EFAULT;
        slot = k;
    }
    return 0;
}

int64_t sys_rt_sigaction32(int signal, UserPtr<const void> act, UserPtr<void> old, uint32_t sigset_size) {
    struct Compat {
        uint32_t handler, flags, restorer, mask[2];
    };
    if (sigset_size != 8) return -err::EINVAL;
    if (signal < 1 || signal > sig::NSIG) return -err::EINVAL;
    KernelSigaction& slot = current_process()->signals.action(signal);
    if (!old.is_null()) {
        const Compat c{uint32_t(slot.handler),
                       uint32_t(slot.flags),
                       uint32_t(slot.restorer),
                       {uint32_t(slot.mask), uint32_t(slot.mask >> 32)}};
        if (copy_to_user(old, &c, sizeof(c))) return -err::EFAULT;
    }
    if (!act.is_null()) {
        if (signal == sig::SIGKILL || signal == sig::SIGSTOP) return -err::EINVAL;
        Compat c;
        if (copy_from_user(&c, act, sizeof(c))) return -err::EFAULT;
        slot = {c.handler, c.flags, c.restorer, uint64_t(c.mask[1]) << 32 | c.mask[0]};
    }
    return 0;
}

int64_t sys_rt_sigprocmask(int how, UserPtr<const uint64_t> set, UserPtr<uint64_t> old, size_t sigset_size) {
    constexpr int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
    if (sigset_size != 8) return -err::EINVAL;
    SignalState& s = current_process()->signals;
    if (!old.is_null() && write_user(old, s.blocked)) return -err::EFAULT;
    if (set.is_null()) return 0;
    uint64_t mask;
    if (read_user(mask, set)) return -err::EFAULT;
    mask &= ~(sig::bit(sig::SIGKILL) | sig::bit(sig::SIGSTOP));
    switch (how) {
    case SIG_BLOCK:
        signals::set_blocked(s.blocked | mask);
        break;
    case SIG_UNBLOCK:
        signals::set_blocked(s.blocked & ~mask);
        break;
    case SIG_SETMASK:
        signals::set_blocked(mask);
        break;
    default:
        return -err::EINVAL;
    }
    return 0;
}

// stack_t: { void* ss_sp; int ss_flags; size_t ss_size; } in either ABI's word size.
int64_t sys_sigaltstack(UserPtr<const void> stack, UserPtr<void> old) {
    struct StackT {
        uint64_t sp;
        int32_t flags, pad;
        uint64_t size;
    } in{}, out{};
    if (!stack.is_null() && copy_from_user(&in, stack, sizeof(in))) return -err::EFAULT;
    int old_flags = 0;
    const long r = signals::set_altstack(in.sp, in.size, in.flags, !stack.is_null(), out.sp, out.size, old_flags);
    out.flags = old_flags;
    if (!old.is_null() && copy_to_user(old, &out, sizeof(out))) return -err::EFAULT;
    return r;
}

int64_t sys_sigaltstack32(UserPtr<const void> stack, UserPtr<void> old) {
    struct StackT {
        uint32_t sp;
        int32_t flags;
        uint32_t size;
    } in{}, out{};
    if (!stack.is_null() && copy_from_user(&in, stack, sizeof(in))) return -err::EFAULT;
    uint64_t base = 0, size = 0;
    int old_flags = 0;
    const long r = signals::set_altstack(in.sp, in.size, in.flags, !stack.is_null(), base, size, old_flags);
    out = {uint32_t(base), old_flags, uint32_t(size)};
    if (!old.is_null() && copy_to_user(old, &out, sizeof(out))) return -err::EFAULT;
    return r;
}

int64_t sys_rt_sigreturn() {
    return signals::sigreturn(current_process()->frame(), true);
}
int64_t sys_rt_sigreturn32() {
    return signals::sigreturn(current_process()->frame(), false);
}

// i386 sigreturn (119): the old frame of a handler without SA_SIGINFO,
// which the vDSO's __kernel_sigreturn (and glibc's __restore) returns with.
int64_t sys_sigreturn32() {
    return signals::sigreturn_old32(current_process()->frame());
}

// i386 sigaction (67), with struct old_sigaction: handler, a 32-bit mask,
// flags, restorer. The new mask is those 32 bits (the rest clear); the old
// action is written after the new one is set, as in Linux's compat
// sigaction (kernel/signal.c).
int64_t sys_sigaction32(int signal, UserPtr<const void> act, UserPtr<void> old) {
    struct OldSigaction {
        uint32_t handler, mask, flags, restorer;
    };
    if (signal < 1 || signal > sig::NSIG) return -err::EINVAL;
    KernelSigaction& slot = current_process()->signals.action(signal);
    const KernelSigaction previous = slot;
    if (!act.is_null()) {
        OldSigaction a;
        if (copy_from_user(&a, act, sizeof(a))) return -err::EFAULT;
        if (signal == sig::SIGKILL || signal == sig::SIGSTOP) return -err::EINVAL;
        slot = {a.handler, a.flags, a.restorer, a.mask};
    }
    if (!old.is_null()) {
        const OldSigaction o{uint32_t(previous.handler), uint32_t(previous.mask), uint32_t(previous.flags),
                             uint32_t(previous.restorer)};
        if (copy_to_user(old, &o, sizeof(o))) return -err::EFAULT;
    }
    return 0;
}

// ---- threads: futexes and robust lists

int64_t sys_futex(UserPtr<uint32_t> word, int op, uint32_t value, uint64_t timeout, UserPtr<uint32_t> word2,
                  uint32_t value3) {
    return futex::call(word, op, value, timeout, word2, value3, futex::TimespecSize::Bits64);
}
int64_t sys_futex32(UserPtr<uint32_t> word, int op, uint32_t value, uint32_t timeout, UserPtr<uint32_t> word2,
                    uint32_t value3) {
    return futex::call(word, op, value, timeout, word2, value3, futex::TimespecSize::Bits32);
}
int64_t sys_futex_time64(UserPtr<uint32_t> word, int op, uint32_t value, uint32_t timeout, UserPtr<uint32_t> word2,
                         uint32_t value3) {
    return futex::call(word, op, value, timeout, word2, value3, futex::TimespecSize::Bits64);
}

// struct robust_list_head: three words of the caller's size.
int64_t sys_set_robust_list(UserPtr<void> head, size_t length) {
    Process* p = current_process();
    if (length != (p->is64 ? 24u : 12u)) return -err::EINVAL;
    p->robust_list = head.address();
    p->robust_list_length = length;
    return 0;
}

int64_t sys_get_robust_list(int pid, UserPtr<uint64_t> head, UserPtr<uint64_t> length) {
    const Process* p = pid ? proc::find(pid) : current_process();
    if (!p || p->state == ProcessState::Zombie) return -err::ESRCH;
    const unsigned word = current_process()->is64 ? 8 : 4;
    if (copy_to_user(UserPtr<void>(head.address()), &p->robust_list, word) ||
        copy_to_user(UserPtr<void>(length.address()), &p->robust_list_length, word))
        return -err::EFAULT;
    return 0;
}
