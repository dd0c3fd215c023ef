#include "kernel/proc/process.h"

#include "arch/x86/cpu/context.h"
#include "arch/x86/cpu/cpu.h"
#include "arch/x86/entry/interrupts.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/fs/file.h"
#include "kernel/proc/futex.h"
#include "kernel/proc/sched.h"
#include "kernel/shutdown.h"
#include "kernel/uaccess.h"

void default_limits(ResourceLimit (&limits)[RLIMIT_COUNT]) {
    constexpr uint64_t INFINITY = ~0ull;
    for (ResourceLimit& l : limits) l = {INFINITY, INFINITY};
    limits[3] = {8u << 20, INFINITY};                                            // RLIMIT_STACK
    limits[4] = {0, INFINITY};                                                   // RLIMIT_CORE
    limits[6] = {uint64_t(proc::MAX_PROCESSES), uint64_t(proc::MAX_PROCESSES)};  // RLIMIT_NPROC
    limits[7] = {FileTable::MAX_FDS, FileTable::MAX_FDS};                        // RLIMIT_NOFILE
    limits[8] = {8u << 20, 8u << 20};                                            // RLIMIT_MEMLOCK
    limits[11] = {uint64_t(proc::MAX_PROCESSES), uint64_t(proc::MAX_PROCESSES)}; // RLIMIT_SIGPENDING
    limits[12] = {819200, 819200};                                               // RLIMIT_MSGQUEUE
    limits[13] = {0, 0};                                                         // RLIMIT_NICE
    limits[14] = {0, 0};                                                         // RLIMIT_RTPRIO
}

namespace proc {
namespace {

Process idle_process;
Process* table_head;
int live_count; // in the table, zombies included
int next_pid = 1;
uint64_t created;
// Tasks that ended but still ran on their own kernel stack: freed by
// reap_dead_tasks() once the CPU has switched away from them.
Process* dead_tasks;

void link_child(Process* parent, Process* child) {
    child->parent = parent;
    child->next_sibling = parent->first_child;
    parent->first_child = child;
}

void unlink_child(Process* child) {
    Process* parent = child->parent;
    if (!parent) return;
    for (Process** link = &parent->first_child; *link; link = &(*link)->next_sibling) {
        if (*link == child) {
            *link = child->next_sibling;
            break;
        }
    }
    child->parent = nullptr;
    child->next_sibling = nullptr;
}

void unlink_from_table(Process* p) {
    for (Process** link = &table_head; *link; link = &(*link)->next_in_table) {
        if (*link == p) {
            *link = p->next_in_table;
            break;
        }
    }
}

void unlink_thread(Process* p) {
    ThreadGroup* g = p->group;
    for (Process** link = &g->threads; *link; link = &(*link)->next_thread) {
        if (*link == p) {
            *link = p->next_thread;
            break;
        }
    }
    p->next_thread = nullptr;
}

int allocate_pid() {
    for (int tries = 0; tries < 32768; tries++) {
        const int pid = next_pid;
        next_pid = next_pid >= 32767 ? 2 : next_pid + 1;
        if (!find(pid)) return pid;
    }
    return -1;
}

void put_group(ThreadGroup* g) {
    if (g && --g->refs == 0) delete g;
}

void put_fs(FsContext* fs) {
    if (fs && --fs->refs == 0) delete fs;
}

// The task's own memory: kernel stack and Process object, once nothing
// runs on it and nobody waits for it.
void free_task(Process* p) {
    unlink_from_table(p);
    live_count--;
    signals::put_handlers(p->signals);
    put_group(p->group);
    mm::free_kernel_stack(p->kernel_stack);
    delete p;
}

// Frees what a task holds while it can still run: address space, files,
// working directory. Shared ones go with their last task.
void release_resources(Process* p) {
    if (p->files) {
        files::put_table(p->files);
        p->files = nullptr;
    }
    put_fs(p->fs);
    p->fs = nullptr;
    if (p->mm) {
        // A task that ends never runs on freed tables; one discarded before
        // it ran (a failed clone) was never on them: its creator is.
        if (p == current_process()) x86::switch_address_space(mm::kernel_root());
        if (p->mm->put()) delete p->mm;
        p->mm = nullptr;
    }
}

void release_vfork_parent(Process* p) {
    if (p->vfork_parent) {
        p->vfork_done = true;
        wake_all(p->vfork_wait);
        p->vfork_parent = nullptr;
    }
}

// CLONE_CHILD_CLEARTID: the thread library learns that the task is gone
// (0 at the address, and one waiter woken), as Linux's mm_release does.
void clear_child_tid(Process* p) {
    if (!p->clear_child_tid || !p->mm) return;
    const uint32_t zero = 0;
    if (!copy_to_user(UserPtr<void>(p->clear_child_tid), &zero, sizeof(zero)))
        futex::wake(UserPtr<uint32_t>(p->clear_child_tid), 1, futex::ANY_BITS);
    p->clear_child_tid = 0;
}

// The last task of a process has ended: the process is a zombie for its
// parent (or ends the system, for init), and its children go to init.
void process_ended(Process* leader, int wait_status) {
    if (leader->pid == 1) {
        const int code = (wait_status & 0x7f) ? 128 + (wait_status & 0x7f) : (wait_status >> 8) & 0xff;
        kprintln("[init] pid 1 ({}) ended: {} {}", leader->name, (wait_status & 0x7f) ? "signal" : "exit status",
                 (wait_status & 0x7f) ? wait_status & 0x7f : code);
        shutdown(uint8_t(code));
    }
    ptrace::tracer_gone(leader); // its tracees go on untraced (or die: PTRACE_O_EXITKILL)
    Process* init = find(1);
    bool orphan_zombie = false;
    while (Process* child = leader->first_child) {
        unlink_child(child);
        if (child->parent_death_signal) signals::send(child, child->parent_death_signal);
        if (init) {
            link_child(init, child);
            orphan_zombie |= child->state == ProcessState::Zombie && child->group->live == 0;
        }
    }
    if (init && orphan_zombie) wake_all(init->child_exited);
    leader->exit_status = wait_status;
    if (leader->parent) {
        if (leader->exit_signal) signals::send(leader->parent, leader->exit_signal);
        wake_all(leader->parent->child_exited);
    }
}

// A new task's first step, on its own stack and in its own address space:
// CLONE_CHILD_SETTID is written here, as Linux's schedule_tail does, so a
// page the child has not touched yet appears as on any other write. Then
// the usual way out to user mode.
void first_return_to_user(x86::RegisterFrame& frame) {
    reap_dead_tasks();
    Process* p = current_process();
    if (p->set_child_tid) {
        const int32_t tid = p->pid;
        copy_to_user(UserPtr<void>(p->set_child_tid), &tid, sizeof(tid)); // a bad address is ignored, as on Linux
        p->set_child_tid = 0;
    }
    x86::interrupts::run_user_return_hook(frame);
}

} // namespace

void init() {
    idle_process.pid = 0;
    idle_process.is_idle = true;
    __builtin_memcpy(idle_process.name, "idle", 5);
    sched::init(&idle_process);
}

Process* find(int pid) {
    for (Process* p = table_head; p; p = p->next_in_table)
        if (p->pid == pid && p->state != ProcessState::Zombie) return p;
    for (Process* p = table_head; p; p = p->next_in_table) // a zombie keeps its pid until reaped
        if (p->pid == pid) return p;
    return nullptr;
}

Process* first() {
    return table_head;
}
int count() {
    return live_count;
}
uint64_t processes_created() {
    return created;
}

Process* allocate(Process* parent, int* error, Process* thread_of) {
    if (live_count >= MAX_PROCESSES) {
        *error = -err::EAGAIN;
        return nullptr;
    }
    Process* p = new Process;
    ThreadGroup* group = thread_of ? thread_of->group : new ThreadGroup;
    if (!p || !group) {
        delete p;
        if (!thread_of) delete group;
        *error = -err::ENOMEM;
        return nullptr;
    }
    p->kernel_stack = mm::allocate_kernel_stack();
    const int pid = allocate_pid();
    if (!p->kernel_stack || pid < 0) {
        if (p->kernel_stack) mm::free_kernel_stack(p->kernel_stack);
        delete p;
        if (!thread_of) delete group;
        *error = pid < 0 ? -err::EAGAIN : -err::ENOMEM;
        return nullptr;
    }
    p->pid = pid;
    p->group = group;
    group->refs++;
    if (!thread_of) {
        if (parent && !parent->is_idle) {
            __builtin_memcpy(group->limits, parent->group->limits, sizeof(group->limits));
            group->ruid = parent->group->ruid, group->euid = parent->group->euid, group->suid = parent->group->suid;
        } else
            default_limits(group->limits);
        group->leader = p;
        p->tgid = pid;
        if (parent && !parent->is_idle) link_child(parent->group->leader, p);
    } else {
        p->tgid = thread_of->tgid; // its parent is the leader's (getppid), never its own
    }
    p->next_thread = group->threads;
    group->threads = p;
    group->live++;
    x86::reset_user_context(p->user_context, true); // exec sets it for the program
    __builtin_memset(&p->frame(), 0, sizeof(x86::RegisterFrame));
    p->next_in_table = table_head;
    table_head = p;
    live_count++;
    created++;
    return p;
}

void discard(Process* p) {
    release_resources(p);
    if (p->is_group_leader()) unlink_child(p);
    unlink_thread(p);
    p->group->live--;
    free_task(p);
}

void start(Process* p) {
    // The stack x86_switch_stack will "return" on: six callee-saved
    // registers, then x86_task_start, then the user frame.
    uint64_t* sp = reinterpret_cast<uint64_t*>(&p->frame());
    *--sp = reinterpret_cast<uint64_t>(x86_task_start);
    *--sp = 0;                                                // rbp
    *--sp = 0;                                                // rbx
    *--sp = reinterpret_cast<uint64_t>(first_return_to_user); // r12: CLONE_CHILD_SETTID, signals
    *--sp = reinterpret_cast<uint64_t>(&p->frame());          // r13: its argument
    *--sp = 0;                                                // r14
    *--sp = 0;                                                // r15
    p->saved_rsp = reinterpret_cast<uint64_t>(sp);
    p->ticks_left = sched::SLICE_TICKS;
    sched::make_runnable(p);
}

void exit_thread(int wait_status) {
    Process* p = current_process();
    ThreadGroup* g = p->group;
    x86::enable_interrupts();

    ptrace::on_exit(wait_status); // PTRACE_EVENT_EXIT, then the task leaves its tracer
    clear_child_tid(p);
    futex::release_robust_list(p);
    release_vfork_parent(p);
    release_resources(p);

    x86::disable_interrupts();
    unlink_thread(p);
    const bool last = --g->live == 0;
    // The process's status is exit_group's, else its leader's own (a
    // leader may end before its other tasks, as on Linux).
    if (p->is_group_leader()) p->exit_status = wait_status;
    p->state = ProcessState::Zombie;
    if (g->exec_in_progress) wake_all(g->tasks_gone);
    if (last) process_ended(g->leader, g->exiting ? g->exit_status : g->leader->exit_status);
    // The leader stays, a zombie, until its parent reaps the process; any
    // other task is freed as soon as the CPU has left its stack.
    if (!p->is_group_leader()) {
        p->next_thread = dead_tasks; // reused as the dead list's link
        dead_tasks = p;
    }
    sched::schedule();
    panic("a task that ended ran again");
}

void exit_group(int wait_status) {
    Process* p = current_process();
    ThreadGroup* g = p->group;
    {
        x86::InterruptGuard guard;
        if (!g->exiting) {
            g->exiting = true;
            g->exit_status = wait_status;
        }
        // Every other task dies at its next return to user mode; a sleeping
        // one is woken to get there.
        for (Process* t = g->threads; t; t = t->next_thread)
            if (t != p) signals::send_to_task(t, sig::SIGKILL);
    }
    exit_thread(wait_status);
}

bool become_single_task(Process* p) {
    ThreadGroup* g = p->group;
    x86::InterruptGuard guard;
    if (g->live > 1) {
        g->exec_in_progress = true;
        for (Process* t = g->threads; t; t = t->next_thread)
            if (t != p) signals::send_to_task(t, sig::SIGKILL);
        // Killable: an exit_group or an execve in another task (which kill
        // this one) end the wait; other signals wait for the new program.
        while (g->live > 1 && !g->exiting && !signals::kill_pending(*p)) sleep_on(g->tasks_gone, Sleep::Killable);
        g->exec_in_progress = false;
        if (g->exiting || signals::kill_pending(*p)) return false;
    }
    Process* leader = g->leader;
    if (leader == p) return true;
    // The caller takes the leader's place, and its pid, as on Linux: the
    // parent, the children and the process id stay what they were.
    Process* parent = leader->parent;
    unlink_child(leader);
    if (parent) link_child(parent, p);
    while (Process* child = leader->first_child) {
        unlink_child(child);
        link_child(p, child);
    }
    p->pid = leader->pid;
    g->leader = p;
    for (Process* t = table_head; t; t = t->next_in_table) // tracees of the process follow its leader
        if (t->ptrace.tracer == leader) t->ptrace.tracer = p;
    free_task(leader);
    return true;
}

void reap_dead_tasks() {
    x86::InterruptGuard guard;
    while (Process* p = dead_tasks) {
        if (p == current_process()) break; // still on its stack: the next switch frees it
        dead_tasks = p->next_thread;
        free_task(p);
    }
}

long wait(int pid, int* wait_status, bool no_hang) {
    Process* self = current_process()->group->leader;
    x86::InterruptGuard guard;
    for (bool interrupted = false;;) {
        // Tracees first: a ptrace stop not yet reported (they need not be children).
        bool have_child = false;
        if (const int stopped = ptrace::wait_stopped(self, pid, wait_status, &have_child)) return stopped;
        for (Process* c = self->first_child; c; c = c->next_sibling) {
            if (pid > 0 && c->pid != pid) continue;
            have_child = true;
            // A process is reaped once its last task has ended.
            if (c->state != ProcessState::Zombie || c->group->live) continue;
            const int reaped = c->pid;
            *wait_status = c->exit_status;
            unlink_child(c);
            free_task(c);
            return reaped;
        }
        if (!have_child) return -err::ECHILD;
        if (no_hang) return 0;
        // A signal ends the wait only if no child is ready: the SIGCHLD
        // of the exit that woke us must not hide that child (Linux looks
        // again too).
        if (interrupted) return -err::ERESTARTSYS;
        interrupted = !sleep_on(self->child_exited);
    }
}

} // namespace proc
