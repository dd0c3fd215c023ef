#include "kernel/proc/process.h"

#include "arch/x86/cpu/context.h"
#include "arch/x86/cpu/cpu.h"
#include "arch/x86/entry/interrupts.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/fs/file.h"
#include "kernel/proc/sched.h"
#include "kernel/shutdown.h"
#include "kernel/uaccess.h"

namespace proc {
namespace {

Process idle_process;
Process* table_head;
int live_count; // in the table, zombies included
int next_pid = 1;
uint64_t created;

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

int allocate_pid() {
    for (int tries = 0; tries < 32768; tries++) {
        const int pid = next_pid;
        next_pid = next_pid >= 32767 ? 2 : next_pid + 1;
        if (!find(pid)) return pid;
    }
    return -1;
}

// Frees what a process holds while it can still run: address space and files.
void release_resources(Process* p) {
    if (p->files) {
        files::put_table(p->files);
        p->files = nullptr;
    }
    if (p->mm) {
        x86::switch_address_space(mm::kernel_root()); // never run on freed tables
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

// A new task's first step, on its own stack and in its own address space:
// CLONE_CHILD_SETTID is written here, as Linux's schedule_tail does, so a
// page the child has not touched yet appears as on any other write. Then
// the usual way out to user mode.
void first_return_to_user(x86::RegisterFrame& frame) {
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

Process* allocate(Process* parent, int* error) {
    if (live_count >= MAX_PROCESSES) {
        *error = -err::EAGAIN;
        return nullptr;
    }
    Process* p = new Process;
    if (!p) {
        *error = -err::ENOMEM;
        return nullptr;
    }
    p->kernel_stack = mm::allocate_kernel_stack();
    const int pid = allocate_pid();
    if (!p->kernel_stack || pid < 0) {
        if (p->kernel_stack) mm::free_kernel_stack(p->kernel_stack);
        delete p;
        *error = pid < 0 ? -err::EAGAIN : -err::ENOMEM;
        return nullptr;
    }
    p->pid = pid;
    x86::reset_user_context(p->user_context, true); // exec sets it for the program
    __builtin_memset(&p->frame(), 0, sizeof(x86::RegisterFrame));
    if (parent && !parent->is_idle) link_child(parent, p);
    p->next_in_table = table_head;
    table_head = p;
    live_count++;
    created++;
    return p;
}

void discard(Process* p) {
    release_resources(p);
    unlink_child(p);
    unlink_from_table(p);
    live_count--;
    mm::free_kernel_stack(p->kernel_stack);
    delete p;
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

void exit(int wait_status) {
    Process* p = current_process();
    x86::enable_interrupts();

    if (p->clear_child_tid) { // CLONE_CHILD_CLEARTID: tell the parent's thread library
        const uint32_t zero = 0;
        copy_to_user(UserPtr<void>(p->clear_child_tid), &zero, sizeof(zero));
    }
    release_vfork_parent(p);
    release_resources(p);

    if (p->pid == 1) {
        const int code = (wait_status & 0x7f) ? 128 + (wait_status & 0x7f) : (wait_status >> 8) & 0xff;
        kprintln("[init] pid 1 ({}) ended: {} {}", p->name, (wait_status & 0x7f) ? "signal" : "exit status",
                 (wait_status & 0x7f) ? wait_status & 0x7f : code);
        shutdown(uint8_t(code));
    }

    x86::disable_interrupts();
    // Orphans go to init, which reaps them.
    Process* init = find(1);
    bool orphan_zombie = false;
    while (Process* child = p->first_child) {
        unlink_child(child);
        if (init) {
            link_child(init, child);
            orphan_zombie |= child->state == ProcessState::Zombie;
        }
    }
    if (init && orphan_zombie) wake_all(init->child_exited);

    p->exit_status = wait_status;
    p->state = ProcessState::Zombie;
    if (p->parent) {
        signals::send(p->parent, sig::SIGCHLD);
        wake_all(p->parent->child_exited);
    }
    sched::schedule();
    panic("a zombie ran again");
}

long wait(int pid, int* wait_status, bool no_hang) {
    Process* self = current_process();
    x86::InterruptGuard guard;
    for (bool interrupted = false;;) {
        bool have_child = false;
        for (Process* c = self->first_child; c; c = c->next_sibling) {
            if (pid > 0 && c->pid != pid) continue;
            have_child = true;
            if (c->state != ProcessState::Zombie) continue;
            const int reaped = c->pid;
            *wait_status = c->exit_status;
            unlink_child(c);
            unlink_from_table(c);
            live_count--;
            mm::free_kernel_stack(c->kernel_stack);
            delete c;
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
