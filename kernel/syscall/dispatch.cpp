#include "kernel/syscall/dispatch.h"

#include "arch/x86/cpu/cpu.h"
#include "arch/x86/cpu/nospec.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/proc/process.h"
#include "kernel/proc/sched.h"
#include "kernel/syscall/table.h"
#include "kernel/vdso.h"

namespace syscall {

int64_t not_implemented(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t) {
    return -err::ENOSYS;
}

bool sixth_argument_from_user_stack(uint64_t& out) {
    uint32_t value = 0;
    const uint64_t stack = uint32_t(current_process()->frame().rsp);
    if (read_user(value, UserPtr<const uint32_t>(stack))) return false;
    out = value;
    return true;
}

} // namespace syscall

// Calls per gate, SYSGATE_GATE_*: the entry stubs' fast paths increment
// these themselves (arch/x86/entry/regs.inc), C the rest.
extern "C" uint64_t syscall_gate_calls[SYSGATE_GATES];
uint64_t syscall_gate_calls[SYSGATE_GATES];

namespace syscall {
namespace {

uint64_t gate_tsc_ticks[SYSGATE_GATES]; // only while cycle accounting is on (work::STATS)


const char* error_name(int64_t result) {
    switch (-result) {
    case err::EPERM:
        return "EPERM";
    case err::ENOENT:
        return "ENOENT";
    case err::ESRCH:
        return "ESRCH";
    case err::EINTR:
        return "EINTR";
    case err::E2BIG:
        return "E2BIG";
    case err::ENOEXEC:
        return "ENOEXEC";
    case err::EBADF:
        return "EBADF";
    case err::ECHILD:
        return "ECHILD";
    case err::EAGAIN:
        return "EAGAIN";
    case err::ENOMEM:
        return "ENOMEM";
    case err::EACCES:
        return "EACCES";
    case err::EFAULT:
        return "EFAULT";
    case err::EEXIST:
        return "EEXIST";
    case err::ENOTDIR:
        return "ENOTDIR";
    case err::EISDIR:
        return "EISDIR";
    case err::EINVAL:
        return "EINVAL";
    case err::EMFILE:
        return "EMFILE";
    case err::ENOTTY:
        return "ENOTTY";
    case err::ESPIPE:
        return "ESPIPE";
    case err::EROFS:
        return "EROFS";
    case err::EPIPE:
        return "EPIPE";
    case err::ERANGE:
        return "ERANGE";
    case err::ENAMETOOLONG:
        return "ENAMETOOLONG";
    case err::ENOSYS:
        return "ENOSYS";
    case err::EOPNOTSUPP:
        return "EOPNOTSUPP";
    case err::ETIMEDOUT:
        return "ETIMEDOUT";
    case err::ERESTARTSYS:
        return "ERESTARTSYS (interrupted: EINTR, or made again)";
    default:
        return "";
    }
}

// "[gate] pid name(args" — the caller adds the result.
void trace_call(fmt::Sink& out, unsigned gate, const Process* p, const Entry* e, const x86::entry::SystemCall& call) {
    fmt::format(out, "[{}] {} ", gate_label(gate), p->pid);
    if (!e || !e->name) {
        fmt::format(out, "syscall_{}(", call.number);
        for (int i = 0; i < 6; i++) fmt::format(out, i ? ", {:#x}" : "{:#x}", call.args[i]);
        return;
    }
    fmt::format(out, "{}(", e->name);
    for (unsigned i = 0; i < e->arg_count; i++) {
        if (i) out.write(", ", 2);
        const uint64_t v = call.args[i];
        switch (e->kinds[i]) {
        case ArgKind::Signed:
            fmt::format(out, "{}", call.abi == x86::entry::Abi::I386 ? int64_t(int32_t(v)) : int64_t(v));
            break;
        case ArgKind::Unsigned:
            fmt::format(out, v < 4096 ? "{}" : "{:#x}", v);
            break;
        case ArgKind::Pointer:
            fmt::format(out, v ? "{:#x}" : "NULL", v);
            break;
        case ArgKind::String: {
            char text[48];
            const long n = v ? copy_string_from_user(text, sizeof(text), UserPtr<const char>(v)) : -1;
            if (n >= 0)
                fmt::format(out, "\"{}\"", text);
            else if (n == -err::ENAMETOOLONG)
                fmt::format(out, "\"{}\"...", text);
            else
                fmt::format(out, v ? "{:#x}" : "NULL", v);
            break;
        }
        }
    }
}

// SYSGATE_CTL_POISON_STACK: fill the stack below this function's frame
// (what the handler and everything it calls will use) with the pattern.
[[gnu::noinline]] void poison_stack_below(const Process* p) {
    uint8_t* here = static_cast<uint8_t*>(__builtin_frame_address(0));
    uint8_t* const bottom = reinterpret_cast<uint8_t*>(p->kernel_stack.bottom);
    for (uint8_t* q = here - 256; q > bottom; q--) q[-1] = p->stack_poison;
}

bool never_returns(const Entry* e) {
    if (!e || !e->name) return false;
    const char* n = e->name;
    return (n[0] == 'e' && n[1] == 'x' && n[2] == 'i' && n[3] == 't'); // exit, exit_group
}

[[gnu::always_inline]] inline int64_t make_call(x86::RegisterFrame& frame, const x86::entry::SystemCall& call) {
    Process* p = current_process();
    const bool i386 = call.abi == x86::entry::Abi::I386;
    const Entry* table = i386 ? table_i386 : table_x86_64;
    const uint64_t size = i386 ? table_i386_size : table_x86_64_size;
    unsigned gate = abi_gate(call.gate);
    uint32_t number = call.number;
    // A vDSO time function that cannot answer from the data page makes the
    // call with SYSGATE_VDSO_FALLBACK_BIT in the number: out of range, so
    // it costs the fast path nothing, and counted apart here. From
    // anywhere else the bit makes an unknown number (-ENOSYS), as Linux's
    // x32 bit does on a kernel without x32.
    if ((number & SYSGATE_VDSO_FALLBACK_BIT) && vdso::is_fallback_return(frame.rip, call.gate)) {
        number &= ~SYSGATE_VDSO_FALLBACK_BIT;
        gate = SYSGATE_GATE_VDSO_FALLBACK;
    }
    x86::this_cpu().last_gate = uint8_t(gate);

    // The number was range-checked; clamp it too, so that a mispredicted
    // check cannot index past the table speculatively.
    const Entry* e = number < size ? &table[x86::index_nospec(number, size)] : nullptr;
    if (e && !e->name) e = nullptr;

    // The call is written out before it runs: its arguments may name
    // memory the call replaces (execve's path) or it may never return.
    const uint32_t work = x86::this_cpu().work;
    char traced[256];
    const bool trace = work & x86::work::TRACE;
    // The call as made: the number without the fallback bit, and a sixth
    // argument from the user stack where the gate left it there.
    x86::entry::SystemCall shown = call;
    shown.number = number;
    const bool arg6_unreadable =
        e && call.arg6_on_user_stack && e->arg_count == 6 && !sixth_argument_from_user_stack(shown.args[5]);
    if (trace) {
        fmt::BufferSink text(traced, sizeof(traced));
        trace_call(text, gate, p, e, shown);
        if (never_returns(e)) kprintln("{}) = ?", traced);
    }
    if (work & x86::work::POISON) poison_stack_below(p);
    syscall_gate_calls[gate]++;
    const bool stats = work & x86::work::STATS;
    const uint64_t start = stats ? x86::rdtsc() : 0;
    const uint64_t* a = shown.args;
    int64_t result = -err::ENOSYS;
    if (arg6_unreadable)
        result = -err::EFAULT; // as the fast path's _stack_arg6 handlers answer
    else if (e)
        result = e->handler(a[0], a[1], a[2], a[3], a[4], a[5]);
    if (stats) gate_tsc_ticks[gate] += x86::rdtsc() - start;

    if (trace) {
        if (result < 0 && result >= -4095)
            kprintln("{}) = {} {}", traced, result, error_name(result));
        else
            kprintln(result >= 0 && result < 4096 ? "{}) = {}" : "{}) = {:#x}", traced, result);
    }
    return result;
}

// A tracee of PTRACE_SYSCALL/SYSEMU (the PTRACE work bit) stops before
// and after the call, whatever gate it came through; its tracer may change
// the call or skip it (kernel/proc/ptrace.cpp). Apart, so that the other
// calls pay one test for it.
[[gnu::noinline]] int64_t make_traced_call(x86::RegisterFrame& frame, const x86::entry::SystemCall& decoded) {
    x86::entry::SystemCall call = decoded;
    int64_t result = 0;
    if (!ptrace::syscall_entry(frame, call, result)) result = make_call(frame, call);
    return ptrace::syscall_exit(frame, call, result);
}

int64_t dispatch(x86::RegisterFrame& frame, const x86::entry::SystemCall& call) {
    if (x86::this_cpu().work & x86::work::PTRACE) [[unlikely]]
        return make_traced_call(frame, call);
    return make_call(frame, call);
}

} // namespace

const char* gate_label(unsigned gate) {
    static const char* const labels[SYSGATE_GATES] = {"int80", "sysenter", "syscall", "vdso-fallback", "vsyscall"};
    return gate < SYSGATE_GATES ? labels[gate] : "?";
}

void print_current_call(const Process& p) {
    // Numbers only, from the task frame: the faulting context may not be
    // able to read user memory, and the frame still holds what the gate saw
    // (the number in error_code, the arguments in their registers).
    const x86::RegisterFrame& f = p.frame();
    if (!x86::entry::is_system_call(f) || !x86::from_user_mode(f)) {
        kprintln("  pid {} ({}) is not in a system call (its frame: entry {:#x}, rip {:#x})", p.pid, p.name, f.entry,
                 f.rip);
        return;
    }
    const bool i386 =
        f.entry == x86::ENTRY_INT80 || f.entry == x86::ENTRY_SYSCALL32 || (f.entry == x86::ENTRY_SYSENTER && !p.is64);
    const uint32_t number = uint32_t(f.error_code);
    const Entry* table = i386 ? table_i386 : table_x86_64;
    const uint64_t size = i386 ? table_i386_size : table_x86_64_size;
    const Entry* e = number < size && table[number].name ? &table[number] : nullptr;
    const uint64_t a[6] = {i386 ? f.rbx : f.rdi, i386 ? f.rcx : f.rsi, f.rdx,
                           i386 ? f.rsi : f.r10, i386 ? f.rdi : f.r8,  i386 ? f.rbp : f.r9};
    kprintln("  pid {} ({}, {}-bit) was in system call {} ({} #{}), arguments {:#x} {:#x} {:#x} {:#x} {:#x} {:#x}",
             p.pid, p.name, p.is64 ? 64 : 32, e ? e->name : "unknown", i386 ? "i386" : "x86_64", number, a[0], a[1],
             a[2], a[3], a[4], a[5]);
    kprintln("  its user registers: rip {:#x} rsp {:#x} rflags {:#x} cs {:#x} ss {:#x} r14 {:#x} r15 {:#x}", f.rip,
             f.rsp, f.rflags, f.cs, f.ss, f.r14, f.r15);
}

uint32_t abi_gate(x86::entry::Gate gate) {
    switch (gate) {
    case x86::entry::Gate::Int80:
        return SYSGATE_GATE_INT80;
    case x86::entry::Gate::Sysenter:
        return SYSGATE_GATE_SYSENTER;
    case x86::entry::Gate::Syscall:
        return SYSGATE_GATE_SYSCALL;
    case x86::entry::Gate::Vsyscall:
        return SYSGATE_GATE_VSYSCALL;
    }
    return SYSGATE_GATE_INT80;
}

int64_t dispatch_legacy(x86::RegisterFrame& frame, uint32_t number) {
    const x86::entry::SystemCall call{
        x86::entry::Gate::Vsyscall, x86::entry::Abi::X86_64, number, {frame.rdi, frame.rsi, frame.rdx, 0, 0, 0}};
    return dispatch(frame, call);
}

void init(bool trace) {
    set_trace(trace);
    x86::entry::install({dispatch});
}

void set_trace(bool on) {
    sched::set_global_work(x86::work::TRACE, on);
}
bool trace_enabled() {
    return x86::this_cpu().work & x86::work::TRACE;
}
void set_cycle_accounting(bool on) {
    sched::set_global_work(x86::work::STATS, on);
}
bool cycle_accounting() {
    return x86::this_cpu().work & x86::work::STATS;
}
GateCounters counters() {
    GateCounters c;
    for (int g = 0; g < SYSGATE_GATES; g++) c.calls[g] = syscall_gate_calls[g], c.tsc_ticks[g] = gate_tsc_ticks[g];
    return c;
}
void reset_counters() {
    for (int g = 0; g < SYSGATE_GATES; g++) syscall_gate_calls[g] = gate_tsc_ticks[g] = 0;
}

} // namespace syscall
