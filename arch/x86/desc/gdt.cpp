#include "arch/x86/desc/gdt.h"

#include "arch/x86/desc/layout.h"

namespace x86::gdt {
namespace {

alignas(16) uint64_t entries[ENTRY_COUNT];
alignas(16) desc::Tss64 tss;

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
    tss.iomap_base = sizeof(tss); // no I/O bitmap: every port access from ring 3 faults
    const auto tss_descriptor = desc::tss64(reinterpret_cast<uint64_t>(&tss), sizeof(tss) - 1);
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
    // such a selector is a #GP.
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

const uint64_t* table() {
    return entries;
}

} // namespace x86::gdt
