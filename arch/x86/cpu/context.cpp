#include "arch/x86/cpu/context.h"

#include "arch/x86/cpu/cpu.h"
#include "arch/x86/cpu/msr.h"
#include "arch/x86/cpu/percpu.h"
#include "arch/x86/desc/gdt.h"
#include "arch/x86/desc/layout.h"
#include "arch/x86/desc/ldt.h"

namespace x86 {

// ---- the FPU and extended state

namespace {

xstate::Config config;
uint32_t mxcsr_mask = 0xffbf;
unsigned fpu_restore_failures; // areas the CPU refused at a switch (a bad SETFPREGS)

// An area of the largest size, for the asm memory operands.
struct Area {
    uint8_t bytes[xstate::MAX_SIZE];
};

// Legacy-region offsets (SDM Vol. 1 Table 10-2): FCW 0, MXCSR 24, the x87
// registers 32-159, the XMM registers 160-415.
constexpr unsigned FCW = 0, MXCSR = 24, ST_SPACE = 32, XMM_SPACE = 160, XMM_END = 416;

xstate::Header& header(void* area) {
    return *reinterpret_cast<xstate::Header*>(static_cast<uint8_t*>(area) + xstate::LEGACY_SIZE);
}

void put16(uint8_t* p, uint16_t v) {
    __builtin_memcpy(p, &v, 2);
}
void put32(uint8_t* p, uint32_t v) {
    __builtin_memcpy(p, &v, 4);
}

void xsetbv(uint32_t index, uint64_t value) {
    asm volatile("xsetbv" ::"c"(index), "a"(uint32_t(value)), "d"(uint32_t(value >> 32)) : "memory");
}

// The switch-out save. XSAVEOPT may skip a component that is in its initial
// state (XSTATE_BV bit clear) and leave older bytes in the area (SDM Vol. 1
// 13.9, the init optimization): the legacy region is then rewritten with
// the initial values, so that the first 512 bytes are always the exact
// FXSAVE image (fxsave_image()). Its modified optimization (skipping what
// did not change since the last XRSTOR from the same address) is safe:
// the kernel only writes a task's area while its registers are not live
// (SETFPREGS on a stopped task), or right before an XRSTOR from it (execve).
void save_switch_fpu(void* area) {
    if (!config.xsave) {
        asm volatile("fxsave64 %0" : "=m"(*static_cast<Area*>(area)));
        return;
    }
    const uint32_t lo = uint32_t(config.features), hi = uint32_t(config.features >> 32);
    if (config.xsaveopt)
        asm volatile("xsaveopt64 %0" : "+m"(*static_cast<Area*>(area)) : "a"(lo), "d"(hi));
    else
        asm volatile("xsave64 %0" : "+m"(*static_cast<Area*>(area)) : "a"(lo), "d"(hi));
    // Both: x87 and SSE marked present, so that XRSTOR loads the legacy
    // region as it stands (and a SETFPREGS edit of it counts).
    uint8_t* b = static_cast<uint8_t*>(area);
    xstate::Header& h = header(area);
    if (!(h.xstate_bv & xstate::X87)) {
        __builtin_memset(b, 0, MXCSR); // FSW, tag, FOP, FIP, FDP: 0
        put16(b + FCW, 0x037f);
        __builtin_memset(b + ST_SPACE, 0, XMM_SPACE - ST_SPACE);
    }
    if (!(h.xstate_bv & xstate::SSE)) __builtin_memset(b + XMM_SPACE, 0, XMM_END - XMM_SPACE);
    h.xstate_bv |= xstate::FPSSE;
}

// XRSTOR / FXRSTOR that cannot fault in the kernel: a #GP resumes at the
// instruction after it (the exception table, as for the segment loads in
// segments.asm) with `failed` still 1.
bool xrstor_checked(const void* area, uint64_t mask) {
    uint32_t failed;
    asm volatile("movl $1, %0\n"
                 "1: xrstor64 %1\n"
                 "xorl %0, %0\n"
                 "2:\n"
                 ".pushsection .ex_table, \"a\"\n"
                 ".quad 1b, 2b\n"
                 ".popsection"
                 : "=&r"(failed)
                 : "m"(*static_cast<const Area*>(area)), "a"(uint32_t(mask)), "d"(uint32_t(mask >> 32))
                 : "memory", "cc");
    return !failed;
}

bool fxrstor_checked(const void* area) {
    uint32_t failed;
    asm volatile("movl $1, %0\n"
                 "1: fxrstor64 %1\n"
                 "xorl %0, %0\n"
                 "2:\n"
                 ".pushsection .ex_table, \"a\"\n"
                 ".quad 1b, 2b\n"
                 ".popsection"
                 : "=&r"(failed)
                 : "m"(*static_cast<const Area*>(area))
                 : "memory", "cc");
    return !failed;
}

alignas(64) uint8_t initial_area[xstate::MAX_SIZE];

} // namespace

const xstate::Config& init_xstate(bool cpu_has_xsave) {
    xstate::Leaves l;
    l.xsave = cpu_has_xsave;
    if (l.xsave) {
        write_cr4(read_cr4() | cr4::OSXSAVE);
        uint32_t leaf7[4];
        cpuid(0, 0, leaf7);
        const bool has_leaf7 = leaf7[0] >= 7;
        cpuid(7, 0, leaf7);
        l.pku = has_leaf7 && ((leaf7[2] >> 3) & 1);
        cpuid(0xd, 0, l.d0);
        cpuid(0xd, 1, l.d1);
        for (unsigned i = 2; i < xstate::COMPONENTS; i++) cpuid(0xd, i, l.comp[i]);
    }
    config = xstate::configure(l);
    if (config.xsave) {
        if (config.features & xstate::PKRU) write_cr4(read_cr4() | cr4::PKE);
        xsetbv(0, config.features);
        // The CPU's own size for what XCR0 now holds (CPUID.0Dh.0:EBX): if
        // it disagrees with the offsets, trust the larger one that fits.
        uint32_t d0[4];
        cpuid(0xd, 0, d0);
        if (d0[1] > config.size && d0[1] <= xstate::MAX_SIZE) config.size = d0[1];
        if (d0[1] > xstate::MAX_SIZE) {
            config = xstate::configure(l, xstate::MIN_SIZE);
            xsetbv(0, config.features);
        }
    }
    alignas(16) uint8_t fx[512] = {};
    asm volatile("fxsave64 %0" : "=m"(fx));
    uint32_t mask;
    __builtin_memcpy(&mask, fx + 28, 4);
    mxcsr_mask = mask ? mask : 0xffbf;
    init_fpu_area(initial_area);
    reset_fpu_state();
    return config;
}

const xstate::Config& xstate_config() {
    return config;
}

uint32_t mxcsr_feature_mask() {
    return mxcsr_mask;
}

void save_fpu_state(void* area) {
    __builtin_memset(area, 0, config.size);
    if (!config.xsave) {
        asm volatile("fxsave64 %0" : "+m"(*static_cast<Area*>(area)));
        return;
    }
    asm volatile("xsave64 %0"
                 : "+m"(*static_cast<Area*>(area))
                 : "a"(uint32_t(config.features)), "d"(uint32_t(config.features >> 32)));
}

bool restore_fpu_state(const void* area) {
    const bool ok = config.xsave ? xrstor_checked(area, config.features) : fxrstor_checked(area);
    if (!ok) reset_fpu_state();
    return ok;
}

void init_fpu_area(void* area) {
    uint8_t* b = static_cast<uint8_t*>(area);
    __builtin_memset(b, 0, config.size);
    put16(b + FCW, 0x037f);   // all x87 exceptions masked, 64-bit precision
    put32(b + MXCSR, 0x1f80); // all SSE exceptions masked
    // x87 and SSE from the legacy region; AVX and above: initial (zero).
    if (config.xsave) header(area).xstate_bv = xstate::FPSSE;
}

void reset_fpu_state() {
    if (config.xsave)
        xrstor_checked(initial_area, config.features);
    else
        fxrstor_checked(initial_area);
}

void fxsave_image_written(UserContext& ctx) {
    if (config.xsave) header(fpu_area(ctx)).xstate_bv |= xstate::FPSSE;
}

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
    init_fpu_area(fpu_area(ctx));
}

void save_user_context(UserContext& ctx) {
    save_switch_fpu(fpu_area(ctx));
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
    if (!restore_fpu_state(fpu_area(ctx))) fpu_restore_failures++;
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
