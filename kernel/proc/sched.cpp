#include "kernel/proc/sched.h"

#include "arch/x86/cpu/context.h"
#include "arch/x86/cpu/cpu.h"
#include "arch/x86/cpu/percpu.h"
#include "kernel/mm/memory.h"
#include "kernel/proc/process.h"
#include "kernel/time.h"

namespace sched {
namespace {

Process* idle;
Process* run_head; // a FIFO of runnable processes (the current one is not in it)
Process* run_tail;
bool resched;
uint64_t switches;

WaitQueue timer_sleepers;

Process* dequeue() {
    Process* p = run_head;
    if (p) {
        run_head = p->next_runnable;
        if (!run_head) run_tail = nullptr;
        p->next_runnable = nullptr;
    }
    return p;
}

void enqueue(Process* p) {
    p->next_runnable = nullptr;
    if (run_tail)
        run_tail->next_runnable = p;
    else
        run_head = p;
    run_tail = p;
}

void enqueue_first(Process* p) {
    p->next_runnable = run_head;
    run_head = p;
    if (!run_tail) run_tail = p;
}

void switch_to(Process* prev, Process* next) {
    // A new slice once the last one is used up, even if nobody else was
    // ready: a process left with an empty slice would never be pre-empted
    // again. A process pre-empted early, or woken, keeps what it has left.
    if (!next->ticks_left) next->ticks_left = SLICE_TICKS;
    if (prev == next) return;
    switches++;
    if (!prev->is_idle && prev->state != ProcessState::Zombie) x86::save_user_context(prev->user_context);
    x86::this_cpu().current = next;
    if (next->is_idle) {
        x86::switch_address_space(mm::kernel_root());
    } else {
        x86::switch_address_space(next->mm->root());
        x86::set_entry_stack(next->kernel_stack.top);
        x86::load_user_context(next->user_context, next->is64);
    }
    x86_switch_stack(&prev->saved_rsp, next->saved_rsp);
}

} // namespace

void init(Process* idle_process) {
    idle = idle_process;
    x86::this_cpu().current = idle;
    ktime::add_tick_hook(tick);
}

// A new process runs before those already queued (as with Linux's
// sched_child_runs_first), so that a shell's command starts at once however
// many hogs are queued; its parent is not pre-empted for it.
void make_runnable(Process* p) {
    x86::InterruptGuard guard;
    p->state = ProcessState::Runnable;
    if (!p->is_idle) enqueue_first(p);
}

// A process that slept was waiting for something (a key, a pipe, a
// child): it goes first and the running one yields at its next return to
// user mode, so an interactive program answers within the current tick
// however many CPU hogs are queued. Hogs still share the rest round-robin.
void wake_up(Process* p) {
    x86::InterruptGuard guard;
    p->state = ProcessState::Runnable;
    if (p->is_idle) return;
    enqueue_first(p);
    if (current_process() != p) resched = true;
}

namespace {

// prev, still runnable, goes back in the queue: at the back once its slice
// is used up (or it yields), else right behind the sleeper that pre-empted
// it, with the rest of its slice, so that waking a reader does not send a
// writer behind every hog (a pipeline keeps its pace).
void pick_next(bool prev_to_back) {
    Process* prev = current_process();
    resched = false;
    Process* next = dequeue();
    if (prev->state == ProcessState::Runnable && !prev->is_idle) {
        if (!next)
            next = prev;
        else if (prev_to_back || !prev->ticks_left)
            enqueue(prev);
        else
            enqueue_first(prev);
    }
    if (!next) next = idle;
    switch_to(prev, next);
}

} // namespace

void schedule() {
    pick_next(false);
}

void yield() {
    x86::InterruptGuard guard;
    pick_next(true);
}

bool need_resched() {
    return resched;
}

void tick() {
    Process* p = current_process();
    if (p && !p->is_idle && p->ticks_left && --p->ticks_left == 0) resched = true;
    if (p && p->is_idle && run_head) resched = true;
    // Wake sleepers whose time has come; they re-check their deadline.
    if (timer_sleepers.first) {
        const uint64_t now = ktime::now_ns();
        for (Process* s = timer_sleepers.first; s; s = s->next_waiting)
            if (s->wake_at_ns <= now) {
                wake_all(timer_sleepers);
                break;
            }
    }
}

bool sleep_until(uint64_t deadline_ns) {
    x86::InterruptGuard guard;
    Process* p = current_process();
    while (ktime::now_ns() < deadline_ns) {
        p->wake_at_ns = deadline_ns;
        if (!sleep_on(timer_sleepers)) return false;
    }
    return true;
}

uint64_t context_switches() {
    return switches;
}

void idle_loop() {
    for (;;) {
        x86::disable_interrupts();
        if (run_head) {
            schedule();
            continue;
        }
        x86::enable_interrupts_and_halt(); // sleep until the next interrupt
    }
}

} // namespace sched

// ---------------------------------------------------------------- wait queues

bool sleep_on(WaitQueue& q, bool interruptible) {
    Process* p = current_process();
    if (interruptible && signals::has_deliverable(*p)) return false;
    p->sleep_interruptible = interruptible;
    p->next_waiting = q.first;
    q.first = p;
    p->waiting_on = &q;
    p->woken_by_signal = false;
    p->state = ProcessState::Sleeping;
    sched::schedule();
    return !p->woken_by_signal;
}

void wake_all(WaitQueue& q) {
    x86::InterruptGuard guard;
    Process* p = q.first;
    q.first = nullptr;
    while (p) {
        Process* next = p->next_waiting;
        p->next_waiting = nullptr;
        p->waiting_on = nullptr;
        if (p->state == ProcessState::Sleeping) sched::wake_up(p);
        p = next;
    }
}

// Wakes one sleeper so it can notice a signal (kernel/proc/signal.cpp).
void interrupt_sleep(Process* p) {
    x86::InterruptGuard guard;
    if (p->state != ProcessState::Sleeping || !p->waiting_on || !p->sleep_interruptible) return;
    WaitQueue& q = *p->waiting_on;
    for (Process** link = &q.first; *link; link = &(*link)->next_waiting) {
        if (*link == p) {
            *link = p->next_waiting;
            break;
        }
    }
    p->next_waiting = nullptr;
    p->waiting_on = nullptr;
    p->woken_by_signal = true;
    sched::wake_up(p);
}

Process* current_process() {
    return static_cast<Process*>(x86::this_cpu().current);
}
