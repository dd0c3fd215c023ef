#pragma once
// The stack a new program starts with (System V ABI, "Process
// Initialization"; Linux fs/binfmt_elf.c create_elf_tables):
//
//   high  [8 zero bytes] execfn, environment strings, argument strings,
//         platform string, 16 random bytes
//         (padding to 16)
//         AT_NULL, auxv pairs ... (a_type, a_val)
//         NULL, envp[envc-1] ... envp[0]
//         NULL, argv[argc-1] ... argv[0]
//   sp -> argc                                  (sp is 16-byte aligned)
//
// Words are 8 bytes for 64-bit programs and 4 for 32-bit ones. Pure: it
// lays the image out in a buffer; unit-tested on the host.
#include <stddef.h>
#include <stdint.h>

namespace exec {

namespace at {
enum : uint64_t {
    NULL_ = 0,
    PHDR = 3,
    PHENT = 4,
    PHNUM = 5,
    PAGESZ = 6,
    BASE = 7,
    FLAGS = 8,
    ENTRY = 9,
    UID = 11,
    EUID = 12,
    GID = 13,
    EGID = 14,
    PLATFORM = 15,
    HWCAP = 16,
    CLKTCK = 17,
    HWCAP2 = 26,
    SECURE = 23,
    RANDOM = 25,
    EXECFN = 31,
    SYSINFO = 32,
    SYSINFO_EHDR = 33,
    MINSIGSTKSZ = 51,
};
} // namespace at

struct AuxEntry {
    uint64_t type, value;
};

struct StackSpec {
    bool is64;
    uint64_t stack_top; // exclusive; 16-byte aligned
    const char* const* argv;
    size_t argc;
    const char* const* envp;
    size_t envc;
    const char* execfn;
    const char* platform;
    const uint8_t* random16;
    // Entries of type RANDOM, EXECFN and PLATFORM get their values (the
    // addresses of the strings above) filled in by the builder.
    const AuxEntry* aux;
    size_t aux_count;
};

// Writes the image into buf, which stands for the memory
// [stack_top - capacity, stack_top). Returns the initial stack pointer,
// or 0 if the image does not fit (the caller reports E2BIG).
uint64_t build_initial_stack(const StackSpec& spec, uint8_t* buf, size_t capacity);

} // namespace exec
