#pragma once
// execve: replacing a process's program with an ELF file from the tree.
#include <stddef.h>
#include <stdint.h>

#include "kernel/uaccess.h"

struct Process;

namespace proc {

// Argument and environment strings, copied into the kernel before the old
// program is torn down.
struct ArgVector {
    static constexpr size_t MAX_STRINGS = 256, MAX_BYTES = 64 * 1024; // beyond: E2BIG
    char* text = nullptr;
    size_t used = 0;
    const char* strings[MAX_STRINGS + 1] = {};
    size_t count = 0;

    ArgVector();
    ~ArgVector();
    ArgVector(const ArgVector&) = delete;
    ArgVector& operator=(const ArgVector&) = delete;

    long add(const char* s);
    // Reads a NULL-terminated array of user pointers (8 or 4 bytes each).
    long add_from_user(uint64_t array, bool pointers_are_64bit);
};

// Loads `path` into process p (which need not be running yet): a new
// address space, the vDSO, the initial stack, a fresh register frame.
// On failure the process is untouched and the result is -errno.
long exec(Process* p, const char* path, const ArgVector& argv, const ArgVector& envp);

} // namespace proc
