#pragma once
// Fast user-space mutexes (futex(2)): a thread library keeps its locks in
// user memory and enters the kernel only to sleep on a word or to wake the
// sleepers of one. A word is known by its physical address, so the tasks
// of a process and processes that share memory meet on the same word.
#include <stdint.h>

#include "kernel/uaccess.h"

struct Process;

namespace futex {

constexpr uint32_t ANY_BITS = 0xffffffff; // FUTEX_BITSET_MATCH_ANY
constexpr uint64_t NO_DEADLINE = ~0ull;

// Sleeps while *word == expected, until woken for a bit of `bits`, the
// deadline (ktime::now_ns()) or a signal: 0, -EAGAIN (the word changed),
// -ETIMEDOUT, -ERESTARTSYS (a signal, no deadline) or -EINTR, -EFAULT.
long wait(UserPtr<uint32_t> word, uint32_t expected, uint64_t deadline_ns, uint32_t bits);
// Wakes up to `count` sleepers on the word whose bits meet `bits`: how many.
long wake(UserPtr<uint32_t> word, int count, uint32_t bits);
// Wakes `wake_count` sleepers on `from` and moves up to `move_count` of the
// others to `to`; with `expected`, only if *from still equals it (-EAGAIN).
long requeue(UserPtr<uint32_t> from, int wake_count, UserPtr<uint32_t> to, int move_count, const uint32_t* expected);
// FUTEX_WAKE_OP: the atomic operation `op` on *second, then wakes on both.
long wake_op(UserPtr<uint32_t> first, int count, UserPtr<uint32_t> second, int count2, uint32_t op);

// The robust list of a task that ends: every lock it still holds is marked
// FUTEX_OWNER_DIED and one waiter woken (Linux's exit_robust_list).
void release_robust_list(Process* p);

// The system call: decodes the operation (FUTEX_PRIVATE_FLAG and
// FUTEX_CLOCK_REALTIME included). arg4 is a timeout pointer for the wait
// operations (a timespec with 64-bit fields, or 32-bit ones for the i386
// futex call) and a count for the others.
enum class TimespecSize { Bits64, Bits32 };
long call(UserPtr<uint32_t> word, int op, uint32_t value, uint64_t arg4, UserPtr<uint32_t> word2, uint32_t value3,
          TimespecSize timespec_size);

} // namespace futex
