// ptrace and its companions: process_vm_readv/writev (another process's
// memory), waitid (the wait that reports CLD_TRAPPED) and pause. The
// rules live in kernel/proc/ptrace.cpp; see docs/ptrace.md.
#include "arch/x86/cpu/cpu.h"
#include "kernel/errno.h"
#include "kernel/proc/process.h"
#include "kernel/proc/ptrace.h"
#include "kernel/proc/ptrace_abi.h"
#include "kernel/syscall/handlers.h"

namespace {

// ---- process_vm_readv / process_vm_writev

constexpr uint64_t IOV_MAX = 1024;

struct Iovec {
    uint64_t base, length;
};

bool read_iovec(uint64_t array, uint64_t index, bool abi64, Iovec& out) {
    if (abi64) return read_user(out, UserPtr<const Iovec>(array) + index) == 0;
    uint32_t v[2];
    if (copy_from_user(v, UserPtr<const void>(array + index * 8), sizeof(v))) return false;
    out = {v[0], v[1]};
    return true;
}

// Linux's process_vm_rw: both vectors walked in step; the count of bytes
// moved, or an error if none moved. A remote range that cannot be
// touched ends the copy there.
int64_t process_vm(int pid, uint64_t local, uint64_t liovcnt, uint64_t remote, uint64_t riovcnt, uint64_t flags,
                   bool write, bool abi64) {
    if (flags) return -err::EINVAL;
    if (liovcnt > IOV_MAX || riovcnt > IOV_MAX) return -err::EINVAL;
    // Both vectors are read (and checked) before anything moves.
    Iovec l{}, r{};
    for (uint64_t i = 0; i < liovcnt; i++)
        if (!read_iovec(local, i, abi64, l)) return -err::EFAULT;
    for (uint64_t i = 0; i < riovcnt; i++)
        if (!read_iovec(remote, i, abi64, r)) return -err::EFAULT;
    if (!liovcnt || !riovcnt) return 0;
    Process* t = proc::find(pid);
    if (!t || t->state == ProcessState::Zombie || !t->mm) return -err::ESRCH;

    uint64_t li = 0, ri = 0, loff = 0, roff = 0, total = 0;
    read_iovec(local, 0, abi64, l);
    read_iovec(remote, 0, abi64, r);
    uint8_t buffer[256];
    for (;;) {
        while (loff == l.length) {
            if (++li == liovcnt) return int64_t(total);
            read_iovec(local, li, abi64, l);
            loff = 0;
        }
        while (roff == r.length) {
            if (++ri == riovcnt) return int64_t(total);
            read_iovec(remote, ri, abi64, r);
            roff = 0;
        }
        uint64_t n = l.length - loff;
        if (r.length - roff < n) n = r.length - roff;
        if (n > sizeof(buffer)) n = sizeof(buffer);
        if (write) {
            if (copy_from_user(buffer, UserPtr<const void>(l.base + loff), n))
                return total ? int64_t(total) : -err::EFAULT;
            const size_t done = ptrace::access_process_memory(t, r.base + roff, buffer, n, true);
            total += done;
            if (done != n) return total ? int64_t(total) : -err::EFAULT;
        } else {
            const size_t done = ptrace::access_process_memory(t, r.base + roff, buffer, n, false);
            if (done && copy_to_user(UserPtr<void>(l.base + loff), buffer, done))
                return total ? int64_t(total) : -err::EFAULT;
            total += done;
            if (done != n) return total ? int64_t(total) : -err::EFAULT;
        }
        loff += n;
        roff += n;
    }
}

// ---- waitid

constexpr int P_ALL = 0, P_PID = 1, P_PGID = 2;
constexpr int WNOHANG = 1, WSTOPPED = 2, WEXITED = 4, WCONTINUED = 8;
constexpr uint32_t WNOTHREAD = 0x20000000, WALL = 0x40000000, WCLONE = 0x80000000;
constexpr int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_TRAPPED = 4;

int64_t do_waitid(int which, int pid, uint64_t infop, int options, uint64_t rusage, bool abi64) {
    if (uint32_t(options) & ~uint32_t(WNOHANG | WSTOPPED | WEXITED | WCONTINUED | WNOTHREAD | WALL | WCLONE))
        return -err::EINVAL; // WNOWAIT among them: Sysgate cannot leave a child waitable
    if (!(options & (WEXITED | WSTOPPED | WCONTINUED))) return -err::EINVAL;
    if (which == P_PID) {
        if (pid <= 0) return -err::EINVAL;
    } else if (which == P_ALL || which == P_PGID) { // one process group here: every child
        pid = -1;
    } else {
        return -err::EINVAL;
    }
    int status = 0;
    const long reaped = proc::wait(pid, &status, options & WNOHANG);
    if (reaped < 0) return reaped;
    // siginfo_t for SIGCHLD: signo, errno, code, then si_pid, si_uid, si_status.
    uint8_t info[128] = {};
    if (reaped > 0) {
        int code, value;
        if (ptrace_abi::is_stopped(status)) {
            code = CLD_TRAPPED; // Sysgate's only stops are ptrace stops
            value = (status >> 8) & 0xff;
        } else if (!(status & 0x7f)) {
            code = CLD_EXITED;
            value = (status >> 8) & 0xff;
        } else {
            code = (status & 0x80) ? CLD_DUMPED : CLD_KILLED;
            value = status & 0x7f;
        }
        const int32_t head[3] = {17 /*SIGCHLD*/, 0, code};
        const int32_t body[3] = {int32_t(reaped), 0, value};
        __builtin_memcpy(info, head, sizeof(head));
        __builtin_memcpy(info + (abi64 ? 16 : 12), body, sizeof(body));
    }
    if (infop && copy_to_user(UserPtr<void>(infop), info, sizeof(info))) return -err::EFAULT;
    if (rusage && clear_user(UserPtr<void>(rusage), abi64 ? 144 : 72)) return -err::EFAULT; // no accounting kept
    return 0;
}

} // namespace

int64_t sys_ptrace(long request, long pid, uint64_t addr, uint64_t data) {
    return ptrace::request(request, int(pid), addr, data, true);
}
int64_t sys_ptrace32(int32_t request, int32_t pid, uint32_t addr, uint32_t data) {
    return ptrace::request(request, pid, addr, data, false);
}

int64_t sys_process_vm_readv(int pid, UserPtr<const void> local, uint64_t liovcnt, UserPtr<const void> remote,
                             uint64_t riovcnt, uint64_t flags) {
    return process_vm(pid, local.address(), liovcnt, remote.address(), riovcnt, flags, false, true);
}
int64_t sys_process_vm_writev(int pid, UserPtr<const void> local, uint64_t liovcnt, UserPtr<const void> remote,
                              uint64_t riovcnt, uint64_t flags) {
    return process_vm(pid, local.address(), liovcnt, remote.address(), riovcnt, flags, true, true);
}
int64_t sys_process_vm_readv32(int pid, UserPtr<const void> local, uint32_t liovcnt, UserPtr<const void> remote,
                               uint32_t riovcnt, uint32_t flags) {
    return process_vm(pid, local.address(), liovcnt, remote.address(), riovcnt, flags, false, false);
}
int64_t sys_process_vm_writev32(int pid, UserPtr<const void> local, uint32_t liovcnt, UserPtr<const void> remote,
                                uint32_t riovcnt, uint32_t flags) {
    return process_vm(pid, local.address(), liovcnt, remote.address(), riovcnt, flags, true, false);
}

int64_t sys_waitid(int which, int pid, UserPtr<void> infop, int options, UserPtr<void> rusage) {
    return do_waitid(which, pid, infop.address(), options, rusage.address(), true);
}
int64_t sys_waitid32(int which, int pid, UserPtr<void> infop, int options, UserPtr<void> rusage) {
    return do_waitid(which, pid, infop.address(), options, rusage.address(), false);
}

// pause: sleeps until a signal comes. It is made again when no handler
// ran (an ignored signal, one a tracer cancelled), as Linux's
// -ERESTARTNOHAND; after a handler it fails with EINTR (here also made
// again under SA_RESTART: Sysgate has one restart code).
int64_t sys_pause() {
    WaitQueue nobody;
    x86::InterruptGuard guard;
    while (sleep_on(nobody, Sleep::Interruptible)) {
    }
    return -err::ERESTARTSYS;
}
