#pragma once
// Processes sleeping until something happens (a child exits, input
// arrives, a pipe has room). One CPU and interrupts disabled around the
// check-then-sleep make this race-free without locks.
struct Process;

struct WaitQueue {
    Process* first = nullptr;
};

// Sleeps on q until woken. Call with interrupts disabled, after checking
// the condition; re-check it after waking. Returns false if a signal
// interrupted the sleep (the call should return -EINTR). An
// uninterruptible sleep (vfork's parent) ignores signals until woken.
bool sleep_on(WaitQueue& q, bool interruptible = true);
void wake_all(WaitQueue& q);
