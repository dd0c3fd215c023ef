// kernel_main: bring the machine up in dependency order, then either run
// the self-tests or start the first program.
#include "arch/x86/boot/multiboot.h"
#include "arch/x86/cpu/context.h"
#include "arch/x86/cpu/cpu.h"
#include "arch/x86/cpu/cpuid.h"
#include "arch/x86/cpu/features.h"
#include "arch/x86/cpu/percpu.h"
#include "arch/x86/desc/gdt.h"
#include "arch/x86/desc/idt.h"
#include "arch/x86/dev/pic.h"
#include "arch/x86/mm/layout.h"
#include "kernel/boot.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/mm/memory.h"
#include "kernel/selftest.h"
#include "kernel/shutdown.h"
#include "kernel/strings.h"
#include "kernel/time.h"
#include "kernel/trap.h"

namespace {

cmdline::CommandLine command_line;
char cmdline_copy[cmdline::CommandLine::MAX_TEXT];
x86::CpuInfo cpu_info;

const void* boot_phys(uint64_t phys) {
    return x86::mm::phys_to_virt(phys);
}

void print_cpu(const x86::CpuInfo& c) {
    kprintln("[cpu] {} ({}) family {} model {} stepping {}", c.vendor_string, x86::vendor_name(c.vendor), c.family,
             c.model, c.stepping);
    if (c.brand[0]) kprintln("[cpu] {}", c.brand);
    auto yes = [](bool b) { return b ? "yes" : "no"; };
    kprintln("[cpu] SEP {}{} SYSCALL {} LM {} NX {} SMEP {} SMAP {} UMIP {}", yes(c.sep),
             c.sep && !c.sysenter_usable ? " (early P6 quirk: unusable)" : "", yes(c.syscall), yes(c.long_mode),
             yes(c.nx), yes(c.smep), yes(c.smap), yes(c.umip));
}

void print_memory_map(const x86::multiboot::BootInfo& boot) {
    kprintln("[mm] memory map from {}:", boot.loader_name[0] ? boot.loader_name : "the loader");
    for (size_t i = 0; i < boot.region_count; i++) {
        const auto& r = boot.regions[i];
        kprintln("[mm]   {:#012x}-{:#012x} {}", r.start, r.start + r.length - 1,
                 x86::multiboot::region_type_name(r.type));
    }
}

} // namespace

const cmdline::CommandLine& boot_command_line() {
    return command_line;
}
const x86::CpuInfo& boot_cpu() {
    return cpu_info;
}

extern "C" [[noreturn]] void kernel_main(uint32_t magic, uint64_t multiboot_info) {
    console::init();
    kprintln("");
    kprintln("Sysgate: a multi-path system-call teaching kernel (x86_64)");

    cpu_info = x86::decode_cpuid(x86::read_cpuid());
    print_cpu(cpu_info);

    x86::gdt::init();
    x86::percpu_init();
    x86::idt::init();
    trap::init();

    if (magic != x86::multiboot::LOADER_MAGIC) panic("not started by a multiboot loader (magic {:#x})", magic);
    const x86::multiboot::BootInfo boot = x86::multiboot::parse(multiboot_info, boot_phys);
    // Copy the command line before the loader's memory can be reused.
    size_t n = 0;
    for (; boot.cmdline[n] && n + 1 < sizeof(cmdline_copy); n++) cmdline_copy[n] = boot.cmdline[n];
    cmdline_copy[n] = 0;
    // QEMU's -kernel puts the kernel's file name in front; GRUB does not.
    const bool skip_file_name = same_string(boot.loader_name, "qemu");
    cmdline::parse(cmdline_copy, command_line, skip_file_name);
    const char* parsed = cmdline::parsed_text(cmdline_copy, skip_file_name);
    kprintln("[boot] command line: {}", *parsed ? parsed : "(empty)");
    for (size_t i = 0; i < command_line.error_count; i++) kprintln("[boot] {}", command_line.errors[i]);
    print_memory_map(boot);

    const x86::EnabledFeatures on = x86::enable_features(cpu_info);
    kprintln("[cpu] enabled: NX {} SMEP {} SMAP {} UMIP {} WP yes, SSE {}, FSGSBASE {}", on.nx, on.smep, on.smap,
             on.umip, on.sse, on.fsgsbase);
    const x86::xstate::Config& fpu = x86::init_xstate(cpu_info.xsave && on.sse);
    if (fpu.xsave)
        kprintln("[cpu] XSAVE: XCR0 {:#x} (the CPU has {:#x}), {}-byte area, {} at a switch", fpu.features,
                 fpu.cpu_features, fpu.size, fpu.xsaveopt ? "XSAVEOPT" : "XSAVE");
    else
        kprintln("[cpu] no XSAVE: FXSAVE/FXRSTOR, 512-byte area");
    mm::init(boot, {on.nx, on.smep, on.smap, on.umip, on.global_pages});

    x86::pic::init();
    ktime::init(unsigned(command_line.get_number("timer_hz", 100)));
    start_gates();

    if (const char* kind = command_line.get("crash")) selftest::crash(kind);
    if (same_string(command_line.get("selftest", "0"), "1"))
        shutdown(selftest::run_all() ? status::OK : status::SELFTEST_FAILED);

    start_system(boot);
}
