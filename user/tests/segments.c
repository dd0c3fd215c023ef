/* Segments and ports from user mode: modify_ldt (reads, Linux's rules for
 * writes, LDT selectors in DS/ES/FS/GS and SS, far transfers into 32-bit
 * and 16-bit LDT code segments, entries removed under a loaded register,
 * the LDT per address space across fork, threads and execve), ioperm and
 * iopl (the TSS I/O bitmap: granted ports work, others fault; iopl(3)
 * grants all and leaves cli/sti harmless; inheritance; privileges).
 *
 * Ports used: 0x80 (the POST diagnostic port) and 0xed (unused), both
 * harmless on every emulator of the matrix, and 0xffff (unassigned). */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sysgate.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"

#ifdef __NR_setresuid32
#define SYS_SETRESUID SYS_setresuid32
#define SYS_GETRESUID SYS_getresuid32
#else
#define SYS_SETRESUID SYS_setresuid
#define SYS_GETRESUID SYS_getresuid
#endif

#define USER_CS32 0x23
#define USER_DS 0x2b
#define USER_CS64 0x33
#define IS64 (sizeof(void*) == 8)

/* ---------------------------------------------------------------- helpers */

/* struct user_desc (arch/x86/include/uapi/asm/ldt.h). */
struct user_desc {
    unsigned int entry_number;
    unsigned int base_addr;
    unsigned int limit;
    unsigned int seg_32bit : 1;
    unsigned int contents : 2;
    unsigned int read_exec_only : 1;
    unsigned int limit_in_pages : 1;
    unsigned int seg_not_present : 1;
    unsigned int useable : 1;
    unsigned int lm : 1;
};

/* Access rights as LAR reports them (bits 8-23 of the descriptor's high word). */
#define AR_ACCESSED (1u << 8)
#define AR_TYPE(t)                                                                                                     \
    ((unsigned)(t) << 9) /* 0 ro data, 1 rw data, 2/3 expand-down, 4 xo code, 5 xr code, 6/7 conforming */
#define AR_S (1u << 12)
#define AR_DPL3 (3u << 13)
#define AR_P (1u << 15)
#define AR_AVL (1u << 20)
#define AR_L (1u << 21)
#define AR_DB (1u << 22)
#define AR_G (1u << 23)

static uint16_t ldt_sel(unsigned index) {
    return (uint16_t)(index << 3 | 7);
}

/* modify_ldt's result as an int: on x86_64 Linux returns it zero-extended
 * in rax (-EINVAL is 0x00000000ffffffea), so the libc's syscall() does not
 * see an error; the low 32 bits are the answer, as Linux's selftests read it. */
static int modify_ldt(int func, void* ptr, unsigned long bytecount) {
    errno = 0;
    const long r = syscall(SYS_modify_ldt, func, ptr, bytecount);
    if (r == -1 && errno) return -errno;
    return (int)r;
}

static struct user_desc data32(unsigned entry, uintptr_t base, unsigned limit, int pages) {
    struct user_desc d;
    memset(&d, 0, sizeof d);
    d.entry_number = entry;
    d.base_addr = (unsigned)base;
    d.limit = limit;
    d.seg_32bit = 1;
    d.limit_in_pages = pages;
    return d;
}
static struct user_desc code(unsigned entry, uintptr_t base, unsigned limit, int bits32) {
    struct user_desc d = data32(entry, base, limit, 0);
    d.contents = 2;
    d.seg_32bit = bits32;
    return d;
}
static int write_entry(struct user_desc d) {
    return modify_ldt(0x11, &d, sizeof d);
}

/* LAR and LSL: 1 if the selector is valid for them (ZF set). */
static int lar(uint16_t sel, uint32_t* ar) {
    uint32_t valid = 0, value = 0;
    __asm__ volatile("larl %[sel], %[ar]\n\tjnz 1f\n\tmovl $1, %[valid]\n1:"
                     : [ar] "=r"(value), [valid] "+rm"(valid)
                     : [sel] "r"((uint32_t)sel)
                     : "cc");
    *ar = value & ~0xf0000u; /* bits 19:16 are undefined */
    return (int)valid;
}
static int lsl(uint16_t sel, uint32_t* limit) {
    uint32_t valid = 0, value = 0;
    __asm__ volatile("lsll %[sel], %[limit]\n\tjnz 1f\n\tmovl $1, %[valid]\n1:"
                     : [limit] "=r"(value), [valid] "+rm"(valid)
                     : [sel] "r"((uint32_t)sel)
                     : "cc");
    *limit = value;
    return (int)valid;
}
static int entry_valid(unsigned index) {
    uint32_t ar;
    return lar(ldt_sel(index), &ar);
}
static void check_entry(unsigned index, uint32_t want_ar, uint32_t want_limit) {
    uint32_t ar = 0, limit = 0;
    CHECK(lar(ldt_sel(index), &ar));
    CHECK(lsl(ldt_sel(index), &limit));
    CHECK_EQ(ar & ~AR_ACCESSED, want_ar); /* fill_ldt sets the accessed bit; it does not matter */
    CHECK_EQ(limit, want_limit);
}

/* A stack below 4 GiB, for code that runs in compatibility mode. */
uint8_t low_stack[8192] __attribute__((aligned(16), used));

/* Which results the emulator may change (SPEC section 3, "Vendor rules"):
 * QEMU 7.2 TCG performs the stack accesses of a far call and a far return
 * made in ring 3 with supervisor rights, so with CR4.SMAP on they take a
 * page fault (docs/testing.md; the same bug makes Linux oops). */
static int cpu_has_smap(void) {
    uint32_t a = 7, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return (b >> 20) & 1;
}
static int far_call_may_fault(void) {
    return strcmp(test_emulator(), "qemu") == 0 && cpu_has_smap();
}

/* The same binary runs on Linux, to compare. Linux built without
 * CONFIG_X86_16BIT (Debian's cloud kernel, the selftests' reference)
 * refuses every 16-bit segment; Sysgate refuses only 16-bit stacks. */
static int on_sysgate(void) {
    struct sysgate_stats s;
    return sysgate_stats(&s, sizeof s) >= 0;
}
static int no_16bit_segments(void) {
    static int answer = -1;
    if (answer < 0) {
        answer = 0;
        if (!on_sysgate()) {
            struct user_desc d;
            memset(&d, 0, sizeof d);
            d.entry_number = 8000;
            d.contents = 2; /* 16-bit code */
            d.limit = 0xff;
            answer = modify_ldt(0x11, &d, sizeof d) == -EINVAL;
            d.read_exec_only = 1, d.seg_not_present = 1, d.contents = 0, d.limit = 0; /* clear it again */
            modify_ldt(0x11, &d, sizeof d);
        }
    }
    return answer;
}

/* ---------------------------------------------------------------- code run in LDT segments */

/* What the blobs below record, at addresses below 4 GiB (they run with
 * the flat user DS). */
volatile uint32_t seen_cs, seen_pid, seen_esp_before, seen_esp_after;
/* Far pointers (offset, selector) for jumps and calls. */
struct far_pointer {
    uint32_t offset;
    uint16_t selector;
} __attribute__((packed));
struct far_pointer far_target, far_back;

/* 32-bit code, entered at offset 0 of an LDT code segment whose base is
 * blob32's address: it loads the flat DS (null in a 64-bit program),
 * records CS, makes a system call with int $0x80 (getpid, i386 20; the
 * return is an iretq to this LDT CS), spins so timer interrupts return
 * here too, and leaves by a far jump through far_back (blob32_jmp) or a
 * far return (blob32_ret). Only relative jumps inside: CS has a base. */
extern char blob32_jmp[], blob32_ret[];
__asm__(".pushsection .text\n"
        ".code32\n"
        "blob32_jmp:\n"
        "    movl $0x2b, %eax\n"
        "    movl %eax, %ds\n"
        "    movl %cs, %eax\n"
        "    movl %eax, seen_cs\n"
        "    movl %esp, seen_esp_before\n"
        "    movl $20, %eax\n"
        "    int $0x80\n"
        "    movl %eax, seen_pid\n"
        "    movl %esp, seen_esp_after\n"
        "    movl $3000000, %ecx\n"
        "1:  decl %ecx\n"
        "    jnz 1b\n"
        "    ljmp *far_back\n"
        "blob32_ret:\n"
        "    movl $0x2b, %eax\n"
        "    movl %eax, %ds\n"
        "    movl %cs, %eax\n"
        "    movl %eax, seen_cs\n"
        "    movl $20, %eax\n"
        "    int $0x80\n"
        "    movl %eax, seen_pid\n"
        "    lret\n"
#ifdef __x86_64__
        ".code64\n"
#endif
        ".popsection\n");

/* The same in 16-bit code (a 16-bit LDT code segment, base blob16, with
 * the 32-bit user SS): operand- and address-size prefixes for the 32-bit
 * registers and addresses. */
extern char blob16[];
__asm__(".pushsection .text\n"
        ".code16\n"
        "blob16:\n"
        "    movl $0x2b, %eax\n"
        "    movw %ax, %ds\n"
        "    movw %cs, %ax\n"
        "    addr32 movw %ax, seen_cs\n"
        "    addr32 movl %esp, seen_esp_before\n"
        "    movl $20, %eax\n"
        "    int $0x80\n"
        "    addr32 movl %eax, seen_pid\n"
        "    addr32 movl %esp, seen_esp_after\n"
        "    movl $3000000, %ecx\n"
        "1:  decl %ecx\n"
        "    jnz 1b\n"
        "    addr32 ljmpl *far_back\n"
#ifdef __x86_64__
        ".code64\n"
#else
        ".code32\n"
#endif
        ".popsection\n");

static uint16_t my_cs(void) {
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return cs;
}

/* Far-jumps to far_target and comes back through far_back (set here to
 * the label after the jump, in this program's own CS), on the low stack. */
static void far_jump_there_and_back(void) {
    far_back.selector = my_cs();
#ifdef __x86_64__
    __asm__ volatile("leaq 1f(%%rip), %%rax\n\t"
                     "movl %%eax, far_back\n\t"
                     "movq %%rsp, %%rbx\n\t"
                     "leaq low_stack+8192(%%rip), %%rsp\n\t"
                     "ljmpl *far_target(%%rip)\n"
                     "1:\n\t"
                     "movq %%rbx, %%rsp\n\t"
                     "xorl %%eax, %%eax\n\t"
                     "movl %%eax, %%ds\n\t" /* a 64-bit program's DS, as the kernel left it */
                     :
                     :
                     : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc");
#else
    __asm__ volatile("movl $1f, far_back\n\t"
                     "ljmp *far_target\n"
                     "1:\n\t"
                     :
                     :
                     : "eax", "ecx", "edx", "memory", "cc");
#endif
}

/* A far call to far_target, which returns with lret (blob32_ret). */
static void far_call_there_and_back(void* unused) {
    (void)unused;
#ifdef __x86_64__
    __asm__ volatile("movq %%rsp, %%rbx\n\t"
                     "leaq low_stack+8192(%%rip), %%rsp\n\t"
                     "lcall *far_target(%%rip)\n\t"
                     "movq %%rbx, %%rsp\n\t"
                     "xorl %%eax, %%eax\n\t"
                     "movl %%eax, %%ds\n\t"
                     :
                     :
                     : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc");
#else
    __asm__ volatile("lcall *far_target\n\t" : : : "eax", "ecx", "edx", "memory", "cc");
#endif
}

/* Runs fn(arg) in a new thread of this process (pthread_create's flags)
 * and waits for it to end: 0, or -1 if the clone failed. */
static int run_thread(int (*fn)(void*), void* arg) {
    static char stack[16384] __attribute__((aligned(16)));
    static volatile int tid;
    tid = -1;
    /* CLONE_VM FS FILES SIGHAND THREAD PARENT_SETTID CHILD_CLEARTID */
    const long t = test_clone(0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x100000 | 0x200000, stack + sizeof stack,
                              (int*)&tid, (int*)&tid, fn, arg);
    if (t <= 0) return -1;
    for (int value; (value = tid) != 0;) syscall(SYS_futex, &tid, 0 /* FUTEX_WAIT */, value, 0, 0, 0);
    return 0;
}

/* ---------------------------------------------------------------- modify_ldt: reads and rules */

static void reads(void) {
    uint8_t buf[256];
    memset(buf, 0xaa, sizeof buf);
    CHECK_EQ(modify_ldt(0, buf, sizeof buf), 0);   /* a new program has no LDT */
    CHECK_EQ(modify_ldt(2, buf, sizeof buf), 128); /* the x86_64 "default LDT": 128 zero bytes */
    for (int i = 0; i < 128; i++) CHECK_EQ(buf[i], 0);
    CHECK_EQ(buf[128], 0xaa);
    CHECK_EQ(modify_ldt(2, buf, 10), 10);
    CHECK_EQ(modify_ldt(3, buf, sizeof buf), -ENOSYS);
    CHECK_EQ(modify_ldt(0x12, buf, sizeof buf), -ENOSYS);
    CHECK_EQ(modify_ldt(2, UNMAPPED_ADDRESS, 16), -EFAULT);

    struct user_desc d = data32(2, 0x1000, 0x1234, 0);
    CHECK_EQ(modify_ldt(0x11, &d, sizeof d - 1), -EINVAL); /* exactly one struct user_desc */
    CHECK_EQ(modify_ldt(0x11, UNMAPPED_ADDRESS, sizeof d), -EFAULT);
    CHECK_EQ(write_entry(d), 0);
    memset(buf, 0xaa, sizeof buf);
    CHECK_EQ(modify_ldt(0, buf, sizeof buf), (int)sizeof buf); /* bytecount, the rest zero-filled */
    uint64_t entries[32];
    memcpy(entries, buf, sizeof entries);
    CHECK_EQ(entries[0], 0);
    CHECK_EQ(entries[1], 0);
    /* limit 0x1234, base 0x1000, type 3 (rw data, accessed), S, DPL 3, P, D/B (SDM Vol. 3A Figure 3-8). */
    CHECK_EQ(entries[2], 0x0040f30010001234ull);
    CHECK_EQ(entries[3], 0);
    CHECK_EQ(buf[255], 0);
    CHECK_EQ(modify_ldt(0, UNMAPPED_ADDRESS, 64), -EFAULT);
    CHECK_EQ(modify_ldt(0, buf, 0), 0);
#ifdef __x86_64__
    /* The raw result of an error: -EINVAL as a 32-bit int, zero-extended. */
    unsigned long rax;
    __asm__ volatile("syscall" : "=a"(rax) : "a"(154L), "D"(0x11L), "S"(buf), "d"(1L) : "rcx", "r11", "memory");
    CHECK_EQ(rax, 0x00000000ffffffeaull);
#endif
}

static void write_rules(void) {
    /* A 32-bit data segment in bytes, then in pages. */
    CHECK_EQ(write_entry(data32(0, 0x10000, 0xffff, 0)), 0);
    check_entry(0, AR_DPL3 | AR_TYPE(1) | AR_S | AR_P | AR_DB, 0xffff);
    CHECK_EQ(write_entry(data32(0, 0, 0xfffff, 1)), 0);
    check_entry(0, AR_DPL3 | AR_TYPE(1) | AR_S | AR_P | AR_DB | AR_G, 0xffffffff);
    /* Read-only data, expand-down data. */
    struct user_desc d = data32(1, 0, 0x10, 0);
    d.read_exec_only = 1;
    CHECK_EQ(write_entry(d), 0);
    check_entry(1, AR_DPL3 | AR_TYPE(0) | AR_S | AR_P | AR_DB, 0x10);
    d.contents = 1;
    d.read_exec_only = 0;
    CHECK_EQ(write_entry(d), 0);
    check_entry(1, AR_DPL3 | AR_TYPE(3) | AR_S | AR_P | AR_DB, 0x10);
    /* Code; lm is ignored (no 64-bit LDT code segment). */
    d = code(2, 0, 0xfff, 1);
    d.lm = 1;
    CHECK_EQ(write_entry(d), 0);
    check_entry(2, AR_DPL3 | AR_TYPE(5) | AR_S | AR_P | AR_DB, 0xfff);
    /* Conforming code only in the new mode and only not present. */
    d = code(3, 0, 0xfff, 1);
    d.contents = 3;
    CHECK_EQ(write_entry(d), -EINVAL);
    d.seg_not_present = 1;
    CHECK_EQ(modify_ldt(1, &d, sizeof d), -EINVAL);
    CHECK_EQ(write_entry(d), 0);
    check_entry(3, AR_DPL3 | AR_TYPE(7) | AR_S | AR_DB, 0xfff);
    /* "useable" (AVL): kept by the new mode, cleared by the old one. */
    d = data32(4, 0, 0x100, 0);
    d.useable = 1;
    CHECK_EQ(write_entry(d), 0);
    check_entry(4, AR_DPL3 | AR_TYPE(1) | AR_S | AR_P | AR_DB | AR_AVL, 0x100);
    CHECK_EQ(modify_ldt(1, &d, sizeof d), 0);
    check_entry(4, AR_DPL3 | AR_TYPE(1) | AR_S | AR_P | AR_DB, 0x100);
    /* Not present: LAR still reads it, loading it would fault. */
    d = data32(5, 0, 0x100, 0);
    d.seg_not_present = 1;
    CHECK_EQ(write_entry(d), 0);
    check_entry(5, AR_DPL3 | AR_TYPE(1) | AR_S | AR_DB, 0x100);
    /* 16-bit segments: code and data that cannot be a stack are fine; a
     * 16-bit stack segment is refused (no espfix: docs/gates.md). */
    if (no_16bit_segments()) {
        test_note("this kernel refuses every 16-bit segment (Linux without CONFIG_X86_16BIT)");
        goto clearing;
    }
    CHECK_EQ(write_entry(code(6, 0, 0xffff, 0)), 0);
    check_entry(6, AR_DPL3 | AR_TYPE(5) | AR_S | AR_P, 0xffff);
    d = data32(7, 0, 0xffff, 0);
    d.seg_32bit = 0;
    CHECK_EQ(write_entry(d), -EINVAL);
    CHECK(!entry_valid(7));
    d.read_exec_only = 1;
    CHECK_EQ(write_entry(d), 0);
    check_entry(7, AR_DPL3 | AR_TYPE(0) | AR_S | AR_P, 0xffff);
    d.read_exec_only = 0;
    d.seg_not_present = 1;
    CHECK_EQ(write_entry(d), 0);
    check_entry(7, AR_DPL3 | AR_TYPE(1) | AR_S, 0xffff);
clearing:;
    /* Clearing: the "empty" descriptor, and in the old mode base = limit = 0. */
    struct user_desc empty;
    memset(&empty, 0, sizeof empty);
    empty.entry_number = 5;
    empty.read_exec_only = 1;
    empty.seg_not_present = 1;
    CHECK_EQ(write_entry(empty), 0);
    CHECK(!entry_valid(5));
    d = data32(4, 0, 0, 0);
    CHECK_EQ(modify_ldt(1, &d, sizeof d), 0);
    CHECK(!entry_valid(4));
    /* The table's size: entry 8191 is the last. */
    CHECK_EQ(write_entry(data32(8191, 0, 0x2222, 0)), 0);
    check_entry(8191, AR_DPL3 | AR_TYPE(1) | AR_S | AR_P | AR_DB, 0x2222);
    CHECK(!entry_valid(8190));
    CHECK_EQ(write_entry(data32(8192, 0, 0x2222, 0)), -EINVAL);
    static uint8_t whole[65536 + 64];
    CHECK_EQ(modify_ldt(0, whole, sizeof whole), 65536); /* capped at 8192 entries */
    uint64_t last;
    memcpy(&last, whole + 8191 * 8, 8);
    CHECK_EQ(last & 0xffff, 0x2222);
}

/* ---------------------------------------------------------------- LDT segments in use */

static uint32_t words[16] = {0x11111111, 0x22222222, 0x33333333, 0x44444444, 0x55555555, 0x66666666};

/* A based data segment through FS (32-bit) or GS (64-bit; there the base
 * comes from the descriptor when the selector is loaded). */
static uint32_t read_through_segment(uint16_t sel, unsigned offset) {
    uint32_t value;
#ifdef __x86_64__
    __asm__ volatile("movw %w1, %%gs\n\t"
                     "movl %%gs:(%2), %0\n\t"
                     "movw %w3, %%gs"
                     : "=&r"(value)
                     : "r"(sel), "r"((uintptr_t)offset), "r"(0)
                     : "memory");
#else
    __asm__ volatile("movw %w1, %%fs\n\t"
                     "movl %%fs:(%2), %0\n\t"
                     "movw %w3, %%fs"
                     : "=&r"(value)
                     : "r"(sel), "r"(offset), "r"(0)
                     : "memory");
#endif
    return value;
}

static void data_segments(void) {
    CHECK_EQ(write_entry(data32(10, (uintptr_t)&words[1], 15, 0)), 0);
    CHECK_EQ(read_through_segment(ldt_sel(10), 0), 0x22222222);
    CHECK_EQ(read_through_segment(ldt_sel(10), 8), 0x44444444);
    /* DS and ES from the LDT: a flat 32-bit data segment, then a memory
     * access and a system call with it loaded. */
    CHECK_EQ(write_entry(data32(11, 0, 0xfffff, 1)), 0);
    uint16_t ds_after = 0, es_after = 0;
    uint32_t got = 0;
    __asm__ volatile("movw %%ds, %%cx\n\t"
                     "movw %%es, %%dx\n\t"
                     "movw %w[sel], %%ds\n\t"
                     "movw %w[sel], %%es\n\t"
                     "movl (%[p]), %[got]\n\t"
                     "movl $20, %%eax\n\t"
                     "int $0x80\n\t"
                     "movw %%ds, %[ds]\n\t"
                     "movw %%es, %[es]\n\t"
                     "movw %%cx, %%ds\n\t"
                     "movw %%dx, %%es\n\t"
                     : [got] "=&r"(got), [ds] "=m"(ds_after), [es] "=m"(es_after)
                     : [sel] "r"(ldt_sel(11)), [p] "r"(&words[2])
                     : "eax", "ecx", "edx", "memory"
#ifdef __x86_64__
                       ,
                       "r8", "r9", "r10", "r11"
#endif
    );
    CHECK_EQ(got, 0x33333333);
    CHECK_EQ(ds_after, ldt_sel(11));
    CHECK_EQ(es_after, ldt_sel(11));
}

#ifndef __x86_64__
static void read_past_limit(void* arg) {
    (void)arg;
    (void)read_through_segment(ldt_sel(10), 16);
}
static void segment_limits(void) {
    CHECK_EQ(write_entry(data32(10, (uintptr_t)&words[1], 15, 0)), 0);
    /* Offset 16 of a 16-byte segment: #GP. QEMU TCG does not check data
     * segment limits (an emulator deviation), so there it may just read. */
    const int sig = run_catching(read_past_limit, 0, 0);
    if (!sig && strcmp(test_emulator(), "qemu") == 0)
        test_note("no #GP past the limit: QEMU TCG does not check segment limits");
    else
        CHECK_EQ(sig, SIGSEGV);
    CHECK_EQ(read_through_segment(ldt_sel(10), 12), 0x55555555);
}
#endif

/* SS from the LDT: a system call (int $0x80 returns with iretq to that
 * SS) and timer interrupts while it is loaded. */
static void stack_segment(void) {
    CHECK_EQ(write_entry(data32(12, 0, 0xfffff, 1)), 0);
    uint16_t ss_after = 0, ss_before = 0;
    uint32_t pid = 0;
    __asm__ volatile("movw %%ss, %w[before]\n\t"
                     "movw %w[sel], %%ss\n\t"
                     "movl $20, %%eax\n\t"
                     "int $0x80\n\t"
                     "movl %%eax, %[pid]\n\t"
                     "movl $3000000, %%ecx\n"
                     "1:\n\t"
                     "decl %%ecx\n\t"
                     "jnz 1b\n\t"
                     "movw %%ss, %w[after]\n\t"
                     "movw %w[before], %%ss\n\t"
                     : [after] "=&r"(ss_after), [before] "=&r"(ss_before), [pid] "=&r"(pid)
                     : [sel] "r"(ldt_sel(12))
                     : "eax", "ecx", "memory", "cc"
#ifdef __x86_64__
                       ,
                       "r8", "r9", "r10", "r11"
#endif
    );
    CHECK_EQ(ss_after, ldt_sel(12));
    CHECK_EQ(pid, getpid());
    CHECK_EQ(ss_before, USER_DS);
}

/* ---------------------------------------------------------------- far transfers */

static void far_transfers(void) {
    /* 32-bit code at a segment base. */
    CHECK_EQ(write_entry(code(13, (uintptr_t)blob32_jmp, 0xfff, 1)), 0);
    far_target.offset = 0;
    far_target.selector = ldt_sel(13);
    seen_cs = seen_pid = 0;
    far_jump_there_and_back();
    CHECK_EQ(seen_cs, ldt_sel(13));
    CHECK_EQ(seen_pid, getpid());
    CHECK_EQ(seen_esp_before, seen_esp_after);
    CHECK_EQ(my_cs(), IS64 ? USER_CS64 : USER_CS32);

    /* 16-bit code (with the 32-bit stack segment: iretq restores all of ESP). */
    if (!no_16bit_segments()) {
        CHECK_EQ(write_entry(code(14, (uintptr_t)blob16, 0xffff, 0)), 0);
        far_target.offset = 0;
        far_target.selector = ldt_sel(14);
        seen_cs = seen_pid = 0;
        seen_esp_before = 1, seen_esp_after = 2;
        far_jump_there_and_back();
        CHECK_EQ(seen_cs & 0xffff, ldt_sel(14));
        CHECK_EQ(seen_pid, getpid());
        CHECK_EQ(seen_esp_before, seen_esp_after);
    }

    /* A far call and a far return (lret). */
    CHECK_EQ(write_entry(code(15, (uintptr_t)blob32_ret, 0xfff, 1)), 0);
    far_target.offset = 0;
    far_target.selector = ldt_sel(15);
    seen_cs = seen_pid = 0;
    const int sig = run_catching(far_call_there_and_back, 0, 0);
    if (sig && far_call_may_fault()) {
        CHECK_EQ(sig, SIGSEGV);
        test_note("far call/return faulted: QEMU TCG's supervisor-rights stack access under SMAP (emulator bug)");
    } else {
        CHECK_EQ(sig, 0);
        CHECK_EQ(seen_cs, ldt_sel(15));
        CHECK_EQ(seen_pid, getpid());
    }
}

/* ---------------------------------------------------------------- entries removed under loaded registers */

static struct user_desc clear_desc;

/* DS and ES hold an LDT selector while the entry is cleared (int $0x80,
 * modify_ldt): the kernel reloads them, so they come back null. */
static void removed_under_ds(void) {
    CHECK_EQ(write_entry(data32(16, 0, 0xfffff, 1)), 0);
    memset(&clear_desc, 0, sizeof clear_desc);
    clear_desc.entry_number = 16; /* old mode, base = limit = 0: clear */
    uint16_t ds_after = 0xffff, es_after = 0xffff;
    const uint16_t sel = ldt_sel(16);
    int32_t result = -1;
    unsigned long arg = (unsigned long)&clear_desc;
    __asm__ volatile("movw %%ds, %%si\n\t"
                     "movw %%es, %%di\n\t"
                     "movw %[sel], %%ds\n\t"
                     "movw %[sel], %%es\n\t"
                     "movl $123, %%eax\n\t" /* i386 modify_ldt */
                     "movl $1, %%ebx\n\t"
                     "int $0x80\n\t"
                     "movw %%ds, %%bx\n\t"
                     "movw %%es, %%cx\n\t"
                     "movw %%si, %%ds\n\t" /* memory is reachable again from here */
                     "movw %%di, %%es\n\t"
                     "movw %%bx, %[ds]\n\t"
                     "movw %%cx, %[es]\n\t"
                     : "=a"(result), [ds] "=m"(ds_after), [es] "=m"(es_after), "+c"(arg)
                     : [sel] "m"(sel), "d"(sizeof clear_desc)
                     : "ebx", "esi", "edi", "memory"
#ifdef __x86_64__
                       ,
                       "r8", "r9", "r10", "r11"
#endif
    );
    CHECK_EQ(result, 0);
    CHECK_EQ(ds_after, 0);
    CHECK_EQ(es_after, 0);
    CHECK(!entry_valid(16));
}

/* SS holds an LDT selector whose entry the system call clears: the iretq
 * back cannot load it, and the program gets SIGSEGV. */
static void clear_ss_entry_and_return(void* arg) {
    (void)arg;
    const uint16_t sel = ldt_sel(17);
    unsigned long desc = (unsigned long)&clear_desc;
    __asm__ volatile("movw %[sel], %%ss\n\t"
                     "movl $123, %%eax\n\t"
                     "movl $1, %%ebx\n\t"
                     "int $0x80\n\t"
                     "movl $0x2b, %%eax\n\t" /* not reached */
                     "movw %%ax, %%ss\n\t"
                     : "+c"(desc)
                     : [sel] "m"(sel), "d"(sizeof clear_desc)
                     : "eax", "ebx", "memory"
#ifdef __x86_64__
                       ,
                       "r8", "r9", "r10", "r11"
#endif
    );
}

static void removed_under_ss(void) {
    CHECK_EQ(write_entry(data32(17, 0, 0xfffff, 1)), 0);
    memset(&clear_desc, 0, sizeof clear_desc);
    clear_desc.entry_number = 17;
    CHECK_EQ(run_catching(clear_ss_entry_and_return, 0, 0), SIGSEGV);
    CHECK(!entry_valid(17));
    uint16_t ss;
    __asm__ volatile("movw %%ss, %0" : "=r"(ss));
    CHECK_EQ(ss, USER_DS); /* the handler ran on the flat stack segment */
}

/* A 16-bit data segment that is read-only (accepted) cannot be a stack:
 * loading it into SS faults. */
static void load_readonly_ss(void* arg) {
    (void)arg;
    __asm__ volatile("movw %w0, %%ss\n\tmovl $0x2b, %%eax\n\tmovw %%ax, %%ss" : : "r"(ldt_sel(18)) : "eax");
}
static void sixteen_bit_stacks(void) {
    struct user_desc d = data32(18, 0, 0xffff, 0);
    d.seg_32bit = 0;
    CHECK_EQ(write_entry(d), -EINVAL); /* a 16-bit stack: refused */
    d.contents = 1;                    /* expand-down: a stack too */
    CHECK_EQ(write_entry(d), -EINVAL);
    CHECK_EQ(modify_ldt(1, &d, sizeof d), -EINVAL);
    d.contents = 0;
    d.read_exec_only = 1;
    if (no_16bit_segments()) {
        CHECK_EQ(write_entry(d), -EINVAL);
        d.seg_32bit = 1; /* then a 32-bit read-only one, which no SS accepts either */
    }
    CHECK_EQ(write_entry(d), 0);
    CHECK_EQ(run_catching(load_readonly_ss, 0, 0), SIGSEGV);
}

/* ---------------------------------------------------------------- one LDT per address space */

static int child_sees_copy_then_changes_it(void* arg) {
    (void)arg;
    uint32_t limit = 0;
    CHILD_CHECK(lsl(ldt_sel(20), &limit));
    CHILD_CHECK_EQ(limit, 0x123);
    CHILD_CHECK(!entry_valid(21));
    CHILD_CHECK_EQ(write_entry(data32(20, (uintptr_t)&words[4], 0x456, 0)), 0);
    CHILD_CHECK_EQ(write_entry(data32(21, 0, 0x789, 0)), 0);
    /* Both processes run in turn: each must see its own entry 20. */
    for (int i = 0; i < 200; i++) {
        CHILD_CHECK_EQ(read_through_segment(ldt_sel(20), 0), 0x55555555);
        sched_yield();
    }
    return 0;
}

static int thread_writes_entry(void* arg) {
    (void)arg;
    return write_entry(data32(22, 0, 0x222, 0)) == 0 ? 0 : 1;
}

static int exec_checker(void* arg) {
    char* const argv[] = {(char*)other_bitness_path(), arg, 0};
    execv(argv[0], argv);
    return 98;
}

static void per_address_space(void) {
    CHECK_EQ(write_entry(data32(20, (uintptr_t)&words[0], 0x123, 0)), 0);
    const pid_t child = start_child(child_sees_copy_then_changes_it, 0);
    for (int i = 0; i < 200; i++) {
        CHECK_EQ(read_through_segment(ldt_sel(20), 0), 0x11111111);
        sched_yield();
    }
    CHECK_EXITED(reap(child), 0);
    uint32_t limit = 0;
    CHECK(lsl(ldt_sel(20), &limit));
    CHECK_EQ(limit, 0x123);
    CHECK(!entry_valid(21));

    /* A thread (CLONE_VM) shares the table. */
    CHECK(run_thread(thread_writes_entry, 0) == 0);
    CHECK(lsl(ldt_sel(22), &limit));
    CHECK_EQ(limit, 0x222);

    /* A new program starts without an LDT (in the other bitness, too). */
    CHECK_EXITED(run_child(exec_checker, (void*)"exec-ldt-check"), 0);
}

static int exec_ldt_check(void) {
    uint8_t buf[64];
    if (modify_ldt(0, buf, sizeof buf) != 0) return 1;
    if (entry_valid(20) || entry_valid(22)) return 2;
    return 0;
}

/* ---------------------------------------------------------------- ports */

static void outb_0x80(void* arg) {
    (void)arg;
    __asm__ volatile("outb %%al, $0x80" : : "a"(0));
}
static void outb_0xed(void* arg) {
    (void)arg;
    __asm__ volatile("outb %%al, $0xed" : : "a"(0));
}
static void outw_0x80(void* arg) {
    (void)arg;
    __asm__ volatile("outw %%ax, $0x80" : : "a"(0));
}
static void inb_0xffff(void* arg) {
    (void)arg;
    __asm__ volatile("inb %%dx, %%al" : : "d"(0xffff) : "eax");
}
static void inw_0xffff(void* arg) {
    (void)arg;
    __asm__ volatile("inw %%dx, %%ax" : : "d"(0xffff) : "eax");
}
static void do_cli(void* arg) {
    (void)arg;
    __asm__ volatile("cli");
}
static int port_works(void (*fn)(void*)) {
    return run_catching(fn, 0, 0) == 0;
}
static int port_faults(void (*fn)(void*)) {
    return run_catching(fn, 0, 0) == SIGSEGV;
}
static unsigned long flags_now(void) {
    unsigned long f;
    __asm__ volatile("pushf\n\tpop %0" : "=r"(f));
    return f;
}

static long ioperm(unsigned long from, unsigned long num, int on) {
    return syscall(SYS_ioperm, from, num, on);
}
static long iopl(int level) {
    return syscall(SYS_iopl, level);
}

static int child_has_0x80_only(void* arg) {
    (void)arg;
    CHILD_CHECK(port_works(outb_0x80));
    CHILD_CHECK(port_faults(outb_0xed));
    CHILD_CHECK_EQ(ioperm(0x80, 1, 0), 0); /* its own bitmap: the parent keeps the port */
    CHILD_CHECK(port_faults(outb_0x80));
    return 0;
}

static int thread_takes_0xed(void* arg) {
    volatile int* worked = arg;
    if (ioperm(0xed, 1, 1) != 0) return 1;
    *worked = port_works(outb_0xed) && port_works(outb_0x80);
    return 0;
}

static void ioperm_bitmap(void) {
    CHECK(port_faults(outb_0x80));
    CHECK(port_faults(outb_0xed));
    CHECK_EQ(ioperm(0x80, 1, 1), 0);
    CHECK(port_works(outb_0x80));
    CHECK(port_faults(outb_0xed));
    CHECK(port_faults(outw_0x80)); /* two bytes: 0x81 is not granted */
    CHECK_EQ(ioperm(0x81, 1, 1), 0);
    CHECK(port_works(outw_0x80));
    /* The last port: a word access at 0xffff would need port 0x10000,
     * whose bit is the 0xff byte after the bitmap (SDM Vol. 1 19.5.2). */
    CHECK_EQ(ioperm(0xffff, 1, 1), 0);
    CHECK(port_works(inb_0xffff));
    CHECK(port_faults(inw_0xffff));
    CHECK_EQ(ioperm(0xffff, 1, 0), 0);
    CHECK(port_faults(inb_0xffff));
    /* Linux's checks: from + num must not wrap or pass 65536. */
    CHECK_ERRNO(ioperm(0x80, 0, 1), EINVAL);
    CHECK_ERRNO(ioperm(0xffff, 2, 1), EINVAL);
    CHECK_ERRNO(ioperm(0x10000, 1, 0), EINVAL);
    CHECK_ERRNO(ioperm(~0ul, 2, 1), EINVAL);
    CHECK_EQ(ioperm(0, 65536, 0), 0);
    CHECK(port_faults(outb_0x80));
    CHECK_EQ(ioperm(0x80, 1, 1), 0);

    /* fork copies the bitmap; the child's changes stay its own. */
    CHECK_EXITED(run_child(child_has_0x80_only, 0), 0);
    CHECK(port_works(outb_0x80));
    /* So does a thread's clone: the bitmap is per task, not per process. */
    static volatile int worked;
    worked = 0;
    CHECK(run_thread(thread_takes_0xed, (void*)&worked) == 0);
    CHECK_EQ(worked, 1);
    CHECK(port_faults(outb_0xed));
    /* execve keeps it (Linux: "preserved across execve"). */
    CHECK_EXITED(run_child(exec_checker, (void*)"exec-io-check"), 0);
    CHECK_EQ(ioperm(0x80, 2, 0), 0);
    CHECK(port_faults(outb_0x80));
}

static int exec_io_check(void) {
    if (!port_works(outb_0x80)) return 1;
    if (!port_faults(outb_0xed)) return 2;
    return 0;
}

static void iopl_levels(void) {
    CHECK(port_faults(do_cli)); /* cli at CPL 3 with IOPL 0: #GP */
    CHECK_ERRNO(iopl(4), EINVAL);
    CHECK_EQ(iopl(3), 0);
    CHECK(port_works(outb_0xed)); /* every port */
    CHECK(port_works(outb_0x80));
    CHECK(port_works(inb_0xffff));
    CHECK(port_faults(inw_0xffff));    /* the emulation is a bitmap: its end byte still counts (Linux too) */
    CHECK_EQ(flags_now() & 0x3000, 0); /* EFLAGS.IOPL stays 0 */
    /* cli and sti: no-ops (Linux 6.1): interrupts stay enabled. */
    CHECK_EQ(run_catching(do_cli, 0, 0), 0);
    __asm__ volatile("cli\n\tsti\n\tcli");
    CHECK(flags_now() & 0x200);
    CHECK_EQ(iopl(1), 0); /* 0-2: no ports (and no privilege needed to go down) */
    CHECK(port_faults(outb_0xed));
    CHECK(port_faults(do_cli));
    CHECK_EQ(iopl(3), 0);
    CHECK_EQ(ioperm(0x80, 1, 1), 0); /* a bitmap under iopl(3)... */
    CHECK_EQ(iopl(0), 0);
    CHECK(port_works(outb_0x80)); /* ...is what is left after iopl(0) */
    CHECK(port_faults(outb_0xed));
    CHECK_EQ(ioperm(0x80, 1, 0), 0);
}

/* Privileges: after dropping root, ports can be given up but not taken. */
static int unprivileged(void* arg) {
    (void)arg;
    unsigned int r = 9, e = 9, s = 9;
    CHILD_CHECK_EQ(syscall(SYS_GETRESUID, &r, &e, &s), 0);
    CHILD_CHECK_EQ(r + e + s, 0);
    CHILD_CHECK_EQ(ioperm(0x80, 1, 1), 0);
    CHILD_CHECK_EQ(iopl(3), 0);
    CHILD_CHECK_EQ(syscall(SYS_SETRESUID, 1, 1, 1), 0);
    CHILD_CHECK_EQ(syscall(SYS_GETRESUID, &r, &e, &s), 0);
    CHILD_CHECK_EQ(r, 1);
    CHILD_CHECK_EQ(e, 1);
    CHILD_CHECK_EQ(s, 1);
    CHILD_CHECK_EQ(getuid(), 1);
    CHILD_CHECK_EQ(geteuid(), 1);
    CHILD_CHECK_EQ(iopl(3), 0); /* already 3: no gain */
    CHILD_CHECK_EQ(iopl(0), 0);
    CHILD_CHECK_EQ(iopl(3), -1);
    CHILD_CHECK_EQ(errno, EPERM);
    CHILD_CHECK(port_works(outb_0x80)); /* what it has, it keeps */
    CHILD_CHECK_EQ(ioperm(0xed, 1, 1), -1);
    CHILD_CHECK_EQ(errno, EPERM);
    CHILD_CHECK_EQ(ioperm(0x80, 1, 0), 0);
    CHILD_CHECK(port_faults(outb_0x80));
    CHILD_CHECK_EQ(syscall(SYS_SETRESUID, 0, 0, 0), -1);
    CHILD_CHECK_EQ(errno, EPERM);
    return 0;
}
static void privileges(void) {
    CHECK_EXITED(run_child(unprivileged, 0), 0);
    CHECK_EQ(getuid(), 0);
    CHECK_EQ(ioperm(0x80, 1, 1), 0);
    CHECK_EQ(ioperm(0x80, 1, 0), 0);
}

int main(int argc, char** argv) {
    set_program(argv[0]);
    if (argc > 1 && !strcmp(argv[1], "exec-ldt-check")) return exec_ldt_check();
    if (argc > 1 && !strcmp(argv[1], "exec-io-check")) return exec_io_check();
    test_run("modify_ldt reads: none yet, the default LDT, the table with zeros past its end", reads);
    test_run("modify_ldt writes follow Linux's rules (LAR/LSL see each descriptor)", write_rules);
    test_run("LDT data segments in FS/GS (based), DS and ES", data_segments);
#ifndef __x86_64__
    test_run("an LDT segment's limit holds in 32-bit code", segment_limits);
#endif
    test_run("SS from the LDT survives a system call and timer interrupts", stack_segment);
    test_run("far jumps and calls into 32-bit and 16-bit LDT code segments", far_transfers);
    test_run("a 16-bit stack segment is refused; a read-only one cannot be loaded into SS", sixteen_bit_stacks);
    test_run("clearing an entry DS and ES hold makes them null", removed_under_ds);
    test_run("clearing the entry SS holds: the return faults with SIGSEGV", removed_under_ss);
    test_run("one LDT per address space: fork copies, threads share, execve clears", per_address_space);
    test_run("ioperm: granted ports work, others fault; fork, threads and execve keep it", ioperm_bitmap);
    test_run("iopl(3): every port, EFLAGS.IOPL 0, cli/sti no-ops; iopl(0) leaves the bitmap", iopl_levels);
    test_run("without root, ports can be given up but not taken", privileges);
    return test_summary(IS64 ? "segments" : "segments32");
}
