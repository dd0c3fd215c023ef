#include "kernel/vdso.h"

#include "arch/x86/mm/layout.h"
#include "arch/x86/vdso/layout.h"
#include "kernel/console.h"
#include "kernel/exec/elf.h"
#include "kernel/mm/memory.h"
#include "kernel/proc/process.h"
#include "kernel/shutdown.h"
#include "kernel/time.h"
#include "kernel/vdso_choice.h"

// The images (arch/x86/vdso/images.asm).
#define SYSGATE_VDSO_IMAGE(name) extern "C" const uint8_t name##_start[], name##_end[];
SYSGATE_VDSO_IMAGE(vdso32_int80)
SYSGATE_VDSO_IMAGE(vdso32_sysenter)
SYSGATE_VDSO_IMAGE(vdso32_syscall)
SYSGATE_VDSO_IMAGE(vdso64_syscall)
SYSGATE_VDSO_IMAGE(vdso64_sysenter)
#undef SYSGATE_VDSO_IMAGE

namespace vdso {

namespace {

// Where each gate's fallback call returns, from the vDSO's base; filled by
// init(), 0 for the gates no fallback uses.
uint64_t fallback_offset_by_gate[4];


using x86::entry::Gate;

struct Image {
    const uint8_t* start;
    const uint8_t* end;
    size_t size() const { return size_t(end - start); }
};

// The pages every process of one bitness shares.
struct Loaded {
    Gate gate;
    uint64_t frames[x86::vdso::MAX_CODE_PAGES];
    size_t pages;
    uint64_t base;     // where it is mapped
    uint64_t vsyscall; // __kernel_vsyscall, absolute
    uint64_t sysenter_return;
    uint64_t fallback_return;
    uint64_t sigreturn, rt_sigreturn; // 32-bit only
};
Loaded image32, image64;

uint64_t symbol(const Image& image, const char* name, uint64_t base) {
    uint64_t value = 0;
    if (!elf::find_dynamic_symbol(image.start, image.size(), name, value)) panic("vDSO image has no symbol {}", name);
    return base + value;
}

// Panics unless the image has `bytes` at the symbol `name` (at `address`).
void expect_code(const Image& image, uint64_t base, uint64_t address, const char* name, const uint8_t* bytes,
                 size_t n) {
    const uint64_t at = address - base;
    if (at > image.size() || n > image.size() - at || __builtin_memcmp(image.start + at, bytes, n))
        panic("vDSO image: {} is not the expected code", name);
}

void load(Loaded& out, const Image& image, Gate gate, uint64_t base, bool is64) {
    out.gate = gate;
    out.base = base;
    out.pages = (image.size() + 4095) / 4096;
    if (out.pages > x86::vdso::MAX_CODE_PAGES) panic("vDSO image of {} bytes is too large", image.size());
    if (!is64 && base + out.pages * 4096 > 0x100000000ull) panic("32-bit vDSO image does not fit below 4 GiB");
    for (size_t i = 0; i < out.pages; i++) {
        out.frames[i] = mm::allocate_frame();
        if (!out.frames[i]) panic("no memory for the vDSO");
        const size_t offset = i * 4096;
        const size_t n = image.size() - offset < 4096 ? image.size() - offset : 4096;
        __builtin_memcpy(x86::mm::phys_to_virt(out.frames[i]), image.start + offset, n);
    }
    out.vsyscall = symbol(image, "__kernel_vsyscall", base);
    out.sysenter_return = symbol(image, "__kernel_vsyscall_sysenter_return", base);
    // A restarted sysenter call returns to the instruction before the pad
    // (x86::entry::rewind_to_gate): it must be a sysenter (0f 34).
    const uint64_t pad = out.sysenter_return - base;
    if (pad < 2 || image.start[pad - 2] != 0x0f || image.start[pad - 1] != 0x34)
        panic("vDSO image: no sysenter right before __kernel_vsyscall_sysenter_return");
    out.fallback_return = symbol(image, "__sysgate_vdso_fallback_return", base);
    if (!is64) {
        // The signal trampolines, byte for byte Linux's (GDB and libgcc
        // recognise signal frames by them): popl %eax; movl $119, %eax;
        // int $0x80 and movl $173, %eax; int $0x80.
        out.sigreturn = symbol(image, "__kernel_sigreturn", base);
        out.rt_sigreturn = symbol(image, "__kernel_rt_sigreturn", base);
        static const uint8_t sigreturn_code[] = {0x58, 0xb8, 119, 0, 0, 0, 0xcd, 0x80};
        static const uint8_t rt_sigreturn_code[] = {0xb8, 173, 0, 0, 0, 0xcd, 0x80};
        expect_code(image, base, out.sigreturn, "__kernel_sigreturn", sigreturn_code, sizeof sigreturn_code);
        expect_code(image, base, out.rt_sigreturn, "__kernel_rt_sigreturn", rt_sigreturn_code,
                    sizeof rt_sigreturn_code);
    }
}

Image image_for(Gate gate, bool is64) {
    if (is64) {
        if (gate == Gate::Sysenter) return {vdso64_sysenter_start, vdso64_sysenter_end};
        return {vdso64_syscall_start, vdso64_syscall_end};
    }
    switch (gate) {
    case Gate::Sysenter:
        return {vdso32_sysenter_start, vdso32_sysenter_end};
    case Gate::Syscall:
        return {vdso32_syscall_start, vdso32_syscall_end};
    case Gate::Int80:
    case Gate::Vsyscall: // never a vDSO's gate
        break;
    }
    return {vdso32_int80_start, vdso32_int80_end};
}

} // namespace

void init(const x86::CpuInfo& cpu, const char* option_text, const x86::entry::GateSupport& support) {
    Option option = Option::Auto;
    if (!parse_option(option_text, option)) option = Option::Auto; // cmdline already said it is bad
    GateChoice choice = choose_gates(cpu, option);
    // The MSRs are only written when CPUID offers the gate at all.
    if (choice.gate32 == Gate::Sysenter && !support.sysenter) choice.gate32 = Gate::Int80;
    if (choice.gate32 == Gate::Syscall && !support.syscall) choice.gate32 = Gate::Int80;
    if (choice.gate64 == Gate::Sysenter && !support.sysenter) choice.gate64 = Gate::Syscall;

    load(image32, image_for(choice.gate32, false), choice.gate32, x86::vdso::CODE32, false);
    load(image64, image_for(choice.gate64, true), choice.gate64, x86::vdso::CODE64, true);
    // The gates add these to the calling process's vDSO base (vdso_base):
    // mremap may move a vDSO.
    x86::entry::set_sysenter_landing_pads(image32.sysenter_return - image32.base,
                                          image64.sysenter_return - image64.base);
    // int $0x80 from the 32-bit vDSO, syscall from the 64-bit one.
    fallback_offset_by_gate[unsigned(Gate::Int80)] = image32.fallback_return - image32.base;
    fallback_offset_by_gate[unsigned(Gate::Syscall)] = image64.fallback_return - image64.base;

    if (choice.forced_fell_back)
        kprintln("[vdso] vsyscall={}: this CPU cannot: {}; falling back to int $0x80", option_text, choice.why32);
    kprintln("[vdso] 32-bit __kernel_vsyscall uses {} ({}) at {:#x}", x86::entry::gate_name(choice.gate32),
             choice.forced_fell_back ? "fallback" : choice.why32, image32.vsyscall);
    kprintln("[vdso] 64-bit __kernel_vsyscall uses {} ({}) at {:#x}", x86::entry::gate_name(choice.gate64),
             choice.why64, image64.vsyscall);
}

bool map_into(mm::AddressSpace& as, bool is64, Mapping& out) {
    const Loaded& img = is64 ? image64 : image32;
    const uint64_t data = is64 ? x86::vdso::DATA64 : x86::vdso::DATA32;
    const uint64_t clock_page = ktime::clock_page_phys();
    // Two special regions, as Linux's [vvar] and [vdso]: moved whole by
    // mremap or not at all, never written.
    if (as.map_kernel(data, &clock_page, 1, mm::PROT_READ, mm::vm::MAY_READ, mm::Special::Vvar, "vvar")) return false;
    if (as.map_kernel(img.base, img.frames, img.pages, mm::PROT_READ | mm::PROT_EXEC,
                      mm::vm::MAY_READ | mm::vm::MAY_EXEC, mm::Special::Vdso, "vdso"))
        return false;
    as.vdso_base = img.base;
    out.base = img.base;
    out.vsyscall = img.vsyscall;
    return true;
}

uint64_t current_base() {
    const Process* p = current_process();
    return p && p->mm ? p->mm->vdso_base : 0;
}

Gate gate32() {
    return image32.gate;
}
Gate gate64() {
    return image64.gate;
}

bool is_fallback_return(uint64_t rip, Gate gate) {
    const uint64_t offset = fallback_offset_by_gate[unsigned(gate)];
    if (!offset) return false;
    const uint64_t base = current_base();
    return base && rip == base + offset;
}

uint64_t sigreturn_trampoline32(bool rt) {
    const uint64_t base = current_base();
    if (!base) return 0;
    return base + ((rt ? image32.rt_sigreturn : image32.sigreturn) - image32.base);
}

} // namespace vdso
