#pragma once
// ptrace: one process (the tracer) stops, inspects and changes another's
// tasks (the tracees), as Linux 6.1's kernel/ptrace.c and
// arch/x86/kernel/ptrace.c do it. See docs/ptrace.md.
//
// A tracee stops only in its own context, at four kinds of places: in the
// system-call dispatcher (syscall-entry and syscall-exit stops, while the
// PTRACE work bit is set), on the way back to user mode before a signal
// is acted on (signal-delivery stops), at fork/clone/exec/exit (event
// stops), and for PTRACE_INTERRUPT. While stopped it sleeps, killable,
// with its whole user state saved (the frame at the top of its kernel
// stack, its UserContext), which the tracer reads and writes.
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/entry/frame.h"
#include "kernel/proc/wait_queue.h"

struct Process;
namespace x86::entry {
struct SystemCall;
}

// How a tracee was last resumed.
enum class PtraceResume : uint8_t { Cont, Syscall, Sysemu, SysemuStep, Step };

struct PtraceState {
    Process* tracer = nullptr; // the tracer's group leader; nullptr: not traced
    uint32_t options = 0;      // PTRACE_O_*
    bool seized = false;       // PTRACE_SEIZE: no SIGSTOP on attach, EVENT_STOP for INTERRUPT
    bool stopped = false;      // in a ptrace stop
    bool resumed = false;      // the tracer has let it go (or detached)
    bool interrupt = false;    // PTRACE_INTERRUPT asked for a stop
    bool set_tf = false;       // a step request set TF in its flags (cleared again on resume)
    PtraceResume mode = PtraceResume::Cont;
    int report = 0;        // the wait status not yet taken by the tracer's wait (0: none)
    int resume_signal = 0; // the signal the tracer resumed it with
    uint64_t event_message = 0;
    // The siginfo of the stop (GETSIGINFO).
    int si_signo = 0, si_code = 0, si_pid = 0;
    uint64_t si_addr = 0;
    // The system call of a syscall stop (GET_SYSCALL_INFO) and, for the
    // legacy vsyscall page (whose frame is a page fault's), its number.
    uint8_t syscall_op = 0; // 0 none, 1 entry, 2 exit
    bool vsyscall = false;  // orig_rax is `number`, not the frame's error_code
    bool call64 = true;     // the call's ABI (int $0x80 from 64-bit code is i386)
    uint64_t number = 0;
    uint64_t args[6] = {};
    int64_t rval = 0;
    uint64_t gate_rsp = 0, gate_rip = 0; // the frame's rsp and rip as the gate left them (i386 fast gates)
    WaitQueue stop_wait;                 // where it sleeps while stopped
    // Debug registers (POKEUSER u_debugreg): DR0-3, DR7 as written, and
    // DR6 as Linux's virtual_dr6 (the bits of the last #DB, positive).
    uint64_t dr[4] = {};
    uint64_t dr7 = 0;
    uint64_t dr6 = 0;
};

namespace ptrace {

// The ptrace system call for a caller of either ABI.
long request(long req, int pid, uint64_t addr, uint64_t data, bool abi64);

// ---- hooks in the rest of the kernel (each does nothing for a task that is not traced)

// kernel/syscall/dispatch.cpp, before the call: a syscall-entry stop.
// The call may come back changed (number, arguments); true means skip it
// (SYSEMU, or number -1): the result is then `result`.
bool syscall_entry(x86::RegisterFrame& frame, x86::entry::SystemCall& call, int64_t& result);
// After the call: a syscall-exit stop; returns the result, which the tracer may have changed.
int64_t syscall_exit(x86::RegisterFrame& frame, const x86::entry::SystemCall& call, int64_t result);
// kernel/proc/signal.cpp: signal s is about to be acted on. A traced task
// stops; returns the signal to act on instead (0: none).
int signal_stop(x86::RegisterFrame& frame, int s);
// kernel/init.cpp (exit_to_user): PTRACE_INTERRUPT's stop.
void on_return_to_user(x86::RegisterFrame& frame);
// do_clone, before the child starts: it inherits the tracer if the
// options ask for it. Returns the event to report (0: none).
int on_clone(Process* parent, Process* child, uint64_t flags, int exit_signal);
// After the child started: the event stop.
void report_clone(int event, int child_pid);
// A successful execve (old_pid: the caller's tid before it).
void on_exec(int old_pid);
// exit_thread: the EXIT event stop, then the task leaves its tracer.
void on_exit(int wait_status);
// A process ended: its tracees are detached (or killed, EXITKILL).
void tracer_gone(Process* leader);
// wait4 for `self` (a group leader): a tracee stop not yet reported,
// among `pid` (-1: any). Returns its pid, 0 if none, and sets
// *any_tracee if there are tracees to wait for at all.
int wait_stopped(Process* self, int pid, int* wait_status, bool* any_tracee);
// True if the task is traced (signals are never discarded for it).
bool is_traced(const Process& p);

// The #DB exception (kernel/trap.cpp). From user mode: records DR6 for
// PEEKUSER. From kernel mode: true if it was a user watchpoint hit by the
// kernel touching user memory (absorbed).
void on_user_debug(x86::RegisterFrame& frame);
bool on_kernel_debug(x86::RegisterFrame& frame);
// process_vm_readv/writev: bytes copied between buf and the task's
// memory at va, as far as the program itself may read or write it.
size_t access_process_memory(Process* t, uint64_t va, void* buf, size_t n, bool write);

// At a task switch (kernel/proc/sched.cpp): the debug registers of the next task.
void switch_debug_registers(Process* next);

} // namespace ptrace
