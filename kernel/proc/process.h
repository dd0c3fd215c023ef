#pragma once
// Tasks: processes and their threads, as Linux has them. Each task has
// its own kernel stack, whose top holds the user register frame of every
// entry, its own signal mask and FPU/segment state; the tasks of one
// process (a thread group, created with clone(CLONE_THREAD)) share the
// address space, the file table, the signal handlers, the working
// directory and a pid (getpid() is the group's id, gettid() the task's).
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/cpu/context.h"
#include "arch/x86/cpu/percpu.h"
#include "arch/x86/entry/entry.h"
#include "arch/x86/entry/frame.h"
#include "kernel/mm/address_space.h"
#include "kernel/mm/memory.h"
#include "kernel/proc/ptrace.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/wait_queue.h"

struct FileTable;
struct Process;

enum class ProcessState : uint8_t { Runnable, Sleeping, Zombie };

// Resource limits (getrlimit/setrlimit), Linux's numbering.
struct ResourceLimit {
    uint64_t current, maximum; // RLIM_INFINITY is ~0
};
constexpr unsigned RLIMIT_COUNT = 16;
constexpr unsigned RLIMIT_STACK = 3, RLIMIT_NOFILE = 7;
// Linux's defaults for init (include/asm-generic/resource.h), except what
// Sysgate's tables bound: 64 descriptors, MAX_PROCESSES tasks.
void default_limits(ResourceLimit (&limits)[RLIMIT_COUNT]);

// What the tasks of one process share beyond memory and files.
struct ThreadGroup {
    Process* leader = nullptr;     // its pid is the group's; the parent waits for it
    Process* threads = nullptr;    // every task not yet exited, via Process::next_thread
    unsigned live = 0;             // how many
    uint64_t pending = 0;          // signals sent to the process (kill), taken by any task
    bool exiting = false;          // exit_group or a fatal signal: every task ends
    int exit_status = 0;           // the process's wait status once exiting
    bool exec_in_progress = false; // execve is ending the other tasks
    WaitQueue tasks_gone;          // execve waits here for the others to end
    unsigned refs = 0;             // tasks (alive or zombie) pointing here
    ResourceLimit limits[RLIMIT_COUNT];
    bool no_new_privs = false; // prctl(PR_SET_NO_NEW_PRIVS): kept, nothing to restrict here
    // User ids (setresuid), inherited by fork. Everyone starts as root;
    // root privileges (effective uid 0) stand for the capabilities, and
    // only setresuid (CAP_SETUID), ioperm and iopl (CAP_SYS_RAWIO) ask.
    uint32_t ruid = 0, euid = 0, suid = 0;
};

// The working directory, shared by CLONE_FS.
struct FsContext {
    char cwd[256] = "/";
    unsigned refs = 1;
};

// The program a process runs, as /proc/PID/exe and cmdline show it: set
// by execve, copied by fork and clone.
struct ProgramImage {
    char path[256] = {}; // the executable's absolute path
    char args[512] = {}; // argv, each string NUL-terminated, cut at 512 bytes
    uint16_t args_length = 0;
};

struct Process {
    int pid = 0;  // the task's id (gettid)
    int tgid = 0; // the process's id (getpid): the group leader's pid
    char name[32] = {};
    ProgramImage program;
    ProcessState state = ProcessState::Runnable;
    bool is64 = true;
    bool is_idle = false;

    ThreadGroup* group = nullptr;
    Process* next_thread = nullptr;

    Process* parent = nullptr;
    Process* first_child = nullptr;
    Process* next_sibling = nullptr;
    Process* next_in_table = nullptr; // every process, for kill/ps
    Process* next_runnable = nullptr;
    Process* next_waiting = nullptr; // on a WaitQueue
    WaitQueue* waiting_on = nullptr;
    bool woken_by_signal = false;
    Sleep sleep_kind = Sleep::Interruptible;
    // A sleep with a deadline (sleep_on_until) is also on the scheduler's
    // list of timed sleepers until it wakes.
    Process* next_timed = nullptr;
    bool timed_out = false;

    mm::AddressSpace* mm = nullptr;
    mm::KernelStack kernel_stack;
    uint64_t saved_rsp = 0; // kernel context while switched out
    x86::UserContext user_context;

    FileTable* files = nullptr;
    FsContext* fs = nullptr;
    const char* cwd() const { return fs->cwd; }

    SignalState signals;
    PtraceState ptrace; // kernel/proc/ptrace.h
    int exit_status = 0;             // wait status, as wait4 reports it
    int exit_signal = sig::SIGCHLD;  // what the parent is sent when the process ends (clone's CSIGNAL)
    int parent_death_signal = 0;     // prctl(PR_SET_PDEATHSIG): sent when the parent process ends
    WaitQueue child_exited;          // the parent (its group leader) sleeps here in wait4
    uint64_t clear_child_tid = 0;    // set_tid_address / CLONE_CHILD_CLEARTID
    uint64_t set_child_tid = 0;      // CLONE_CHILD_SETTID: written when the child first runs
    Process* vfork_parent = nullptr; // released when this child execs or exits
    bool vfork_done = false;
    WaitQueue vfork_wait;
    uint64_t robust_list = 0, robust_list_length = 0; // set_robust_list
    uint64_t wake_at_ns = 0;                          // the deadline of a timed sleep
    unsigned ticks_left = 0;                          // of the current time slice
    uint32_t work = 0;                                // x86::work bits while not running (PerCpu::work while it runs)

    // The last system call's gate, for tracing and statistics.
    uint8_t last_gate = 0; // SYSGATE_GATE_* of its last system call while not running (PerCpu::last_gate while it runs)
    // SYSGATE_CTL_POISON_STACK: the byte the unused kernel stack is filled
    // with before each call (0: off). A test hook for uninitialised copy-outs.
    uint8_t stack_poison = 0;

    // The user register frame at the top of the kernel stack.
    x86::RegisterFrame& frame() const {
        return *reinterpret_cast<x86::RegisterFrame*>(kernel_stack.top - sizeof(x86::RegisterFrame));
    }
    bool is_group_leader() const { return group && group->leader == this; }
};

inline Process* current_process() {
    return static_cast<Process*>(x86::current_task());
}

// SYSGATE_GATE_* of the task's last system call (ps shows it).
inline uint8_t last_gate_of(const Process& p) {
    return &p == current_process() ? x86::this_cpu().last_gate : p.last_gate;
}

// Linux's capable(): Sysgate has no capability sets, only root or not.
inline bool has_root_privileges(const Process& p) {
    return p.group->euid == 0;
}

namespace proc {

constexpr int MAX_PROCESSES = 256;

void init(); // the idle process (this boot context) and the scheduler
Process* find(int pid);
Process* first(); // the process table, for ps and kill(-1)
int count();

// A new task with a fresh kernel stack (no address space, no files): the
// leader of a new process, or with `thread_of` a new task of that process.
// nullptr with *error set when out of memory or tasks.
Process* allocate(Process* parent, int* error, Process* thread_of = nullptr);
// Undo allocate() for a task that never ran.
void discard(Process* p);
// Make it runnable; its first run enters user mode through frame().
void start(Process* p);

// The calling task ends (exit); with other tasks left, the process goes on.
[[noreturn]] void exit_thread(int wait_status);
// The whole process ends (exit_group, a fatal signal): every task.
[[noreturn]] void exit_group(int wait_status);
// execve in a process with several tasks: ends the others and makes the
// caller the only one (and the leader). False if a fatal signal came first.
bool become_single_task(Process* p);
// wait4: -ECHILD, -EINTR, 0 (WNOHANG, nothing yet) or the pid reaped.
long wait(int pid, int* wait_status, bool no_hang);

// Frees tasks that ended and cannot free their own kernel stack (called
// once a task switch has left them).
void reap_dead_tasks();

// Memory accounting for the fork/exec stress test.
uint64_t processes_created();

} // namespace proc
