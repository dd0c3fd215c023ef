#pragma once
// What sys_segments.cpp offers the trap handling besides its system calls.
#include "arch/x86/entry/frame.h"

namespace segments {

// A #GP from user mode: if it is a cli or sti of a task with iopl(3),
// step over it (Linux 6.1) and return true.
bool skip_cli_sti(x86::RegisterFrame& frame);

} // namespace segments
