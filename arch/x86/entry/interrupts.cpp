#include "arch/x86/entry/interrupts.h"

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

// Called by interrupt_common (vectors.asm) with the kernel GS live.
extern "C" void x86_interrupt_dispatch(RegisterFrame* frame) {
    const unsigned vector = unsigned(frame->entry);
    if (interrupts::handlers[vector]) {
        interrupts::handlers[vector](*frame);
    } else if (interrupts::unhandled_hook) {
        interrupts::unhandled_hook(*frame);
    }
    if (from_user_mode(*frame)) interrupts::run_user_return_hook(*frame);
}
