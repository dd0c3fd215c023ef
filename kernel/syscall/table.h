#pragma once
// The shape of the generated dispatch tables (scripts/gen-syscalls writes
// build/gen/kernel/syscall_table_{32,64}.cpp from the .tbl files).
#include <stddef.h>
#include <stdint.h>

#include "kernel/syscall/adapt.h"
#include "kernel/syscall/handler_slots.h"

namespace syscall {

// How strace=1 prints an argument.
enum class ArgKind : uint8_t { Signed, Unsigned, Pointer, String };

struct Entry {
    const char* name; // nullptr: the slot is not implemented
    Handler handler;
    uint8_t arg_count;
    ArgKind kinds[6];
};

template <typename T>
constexpr ArgKind arg_kind() {
    if constexpr (is_user_ptr<T>::value) {
        return std::is_same_v<T, UserPtr<const char>> ? ArgKind::String : ArgKind::Pointer;
    } else if constexpr (std::is_signed_v<T>) {
        return ArgKind::Signed;
    } else {
        return ArgKind::Unsigned;
    }
}

template <typename F>
struct Signature;
template <typename R, typename... P>
struct Signature<R (*)(P...)> {
    static constexpr uint8_t count = sizeof...(P);
    static constexpr Entry with(const char* name, Handler handler) {
        return {name, handler, count, {arg_kind<P>()...}};
    }
};

// One table slot for handler F, adapted to the registers of `abi`.
template <Abi abi, auto F>
constexpr Entry make_entry(const char* name) {
    return Signature<decltype(F)>::with(name, &Adapter<abi, F>::call);
}

int64_t not_implemented(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
constexpr Entry not_implemented_entry() {
    return {nullptr, &not_implemented, 0, {}};
}

// For handlers_i386_stack_arg6: calls that take six arguments read the
// sixth from the user stack; the others are the plain adapter.
template <auto F>
constexpr Handler stack_arg6_handler() {
    using A = Adapter<Abi::I386, F>;
    return A::arg_count == 6 ? &A::call_stack_arg6 : &A::call;
}

// Per ABI: the entries (names and argument kinds, for tracing), and the
// handlers alone, indexed by the entry stubs' fast paths. The i386 table
// has a second handler array for the gates that leave the sixth argument
// on the user stack (sysenter, compat syscall).
extern const Entry table_i386[];
extern const size_t table_i386_size;
extern const Entry table_x86_64[];
extern const size_t table_x86_64_size;
extern "C" const Handler syscall_handlers_i386[];
extern "C" const Handler syscall_handlers_i386_stack_arg6[];
extern "C" const Handler syscall_handlers_x86_64[];

} // namespace syscall
