#pragma once
// Reaching user memory from the kernel.
//
// A UserPtr<T> is an address in the calling process's address space. It
// has no operator*, no operator-> and no conversion to T*: the only way
// to read or write through it is copy_from_user / copy_to_user below,
// which check the whole range first (overflow-safe) and recover from
// faults through the exception table (arch/x86/mm/usercopy.asm). So a
// handler that tries to dereference a user pointer does not compile.
#include <stddef.h>
#include <stdint.h>

#include <type_traits>

#include "kernel/errno.h"

template <typename T>
class UserPtr {
  public:
    constexpr UserPtr() = default;
    constexpr explicit UserPtr(uint64_t address) : address_(address) {}
    // The conversions T* allows: adding const, and to (const) void.
    template <typename U>
    requires(!std::is_same_v<U, T> && std::is_convertible_v<U*, T*>) constexpr UserPtr(UserPtr<U> other)
        : address_(other.address()) {}

    constexpr uint64_t address() const { return address_; }
    constexpr bool is_null() const { return address_ == 0; }
    // Element arithmetic, for arrays in user memory (argv, iovec).
    constexpr UserPtr operator+(size_t n) const {
        if constexpr (std::is_void_v<T>)
            return UserPtr(address_ + n);
        else
            return UserPtr(address_ + n * sizeof(T));
    }

  private:
    uint64_t address_ = 0;
};

// The highest address (exclusive) the current process may name: 4 GiB
// for a 32-bit process, the top of user space (minus the guard page) for
// a 64-bit one.
uint64_t user_address_limit();

// True if [address, address + size) lies in user space (overflow-safe).
bool user_range_ok(uint64_t address, uint64_t size);

// 0 or -EFAULT. A failed copy_from_user zeroes the rest of `dst` so no
// stale kernel data survives in the buffer.
int copy_from_user(void* dst, UserPtr<const void> src, size_t size);
int copy_to_user(UserPtr<void> dst, const void* src, size_t size);
int clear_user(UserPtr<void> dst, size_t size);

// Copies a NUL-terminated string of at most `capacity - 1` bytes.
// Returns its length, -EFAULT, or -ENAMETOOLONG.
long copy_string_from_user(char* dst, size_t capacity, UserPtr<const char> src);

template <typename T>
int read_user(T& out, UserPtr<const T> src) {
    return copy_from_user(&out, src, sizeof(T));
}
template <typename T>
int read_user(T& out, UserPtr<T> src) {
    return copy_from_user(&out, UserPtr<const T>(src), sizeof(T));
}
template <typename T>
int write_user(UserPtr<T> dst, const T& value) {
    return copy_to_user(dst, &value, sizeof(T));
}
