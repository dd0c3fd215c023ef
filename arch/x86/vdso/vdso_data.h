#pragma once
// The vDSO data page: written by the kernel, mapped read-only into every
// process right below the vDSO code, read by __vdso_clock_gettime and
// friends without entering the kernel. Shared by the kernel and the 64-bit
// vDSO (compiled as C), so plain C types only.
#include <stdint.h>

struct vdso_data {
    uint32_t seq; // odd while the kernel is writing (a seqlock)
    uint32_t cpu; // getcpu(): Sysgate runs on one CPU
    uint64_t tsc_at_boot;
    uint64_t ns_mult;           // ns = ((tsc - tsc_at_boot) * ns_mult) >> 32
    int64_t realtime_offset_ns; // CLOCK_REALTIME - CLOCK_MONOTONIC
    uint64_t tsc_hz;
};

// The one conversion both the kernel and the vDSO use, so their clocks agree.
static inline uint64_t vdso_tsc_to_ns(const struct vdso_data* d, uint64_t tsc) {
    const unsigned __int128 product = (unsigned __int128)(tsc - d->tsc_at_boot) * d->ns_mult;
    return (uint64_t)(product >> 32);
}
