#include "kernel/uaccess.h"

#include "arch/x86/mm/layout.h"
#include "arch/x86/mm/usercopy.h"
#include "kernel/proc/process.h"

uint64_t user_address_limit() {
    const Process* p = current_process();
    if (p && !p->is64) return 1ull << 32;
    return x86::mm::USER_TOP;
}

bool user_range_ok(uint64_t address, uint64_t size) {
    const uint64_t limit = user_address_limit();
    return size <= limit && address <= limit - size;
}

int copy_from_user(void* dst, UserPtr<const void> src, size_t size) {
    uint64_t left = size;
    if (user_range_ok(src.address(), size))
        left = x86_copy_user(dst, reinterpret_cast<const void*>(src.address()), size);
    if (left) {
        __builtin_memset(static_cast<char*>(dst) + (size - left), 0, left);
        return -err::EFAULT;
    }
    return 0;
}

int copy_to_user(UserPtr<void> dst, const void* src, size_t size) {
    if (!user_range_ok(dst.address(), size)) return -err::EFAULT;
    return x86_copy_user(reinterpret_cast<void*>(dst.address()), src, size) ? -err::EFAULT : 0;
}

int clear_user(UserPtr<void> dst, size_t size) {
    if (!user_range_ok(dst.address(), size)) return -err::EFAULT;
    return x86_zero_user(reinterpret_cast<void*>(dst.address()), size) ? -err::EFAULT : 0;
}

long copy_string_from_user(char* dst, size_t capacity, UserPtr<const char> src) {
    if (!capacity) return -err::ENAMETOOLONG;
    // Only the part of the string that lies in user space may be read.
    const uint64_t limit = user_address_limit();
    if (src.address() >= limit) return -err::EFAULT;
    uint64_t max = capacity;
    if (max > limit - src.address()) max = limit - src.address();
    const int64_t n = x86_strncpy_user(dst, reinterpret_cast<const char*>(src.address()), max);
    if (n < 0) return -err::EFAULT;
    if (uint64_t(n) == max) {
        dst[capacity - 1] = 0;
        return max < capacity ? -err::EFAULT : -err::ENAMETOOLONG; // ran into the end of user space
    }
    return n;
}
