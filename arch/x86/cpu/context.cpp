#include "arch/x86/cpu/context.h"

#include "arch/x86/cpu/cpu.h"
#include "arch/x86/cpu/msr.h"
#include "arch/x86/cpu/percpu.h"
#include "arch/x86/desc/gdt.h"
#include "arch/x86/desc/layout.h"
#include "arch/x86/desc/ldt.h"

namespace x86 {

extern "C" {
int x86_load_user_segment_ds(uint16_t selector);
int x86_load_user_segment_es(uint16_t selector);
int x86_load_user_segment_fs(uint16_t selector);
int x86_load_user_segment_gs(uint16_t selector);
}

void reset_user_context(UserContext& ctx, bool is64) {
    // Everything but the port permissions, which execve keeps (Linux).
    ctx.fs_base = ctx.gs_base = 0;
    ctx.fs_selector = ctx.gs_selector = 0;
    for (uint64_t& d : ctx.tls) d = 0;
    ctx.segment_reload_failures = 0;
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

namespace {

// The bitmap whose bits the TSS's task map holds, and its version then.
const IoBitmap* tss_bitmap;
uint64_t tss_bitmap_version;
uint64_t io_bitmap_versions; // the global counter IoBitmap::version is stamped from

void load_io_permissions(const IoPermissions& io) {
    if (io.iopl == 3) {
        gdt::io_permit_all();
    } else if (!io.bitmap) {
        gdt::io_permit_none();
    } else if (io.bitmap == tss_bitmap && io.bitmap->version == tss_bitmap_version) {
        gdt::io_permit_map(nullptr, 0); // the TSS has these bits already
    } else {
        gdt::io_permit_map(io.bitmap->bits, io.bitmap->used_bytes);
        tss_bitmap = io.bitmap;
        tss_bitmap_version = io.bitmap->version;
    }
}

void install_ldt(const ldt::Table* ldt) {
    if (ldt)
        gdt::set_ldt(ldt->entries(), ldt->count());
    else
        gdt::set_ldt(nullptr, 0);
}

} // namespace

IoPermissions::~IoPermissions() {
    delete bitmap;
}

void load_user_context(UserContext& ctx, bool is64, const ldt::Table* ldt) {
    install_tls(ctx.tls);
    InterruptGuard no_interrupts;
    install_ldt(ldt);
    load_io_permissions(ctx.io);
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

void reload_ldt(const ldt::Table* ldt) {
    InterruptGuard no_interrupts;
    install_ldt(ldt);
    uint16_t ds, es;
    asm volatile("mov %%ds, %0; mov %%es, %1" : "=r"(ds), "=r"(es));
    // A load that faults leaves the null selector (segments.asm).
    if (ldt::names_ldt(ds)) x86_load_user_segment_ds(ds);
    if (ldt::names_ldt(es)) x86_load_user_segment_es(es);
}

void refresh_user_segments(uint16_t selector) {
    InterruptGuard no_interrupts;
    uint16_t ds, es, fs, gs;
    asm volatile("mov %%ds, %0; mov %%es, %1" : "=r"(ds), "=r"(es));
    asm volatile("mov %%fs, %0; mov %%gs, %1" : "=r"(fs), "=r"(gs));
    if (ds == selector) x86_load_user_segment_ds(ds);
    if (es == selector) x86_load_user_segment_es(es);
    // A selector that loads brings its descriptor's base; one that does not
    // is null with base 0 (on every vendor: some keep the old base on a null load).
    if (fs == selector && x86_load_user_segment_fs(fs)) msr::write(msr::FS_BASE, 0);
    if (gs == selector && x86_load_user_segment_gs(gs)) msr::write(msr::KERNEL_GS_BASE, 0);
}

bool copy_io_permissions(UserContext& child, const UserContext& parent) {
    child.io.iopl = parent.io.iopl;
    if (!parent.io.bitmap) return true;
    IoBitmap* copy = new IoBitmap(*parent.io.bitmap);
    if (!copy) return false;
    copy->version = ++io_bitmap_versions;
    delete child.io.bitmap;
    child.io.bitmap = copy;
    return true;
}

bool set_io_bitmap(UserContext& ctx, unsigned from, unsigned num, bool allow, bool running) {
    IoBitmap* bitmap = ctx.io.bitmap;
    if (!bitmap) {
        if (!allow) return true; // nothing to take away (Linux allocates nothing either)
        if (!(bitmap = new IoBitmap)) return false;
        bitmap->reset();
    }
    bitmap->set(from, num, allow);
    bitmap->version = ++io_bitmap_versions;
    ctx.io.bitmap = bitmap->allows_none() ? nullptr : bitmap; // every permission dropped: no bitmap at all
    if (!ctx.io.bitmap) delete bitmap;
    if (running) {
        InterruptGuard no_interrupts;
        load_io_permissions(ctx.io);
    }
    return true;
}

void set_iopl(UserContext& ctx, unsigned level, bool running) {
    ctx.io.iopl = uint8_t(level & 3);
    if (running) {
        InterruptGuard no_interrupts;
        load_io_permissions(ctx.io);
    }
}

} // namespace x86
