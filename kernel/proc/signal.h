#pragma once
// Signals, as a shell needs them: default actions, SIG_IGN, user handlers
// with Linux's frame layouts (kernel/proc/sigframe.h: the 64-bit rt frame,
// the i386 rt and old frames), rt_sigreturn and i386's sigreturn.
#include <stdint.h>

#include "arch/x86/entry/frame.h"

struct Process;

namespace sig {
enum : int {
    SIGHUP = 1,
    SIGINT = 2,
    SIGQUIT = 3,
    SIGILL = 4,
    SIGTRAP = 5,
    SIGABRT = 6,
    SIGBUS = 7,
    SIGFPE = 8,
    SIGKILL = 9,
    SIGUSR1 = 10,
    SIGSEGV = 11,
    SIGUSR2 = 12,
    SIGPIPE = 13,
    SIGALRM = 14,
    SIGTERM = 15,
    SIGSTKFLT = 16,
    SIGCHLD = 17,
    SIGCONT = 18,
    SIGSTOP = 19,
    SIGTSTP = 20,
    SIGTTIN = 21,
    SIGTTOU = 22,
    SIGURG = 23,
    SIGXCPU = 24,
    SIGXFSZ = 25,
    SIGVTALRM = 26,
    SIGPROF = 27,
    SIGWINCH = 28,
    SIGIO = 29,
    SIGPWR = 30,
    SIGSYS = 31,
};
constexpr int NSIG = 64;
constexpr uint64_t SIG_DFL = 0, SIG_IGN = 1;
constexpr uint64_t SA_SIGINFO = 4, SA_ONSTACK = 0x08000000, SA_RESTART = 0x10000000, SA_NODEFER = 0x40000000,
                   SA_RESETHAND = 0x80000000, SA_RESTORER = 0x04000000;
constexpr uint64_t bit(int signal) {
    return 1ull << (signal - 1);
}
} // namespace sig

// The kernel's struct sigaction (include/linux/signal_types.h, x86 uapi).
struct KernelSigaction {
    uint64_t handler;
    uint64_t flags;
    uint64_t restorer;
    uint64_t mask;
};

// The details of a synchronous fault, for the siginfo and sigcontext of
// the signal it raised. Kept per process: the kernel may run others
// between the fault and the delivery.
struct FaultInfo {
    uint64_t address = 0; // si_addr, cr2
    uint64_t trapno = 0, error = 0;
    int signal = 0; // the signal these details belong to (0: none)
};

// The handlers, shared by the tasks of a process (CLONE_SIGHAND).
struct SignalHandlers {
    KernelSigaction actions[sig::NSIG + 1] = {};
    unsigned refs = 1;
};

// A task's signal state. What is sent to the whole process waits in its
// ThreadGroup (kernel/proc/process.h) until some task takes it.
struct SignalState {
    SignalHandlers* handlers = nullptr;
    KernelSigaction& action(int signal) const { return handlers->actions[signal]; }
    FaultInfo fault;
    uint64_t blocked = 0;
    uint64_t pending = 0; // sent to this task (tgkill, faults)
    // sigaltstack: where SA_ONSTACK handlers run (size 0: none).
    uint64_t altstack_base = 0, altstack_size = 0;
};

namespace signals {

const char* name(int signal);

// Makes a signal pending for the whole process p belongs to (kill): some
// task that does not block it takes it, and is woken if it sleeps.
void send(Process* p, int signal);
// Makes a signal pending for one task (tgkill, tkill).
void send_to_task(Process* p, int signal);
bool has_deliverable(const Process& p);
// The running task's signal mask becomes `mask` (SIGKILL and SIGSTOP
// never blocked); if that unblocks a pending signal, the task's next
// return delivers it (the SIGNAL work bit, set wherever a signal may
// become deliverable: send, a kernel-raised signal, a mask change).
void set_blocked(uint64_t mask);
bool kill_pending(const Process& p); // SIGKILL for the task or its process

// The handlers of a new process (all default), a copy (fork), or shared
// (CLONE_SIGHAND: take another reference). put_handlers drops one.
SignalHandlers* new_handlers();
SignalHandlers* copy_handlers(const SignalHandlers& h);
void put_handlers(SignalState& s);
// On the way back to user mode: runs default actions (which may end the
// process) or builds a handler frame on the user stack.
void deliver(x86::RegisterFrame& frame);
// True if the frame is a system call that a signal interrupted while it
// slept (-ERESTARTSYS): deliver() and the return path decide whether it
// fails with EINTR or is made again (x86::entry::rewind_to_gate).
bool interrupted_call(const x86::RegisterFrame& frame);

// rt_sigreturn: restores the rt frame saved by deliver() (64-bit or i386);
// returns the restored rax. A frame it cannot read or use raises SIGSEGV.
int64_t sigreturn(x86::RegisterFrame& frame, bool is64);
// i386 sigreturn (119): the same for the old frame (struct sigframe_ia32)
// of a handler without SA_SIGINFO.
int64_t sigreturn_old32(x86::RegisterFrame& frame);

// For a user-mode CPU exception: the signal a Linux shell would show.
int signal_for_exception(unsigned vector);
// A user-mode CPU exception that is not a page to fault in: prints the
// one-line report and makes the signal pending (it cannot be blocked).
void on_user_exception(x86::RegisterFrame& frame, uint64_t fault_address);
// fork keeps actions and mask; execve resets handled signals to default.
void reset_on_exec(SignalState& s);

// The most stack a signal frame takes (AT_MINSIGSTKSZ): what an
// alternate signal stack needs at the very least.
uint64_t frame_size(bool is64);

// sigaltstack, for both ABIs (stack_t differs only in its word sizes).
long set_altstack(uint64_t new_base, uint64_t new_size, int new_flags, bool change, uint64_t& old_base,
                  uint64_t& old_size, int& old_flags);

} // namespace signals

void interrupt_sleep(Process* p, bool fatal = false);
