#include "kernel/proc/sched.h"

#include "arch/x86/cpu/context.h"
#include "arch/x86/cpu/cpu.h"
#include "arch/x86/cpu/percpu.h"
#include "kernel/mm/memory.h"
#include "kernel/proc/process.h"
#include "kernel/time.h"

namespace sched {

void wake_from(Process* p);

namespace {

Process* idle;
Process* run_head; // a FIFO of runnable processes (the current one is not in it)
Process* run_tail;
uint64_t switches;

// Sleepers with a deadline (sleep_on_until), in no order: tick() wakes
// those whose time has come.
Process* timed_sleepers;

void add_timed(Process* p) {
    p->next_timed = timed_sleepers;
    timed_sleepers = p;
}

void remove_timed(Process* p) {
    for (Process** link = &timed_sleepers; *link; link = &(*link)->next_timed) {
        if (*link == p) {
            *link = p->next_timed;
            break;
        }
    }
    p->next_timed = nullptr;
}

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

// The work bits of the whole system (x86::work::GLOBAL): every task's
// while they are on.
uint32_t global_work;

void switch_to(Process* prev, Process* next) {
    // A new slice once the last one is used up, even if nobody else was
    // ready: a process left with an empty slice would never be pre-empted
    // again. A process pre-empted early, or woken, keeps what it has left.
    if (!next->ticks_left) next->ticks_left = SLICE_TICKS;
    if (prev == next) return;
    switches++;
    if (!prev->is_idle && prev->state != ProcessState::Zombie) x86::save_user_context(prev->user_context);
    x86::PerCpu& cpu = x86::this_cpu();
    prev->work = cpu.work & ~x86::work::GLOBAL;
    cpu.work = next->work | global_work;
    prev->last_gate = cpu.last_gate;
    cpu.last_gate = next->last_gate;
    cpu.current = next;
    if (next->is_idle) {
        x86::switch_address_space(mm::kernel_root());
    } else {
        x86::switch_address_space(next->mm->root());
        x86::set_entry_stack(next->kernel_stack.top);
        x86::load_user_context(next->user_context, next->is64, &next->mm->ldt);
        x86::entry::switch_task_gates(next->is64, next->mm->vdso_base);
    }
    ptrace::switch_debug_registers(next); // DR0-DR3 and DR7 of a task with watchpoints
    x86_switch_stack(&prev->saved_rsp, next->saved_rsp);
    // Back on this task's stack: a task that ended before the switch has
    // left its own, which can be freed now.
    proc::reap_dead_tasks();
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
    if (current_process() != p) set_work(current_process(), x86::work::RESCHED);
}

namespace {

// prev, still runnable, goes back in the queue: at the back once its slice
// is used up (or it yields), else right behind the sleeper that pre-empted
// it, with the rest of its slice, so that waking a reader does not send a
// writer behind every hog (a pipeline keeps its pace).
void pick_next(bool prev_to_back) {
    Process* prev = current_process();
    x86::this_cpu().work &= ~x86::work::RESCHED;
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
    return x86::this_cpu().work & x86::work::RESCHED;
}

// The running task's bits live in the per-CPU area, where the entry stubs
// test them; the others' in their Process until they run again.
void set_work(Process* p, uint32_t bits) {
    x86::InterruptGuard guard;
    if (p == current_process())
        x86::this_cpu().work |= bits;
    else
        p->work |= bits;
}

void set_global_work(uint32_t bits, bool on) {
    x86::InterruptGuard guard;
    if (on) {
        global_work |= bits;
        x86::this_cpu().work |= bits;
    } else {
        global_work &= ~bits;
        x86::this_cpu().work &= ~bits;
    }
}

void clear_work(uint32_t bits) {
    x86::InterruptGuard guard;
    x86::this_cpu().work &= ~bits;
}

void tick() {
    Process* p = current_process();
    if (p && !p->is_idle && p->ticks_left && --p->ticks_left == 0) set_work(p, x86::work::RESCHED);
    if (p && p->is_idle && run_head) set_work(p, x86::work::RESCHED);
    // Wake the sleepers whose deadline has come.
    if (timed_sleepers) {
        const uint64_t now = ktime::now_ns();
        for (Process *s = timed_sleepers, *next; s; s = next) {
            next = s->next_timed;
            if (s->wake_at_ns > now) continue;
            remove_timed(s);
            s->timed_out = true;
            wake_from(s);
        }
    }
}

// Sleeps shorter than this wait on the clock instead of the timer: the
// timer ticks every 10 ms (100 Hz) and Sysgate has no high-resolution
// timers, so usleep(1) would otherwise take a whole tick. Linux's hrtimers
// answer such a sleep within their 50 us of slack; this is that order.
constexpr uint64_t SPIN_BELOW_NS = 100 * 1000;

bool sleep_until(uint64_t deadline_ns) {
    const uint64_t now = ktime::now_ns();
    if (deadline_ns <= now) return true;
    if (deadline_ns - now < SPIN_BELOW_NS) {
        // Interrupts stay on: the timer, a signal's sender and the
        // scheduler's tick still run; a signal ends the sleep as it would.
        const Process* p = current_process();
        while (ktime::now_ns() < deadline_ns)
            if (signals::has_deliverable(*p)) return false;
        return true;
    }
    x86::InterruptGuard guard;
    WaitQueue nobody; // nothing but the deadline (or a signal) wakes it
    for (;;) {
        switch (sleep_on_until(nobody, deadline_ns)) {
        case Wake::Timeout:
            return true;
        case Wake::Signal:
            return false;
        case Wake::Event:
            break;
        }
    }
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
    return sleep_on(q, interruptible ? Sleep::Interruptible : Sleep::Uninterruptible);
}

bool sleep_on(WaitQueue& q, Sleep kind) {
    Process* p = current_process();
    if (kind == Sleep::Interruptible && signals::has_deliverable(*p)) return false;
    if (kind == Sleep::Killable && signals::kill_pending(*p)) return false;
    p->sleep_kind = kind;
    p->next_waiting = q.first;
    q.first = p;
    p->waiting_on = &q;
    p->woken_by_signal = false;
    p->state = ProcessState::Sleeping;
    sched::schedule();
    return !p->woken_by_signal;
}

Wake sleep_on_until(WaitQueue& q, uint64_t deadline_ns) {
    Process* p = current_process();
    x86::InterruptGuard guard;
    if (ktime::now_ns() >= deadline_ns) return Wake::Timeout;
    p->wake_at_ns = deadline_ns;
    p->timed_out = false;
    sched::add_timed(p);
    const bool woken = sleep_on(q, Sleep::Interruptible);
    sched::remove_timed(p); // woken by something else first
    if (p->timed_out) return Wake::Timeout;
    return woken ? Wake::Event : Wake::Signal;
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

namespace sched {

// Takes a sleeper off its queue and makes it runnable.
void wake_from(Process* p) {
    if (p->state != ProcessState::Sleeping) return;
    if (WaitQueue* q = p->waiting_on) {
        for (Process** link = &q->first; *link; link = &(*link)->next_waiting) {
            if (*link == p) {
                *link = p->next_waiting;
                break;
            }
        }
    }
    p->next_waiting = nullptr;
    p->waiting_on = nullptr;
    wake_up(p);
}

} // namespace sched

// Wakes one sleeper so it can notice a signal (kernel/proc/signal.cpp):
// an interruptible one for any signal, a killable one for SIGKILL.
void interrupt_sleep(Process* p, bool fatal) {
    x86::InterruptGuard guard;
    if (p->state != ProcessState::Sleeping || !p->waiting_on) return;
    if (p->sleep_kind == Sleep::Uninterruptible || (p->sleep_kind == Sleep::Killable && !fatal)) return;
    p->woken_by_signal = true;
    sched::wake_from(p);
}
