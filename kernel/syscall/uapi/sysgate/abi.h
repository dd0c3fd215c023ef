/* Sysgate's own system calls (numbers 1000 and 1001 in both tables).
 * This header is the ABI: the kernel and the libc both include it, so it
 * is plain C. */
#ifndef SYSGATE_ABI_H
#define SYSGATE_ABI_H

#ifndef __ASSEMBLER__ /* the structs; the numbers serve the vDSO's assembly too */
#include <stdint.h>
#endif

/* Ways into the kernel, as sysgate_stats counts them. */
#define SYSGATE_GATE_INT80 0
#define SYSGATE_GATE_SYSENTER 1
#define SYSGATE_GATE_SYSCALL 2
#define SYSGATE_GATE_VDSO_FALLBACK 3 /* syscall from a vDSO time function that could not answer */
#define SYSGATE_GATE_VSYSCALL 4      /* a call to the legacy vsyscall page (0xffffffffff600000), emulated */
#define SYSGATE_GATES 5

/* The vDSO's time functions make their fallback calls (a clock the data
 * page does not keep) with this bit in the number, from one known
 * address; the kernel counts them as SYSGATE_GATE_VDSO_FALLBACK and makes
 * the call without the bit. From anywhere else the bit makes an unknown
 * number: -ENOSYS. (The same bit is Linux's x32 marker, which a kernel
 * without x32 also refuses.) */
#define SYSGATE_VDSO_FALLBACK_BIT 0x40000000u

#define SYSGATE_VENDOR_INTEL 0
#define SYSGATE_VENDOR_AMD 1
#define SYSGATE_VENDOR_OTHER 2

/* long sysgate_stats(struct sysgate_stats *buf, unsigned long size):
 * copies min(size, sizeof) bytes; returns sizeof(struct sysgate_stats). */
#ifndef __ASSEMBLER__
struct sysgate_stats {
    uint64_t calls[SYSGATE_GATES];     /* system calls that entered through each gate */
    uint64_t tsc_ticks[SYSGATE_GATES]; /* TSC ticks spent dispatching them (handler included), while
                                          cycle_accounting is on; else they stand still */
    uint64_t tsc_hz;                   /* the calibrated TSC frequency */
    uint64_t free_frames;              /* free 4 KiB physical pages */
    uint64_t total_frames;
    uint64_t heap_bytes;     /* kernel heap in use */
    uint64_t gs_window_hits; /* interrupts that arrived before an entry stub's swapgs */
    uint64_t context_switches;
    uint64_t processes;         /* in the process table, zombies included */
    uint64_t processes_created; /* since boot */
    uint32_t vdso_gate32;       /* SYSGATE_GATE_* the 32-bit __kernel_vsyscall uses */
    uint32_t vdso_gate64;       /* ... and the 64-bit one */
    uint32_t timer_hz;
    uint32_t cpu_vendor; /* SYSGATE_VENDOR_* */
    uint64_t spurious_irqs; /* IRQ 7/15s the PIC raised for nothing (counted, not printed) */
    uint32_t vsyscall_page; /* SYSGATE_VSYSCALL_*: the legacy page's mode (boot option vsyscall=) */
    uint32_t cycle_accounting; /* 1: tsc_ticks are being counted (boot option syscall_cycles=1, or
                                  SYSGATE_CTL_CYCLE_ACCOUNTING); every call then takes the slow path */
};
#endif

#define SYSGATE_VSYSCALL_XONLY 0   /* calls emulated, the page unreadable (the default) */
#define SYSGATE_VSYSCALL_EMULATE 1 /* calls emulated, the page readable */
#define SYSGATE_VSYSCALL_NONE 2    /* no page */

/* long sysgate_procs(struct sysgate_proc *buf, unsigned long count):
 * describes up to `count` processes (the table has no order); returns how
 * many processes exist. Sysgate has no /proc: this is what ps reads. */
#ifndef __ASSEMBLER__
struct sysgate_proc {
    int32_t pid;
    int32_t ppid; /* 0 for init */
    char state;   /* 'R' running or runnable, 'S' sleeping, 'Z' zombie */
    uint8_t bits; /* 32 or 64 */
    uint16_t reserved;
    uint32_t gate; /* SYSGATE_GATE_* of its last system call */
    char name[32];
};
#endif

/* long sysgate_ctl(long op, long arg) */
/* arg: timer interrupts per second, from 18 to the fastest rate this CPU
 * sustains (20000, or fewer where the TSC is slow, as in Bochs: a timer
 * period must leave the CPU 3000 TSC ticks of other work), or
 * SYSGATE_TIMER_HZ_FASTEST for that rate; returns the old rate. */
#define SYSGATE_CTL_SET_TIMER_HZ 1
#define SYSGATE_TIMER_HZ_FASTEST (-1)
#define SYSGATE_CTL_RESET_STATS 2  /* zero the per-gate counters */
#define SYSGATE_CTL_STRACE 3       /* arg: 1 on, 0 off (as the strace=1 boot option); returns the old value */
/* arg: a byte 1..255, or 0 to stop. Before each of the caller's later
 * system calls, the unused part of its kernel stack is filled with that
 * byte, so a test can look for it in everything the kernel copies out: an
 * uninitialised byte shows as the pattern. Returns the old byte. */
#define SYSGATE_CTL_POISON_STACK 4
/* arg: 1 on, 0 off: per-gate TSC accounting (sysgate_stats.tsc_ticks), off by
 * default so that it costs the fast paths nothing; returns the old value. */
#define SYSGATE_CTL_CYCLE_ACCOUNTING 5

#endif
