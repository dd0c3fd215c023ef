#pragma once
// Sysgate's GDT layout and the selectors the fast gates derive from it.
//
// SYSENTER/SYSEXIT and SYSCALL/SYSRET do not read the GDT to pick their
// selectors: they add fixed offsets to one MSR value (SDM Vol. 2B SYSEXIT,
// SYSRET; Vol. 3A 5.8.7-5.8.8). The order below satisfies all of them at
// once, and every selector a program can see is Linux's
// (arch/x86/include/asm/segment.h), so programs that tell compatibility
// mode from 64-bit mode by CS, as Linux's selftests do, take the right path:
//
//   index selector  descriptor            used by
//   1     0x08      (unused)              Linux's __KERNEL32_CS; null here
//   2     0x10      kernel code, 64-bit   SYSENTER_CS; syscall CS (STAR[47:32])
//   3     0x18      kernel data           sysenter SS = CS+8; syscall SS = STAR[47:32]+8
//   4     0x23      user code, 32-bit     sysexit CS = CS+16; sysretl CS = STAR[63:48]
//   5     0x2b      user data             sysexit SS = CS+24; sysret SS = STAR[63:48]+8
//   6     0x33      user code, 64-bit     sysexitq CS = CS+32; sysretq CS = STAR[63:48]+16
//   7     0x3b      user data (again)     sysexitq SS = CS+40
//   8-9   0x40      TSS (16 bytes)
//   10-11 0x50      LDT (16 bytes): the running program's modify_ldt table
//   12-14 0x63..    i386 TLS slots for set_thread_area (Linux's GDT_ENTRY_TLS_MIN)
//   15    0x7b      (unused)              Linux's per-CPU entry for getcpu; null here
//
// sysretq takes SS from +8 and sysexitq from +40, on opposite sides of the
// 64-bit user code segment, hence the two identical user data descriptors.
#include "arch/x86/desc/descriptors.h"

namespace x86::gdt {

enum Index : unsigned {
    NULL_INDEX = 0,
    KERNEL_CODE = 2,
    KERNEL_DATA = 3,
    USER_CODE32 = 4,
    USER_DATA = 5,
    USER_CODE64 = 6,
    USER_DATA_SYSEXITQ = 7,
    TSS = 8, // two slots
    LDT = 10, // two slots
    TLS_FIRST = 12,
    TLS_COUNT = 3,
    ENTRY_COUNT = 16,
};

using desc::selector;
constexpr uint16_t KERNEL_CS = selector(KERNEL_CODE, 0);
constexpr uint16_t KERNEL_SS = selector(KERNEL_DATA, 0);
constexpr uint16_t USER_CS32 = selector(USER_CODE32, 3);
constexpr uint16_t USER_DS = selector(USER_DATA, 3);
constexpr uint16_t USER_CS64 = selector(USER_CODE64, 3);
constexpr uint16_t USER_SS_SYSEXITQ = selector(USER_DATA_SYSEXITQ, 3);
constexpr uint16_t TSS_SELECTOR = selector(TSS, 0);
constexpr uint16_t LDT_SELECTOR = selector(LDT, 0);

// What the CPU computes from the MSRs, written out so the layout can be
// checked against it (SDM Vol. 2B SYSENTER, SYSEXIT, SYSCALL, SYSRET).
constexpr uint16_t sysenter_ss(uint16_t sysenter_cs) {
    return uint16_t(sysenter_cs + 8);
}
constexpr uint16_t sysexit_cs(uint16_t sysenter_cs) {
    return uint16_t((sysenter_cs + 16) | 3);
}
constexpr uint16_t sysexit_ss(uint16_t sysenter_cs) {
    return uint16_t((sysenter_cs + 24) | 3);
}
constexpr uint16_t sysexitq_cs(uint16_t sysenter_cs) {
    return uint16_t((sysenter_cs + 32) | 3);
}
constexpr uint16_t sysexitq_ss(uint16_t sysenter_cs) {
    return uint16_t((sysenter_cs + 40) | 3);
}
constexpr uint16_t syscall_cs(uint64_t star) {
    return uint16_t(star >> 32 & 0xfffc);
}
constexpr uint16_t syscall_ss(uint64_t star) {
    return uint16_t((star >> 32) + 8);
}
constexpr uint16_t sysretl_cs(uint64_t star) {
    return uint16_t((star >> 48) | 3);
}
constexpr uint16_t sysret_ss(uint64_t star) {
    return uint16_t(((star >> 48) + 8) | 3);
}
constexpr uint16_t sysretq_cs(uint64_t star) {
    return uint16_t(((star >> 48) + 16) | 3);
}

constexpr uint16_t SYSENTER_CS_VALUE = KERNEL_CS;
// STAR[63:48] names the 32-bit user code segment; its RPL bits are ignored
// by the CPU, which forces RPL 3 itself.
constexpr uint64_t STAR_VALUE = uint64_t(USER_CS32 & ~3u) << 48 | uint64_t(KERNEL_CS) << 32;

static_assert(sysenter_ss(SYSENTER_CS_VALUE) == KERNEL_SS);
static_assert(sysexit_cs(SYSENTER_CS_VALUE) == USER_CS32);
static_assert(sysexit_ss(SYSENTER_CS_VALUE) == USER_DS);
static_assert(sysexitq_cs(SYSENTER_CS_VALUE) == USER_CS64);
static_assert(sysexitq_ss(SYSENTER_CS_VALUE) == USER_SS_SYSEXITQ);
static_assert(syscall_cs(STAR_VALUE) == KERNEL_CS);
static_assert(syscall_ss(STAR_VALUE) == KERNEL_SS);
static_assert(sysretl_cs(STAR_VALUE) == USER_CS32);
static_assert(sysret_ss(STAR_VALUE) == USER_DS);
static_assert(sysretq_cs(STAR_VALUE) == USER_CS64);

// The descriptors of the fixed slots, as the kernel installs them.
constexpr uint64_t fixed_descriptor(Index i) {
    switch (i) {
    case KERNEL_CODE:
        return desc::code64(0);
    case KERNEL_DATA:
        return desc::data(0);
    case USER_CODE32:
        return desc::code32(3);
    case USER_DATA:
        return desc::data(3);
    case USER_CODE64:
        return desc::code64(3);
    case USER_DATA_SYSEXITQ:
        return desc::data(3);
    default:
        return 0;
    }
}

} // namespace x86::gdt
