#pragma once
#include <stdint.h>

// Prints the chain of saved frame pointers starting at `rbp` (the kernel
// is built with -fno-omit-frame-pointer), one line per return address,
// with symbol names from the table linked into the image.
void print_backtrace(uint64_t rbp);

// "name+0xoff" for a kernel text address, or nullptr if unknown.
const char* symbolize(uint64_t address, uint64_t& offset);
