#pragma once
// In-kernel self-tests (boot option selftest=1) and deliberate faults
// (crash=KIND), run by the boot harness on every emulator row.

namespace selftest {

bool run_all(); // prints one line per test and a summary; true if all passed
[[noreturn]] void crash(const char* kind);

} // namespace selftest
