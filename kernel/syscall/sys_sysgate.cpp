// Sysgate's own calls: what the gates have done, and a few knobs for tests.
#include "arch/x86/cpu/percpu.h"
#include "arch/x86/dev/pit.h"
#include "kernel/boot.h"
#include "kernel/errno.h"
#include "kernel/mm/memory.h"
#include "kernel/proc/process.h"
#include "kernel/proc/sched.h"
#include "kernel/syscall/dispatch.h"
#include "kernel/syscall/handlers.h"
#include "kernel/time.h"
#include "kernel/trap.h"
#include "kernel/vdso.h"
#include "kernel/vsyscall_page.h"

int64_t sys_sysgate_stats(UserPtr<void> buf, size_t size) {
    sysgate_stats s{};
    const syscall::GateCounters& c = syscall::counters();
    for (int g = 0; g < SYSGATE_GATES; g++) {
        s.calls[g] = c.calls[g];
        s.tsc_ticks[g] = c.tsc_ticks[g];
    }
    s.tsc_hz = ktime::tsc_hz();
    s.free_frames = mm::free_frames();
    s.total_frames = mm::total_frames();
    s.heap_bytes = mm::heap_in_use();
    s.gs_window_hits = x86::this_cpu().gs_window_hits;
    s.context_switches = sched::context_switches();
    s.processes = uint64_t(proc::count());
    s.processes_created = proc::processes_created();
    s.vdso_gate32 = syscall::abi_gate(vdso::gate32());
    s.vdso_gate64 = syscall::abi_gate(vdso::gate64());
    s.timer_hz = ktime::timer_hz();
    s.cpu_vendor = boot_cpu().vendor == x86::Vendor::Intel ? SYSGATE_VENDOR_INTEL
                   : boot_cpu().vendor == x86::Vendor::Amd ? SYSGATE_VENDOR_AMD
                                                           : SYSGATE_VENDOR_OTHER;
    s.spurious_irqs = trap::spurious_irqs;
    s.cycle_accounting = syscall::cycle_accounting();
    s.vsyscall_page = vsyscall_page::mode() == vsyscall_page::Mode::Emulate ? SYSGATE_VSYSCALL_EMULATE
                      : vsyscall_page::mode() == vsyscall_page::Mode::None  ? SYSGATE_VSYSCALL_NONE
                                                                            : SYSGATE_VSYSCALL_XONLY;
    if (copy_to_user(buf, &s, size < sizeof(s) ? size : sizeof(s))) return -err::EFAULT;
    return sizeof(s);
}

int64_t sys_sysgate_ctl(int op, int64_t arg) {
    switch (op) {
    case SYSGATE_CTL_SET_TIMER_HZ: {
        // A timer so fast that its handler leaves no time for anything else
        // would stop the machine: a period keeps 3000 TSC ticks (on Bochs,
        // where the TSC counts instructions at 4 MHz, that is 1333 Hz).
        int64_t fastest = int64_t(ktime::tsc_hz() / 3000);
        if (fastest > 20000) fastest = 20000;
        if (fastest < 18) fastest = 18;
        if (arg == SYSGATE_TIMER_HZ_FASTEST) arg = fastest;
        if (arg < 18 || arg > fastest) return -err::EINVAL;
        const int64_t old = ktime::timer_hz();
        ktime::set_timer_hz(unsigned(arg));
        return old;
    }
    case SYSGATE_CTL_RESET_STATS:
        syscall::reset_counters();
        x86::this_cpu().gs_window_hits = 0;
        return 0;
    case SYSGATE_CTL_POISON_STACK: {
        if (arg < 0 || arg > 255) return -err::EINVAL;
        Process* p = current_process();
        const int64_t old = p->stack_poison;
        p->stack_poison = uint8_t(arg);
        if (arg)
            sched::set_work(p, x86::work::POISON);
        else
            sched::clear_work(x86::work::POISON);
        return old;
    }
    case SYSGATE_CTL_STRACE: {
        const bool old = syscall::trace_enabled();
        syscall::set_trace(arg != 0);
        return old;
    }
    case SYSGATE_CTL_CYCLE_ACCOUNTING: {
        const bool old = syscall::cycle_accounting();
        syscall::set_cycle_accounting(arg != 0);
        return old;
    }
    default:
        return -err::EINVAL;
    }
}

int64_t sys_sysgate_procs(UserPtr<void> buf, size_t count) {
    size_t n = 0;
    for (const Process* p = proc::first(); p; p = p->next_in_table, n++) {
        if (n >= count) continue;
        sysgate_proc out{};
        out.pid = p->pid;
        const Process* parent = p->group ? p->group->leader->parent : nullptr;
        out.ppid = parent ? parent->tgid : 0;
        out.state = p->state == ProcessState::Zombie ? 'Z' : p->state == ProcessState::Sleeping ? 'S' : 'R';
        out.bits = p->is64 ? 64 : 32;
        out.gate = last_gate_of(*p);
        __builtin_memcpy(out.name, p->name, sizeof(out.name));
        if (copy_to_user(buf + n * sizeof(out), &out, sizeof(out))) return -err::EFAULT;
    }
    return int64_t(n);
}
