#pragma once
// Routing of interrupts and exceptions to the handlers the kernel registers.
#include "arch/x86/entry/frame.h"

namespace x86::interrupts {

using Handler = void (*)(RegisterFrame&);

void set_handler(unsigned vector, Handler handler);
// Called on every path back to user mode (interrupts, exceptions and
// system calls alike) with interrupts disabled: the place for signals and
// rescheduling. It may change the frame.
void set_user_return_hook(Handler hook);
void run_user_return_hook(RegisterFrame& frame);

// A vector nobody registered: the frame is dumped and the machine stops.
void set_unhandled_hook(Handler hook);

} // namespace x86::interrupts
