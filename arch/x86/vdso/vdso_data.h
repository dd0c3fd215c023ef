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
// with no 128-bit type, which i386 lacks: the 32-bit vDSO's.
// A 32x32-bit product in 64 bits: one mull on i386 (where GCC would build
// it from several multiplications).
static inline uint64_t vdso_mul_u32(uint32_t a, uint32_t b) {
#ifdef __i386__
    uint64_t r;
    __asm__("mull %2" : "=A"(r) : "a"(a), "rm"(b) : "cc");
    return r;
#else
    return (uint64_t)a * b;
#endif
}

// The multiplier fits 32 bits for any TSC of 1 GHz or more: then two of the
// four partial products are zero and are skipped.
static inline uint64_t vdso_mul_shr32(uint64_t a, uint64_t b) {
    const uint32_t al = (uint32_t)a, ah = (uint32_t)(a >> 32), bl = (uint32_t)b, bh = (uint32_t)(b >> 32);
    uint64_t r = (vdso_mul_u32(al, bl) >> 32) + vdso_mul_u32(ah, bl);
    if (bh) r += vdso_mul_u32(al, bh) + ((uint64_t)(ah * bh) << 32);
    return r;
}

// The one conversion the kernel and both vDSOs use, so their clocks agree:
// one 64x64-bit multiplication where the compiler has a 128-bit type
// (x86_64), vdso_mul_shr32 where it does not (i386); the same result.
static inline uint64_t vdso_tsc_to_ns(const struct vdso_data* d, uint64_t tsc) {
#ifdef __SIZEOF_INT128__
    return (uint64_t)((unsigned __int128)(tsc - d->tsc_at_boot) * d->ns_mult >> 32);
#else
    return vdso_mul_shr32(tsc - d->tsc_at_boot, d->ns_mult);
#endif
}
