#include "kernel/vdso_choice.h"
#include "kernel/strings.h"

namespace vdso {
namespace {

using x86::Vendor;
using x86::entry::Gate;

// sysenter in compatibility mode: Intel (and others with a working SEP),
// never AMD, whose CPUs raise #UD for it once long mode is on.
bool sysenter_works_in_compat(const x86::CpuInfo& c) {
    return c.sysenter_usable && c.vendor != Vendor::Amd;
}
// syscall in compatibility mode: AMD only; Intel raises #UD.
bool syscall_works_in_compat(const x86::CpuInfo& c) {
    return c.syscall && c.vendor == Vendor::Amd;
}

const char* why_no_sysenter(const x86::CpuInfo& c) {
    if (c.vendor == Vendor::Amd) return "AMD CPUs raise #UD for sysenter in compatibility mode";
    if (c.sep) return "CPUID reports SEP but this is an early P6 (family 6, model < 3, stepping < 3)";
    return "CPUID.1:EDX.SEP is clear";
}

} // namespace

bool parse_option(const char* text, Option& out) {
    if (!text || same_string(text, "auto"))
        out = Option::Auto;
    else if (same_string(text, "int80"))
        out = Option::Int80;
    else if (same_string(text, "sysenter"))
        out = Option::Sysenter;
    else if (same_string(text, "syscall"))
        out = Option::Syscall;
    else
        return false;
    return true;
}

GateChoice choose_gates(const x86::CpuInfo& c, Option option) {
    GateChoice g{Gate::Int80, Gate::Syscall, "", "syscall is the native 64-bit gate", false};
    switch (option) {
    case Option::Auto:
        if (syscall_works_in_compat(c)) {
            g.gate32 = Gate::Syscall;
            g.why32 = "auto: AMD CPU, syscall works in compatibility mode";
        } else if (c.sysenter_usable) {
            g.gate32 = Gate::Sysenter;
            g.why32 = "auto: CPUID.1:EDX.SEP is set";
        } else {
            g.why32 = c.sep ? "auto: SEP reported by an early P6 (family 6, model < 3, stepping < 3): unusable"
                            : "auto: CPUID.1:EDX.SEP is clear";
        }
        break;
    case Option::Int80:
        g.why32 = "forced by vsyscall=int80";
        g.why64 = "vsyscall=int80 applies to 32-bit programs; int $0x80 takes i386 numbers, so the "
                  "64-bit page keeps syscall";
        break;
    case Option::Sysenter:
        if (sysenter_works_in_compat(c)) {
            g.gate32 = Gate::Sysenter;
            g.why32 = "forced by vsyscall=sysenter";
        } else {
            g.forced_fell_back = true;
            g.why32 = why_no_sysenter(c);
        }
        if (c.vendor == Vendor::Intel && c.sep) {
            g.gate64 = Gate::Sysenter;
            g.why64 = "forced by vsyscall=sysenter (a Sysgate extension: Intel CPUs allow it in 64-bit mode)";
        } else {
            g.why64 = "vsyscall=sysenter: only Intel CPUs run sysenter in 64-bit mode, so syscall";
        }
        break;
    case Option::Syscall:
        if (syscall_works_in_compat(c)) {
            g.gate32 = Gate::Syscall;
            g.why32 = "forced by vsyscall=syscall";
        } else {
            g.forced_fell_back = true;
            g.why32 = c.syscall ? "Intel CPUs raise #UD for syscall in compatibility mode"
                                : "CPUID.80000001H:EDX.SYSCALL is clear";
        }
        g.why64 = "forced by vsyscall=syscall";
        break;
    }
    return g;
}

} // namespace vdso
