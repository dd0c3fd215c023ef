// Time system calls. The same clock the vDSO reads (kernel/time.cpp), so
// a program sees one time whichever way it asks.
#include "kernel/errno.h"
#include "kernel/proc/process.h"
#include "kernel/proc/sched.h"
#include "kernel/syscall/handlers.h"
#include "kernel/time.h"

namespace {

constexpr int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3,
              CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7;
constexpr int64_t NS = 1000000000;

// -EINVAL for clocks Sysgate does not keep.
bool read_clock(int clock, int64_t& ns) {
    switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
        ns = ktime::realtime_ns();
        return true;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
    // No per-process CPU accounting: time since boot is an upper bound.
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
        ns = int64_t(ktime::now_ns());
        return true;
    default:
        return false;
    }
}

template <typename Field>
long put_pair(UserPtr<void> out, int64_t seconds, int64_t fraction) {
    const Field pair[2] = {Field(seconds), Field(fraction)};
    return copy_to_user(out, pair, sizeof(pair)) ? -err::EFAULT : 0;
}

template <typename Field>
long sleep_for(UserPtr<const void> request, UserPtr<void> remaining) {
    Field req[2];
    if (copy_from_user(req, request, sizeof(req))) return -err::EFAULT;
    if (req[0] < 0 || req[1] < 0 || req[1] >= NS) return -err::EINVAL;
    // The longest requests saturate rather than wrap into the past.
    const uint64_t now = ktime::now_ns(), room = ~0ull - now - uint64_t(req[1]);
    const uint64_t deadline = uint64_t(req[0]) > room / NS ? ~0ull : now + uint64_t(req[0]) * NS + uint64_t(req[1]);
    if (sched::sleep_until(deadline)) return 0;
    if (!remaining.is_null()) {
        const uint64_t now = ktime::now_ns();
        const uint64_t left = deadline > now ? deadline - now : 0;
        put_pair<Field>(remaining, int64_t(left / NS), int64_t(left % NS));
    }
    return -err::EINTR;
}

// clock_nanosleep: relative, or until an absolute time (TIMER_ABSTIME) on
// CLOCK_REALTIME (converted to the monotonic clock the sleep runs on).
template <typename Field>
long clock_sleep(int clock, int flags, UserPtr<const void> request, UserPtr<void> remaining) {
    constexpr int TIMER_ABSTIME = 1;
    if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME) {
        // CPU-time clocks cannot be slept on here: Linux refuses the
        // thread's clock with -EINVAL and has no process-clock sleep either.
        return -err::EINVAL;
    }
    if (!(flags & TIMER_ABSTIME)) return sleep_for<Field>(request, remaining);
    Field req[2];
    if (copy_from_user(req, request, sizeof(req))) return -err::EFAULT;
    if (req[0] < 0 || req[1] < 0 || req[1] >= NS) return -err::EINVAL;
    int64_t when = int64_t(req[0]) > (INT64_MAX - NS) / NS ? INT64_MAX : int64_t(req[0]) * NS + int64_t(req[1]);
    if (clock == CLOCK_REALTIME) when -= ktime::realtime_ns() - int64_t(ktime::now_ns());
    const uint64_t deadline = when < 0 ? 0 : uint64_t(when);
    return sched::sleep_until(deadline) ? 0 : -err::EINTR; // no time left is reported for an absolute sleep
}

} // namespace

int64_t sys_clock_nanosleep(int clock, int flags, UserPtr<const void> request, UserPtr<void> remaining) {
    return clock_sleep<int64_t>(clock, flags, request, remaining);
}
int64_t sys_clock_nanosleep32(int clock, int flags, UserPtr<const void> request, UserPtr<void> remaining) {
    return clock_sleep<int32_t>(clock, flags, request, remaining);
}
int64_t sys_clock_nanosleep_time64(int clock, int flags, UserPtr<const void> request, UserPtr<void> remaining) {
    return clock_sleep<int64_t>(clock, flags, request, remaining);
}

int64_t sys_clock_gettime(int clock, UserPtr<void> ts) {
    int64_t ns;
    if (!read_clock(clock, ns)) return -err::EINVAL;
    return put_pair<int64_t>(ts, ns / NS, ns % NS);
}

int64_t sys_clock_gettime32(int clock, UserPtr<void> ts) {
    int64_t ns;
    if (!read_clock(clock, ns)) return -err::EINVAL;
    return put_pair<int32_t>(ts, ns / NS, ns % NS);
}

int64_t sys_gettimeofday(UserPtr<void> tv, UserPtr<void> tz) {
    const int64_t ns = ktime::realtime_ns();
    if (!tv.is_null() && put_pair<int64_t>(tv, ns / NS, ns % NS / 1000)) return -err::EFAULT;
    if (!tz.is_null() && clear_user(tz, 8)) return -err::EFAULT; // UTC, no DST
    return 0;
}

int64_t sys_gettimeofday32(UserPtr<void> tv, UserPtr<void> tz) {
    const int64_t ns = ktime::realtime_ns();
    if (!tv.is_null() && put_pair<int32_t>(tv, ns / NS, ns % NS / 1000)) return -err::EFAULT;
    if (!tz.is_null() && clear_user(tz, 8)) return -err::EFAULT;
    return 0;
}

int64_t sys_time(UserPtr<int64_t> t) {
    const int64_t seconds = ktime::realtime_ns() / NS;
    if (!t.is_null() && write_user(t, seconds)) return -err::EFAULT;
    return seconds;
}

int64_t sys_time32(UserPtr<int32_t> t) {
    const int32_t seconds = int32_t(ktime::realtime_ns() / NS);
    if (!t.is_null() && write_user(t, seconds)) return -err::EFAULT;
    return seconds;
}

int64_t sys_nanosleep(UserPtr<const void> request, UserPtr<void> remaining) {
    return sleep_for<int64_t>(request, remaining);
}
int64_t sys_nanosleep32(UserPtr<const void> request, UserPtr<void> remaining) {
    return sleep_for<int32_t>(request, remaining);
}

int64_t sys_getcpu(UserPtr<uint32_t> cpu, UserPtr<uint32_t> node, UserPtr<void>) {
    const uint32_t zero = 0; // one CPU, one node
    if (!cpu.is_null() && write_user(cpu, zero)) return -err::EFAULT;
    if (!node.is_null() && write_user(node, zero)) return -err::EFAULT;
    return 0;
}
