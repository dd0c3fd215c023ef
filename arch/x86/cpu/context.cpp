#include "arch/x86/cpu/context.h"

#include "arch/x86/cpu/cpu.h"
#include "arch/x86/cpu/msr.h"
#include "arch/x86/cpu/percpu.h"
#include "arch/x86/desc/gdt.h"
#include "arch/x86/desc/layout.h"

namespace x86 {

extern "C" {
int x86_load_user_segment_ds(uint16_t selector);
int x86_load_user_segment_es(uint16_t selector);
int x86_load_user_segment_fs(uint16_t selector);
int x86_load_user_segment_gs(uint16_t selector);
}

void reset_user_context(UserContext& ctx, bool is64) {
    ctx = UserContext{};
    ctx.ds_selector = ctx.es_selector = is64 ? 0 : gdt::USER_DS;
    __builtin_memset(ctx.fxsave, 0, sizeof(ctx.fxsave));
    // FXSAVE layout: FCW at 0, MXCSR at 24 (SDM Vol. 1 Table 10-2).
    ctx.fxsave[0] = 0x7f; // FCW 0x037f: all x87 exceptions masked, 64-bit precision
    ctx.fxsave[1] = 0x03;
    ctx.fxsave[24] = 0x80; // MXCSR 0x1f80: all SSE exceptions masked
    ctx.fxsave[25] = 0x1f;
}

void save_user_context(UserContext& ctx) {
    asm volatile("fxsave64 %0" : "=m"(ctx.fxsave));
    asm volatile("mov %%ds, %0; mov %%es, %1" : "=r"(ctx.ds_selector), "=r"(ctx.es_selector));
    asm volatile("mov %%fs, %0; mov %%gs, %1" : "=r"(ctx.fs_selector), "=r"(ctx.gs_selector));
    ctx.fs_base = msr::read(msr::FS_BASE);
    ctx.gs_base = msr::read(msr::KERNEL_GS_BASE); // the user's GS while the kernel runs
}

void load_user_context(UserContext& ctx, bool is64) {
    install_tls(ctx.tls);
    InterruptGuard no_interrupts;
    // Each load may fail (the descriptor is gone) and leave null instead;
    // what the program sees then is what Linux gives it: a zero selector.
    unsigned failed = 0;
    if (x86_load_user_segment_ds(ctx.ds_selector)) {
        failed++;
        ctx.ds_selector = 0;
    }
    if (x86_load_user_segment_es(ctx.es_selector)) {
        failed++;
        ctx.es_selector = 0;
    }
    // Loading a selector reloads the hidden base from the GDT; a 64-bit
    // program's base comes from the MSR instead (SDM Vol. 3A 3.4.4.1).
    if (x86_load_user_segment_fs(ctx.fs_selector)) {
        failed++;
        ctx.fs_selector = 0;
        ctx.fs_base = 0; // the base came from the descriptor that is gone
    }
    if (is64 || !ctx.fs_selector) msr::write(msr::FS_BASE, ctx.fs_base);
    // GS: its selector is loaded with the user's base swapped in; the
    // user's base is the inactive one again afterwards.
    if (x86_load_user_segment_gs(ctx.gs_selector)) {
        failed++;
        ctx.gs_selector = 0;
        ctx.gs_base = 0;
    }
    if (is64 || !ctx.gs_selector) msr::write(msr::KERNEL_GS_BASE, ctx.gs_base);
    ctx.segment_reload_failures += failed;
    asm volatile("fxrstor64 %0" ::"m"(ctx.fxsave));
}

void set_entry_stack(uint64_t top) {
    gdt::set_kernel_stack(top);
    this_cpu().kernel_stack_top = top;
}

void switch_address_space(uint64_t pml4_phys) {
    if (read_cr3() != pml4_phys) write_cr3(pml4_phys);
}

void set_user_fs_base(uint64_t base) {
    msr::write(msr::FS_BASE, base);
}
void set_user_gs_base(uint64_t base) {
    msr::write(msr::KERNEL_GS_BASE, base);
}
uint64_t user_fs_base() {
    return msr::read(msr::FS_BASE);
}
uint64_t user_gs_base() {
    return msr::read(msr::KERNEL_GS_BASE);
}

void install_tls(const uint64_t (&tls)[3]) {
    gdt::set_tls_descriptors(tls);
}

} // namespace x86
