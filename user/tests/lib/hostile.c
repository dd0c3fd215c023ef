#include "hostile.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <sysgate.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static char selected_words[128];
static const char* selected;

void hostile_select(int argc, char** argv) {
    size_t used = 0;
    for (int i = 1; i < argc; i++) {
        const size_t n = strlen(argv[i]);
        if (used + n + 2 > sizeof selected_words) break;
        if (used) selected_words[used++] = ' ';
        memcpy(selected_words + used, argv[i], n);
        used += n;
    }
    selected_words[used] = 0;
    selected = used ? selected_words : 0;
}

void hostile_run(const char* name, void (*fn)(void)) {
    if (!selected || strstr(name, selected)) test_run(name, fn);
}

/* Word indices into the sigcontext (Linux's struct sigcontext_64 and
 * sigcontext_32), which starts after uc_flags, uc_link and uc_stack. */
#if defined(__x86_64__)
typedef uint64_t greg;
#define MCONTEXT_OFFSET 40
static const int field_index[] = {[UC_IP] = 16,     [UC_SP] = 15,  [UC_FLAGS] = 17, [UC_AX] = 13,
                                  [UC_TRAPNO] = 20, [UC_ERR] = 19, [UC_CR2] = 22,   [UC_FPSTATE] = 23};
#else
typedef uint32_t greg;
#define MCONTEXT_OFFSET 20
static const int field_index[] = {[UC_IP] = 14,     [UC_SP] = 7,   [UC_FLAGS] = 16, [UC_AX] = 11,
                                  [UC_TRAPNO] = 12, [UC_ERR] = 13, [UC_CR2] = 21,   [UC_FPSTATE] = 19};
#endif

unsigned long uc_get(const void* uc, enum uc_field field) {
    return ((const greg*)((const char*)uc + MCONTEXT_OFFSET))[field_index[field]];
}

void uc_set(void* uc, enum uc_field field, unsigned long value) {
    ((greg*)((char*)uc + MCONTEXT_OFFSET))[field_index[field]] = (greg)value;
}

unsigned uc_ss(const void* uc) {
#if defined(__x86_64__)
    /* cs, gs, fs, ss: four 16-bit fields in word 18. */
    return ((const uint16_t*)((const char*)uc + MCONTEXT_OFFSET + 18 * 8))[3];
#else
    return ((const uint16_t*)((const char*)uc + MCONTEXT_OFFSET + 18 * 4))[0];
#endif
}

#define READ_SEGMENT(name, reg)                                                                                        \
    unsigned read_##name(void) {                                                                                       \
        unsigned v;                                                                                                    \
        __asm__ volatile("mov %%" #reg ", %0" : "=r"(v));                                                              \
        return v & 0xffff;                                                                                             \
    }
READ_SEGMENT(ss, ss)
READ_SEGMENT(ds, ds)
READ_SEGMENT(es, es)
READ_SEGMENT(fs, fs)
READ_SEGMENT(gs, gs)

static long tls_call(struct tls_desc* d) {
    /* SYS_set_thread_area: 243 on i386, 205 on x86_64 (both Sysgate and
     * Linux accept it from 64-bit code through int $0x80 too). */
    const long r = syscall(SYS_set_thread_area, d);
    return r < 0 ? -errno : 0;
}

void tls_describe(struct tls_desc* d, unsigned entry, enum tls_state state) {
    d->entry_number = entry;
    if (state == TLS_CLEARED) {
        /* Linux's LDT_empty(): base 0, limit 0, read_exec_only and
         * seg_not_present set: the slot is cleared. */
        d->base_addr = 0;
        d->limit = 0;
        d->flags = TLS_READ_EXEC_ONLY | TLS_NOT_PRESENT;
        return;
    }
    d->base_addr = 0;
    d->limit = 0xfffff;
    d->flags = TLS_SEG_32BIT | TLS_LIMIT_IN_PAGES | TLS_USEABLE | (state == TLS_ABSENT ? TLS_NOT_PRESENT : 0);
}

int tls_new_flat(void) {
    struct tls_desc d;
    tls_describe(&d, (unsigned)-1, TLS_PRESENT);
    const long r = tls_call(&d);
    return r < 0 ? (int)r : (int)d.entry_number;
}

int tls_absent_refused(unsigned entry) {
    const int r = tls_set_state(entry, TLS_ABSENT);
    if (r == 0) tls_set_state(entry, TLS_PRESENT);
    return r == -EINVAL;
}

int tls_set_state(unsigned entry, enum tls_state state) {
    struct tls_desc d;
    tls_describe(&d, entry, state);
    return (int)tls_call(&d);
}

long set_timer_hz(long hz) {
    long old = sysgate_ctl(SYSGATE_CTL_SET_TIMER_HZ, hz);
    /* Slower CPUs (Bochs) refuse the fastest rates: take the fastest
     * they sustain. */
    if (old < 0 && errno == EINVAL) old = sysgate_ctl(SYSGATE_CTL_SET_TIMER_HZ, SYSGATE_TIMER_HZ_FASTEST);
    return old;
}

long timer_hz(void) {
    struct sysgate_stats s;
    memset(&s, 0, sizeof s);
    return sysgate_stats(&s, sizeof s) < 0 ? -1 : (long)s.timer_hz;
}

void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&t, 0);
}

int looks_like_kernel_address(uint64_t a) {
    /* Sysgate's kernel regions (arch/x86/mm/layout.h), generously sized. */
    return (a >= 0xffff800000000000ull && a < 0xffff801000000000ull) || /* direct map, 64 GiB */
           (a >= 0xffffc00000000000ull && a < 0xffffc00040000000ull) || /* heap, 1 GiB */
           (a >= 0xffffc80000000000ull && a < 0xffffc81000000000ull) || /* kernel stacks */
           (a >= 0xffffffff80000000ull && a < 0xffffffffc0000000ull);   /* the kernel image */
}
