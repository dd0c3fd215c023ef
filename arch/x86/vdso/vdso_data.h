#pragma once
// The vDSO data page: written by the kernel, mapped read-only into every
// process right below the vDSO code, read by __vdso_clock_gettime and
// friends without entering the kernel. Shared by the kernel and both vDSOs
// (compiled as C, 64- and 32-bit), so plain C types only.
#include <stdint.h>

struct vdso_data {
    uint32_t seq; // odd while the kernel is writing (a seqlock)
    uint32_t cpu; // getcpu(): Sysgate runs on one CPU
    uint64_t tsc_at_boot;
    uint64_t ns_mult;           // ns = ((tsc - tsc_at_boot) * ns_mult) >> 32
    int64_t realtime_offset_ns; // CLOCK_REALTIME - CLOCK_MONOTONIC
    uint64_t tsc_hz;
};

// (a * b) >> 32, modulo 2^64, from 32-bit halves: exactly what a 128-bit
// product would give (the dropped bits are those of al * bl's low half),
// with no 128-bit type, which i386 lacks. The 32-bit vDSO needs it.
static inline uint64_t vdso_mul_shr32(uint64_t a, uint64_t b) {
    const uint64_t al = (uint32_t)a, ah = a >> 32, bl = (uint32_t)b, bh = b >> 32;
    return ((al * bl) >> 32) + al * bh + ah * bl + ((ah * bh) << 32);
}

// The one conversion the kernel and both vDSOs use, so their clocks agree.
static inline uint64_t vdso_tsc_to_ns(const struct vdso_data* d, uint64_t tsc) {
    return vdso_mul_shr32(tsc - d->tsc_at_boot, d->ns_mult);
}
