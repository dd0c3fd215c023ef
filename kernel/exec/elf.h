#pragma once
// Reading static ELF executables (ELF32 i386 and ELF64 x86_64) and the
// dynamic symbols of a shared object (the vDSO). Pure and bounds-checked,
// unit-tested on the host: a malformed file gives a reason, never a read
// outside the buffer.
#include <stddef.h>
#include <stdint.h>

namespace elf {

constexpr size_t MAX_SEGMENTS = 16;

struct Segment {
    uint64_t vaddr, memsz;   // where it goes
    uint64_t offset, filesz; // what of the file fills it (the rest is zero)
    uint32_t prot;           // mm::PROT_READ | PROT_WRITE | PROT_EXEC
};

struct Executable {
    bool is64;
    uint64_t entry;
    uint64_t phdr_address; // the program headers as mapped (AT_PHDR), 0 if not loaded
    uint16_t phent, phnum;
    Segment segments[MAX_SEGMENTS];
    size_t segment_count;
    uint64_t end; // highest address of any segment: the program break starts above it
};

// Checks and describes an executable. `user_limit` is the first address
// the program may not use (4 GiB for 32-bit programs). Returns nullptr on
// success or the reason it is not runnable.
const char* parse_executable(const uint8_t* data, size_t size, uint64_t user_limit_64, Executable& out);

// The value of a defined dynamic symbol in a shared object image, relative
// to its first loadable segment (add the load address). false if absent.
bool find_dynamic_symbol(const uint8_t* image, size_t size, const char* name, uint64_t& value);

} // namespace elf
