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
#include "kernel/proc/process.h"
#include "kernel/proc/sched.h"
#include "kernel/syscall/handlers.h"

namespace {

constexpr uint64_t CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800, CLONE_VFORK = 0x4000,
                   CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000, CLONE_CHILD_SETTID = 0x1000000,
                   CLONE_SETTLS = 0x80000, CSIGNAL = 0xff;
constexpr uint64_t SUPPORTED_CLONE_FLAGS =
    CSIGNAL | CLONE_VM | CLONE_VFORK | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID;

// fork, vfork and clone in one: a copy of the caller that returns 0.
int64_t do_clone(uint64_t flags, uint64_t stack, UserPtr<int> parent_tid, UserPtr<int> child_tid) {
    if (flags & ~SUPPORTED_CLONE_FLAGS) return -err::EINVAL; // threads are not supported
    Process* parent = current_process();
    int error = 0;
    Process* child = proc::allocate(parent, &error);
    if (!child) return error;

    if (flags & CLONE_VM) {
        child->mm = parent->mm;
        child->mm->get();
    } else if (!(child->mm = parent->mm->clone())) {
        proc::discard(child);
        return -err::ENOMEM;
    }
    if (!(child->files = files::copy_table(*parent->files))) {
        proc::discard(child);
        return -err::ENOMEM;
    }
    child->is64 = parent->is64;
    child->gate = parent->gate; // it returns from the parent's fork, through the same gate
    __builtin_memcpy(child->name, parent->name, sizeof(child->name));
    __builtin_memcpy(child->cwd, parent->cwd, sizeof(child->cwd));
    child->signals.blocked = parent->signals.blocked;
    child->signals.altstack_base = parent->signals.altstack_base;
    child->signals.altstack_size = parent->signals.altstack_size;
    for (int s = 1; s <= sig::NSIG; s++) child->signals.actions[s] = parent->signals.actions[s];
    x86::save_user_context(child->user_context); // FPU, FS/GS and TLS as they are now
    child->user_context.tls[0] = parent->user_context.tls[0];
    child->user_context.tls[1] = parent->user_context.tls[1];
    child->user_context.tls[2] = parent->user_context.tls[2];

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
    proc::start(child);
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
    return proc::exec(current_process(), kpath, args, env);
}

constexpr int WNOHANG = 1;

int64_t do_wait(int pid, UserPtr<int> status, int options, UserPtr<void> rusage, size_t rusage_size) {
    if (options & ~(WNOHANG | 2 /*WUNTRACED*/ | 8 /*WCONTINUED*/)) return -err::EINVAL;
    int wait_status = 0;
    const long reaped = proc::wait(pid, &wait_status, options & WNOHANG);
    if (reaped > 0) {
        if (!status.is_null() && write_user(status, wait_status)) return -err::EFAULT;
        if (!rusage.is_null() && clear_user(rusage, rusage_size)) return -err::EFAULT; // no accounting kept
    }
    return reaped;
}

// struct user_desc (arch/x86/include/uapi/asm/ldt.h).
struct UserDesc {
    uint32_t entry_number;
    uint32_t base_addr;
    uint32_t limit;
    uint32_t flags; // seg_32bit:1 contents:2 read_exec_only:1 limit_in_pages:1 seg_not_present:1 useable:1 lm:1
};

} // namespace

int64_t sys_exit(int status) {
    proc::exit((status & 0xff) << 8);
}
int64_t sys_exit_group(int status) {
    proc::exit((status & 0xff) << 8);
}
int64_t sys_getpid() {
    return current_process()->pid;
}
int64_t sys_gettid() {
    return current_process()->pid;
}
int64_t sys_getppid() {
    const Process* parent = current_process()->parent;
    return parent ? parent->pid : 0;
}
int64_t sys_getuid() {
    return 0;
} // everyone is root in Sysgate
int64_t sys_geteuid() {
    return 0;
}
int64_t sys_getgid() {
    return 0;
}
int64_t sys_getegid() {
    return 0;
}

int64_t sys_fork() {
    return do_clone(sig::SIGCHLD, 0, {}, {});
}
int64_t sys_vfork() {
    return do_clone(CLONE_VM | CLONE_VFORK | sig::SIGCHLD, 0, {}, {});
}

int64_t sys_clone(uint64_t flags, uint64_t stack, UserPtr<int> parent_tid, UserPtr<int> child_tid, uint64_t) {
    return do_clone(flags, stack, parent_tid, child_tid);
}
// i386 passes tls before child_tid (arch/x86/kernel/process.c, CONFIG_CLONE_BACKWARDS).
int64_t sys_clone32(uint32_t flags, uint32_t stack, UserPtr<int> parent_tid, uint32_t, UserPtr<int> child_tid) {
    return do_clone(flags, stack, parent_tid, child_tid);
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
    bool found = false;
    for (Process* p = proc::first(); p; p = p->next_in_table) {
        // pid > 0: that process; 0 or -1 (no process groups here): every
        // process but init and, for -1, the caller.
        const bool match = pid > 0 ? p->pid == pid : (p->pid > 1 && (pid != -1 || p != self));
        if (!match) continue;
        // A zombie exists until it is reaped, so naming it succeeds (as on
        // Linux); the signal changes nothing (send() ignores zombies).
        if (p->state == ProcessState::Zombie && pid <= 0) continue;
        found = true;
        if (signal) signals::send(p, signal);
    }
    return found ? 0 : -err::ESRCH;
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
    Process* p = current_process();
    uint64_t(&tls)[3] = p->user_context.tls;
    unsigned slot;
    if (d.entry_number == ~0u) {
        for (slot = 0; slot < 3 && tls[slot]; slot++) {
        }
        if (slot == 3) return -err::ESRCH;
        d.entry_number = x86::gdt::TLS_FIRST + slot;
        if (write_user(UserPtr<UserDesc>(desc_ptr.address()), d)) return -err::EFAULT;
    } else if (d.entry_number < x86::gdt::TLS_FIRST || d.entry_number >= x86::gdt::TLS_FIRST + 3) {
        return -err::EINVAL;
    }
    slot = d.entry_number - x86::gdt::TLS_FIRST;
    const bool empty =
        (d.flags & (1 << 5)) && (d.flags & (1 << 3)) && !d.base_addr && !d.limit; // not present + read_exec_only
    const bool code_segment = (d.flags >> 1 & 3) >= 2;
    if (code_segment) return -err::EINVAL; // data segments only
    tls[slot] =
        empty ? 0
              : x86::desc::data32_with_base(d.base_addr, d.limit & 0xfffff, d.flags & (1 << 4), !(d.flags & (1 << 5)));
    x86::install_tls(tls);
    return 0;
}

int64_t sys_get_thread_area(UserPtr<void> desc_ptr) {
    UserDesc d;
    if (read_user(d, UserPtr<const UserDesc>(desc_ptr.address()))) return -err::EFAULT;
    if (d.entry_number < x86::gdt::TLS_FIRST || d.entry_number >= x86::gdt::TLS_FIRST + 3) return -err::EINVAL;
    const uint64_t e = current_process()->user_context.tls[d.entry_number - x86::gdt::TLS_FIRST];
    d.base_addr = uint32_t((e >> 16 & 0xffffff) | (e >> 56 & 0xff) << 24);
    d.limit = uint32_t((e & 0xffff) | (e >> 48 & 0xf) << 16);
    d.flags = (e >> 54 & 1) | ((e >> 55 & 1) << 4) | ((e >> 47 & 1) ? 0 : 1 << 5) | (1 << 6);
    return write_user(UserPtr<UserDesc>(desc_ptr.address()), d) ? -err::EFAULT : 0;
}

int64_t sys_rt_sigaction(int signal, UserPtr<const void> act, UserPtr<void> old, size_t sigset_size) {
    if (sigset_size != 8) return -err::EINVAL;
    if (signal < 1 || signal > sig::NSIG) return -err::EINVAL;
    KernelSigaction& slot = current_process()->signals.actions[signal];
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
    KernelSigaction& slot = current_process()->signals.actions[signal];
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
        s.blocked |= mask;
        break;
    case SIG_UNBLOCK:
        s.blocked &= ~mask;
        break;
    case SIG_SETMASK:
        s.blocked = mask;
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
    KernelSigaction& slot = current_process()->signals.actions[signal];
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
