#pragma once
// The legacy vsyscall page: before the vDSO, 64-bit Linux programs called
// gettimeofday, time and getcpu at fixed addresses in a page the kernel
// mapped at 0xffffffffff600000 in every process. A fixed executable page
// was a gift to exploits, so Linux (since 3.1, "vsyscall emulation") makes
// its code unexecutable and emulates the three calls when their fetch
// faults; 6.1's default even leaves the page unreadable. Sysgate does the
// same, with Linux's three modes (boot option vsyscall=):
//   xonly    (default) the page is not mapped: a call to one of the three
//            entries is emulated, a read faults
//   emulate  the page is mapped read-only and not executable, holding the
//            historical code; calls are emulated as for xonly
//   none     no page: every access is a SIGSEGV
// An emulated call is traced by strace=1 and counted as its own gate
// ("vsyscall"). 32-bit programs have no such page.
#include <stdint.h>

#include "arch/x86/entry/frame.h"

namespace vsyscall_page {

constexpr uint64_t ADDRESS = 0xffffffffff600000;
enum class Mode { XOnly, Emulate, None };

// Maps the page for `mode`; call once, before the first process.
void init(Mode mode);
Mode mode();
const char* mode_name(Mode mode);

// A user page fault at `address` (error code as the CPU gave it): true if
// it was a call into the page, now emulated (frame updated: result in rax,
// the return address popped); false if it is a fault like any other.
bool handle_fault(x86::RegisterFrame& frame, uint64_t address);

} // namespace vsyscall_page
