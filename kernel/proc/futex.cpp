#include "kernel/proc/futex.h"

#include "arch/x86/cpu/cpu.h"
#include "arch/x86/mm/layout.h"
#include "kernel/errno.h"
#include "kernel/proc/process.h"
#include "kernel/proc/wait_queue.h"
#include "kernel/time.h"

namespace futex {
namespace {

// One sleeper, on its own kernel stack while it sleeps.
struct Waiter {
    uint64_t key; // the physical address of the word
    uint32_t bits;
    WaitQueue queue; // only this task sleeps on it
    Waiter* next;
};
Waiter* waiters; // few at a time on one CPU: a list is enough

// The word's key, or 0 if it is not a mapped user word of the caller.
uint64_t key_of(UserPtr<uint32_t> word) {
    const Process* p = current_process();
    if (word.address() % 4 || !user_range_ok(word.address(), 4) || !p->mm) return 0;
    const uint64_t phys = p->mm->physical_address(word.address());
    return phys == ~0ull ? 0 : phys;
}

void unlink(Waiter* w) {
    for (Waiter** link = &waiters; *link; link = &(*link)->next) {
        if (*link == w) {
            *link = w->next;
            return;
        }
    }
}

bool queued(const Waiter* w) {
    for (const Waiter* it = waiters; it; it = it->next)
        if (it == w) return true;
    return false;
}

long wake_key(uint64_t key, int count, uint32_t bits) {
    long woken = 0;
    for (Waiter** link = &waiters; *link && woken < count;) {
        Waiter* w = *link;
        if (w->key != key || !(w->bits & bits)) {
            link = &w->next;
            continue;
        }
        *link = w->next;
        wake_all(w->queue);
        woken++;
    }
    return woken;
}

constexpr int FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4, FUTEX_WAKE_OP = 5,
              FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10, FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256;
constexpr uint32_t FUTEX_WAITERS = 0x80000000, FUTEX_OWNER_DIED = 0x40000000, FUTEX_TID_MASK = 0x3fffffff;
constexpr int64_t NS = 1000000000;

// The deadline of a wait: relative on CLOCK_MONOTONIC for FUTEX_WAIT,
// absolute for FUTEX_WAIT_BITSET (on CLOCK_REALTIME with the flag).
long deadline_of(uint64_t pointer, TimespecSize size, bool absolute, bool realtime, uint64_t& deadline) {
    deadline = NO_DEADLINE;
    if (!pointer) return 0;
    int64_t seconds, nanoseconds;
    if (size == TimespecSize::Bits64) {
        int64_t t[2];
        if (copy_from_user(t, UserPtr<const void>(pointer), sizeof(t))) return -err::EFAULT;
        seconds = t[0], nanoseconds = t[1];
    } else {
        int32_t t[2];
        if (copy_from_user(t, UserPtr<const void>(pointer), sizeof(t))) return -err::EFAULT;
        seconds = t[0], nanoseconds = t[1];
    }
    if (seconds < 0 || nanoseconds < 0 || nanoseconds >= NS) return -err::EINVAL;
    int64_t base = absolute ? 0 : int64_t(ktime::now_ns());
    if (absolute && realtime) base = -(ktime::realtime_ns() - int64_t(ktime::now_ns())); // to CLOCK_MONOTONIC
    // Far-off deadlines saturate instead of wrapping.
    if (seconds > (INT64_MAX - NS) / NS - (base > 0 ? base / NS : 0)) return 0;
    const int64_t when = base + seconds * NS + nanoseconds;
    deadline = when < 0 ? 0 : uint64_t(when);
    return 0;
}

// FUTEX_WAKE_OP's encoded operation (include/uapi/linux/futex.h): what to
// store in the second word, and whether to wake its sleepers too.
enum class OpResult { Invalid, Wake, NoWake };
OpResult apply_op(uint32_t encoded, uint32_t& value) {
    auto sign_extend12 = [](uint32_t v) { return int32_t(v << 20) >> 20; };
    const uint32_t op = encoded >> 28 & 7, cmp = encoded >> 24 & 15;
    int32_t oparg = sign_extend12(encoded >> 12 & 0xfff);
    const int32_t cmparg = sign_extend12(encoded & 0xfff);
    if (encoded >> 31) oparg = oparg >= 0 && oparg < 32 ? int32_t(1u << oparg) : 0; // FUTEX_OP_OPARG_SHIFT
    const uint32_t old = value, arg = uint32_t(oparg);
    switch (op) {
    case 0:
        value = arg;
        break; // SET
    case 1:
        value = old + arg;
        break; // ADD
    case 2:
        value = old | arg;
        break; // OR
    case 3:
        value = old & ~arg;
        break; // ANDN
    case 4:
        value = old ^ arg;
        break; // XOR
    default:
        return OpResult::Invalid;
    }
    const int32_t o = int32_t(old);
    bool wake;
    switch (cmp) {
    case 0:
        wake = o == cmparg;
        break;
    case 1:
        wake = o != cmparg;
        break;
    case 2:
        wake = o < cmparg;
        break;
    case 3:
        wake = o >= cmparg;
        break;
    case 4:
        wake = o <= cmparg;
        break;
    case 5:
        wake = o > cmparg;
        break;
    default:
        return OpResult::Invalid;
    }
    return wake ? OpResult::Wake : OpResult::NoWake;
}

} // namespace

long wait(UserPtr<uint32_t> word, uint32_t expected, uint64_t deadline_ns, uint32_t bits) {
    if (!bits) return -err::EINVAL;
    x86::InterruptGuard guard; // from the read of the word to the sleep: no wake can slip in
    uint32_t value;
    if (read_user(value, UserPtr<const uint32_t>(word))) return -err::EFAULT;
    if (value != expected) return -err::EAGAIN;
    Waiter w{key_of(word), bits, {}, waiters};
    if (!w.key) return -err::EFAULT;
    waiters = &w;
    const Wake how = deadline_ns == NO_DEADLINE ? (sleep_on(w.queue) ? Wake::Event : Wake::Signal)
                                                : sleep_on_until(w.queue, deadline_ns);
    if (queued(&w)) unlink(&w); // woken by the deadline or a signal: not by a wake
    switch (how) {
    case Wake::Event:
        return 0;
    case Wake::Timeout:
        return -err::ETIMEDOUT;
    case Wake::Signal:
        break;
    }
    return deadline_ns == NO_DEADLINE ? -err::ERESTARTSYS : -err::EINTR;
}

// FUTEX_WAKE and FUTEX_WAKE_OP wake at least one sleeper whatever the
// count, 0 and negative included: Linux's futex_wake counts a waiter
// after waking it (kernel/futex/waitwake.c, `if (++ret >= nr_wake)`), and
// programs rely on it (tools/testing/selftests/x86/fsgsbase.c wakes with 0).
constexpr int at_least_one(int count) {
    return count > 0 ? count : 1;
}

long wake(UserPtr<uint32_t> word, int count, uint32_t bits) {
    if (!bits) return -err::EINVAL;
    x86::InterruptGuard guard;
    const uint64_t key = key_of(word);
    return key ? wake_key(key, at_least_one(count), bits) : 0;
}

long requeue(UserPtr<uint32_t> from, int wake_count, UserPtr<uint32_t> to, int move_count, const uint32_t* expected) {
    if (wake_count < 0 || move_count < 0) return -err::EINVAL;
    x86::InterruptGuard guard;
    if (expected) {
        uint32_t value;
        if (read_user(value, UserPtr<const uint32_t>(from))) return -err::EFAULT;
        if (value != *expected) return -err::EAGAIN;
    }
    const uint64_t from_key = key_of(from);
    if (!from_key) return expected ? -err::EFAULT : 0;
    uint32_t probe;
    if (read_user(probe, UserPtr<const uint32_t>(to))) return -err::EFAULT; // faults the page in
    const uint64_t to_key = key_of(to);
    if (!to_key) return -err::EFAULT;
    long done = wake_key(from_key, wake_count, ANY_BITS);
    for (Waiter* w = waiters; w && move_count > 0; w = w->next)
        if (w->key == from_key) {
            w->key = to_key;
            move_count--;
            done++;
        }
    return done;
}

long wake_op(UserPtr<uint32_t> first, int count, UserPtr<uint32_t> second, int count2, uint32_t op) {
    x86::InterruptGuard guard; // one CPU, interrupts off: the read-modify-write is atomic
    uint32_t value;
    if (read_user(value, UserPtr<const uint32_t>(second))) return -err::EFAULT;
    const OpResult result = apply_op(op, value);
    if (result == OpResult::Invalid) return -err::ENOSYS;
    if (write_user(second, value)) return -err::EFAULT;
    long woken = 0;
    if (const uint64_t key = key_of(first)) woken += wake_key(key, at_least_one(count), ANY_BITS);
    if (result == OpResult::Wake)
        if (const uint64_t key = key_of(second)) woken += wake_key(key, at_least_one(count2), ANY_BITS);
    return woken;
}

void release_robust_list(Process* p) {
    if (!p->robust_list || !p->mm) return;
    const bool is64 = p->is64;
    const unsigned word = is64 ? 8 : 4;
    auto read_word = [&](uint64_t address, uint64_t& out) {
        out = 0;
        return copy_from_user(&out, UserPtr<const void>(address), word) == 0;
    };
    // struct robust_list_head { list; futex_offset; list_op_pending; }
    uint64_t entry, offset, pending;
    if (!read_word(p->robust_list, entry) || !read_word(p->robust_list + word, offset) ||
        !read_word(p->robust_list + 2 * word, pending))
        return;
    const int64_t futex_offset = is64 ? int64_t(offset) : int64_t(int32_t(uint32_t(offset)));
    auto release = [&](uint64_t node) {
        const UserPtr<uint32_t> lock(node + uint64_t(futex_offset));
        uint32_t value;
        if (read_user(value, UserPtr<const uint32_t>(lock)) || (value & FUTEX_TID_MASK) != uint32_t(p->pid)) return;
        const uint32_t released = (value & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
        if (write_user(lock, released)) return;
        if (value & FUTEX_WAITERS) wake(lock, 1, ANY_BITS);
    };
    // The list is circular through the head; a bounded walk survives a loop.
    for (int i = 0; i < 2048 && entry && entry != p->robust_list; i++) {
        uint64_t next;
        if (!read_word(entry & ~uint64_t(1), next)) break; // bit 0: a PI lock, same treatment here
        if ((entry & ~uint64_t(1)) != (pending & ~uint64_t(1))) release(entry & ~uint64_t(1));
        entry = next;
    }
    if (pending) release(pending & ~uint64_t(1));
    p->robust_list = 0;
}

long call(UserPtr<uint32_t> word, int op, uint32_t value, uint64_t arg4, UserPtr<uint32_t> word2, uint32_t value3,
          TimespecSize timespec_size) {
    const int command = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    const bool realtime = op & FUTEX_CLOCK_REALTIME;
    if (realtime && command != FUTEX_WAIT && command != FUTEX_WAIT_BITSET) return -err::ENOSYS;
    switch (command) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
        uint64_t deadline;
        // FUTEX_WAIT's timeout is relative (CLOCK_MONOTONIC, or REALTIME
        // with the flag, which a relative wait treats the same).
        if (const long e = deadline_of(arg4, timespec_size, command == FUTEX_WAIT_BITSET, realtime, deadline)) return e;
        return wait(word, value, deadline, command == FUTEX_WAIT ? ANY_BITS : value3);
    }
    case FUTEX_WAKE:
        return wake(word, int(value), ANY_BITS);
    case FUTEX_WAKE_BITSET:
        return wake(word, int(value), value3);
    case FUTEX_REQUEUE:
        return requeue(word, int(value), word2, int(uint32_t(arg4)), nullptr);
    case FUTEX_CMP_REQUEUE:
        return requeue(word, int(value), word2, int(uint32_t(arg4)), &value3);
    case FUTEX_WAKE_OP:
        return wake_op(word, int(value), word2, int(uint32_t(arg4)), value3);
    default:
        return -err::ENOSYS; // the priority-inheritance operations
    }
}

} // namespace futex
