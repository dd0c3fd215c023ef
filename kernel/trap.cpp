#include "kernel/trap.h"

#include "arch/x86/cpu/cpu.h"
#include "arch/x86/cpu/percpu.h"
#include "arch/x86/desc/idt.h"
#include "arch/x86/dev/pic.h"
#include "arch/x86/entry/entry.h"
#include "arch/x86/entry/interrupts.h"
#include "arch/x86/mm/layout.h"
#include "arch/x86/mm/usercopy.h"
#include "kernel/backtrace.h"
#include "kernel/console.h"
#include "kernel/mm/memory.h"
#include "kernel/proc/process.h"
#include "kernel/shutdown.h"
#include "kernel/syscall/dispatch.h"

namespace trap {

unsigned kernel_breakpoints;
uint64_t spurious_irqs;

namespace {

UserFaultHandler user_fault_handler;

void print_symbol(const char* label, uint64_t address) {
    uint64_t offset = 0;
    const char* name = symbolize(address, offset);
    if (name)
        kprintln("  {} {:#018x} <{}+{:#x}>", label, address, name, offset);
    else
        kprintln("  {} {:#018x}", label, address);
}

[[noreturn]] void kernel_fault(x86::RegisterFrame& f) {
    x86::disable_interrupts();
    kprintln("");
    kprintln("KERNEL FAULT: {} (vector {}) in kernel mode", x86::idt::exception_name(unsigned(f.entry)), f.entry);
    dump_frame(f);
    if (f.entry == x86::idt::DOUBLE_FAULT && mm::is_stack_guard(f.rsp))
        kprintln("  rsp is in the guard page below a kernel stack: kernel stack overflow");
    if (f.entry == x86::idt::PAGE_FAULT && mm::is_stack_guard(x86::read_cr2()))
        kprintln("  the address is in the guard page below a kernel stack: kernel stack overflow");
    print_backtrace(f.rbp); // the callers of the faulting function
    // Which program was in the kernel, and through which call: for a fault a
    // program provoked, that call is the reproduction (a fuzz worker also
    // keeps its seed in r14 and the call's index in r15: see user/bin/fuzz).
    if (const Process* p = current_process(); p && !p->is_idle)
        syscall::print_current_call(*p);
    else
        kprintln("  no process: the idle task (a switch to another process, or an interrupt)");
    shutdown(status::KERNEL_FAULT);
}

void on_exception(x86::RegisterFrame& f) {
    const unsigned vector = unsigned(f.entry);
    if (vector == x86::idt::DEBUG && x86::from_user_mode(f)) ptrace::on_user_debug(f); // DR6 for the tracer
    if (x86::from_user_mode(f)) {
        if (user_fault_handler) return user_fault_handler(f);
        kprintln("user-mode {} with no process layer", x86::idt::exception_name(vector));
        kernel_fault(f);
    }
    switch (vector) {
    case x86::idt::PAGE_FAULT: {
        // The kernel touching user memory a program may use but has not
        // touched yet (copy_to_user into a fresh stack page, say).
        const uint64_t address = x86::read_cr2();
        Process* p = current_process();
        if (address < x86::mm::USER_TOP && p && p->mm && !(f.error_code & 16) &&
            p->mm->handle_fault(address, f.error_code & 2, false))
            return;
    }
        [[fallthrough]];
    case x86::idt::GENERAL_PROTECTION:
    case x86::idt::SEGMENT_NOT_PRESENT:
    case x86::idt::STACK_FAULT:
        // A user-copy routine touching a bad address, or a program's
        // selector that no longer loads (segments.asm): resume at its fixup.
        if (const uint64_t fixup = x86::exception_fixup(f.rip)) {
            f.rip = fixup;
            return;
        }
        break;
    case x86::idt::BREAKPOINT:
        kernel_breakpoints++;
        kprintln("[trap] breakpoint at {:#x}, resuming", f.rip);
        return; // RIP already points past int3
    case x86::idt::DEBUG:
        // A user's watchpoint hit by the kernel (kernel/proc/ptrace.cpp).
        if (ptrace::on_kernel_debug(f)) return;
        // A user's TF can reach the first instructions of a fast gate's
        // stub, in ring 0 (see classify_entry_step). Absorb the trap; for
        // sysenter the stub puts TF back into the user's saved flags
        // (docs/gates.md, entry flags).
        switch (x86::entry::classify_entry_step(f.rip)) {
        case x86::entry::EntryStep::Sysenter:
            f.rflags &= ~x86::rflags::TF;
            x86::this_cpu().work |= x86::work::STEP; // an entry work bit: the stub takes the slow path
            return;
        case x86::entry::EntryStep::Syscall:
            f.rflags &= ~x86::rflags::TF;
            return;
        case x86::entry::EntryStep::None:
            break;
        }
        break;
    case x86::idt::NMI: {
        static RateLimit messages("[trap]");
        if (messages.allow()) kprintln("[trap] NMI at {:#x}", f.rip);
        return;
    }
    default:
        break;
    }
    kernel_fault(f);
}

void on_unhandled(x86::RegisterFrame& f) {
    static RateLimit messages("[trap]");
    if (messages.allow()) kprintln("[trap] unexpected interrupt vector {} at {:#x}", f.entry, f.rip);
}

// IRQ 7 and 15 are also what the 8259A raises when a request went away
// before it was acknowledged; its in-service register tells a real one
// from that (Intel 8259A datasheet, "spurious interrupt"). A spurious one
// is counted, never acknowledged (IRQ 15's master half excepted) and never
// printed: Bochs raises thousands under load.
void on_irq7_or_15(x86::RegisterFrame& f) {
    const unsigned irq = unsigned(f.entry) - x86::idt::IRQ_BASE;
    if (x86::pic::is_spurious(irq)) {
        spurious_irqs++;
        return;
    }
    x86::pic::end_of_interrupt(irq); // nothing is attached to these lines
    on_unhandled(f);
}

} // namespace

void dump_frame(const x86::RegisterFrame& f) {
    if (f.entry == x86::idt::PAGE_FAULT) {
        const uint64_t e = f.error_code;
        kprintln("  cr2 {:#018x}  error {:#x} ({}, {}, {} mode{}{})", x86::read_cr2(), e,
                 e & 1 ? "protection violation" : "page not present", e & 2 ? "write" : "read",
                 e & 4 ? "user" : "kernel", e & 16 ? ", instruction fetch" : "", e & 8 ? ", reserved bit" : "");
    } else {
        kprintln("  error code {:#x}", f.error_code);
    }
    print_symbol("rip", f.rip);
    kprintln("  cs  {:#06x}  rflags {:#010x}  rsp {:#018x}  ss {:#06x}", f.cs, f.rflags, f.rsp, f.ss);
    kprintln("  rax {:#018x}  rbx {:#018x}  rcx {:#018x}", f.rax, f.rbx, f.rcx);
    kprintln("  rdx {:#018x}  rsi {:#018x}  rdi {:#018x}", f.rdx, f.rsi, f.rdi);
    kprintln("  rbp {:#018x}  r8  {:#018x}  r9  {:#018x}", f.rbp, f.r8, f.r9);
    kprintln("  r10 {:#018x}  r11 {:#018x}  r12 {:#018x}", f.r10, f.r11, f.r12);
    kprintln("  r13 {:#018x}  r14 {:#018x}  r15 {:#018x}", f.r13, f.r14, f.r15);
    kprintln("  cr0 {:#010x}  cr3 {:#018x}  cr4 {:#010x}", x86::read_cr0(), x86::read_cr3(), x86::read_cr4());
}

void set_user_fault_handler(UserFaultHandler handler) {
    user_fault_handler = handler;
}

void init() {
    for (unsigned v = 0; v < 32; v++) x86::interrupts::set_handler(v, on_exception);
    x86::interrupts::set_handler(x86::idt::IRQ_BASE + 7, on_irq7_or_15);
    x86::interrupts::set_handler(x86::idt::IRQ_BASE + 15, on_irq7_or_15);
    x86::interrupts::set_unhandled_hook(on_unhandled);
}

} // namespace trap
