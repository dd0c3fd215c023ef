/* Helpers for the hostile-user tests (user/tests/hostile_*.c): reading and
 * changing the ucontext a handler receives, the i386 TLS descriptors of
 * set_thread_area, segment registers, the timer rate. */
#ifndef SYSGATE_TEST_HOSTILE_H
#define SYSGATE_TEST_HOSTILE_H

#include <stdint.h>

/* test_run() for the cases whose name contains the program's arguments
 * (joined by spaces; all cases without any): `init=/test/hostile_iret
 * rt_sigreturn` boots straight into one case while debugging. */
void hostile_select(int argc, char** argv);
void hostile_run(const char* name, void (*fn)(void));

/* ---- the ucontext of an SA_SIGINFO handler (Linux's layouts:
 * arch/x86/include/uapi/asm/sigcontext.h, struct sigcontext_64 and
 * sigcontext_32, after uc_flags, uc_link and uc_stack). */
enum uc_field { UC_IP, UC_SP, UC_FLAGS, UC_AX, UC_TRAPNO, UC_ERR, UC_CR2, UC_FPSTATE };
unsigned long uc_get(const void* uc, enum uc_field field);
void uc_set(void* uc, enum uc_field field, unsigned long value);
/* The SS selector saved in the ucontext. */
unsigned uc_ss(const void* uc);

/* ---- segment registers */
unsigned read_ss(void);
unsigned read_ds(void);
unsigned read_es(void);
unsigned read_fs(void);
unsigned read_gs(void);

/* ---- i386 TLS descriptors (set_thread_area, in both ABIs' tables).
 * struct user_desc, arch/x86/include/uapi/asm/ldt.h. */
struct tls_desc {
    unsigned entry_number;
    unsigned base_addr;
    unsigned limit;
    unsigned flags; /* seg_32bit:1 contents:2 read_exec_only:1 limit_in_pages:1 seg_not_present:1 useable:1 */
};
#define TLS_SEG_32BIT 0x01u
#define TLS_LIMIT_IN_PAGES 0x10u
#define TLS_NOT_PRESENT 0x20u
#define TLS_READ_EXEC_ONLY 0x08u
#define TLS_USEABLE 0x40u
/* A flat 4 GiB writable data segment (base 0) in a free slot: its entry
 * number (9..11 on Sysgate and Linux), or -errno. */
int tls_new_flat(void);
/* Rewrites slot `entry`: present (a flat data segment again), not present
 * (the same descriptor with P clear), or cleared (Linux's "empty"
 * descriptor: the slot becomes a null descriptor). 0 or -errno. */
enum tls_state { TLS_PRESENT, TLS_ABSENT, TLS_CLEARED };
int tls_set_state(unsigned entry, enum tls_state state);
/* Fills desc for slot `entry` in that state (for tests that make the
 * call themselves, through a gate of their choice). */
void tls_describe(struct tls_desc* desc, unsigned entry, enum tls_state state);
/* Linux refuses a not-present TLS descriptor (tls_desc_okay() in
 * arch/x86/kernel/tls.c: EINVAL); a kernel may also take it. True if
 * this one refuses it (tried on slot `entry`, left as it was). */
int tls_absent_refused(unsigned entry);
static inline unsigned tls_selector(unsigned entry) {
    return entry << 3 | 3;
}

/* ---- the kernel's knobs (sysgate_ctl) */
/* Sets the timer rate, or the fastest this CPU sustains if that is
 * slower; returns the old one (or -1 where there is no such call, e.g.
 * on Linux). timer_hz() is the rate now. */
long set_timer_hz(long hz);
long timer_hz(void);

void sleep_ms(long ms);

/* True if addr lies in one of the kernel's regions of the x86_64 address
 * space (arch/x86/mm/layout.h: the direct map, the heap, the kernel
 * stacks, the kernel image): a value no user-visible byte may hold. */
int looks_like_kernel_address(uint64_t addr);

#endif
