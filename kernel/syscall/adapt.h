#pragma once
// From six raw registers to a typed C++ call: the template that replaces
// Linux's SYSCALL_DEFINEn/__MAP macros.
//
// A handler is an ordinary function, e.g.
//     int64_t sys_write(int fd, UserPtr<const void> buf, size_t count);
// Adapter<Abi::I386, &sys_write>::call(args) converts each register to the
// parameter's type by the ABI's rules and calls it:
//   - i386 registers are 32 bits: signed parameters are sign-extended from
//     32 bits (so lseek(fd, -1, ...) stays -1), everything else, pointers
//     included, is zero-extended;
//   - x86_64 registers are used as they are (then narrowed to the type).
// A raw pointer parameter is a compile error: user memory is reached only
// through UserPtr (kernel/uaccess.h).
#include <stddef.h>
#include <stdint.h>

#include <type_traits>
#include <utility>

#include "kernel/uaccess.h"

namespace syscall {

enum class Abi : uint8_t { I386, X86_64 };

// A table slot: the six argument registers of the ABI, in order, already
// moved into the C calling convention's argument registers by the entry
// stub (arch/x86/entry/syscall.asm and friends), so the fast path copies
// nothing.
using Handler = int64_t (*)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

template <typename T>
struct is_user_ptr : std::false_type {};
template <typename T>
struct is_user_ptr<UserPtr<T>> : std::true_type {};

template <Abi abi, typename T>
T from_register(uint64_t value) {
    static_assert(!std::is_pointer_v<T>, "a system call takes user pointers as UserPtr<T>, never as T*");
    if constexpr (is_user_ptr<T>::value) {
        return T(abi == Abi::I386 ? uint64_t(uint32_t(value)) : value);
    } else if constexpr (std::is_enum_v<T>) {
        return T(from_register<abi, std::underlying_type_t<T>>(value));
    } else {
        static_assert(std::is_integral_v<T>, "system-call parameters are integers, enums or UserPtr");
        if constexpr (abi == Abi::I386) {
            if constexpr (std::is_signed_v<T>)
                return T(int32_t(uint32_t(value)));
            else
                return T(uint32_t(value));
        } else {
            return T(value);
        }
    }
}

template <Abi abi, auto F>
struct Adapter;

// The sixth i386 argument of a call made through sysenter or a compat-mode
// syscall: ebp is the vDSO's (it carries the user stack pointer, or the
// second argument), so the vDSO left the caller's ebp on the user stack,
// where the frame's rsp points. Read through the copy helper: a bogus
// stack gives -EFAULT, never a kernel fault (kernel/syscall/dispatch.cpp).
bool sixth_argument_from_user_stack(uint64_t& out);

template <Abi abi, typename R, typename... P, R (*F)(P...)>
struct Adapter<abi, F> {
    static_assert(sizeof...(P) <= 6, "system calls take at most six arguments");
    static_assert(std::is_integral_v<R>, "a handler returns an integer (a result or -errno)");
    static constexpr size_t arg_count = sizeof...(P);

    static int64_t call(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5) {
        const uint64_t args[6] = {a0, a1, a2, a3, a4, a5};
        return invoke(args, std::index_sequence_for<P...>{});
    }
    // The same with the sixth argument from the user stack (i386 sysenter
    // and compat syscall, for the few calls that take six).
    static int64_t call_stack_arg6(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t) {
        uint64_t a5;
        if (!sixth_argument_from_user_stack(a5)) return -14; // -EFAULT
        return call(a0, a1, a2, a3, a4, a5);
    }

  private:
    template <size_t... I>
    static int64_t invoke(const uint64_t (&args)[6], std::index_sequence<I...>) {
        return int64_t(F(from_register<abi, P>(args[I])...));
    }
};

} // namespace syscall
