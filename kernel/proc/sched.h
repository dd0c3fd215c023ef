#pragma once
// A round-robin scheduler with timer pre-emption of user code. The kernel
// itself is not pre-empted: a process switches only when it sleeps,
// yields, exits, or is about to return to user mode with its slice used up
// or after waking a sleeper, which runs next.
#include <stdint.h>

struct Process;

namespace sched {

constexpr unsigned SLICE_TICKS = 5;

void init(Process* idle);
void make_runnable(Process* p); // a new process: first in the queue, without pre-empting
void wake_up(Process* p);       // a sleeper whose event came: first in the queue, pre-empting
// Picks the next runnable process and switches to it. Call with
// interrupts disabled; the current process must already be marked
// Runnable (yield), Sleeping or Zombie.
void schedule();
void yield();
// Sleeps until now_ns() >= deadline or a signal arrives (false).
bool sleep_until(uint64_t deadline_ns);

bool need_resched();

// A task's work bits (x86::work): what its next system-call entry or
// return to user mode must do besides the fast path. set_work may name any
// task; clear_work is for the running one.
void set_work(Process* p, uint32_t bits);
void clear_work(uint32_t bits);
// Turns bits of x86::work::GLOBAL (strace, cycle accounting) on or off for
// every task.
void set_global_work(uint32_t bits, bool on);
void tick(); // from the timer interrupt

// The idle loop (the boot context ends up here).
[[noreturn]] void idle_loop();

uint64_t context_switches();

} // namespace sched
