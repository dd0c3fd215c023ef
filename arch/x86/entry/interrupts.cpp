#include "arch/x86/entry/interrupts.h"

#include "arch/x86/cpu/percpu.h"
#include "arch/x86/desc/idt.h"

namespace x86::interrupts {
namespace {

Handler handlers[256];
Handler user_return_hook;
Handler unhandled_hook;

} // namespace

void set_handler(unsigned vector, Handler handler) {
    handlers[vector & 0xff] = handler;
}
void set_user_return_hook(Handler hook) {
    user_return_hook = hook;
}
void set_unhandled_hook(Handler hook) {
    unhandled_hook = hook;
}

void run_user_return_hook(RegisterFrame& frame) {
    if (user_return_hook) user_return_hook(frame);
}

} // namespace x86::interrupts

using namespace x86;

extern "C" char x86_iret_to_user[], x86_iret_from_interrupt[];

namespace {

// A #GP, #NP or #SS raised by one of the iretq instructions that return to
// user mode (vectors.asm): the frame iretq could not load is the user's.
bool faulting_return_to_user(const RegisterFrame& f) {
    const unsigned v = unsigned(f.entry);
    if (v != idt::GENERAL_PROTECTION && v != idt::SEGMENT_NOT_PRESENT && v != idt::STACK_FAULT) return false;
    return !from_user_mode(f) && (f.rip == reinterpret_cast<uint64_t>(x86_iret_to_user) ||
                                  f.rip == reinterpret_cast<uint64_t>(x86_iret_from_interrupt));
}

// The task's frame at the top of its kernel stack, where every entry from
// user mode (and the IST entries, moved there) keeps it.
RegisterFrame* task_frame() {
    return reinterpret_cast<RegisterFrame*>(this_cpu().kernel_stack_top - sizeof(RegisterFrame));
}

// Rewrites the fault of a failed iretq as the user-mode fault it stands
// for: the user's registers (restored just before the iretq, so they are
// what this fault saved), the error code, and the five words iretq could
// not load, which are the tail of the task frame already. The new frame
// overlaps the old one: everything is read before anything is written.
RegisterFrame* user_fault_from_failed_return(const RegisterFrame* fault) {
    RegisterFrame* user = task_frame();
    if (fault->rsp != reinterpret_cast<uint64_t>(&user->rip)) return nullptr;
    RegisterFrame copy = *fault;
    copy.rip = user->rip, copy.cs = user->cs, copy.rflags = user->rflags, copy.rsp = user->rsp, copy.ss = user->ss;
    *user = copy;
    return user;
}

} // namespace

// Called by interrupt_common (vectors.asm) with the kernel GS live;
// returns the frame to leave with: the one it was given, or the task frame
// that a failed return to user mode became.
extern "C" RegisterFrame* x86_interrupt_dispatch(RegisterFrame* frame) {
    if (faulting_return_to_user(*frame)) {
        if (RegisterFrame* user = user_fault_from_failed_return(frame)) frame = user;
    }
    const unsigned vector = unsigned(frame->entry);
    if (interrupts::handlers[vector]) {
        interrupts::handlers[vector](*frame);
    } else if (interrupts::unhandled_hook) {
        interrupts::unhandled_hook(*frame);
    }
    // NMI and #MC only report: scheduling from them would keep NMIs blocked
    // until some later iretq (SDM Vol. 3A 6.7.1).
    if (from_user_mode(*frame) && vector != idt::NMI && vector != idt::MACHINE_CHECK)
        interrupts::run_user_return_hook(*frame);
    return frame;
}
