#pragma once
// Processes sleeping until something happens (a child exits, input
// arrives, a pipe has room). One CPU and interrupts disabled around the
// check-then-sleep make this race-free without locks.
struct Process;

struct WaitQueue {
    Process* first = nullptr;
};

#include <stdint.h>

// Which signals end a sleep: any (the call then fails with -EINTR or is
// restarted), only SIGKILL (a sleep that must not fail, like execve waiting
// for the process's other tasks to end), or none (vfork's parent).
enum class Sleep { Interruptible, Killable, Uninterruptible };

// Sleeps on q until woken. Call with interrupts disabled, after checking
// the condition; re-check it after waking. Returns false if a signal
// interrupted the sleep.
bool sleep_on(WaitQueue& q, bool interruptible = true);
bool sleep_on(WaitQueue& q, Sleep kind);

// An interruptible sleep that also ends at ktime::now_ns() >= deadline_ns.
enum class Wake { Event, Signal, Timeout };
Wake sleep_on_until(WaitQueue& q, uint64_t deadline_ns);

void wake_all(WaitQueue& q);
