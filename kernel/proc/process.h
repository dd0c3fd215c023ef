#pragma once
// Processes. Each has one thread of control (gettid() == getpid()), its
// own address space (shared with a vfork child until it execs) and a
// kernel stack whose top holds the user register frame of every entry.
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/cpu/context.h"
#include "arch/x86/entry/entry.h"
#include "arch/x86/entry/frame.h"
#include "kernel/mm/address_space.h"
#include "kernel/mm/memory.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/wait_queue.h"

struct FileTable;

enum class ProcessState : uint8_t { Runnable, Sleeping, Zombie };

struct Process {
    int pid = 0;
    char name[32] = {};
    ProcessState state = ProcessState::Runnable;
    bool is64 = true;
    bool is_idle = false;

    Process* parent = nullptr;
    Process* first_child = nullptr;
    Process* next_sibling = nullptr;
    Process* next_in_table = nullptr; // every process, for kill/ps
    Process* next_runnable = nullptr;
    Process* next_waiting = nullptr; // on a WaitQueue
    WaitQueue* waiting_on = nullptr;
    bool woken_by_signal = false;
    bool sleep_interruptible = true;

    mm::AddressSpace* mm = nullptr;
    mm::KernelStack kernel_stack;
    uint64_t saved_rsp = 0; // kernel context while switched out
    x86::UserContext user_context;

    FileTable* files = nullptr;
    char cwd[256] = "/";

    SignalState signals;
    int exit_status = 0;             // wait status, as wait4 reports it
    WaitQueue child_exited;          // the parent sleeps here in wait4
    uint64_t clear_child_tid = 0;    // set_tid_address / CLONE_CHILD_CLEARTID
    uint64_t set_child_tid = 0;      // CLONE_CHILD_SETTID: written when the child first runs
    Process* vfork_parent = nullptr; // released when this child execs or exits
    bool vfork_done = false;
    WaitQueue vfork_wait;
    uint64_t wake_at_ns = 0; // nanosleep deadline while sleeping on the timer queue
    unsigned ticks_left = 0; // of the current time slice

    // The last system call's gate, for tracing and statistics.
    x86::entry::Gate gate = x86::entry::Gate::Int80;
    // SYSGATE_CTL_POISON_STACK: the byte the unused kernel stack is filled
    // with before each call (0: off). A test hook for uninitialised copy-outs.
    uint8_t stack_poison = 0;

    // The user register frame at the top of the kernel stack.
    x86::RegisterFrame& frame() const {
        return *reinterpret_cast<x86::RegisterFrame*>(kernel_stack.top - sizeof(x86::RegisterFrame));
    }
};

Process* current_process();

namespace proc {

constexpr int MAX_PROCESSES = 256;

void init(); // the idle process (this boot context) and the scheduler
Process* find(int pid);
Process* first(); // the process table, for ps and kill(-1)
int count();

// A new process with a fresh kernel stack (no address space, no files);
// nullptr with *error set when out of memory or processes.
Process* allocate(Process* parent, int* error);
// Undo allocate() for a process that never ran.
void discard(Process* p);
// Make it runnable; its first run enters user mode through frame().
void start(Process* p);

[[noreturn]] void exit(int wait_status);
// wait4: -ECHILD, -EINTR, 0 (WNOHANG, nothing yet) or the pid reaped.
long wait(int pid, int* wait_status, bool no_hang);

// Memory accounting for the fork/exec stress test.
uint64_t processes_created();

} // namespace proc
