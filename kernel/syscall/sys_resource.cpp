// What a process may use and know of the machine: CPU affinity, resource
// limits, random bytes, and prctl's common options.
#include "kernel/errno.h"
#include "kernel/fs/file.h"
#include "kernel/proc/process.h"
#include "kernel/random.h"
#include "kernel/syscall/handlers.h"

namespace {

// pid 0 is the caller; any task's id names it (sched_*affinity and
// prlimit take task ids).
Process* task_or_self(int pid) {
    if (pid < 0) return nullptr;
    Process* p = pid ? proc::find(pid) : current_process();
    return p && p->state != ProcessState::Zombie ? p : nullptr;
}

// ---- CPU affinity: one CPU, CPU 0. The mask is an array of longs of the
// caller's ABI (Linux: kernel/sched/core.c, kernel/compat.c).
long get_affinity(int pid, uint32_t length, UserPtr<void> mask, unsigned word) {
    if (!task_or_self(pid)) return -err::ESRCH;
    if (length * 8 < 1 || length % word) return -err::EINVAL;
    const uint64_t cpu0 = 1;
    const uint32_t copied = length < 8 ? length : 8; // Linux's cpumask_size() for one CPU
    if (copy_to_user(mask, &cpu0, copied)) return -err::EFAULT;
    return copied;
}

long set_affinity(int pid, uint32_t length, UserPtr<const void> mask) {
    if (!task_or_self(pid)) return -err::ESRCH;
    uint64_t wanted = 0;
    if (copy_from_user(&wanted, mask, length < 8 ? length : 8)) return -err::EFAULT;
    return wanted & 1 ? 0 : -err::EINVAL; // a mask without CPU 0 names no CPU there is
}

// ---- resource limits
constexpr uint64_t INFINITY = ~0ull;

long set_limit(Process* p, unsigned resource, ResourceLimit wanted) {
    if (wanted.current > wanted.maximum) return -err::EINVAL;
    ResourceLimit& limit = p->group->limits[resource];
    // Everyone is root here, so a hard limit may rise, except where the
    // kernel's own tables end (Linux refuses NOFILE above nr_open).
    if (resource == RLIMIT_NOFILE && wanted.maximum > FileTable::MAX_FDS) return -err::EPERM;
    limit = wanted;
    return 0;
}

// 32-bit values: RLIM_INFINITY is ~0u, and larger limits read as it.
struct Limit32 {
    uint32_t current, maximum;
};
Limit32 to_32(const ResourceLimit& l, uint32_t infinity) {
    auto clamp = [&](uint64_t v) { return v >= infinity ? infinity : uint32_t(v); };
    return {clamp(l.current), clamp(l.maximum)};
}
ResourceLimit from_32(const Limit32& l) {
    auto widen = [](uint32_t v) { return v == ~0u ? INFINITY : uint64_t(v); };
    return {widen(l.current), widen(l.maximum)};
}

} // namespace

int64_t sys_sched_getaffinity(int pid, uint32_t length, UserPtr<void> mask) {
    return get_affinity(pid, length, mask, 8);
}
int64_t sys_sched_getaffinity32(int pid, uint32_t length, UserPtr<void> mask) {
    return get_affinity(pid, length, mask, 4);
}
int64_t sys_sched_setaffinity(int pid, uint32_t length, UserPtr<const void> mask) {
    return set_affinity(pid, length, mask);
}

int64_t sys_prlimit64(int pid, uint32_t resource, UserPtr<const void> new_limit, UserPtr<void> old_limit) {
    if (resource >= RLIMIT_COUNT) return -err::EINVAL;
    Process* p = task_or_self(pid);
    if (!p) return -err::ESRCH;
    ResourceLimit wanted;
    if (!new_limit.is_null() && copy_from_user(&wanted, new_limit, sizeof(wanted))) return -err::EFAULT;
    const ResourceLimit old = p->group->limits[resource];
    if (!new_limit.is_null())
        if (const long e = set_limit(p, resource, wanted)) return e;
    if (!old_limit.is_null() && copy_to_user(old_limit, &old, sizeof(old))) return -err::EFAULT;
    return 0;
}

int64_t sys_getrlimit(uint32_t resource, UserPtr<void> limit) {
    if (resource >= RLIMIT_COUNT) return -err::EINVAL;
    const ResourceLimit l = current_process()->group->limits[resource];
    return copy_to_user(limit, &l, sizeof(l)) ? -err::EFAULT : 0;
}
int64_t sys_setrlimit(uint32_t resource, UserPtr<const void> limit) {
    if (resource >= RLIMIT_COUNT) return -err::EINVAL;
    ResourceLimit wanted;
    if (copy_from_user(&wanted, limit, sizeof(wanted))) return -err::EFAULT;
    return set_limit(current_process(), resource, wanted);
}
// i386: ugetrlimit (191) reports RLIM_INFINITY as ~0u; the first getrlimit
// (76) as 0x7fffffff, the old 32-bit "infinity" (Linux's compat code).
int64_t sys_ugetrlimit32(uint32_t resource, UserPtr<void> limit) {
    if (resource >= RLIMIT_COUNT) return -err::EINVAL;
    const Limit32 l = to_32(current_process()->group->limits[resource], ~0u);
    return copy_to_user(limit, &l, sizeof(l)) ? -err::EFAULT : 0;
}
int64_t sys_old_getrlimit32(uint32_t resource, UserPtr<void> limit) {
    if (resource >= RLIMIT_COUNT) return -err::EINVAL;
    const Limit32 l = to_32(current_process()->group->limits[resource], 0x7fffffff);
    return copy_to_user(limit, &l, sizeof(l)) ? -err::EFAULT : 0;
}
int64_t sys_setrlimit32(uint32_t resource, UserPtr<const void> limit) {
    if (resource >= RLIMIT_COUNT) return -err::EINVAL;
    Limit32 wanted;
    if (copy_from_user(&wanted, limit, sizeof(wanted))) return -err::EFAULT;
    return set_limit(current_process(), resource, from_32(wanted));
}

int64_t sys_getrandom(UserPtr<void> buf, size_t length, uint32_t flags) {
    constexpr uint32_t GRND_NONBLOCK = 1, GRND_RANDOM = 2, GRND_INSECURE = 4;
    if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) return -err::EINVAL;
    if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM)) return -err::EINVAL;
    if (length > 0x1ffffff) length = 0x1ffffff; // Linux's limit per call (MAX_RW_COUNT >> 6)
    size_t done = 0;
    while (done < length) {
        uint8_t chunk[256];
        const size_t part = length - done < sizeof(chunk) ? length - done : sizeof(chunk);
        random::bytes(chunk, part);
        if (copy_to_user(buf + done, chunk, part)) return done ? int64_t(done) : -err::EFAULT;
        done += part;
    }
    return int64_t(done);
}

int64_t sys_prctl(int option, uint64_t arg2, uint64_t arg3, uint64_t arg4, uint64_t arg5) {
    constexpr int PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4,
                  PR_SET_NAME = 15, PR_GET_NAME = 16, PR_GET_SECCOMP = 21, PR_GET_TIMERSLACK = 30,
                  PR_SET_TIMERSLACK = 29, PR_SET_NO_NEW_PRIVS = 38, PR_GET_NO_NEW_PRIVS = 39, PR_GET_TID_ADDRESS = 40,
                  PR_SET_THP_DISABLE = 41, PR_GET_THP_DISABLE = 42;
    Process* p = current_process();
    switch (option) {
    case PR_SET_PDEATHSIG:
        if (arg2 > uint64_t(sig::NSIG)) return -err::EINVAL;
        p->parent_death_signal = int(arg2);
        return 0;
    case PR_GET_PDEATHSIG:
        return write_user(UserPtr<int>(arg2), p->parent_death_signal);
    case PR_GET_DUMPABLE:
        return 1; // core dumps are not written, but nothing forbids them
    case PR_SET_DUMPABLE:
        return arg2 <= 1 ? 0 : -err::EINVAL;
    case PR_SET_NAME: {
        char name[16];
        const long n = copy_string_from_user(name, sizeof(name), UserPtr<const char>(arg2));
        if (n == -err::EFAULT) return n;
        name[sizeof(name) - 1] = 0; // longer names are cut, as on Linux
        __builtin_memset(p->name, 0, sizeof(p->name));
        __builtin_memcpy(p->name, name, sizeof(name));
        return 0;
    }
    case PR_GET_NAME: {
        char name[16] = {};
        __builtin_memcpy(name, p->name, sizeof(name) - 1);
        return copy_to_user(UserPtr<void>(arg2), name, sizeof(name));
    }
    case PR_GET_SECCOMP:
        return 0; // no seccomp filter
    case PR_GET_TIMERSLACK:
        return 50000; // Linux's default, in ns; timers here are tick-grained anyway
    case PR_SET_TIMERSLACK:
        return 0;
    case PR_SET_NO_NEW_PRIVS:
        if (arg2 != 1 || arg3 || arg4 || arg5) return -err::EINVAL;
        p->group->no_new_privs = true;
        return 0;
    case PR_GET_NO_NEW_PRIVS:
        if (arg2 || arg3 || arg4 || arg5) return -err::EINVAL;
        return p->group->no_new_privs;
    case PR_GET_TID_ADDRESS: {
        const uint64_t address = p->clear_child_tid;
        return copy_to_user(UserPtr<void>(arg2), &address, p->is64 ? 8 : 4);
    }
    case PR_SET_THP_DISABLE:
        return arg3 || arg4 || arg5 ? -err::EINVAL : 0;
    case PR_GET_THP_DISABLE:
        return 0;
    default:
        return -err::EINVAL; // as Linux for an option it does not know
    }
}
