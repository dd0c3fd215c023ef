#include "arch/x86/desc/gdt.h"

#include "arch/x86/desc/layout.h"

namespace x86::gdt {
namespace {

alignas(16) uint64_t entries[ENTRY_COUNT];

// The TSS and, right after it, two I/O permission bitmaps (SDM Vol. 1
// 19.5.2, Vol. 3A 7.7): a port access from ring 3 (CPL > IOPL, and IOPL is
// always 0 for programs) is allowed only if every bit for its bytes is 0
// in the bitmap that iomap_base points at. Each bitmap covers 65536 ports
// and ends with the 0xff byte the CPU needs after it (it reads two bytes
// per check). `task` holds the running task's ioperm bits; `all` is all
// zero, every port allowed (iopl(3), as Linux emulates it). An iomap_base
// at or beyond the limit means no bitmap: every port faults.
struct [[gnu::packed]] TssWithBitmaps {
    desc::Tss64 tss;
    uint8_t task[IO_BITMAP_BYTES];
    uint8_t task_end;
    uint8_t all[IO_BITMAP_BYTES];
    uint8_t all_end;
};
alignas(16) TssWithBitmaps tss_block;
desc::Tss64& tss = tss_block.tss;
constexpr uint16_t IOMAP_TASK = __builtin_offsetof(TssWithBitmaps, task);
constexpr uint16_t IOMAP_ALL = __builtin_offsetof(TssWithBitmaps, all);
constexpr uint16_t IOMAP_NONE = sizeof(TssWithBitmaps); // beyond the limit
static_assert(sizeof(TssWithBitmaps) < 0x10000, "iomap_base is 16 bits");
// Bytes [0, task_dirty) of `task` may hold zero bits; the rest are 0xff.
unsigned task_dirty;
// The LDT loaded in LDTR (base and limit), to skip reloading the same one.
uint64_t ldt_base;
uint32_t ldt_limit;

constexpr uint64_t IST_STACK_SIZE = 16384;
alignas(16) uint8_t ist_stacks[4][IST_STACK_SIZE];

struct [[gnu::packed]] DescriptorTablePointer {
    uint16_t limit;
    uint64_t base;
};

} // namespace

void init() {
    for (unsigned i = 0; i < ENTRY_COUNT; i++) entries[i] = fixed_descriptor(Index(i));
    for (unsigned slot = IST_DOUBLE_FAULT; slot <= IST_DEBUG; slot++)
        tss.ist[slot - 1] = reinterpret_cast<uint64_t>(ist_stacks[slot - 1] + IST_STACK_SIZE);
    __builtin_memset(tss_block.task, 0xff, sizeof(tss_block.task));
    __builtin_memset(tss_block.all, 0, sizeof(tss_block.all));
    tss_block.task_end = tss_block.all_end = 0xff;
    tss.iomap_base = IOMAP_NONE; // no task has port access yet: every port access from ring 3 faults
    const auto tss_descriptor = desc::tss64(reinterpret_cast<uint64_t>(&tss_block), sizeof(tss_block) - 1);
    entries[TSS] = tss_descriptor.low;
    entries[TSS + 1] = tss_descriptor.high;

    const DescriptorTablePointer pointer{sizeof(entries) - 1, reinterpret_cast<uint64_t>(entries)};
    asm volatile("lgdt %0" ::"m"(pointer));
    // CS can only be reloaded by a far transfer: push the selector and target, lretq.
    // DS and ES hold the user data selector: 64-bit code ignores them, and
    // 32-bit user code needs them valid after sysexit/sysret, which never
    // touch them.
    asm volatile("pushq %[cs]\n\t"
                 "leaq 1f(%%rip), %%rax\n\t"
                 "pushq %%rax\n\t"
                 "lretq\n"
                 "1:\n\t"
                 "movw %[ss], %%ax\n\t"
                 "movw %%ax, %%ss\n\t"
                 "movw %[ds], %%ax\n\t"
                 "movw %%ax, %%ds\n\t"
                 "movw %%ax, %%es\n\t"
                 "xorl %%eax, %%eax\n\t"
                 "movw %%ax, %%fs\n\t"
                 :
                 : [cs] "i"(KERNEL_CS), [ss] "i"(KERNEL_SS), [ds] "i"(USER_DS)
                 : "rax", "memory");
    // GS keeps its selector (null) and its base, set up by percpu::init.
    asm volatile("ltr %w0" ::"r"(TSS_SELECTOR));
    // No LDT: a null LDTR. The CPU comes out of reset with an LDTR of base
    // 0 and limit 0xffff (SDM Vol. 3A 10.1.1, Table 10-1) and firmware may
    // leave it so; then a selector with TI set (0x47, say) would name a
    // "descriptor" in whatever the program maps at address 0, read with
    // supervisor rights by every segment load and iretq. With a null LDTR
    // such a selector is a #GP, until a program makes an LDT (modify_ldt).
    asm volatile("lldt %w0" ::"r"(0));
}

void set_kernel_stack(uint64_t rsp0) {
    tss.rsp[0] = rsp0;
}
uint64_t kernel_stack() {
    return tss.rsp[0];
}
uint64_t ist_stack_top(IstSlot slot) {
    return tss.ist[slot - 1];
}

void set_tls_descriptors(const uint64_t (&descriptors)[3]) {
    for (unsigned i = 0; i < TLS_COUNT; i++) entries[TLS_FIRST + i] = descriptors[i];
}

void set_ldt(const uint64_t* ldt_entries, unsigned count) {
    const uint64_t base = reinterpret_cast<uint64_t>(ldt_entries);
    if (!ldt_entries || !count) {
        if (ldt_base) asm volatile("lldt %w0" ::"r"(0)); // a null selector: no LDT (SDM Vol. 2A LLDT)
        ldt_base = 0, ldt_limit = 0;
        entries[LDT] = entries[LDT + 1] = 0;
        return;
    }
    const uint32_t limit = count * 8 - 1;
    if (base == ldt_base && limit == ldt_limit) return;
    const auto d = desc::ldt64(base, limit);
    entries[LDT] = d.low;
    entries[LDT + 1] = d.high;
    asm volatile("lldt %w0" ::"r"(LDT_SELECTOR) : "memory");
    ldt_base = base, ldt_limit = limit;
}

void io_permit_none() {
    tss.iomap_base = IOMAP_NONE;
}

void io_permit_all() {
    tss.iomap_base = IOMAP_ALL;
}

void io_permit_map(const uint8_t* map, unsigned bytes) {
    tss.iomap_base = IOMAP_TASK;
    if (!map) return; // the map holds these bits already
    if (bytes > IO_BITMAP_BYTES) bytes = IO_BITMAP_BYTES;
    __builtin_memcpy(tss_block.task, map, bytes);
    if (task_dirty > bytes) __builtin_memset(tss_block.task + bytes, 0xff, task_dirty - bytes);
    task_dirty = bytes;
}

const uint64_t* table() {
    return entries;
}

} // namespace x86::gdt
