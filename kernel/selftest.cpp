#include "kernel/selftest.h"
#include "kernel/strings.h"

#include "arch/x86/cpu/context.h"
#include "arch/x86/cpu/cpu.h"
#include "arch/x86/cpu/msr.h"
#include "arch/x86/desc/gdt.h"
#include "arch/x86/desc/idt.h"
#include "arch/x86/desc/layout.h"
#include "arch/x86/entry/entry.h"
#include "arch/x86/mm/layout.h"
#include "arch/x86/mm/paging.h"
#include "arch/x86/mm/usercopy.h"
#include "kernel/boot.h"
#include "kernel/console.h"
#include "kernel/mm/memory.h"
#include "kernel/shutdown.h"
#include "kernel/time.h"
#include "kernel/trap.h"

extern "C" int x86_ring3_round_trip(uint64_t rip, uint64_t rsp, uint64_t cs, uint64_t ss, uint64_t* out);
extern "C" char x86_ring3_probe_gate[];
extern "C" void x86_call_on_stack(void (*fn)(), uint64_t stack_top);

namespace selftest {
namespace {

unsigned passed, failed;

// A failure message for the current test; empty means it passed.
struct Result {
    char text[128] = {};
    template <typename... Ts>
    bool fail(fmt::StringView format, const Ts&... args) {
        fmt::format_to(text, sizeof(text), format, args...);
        return false;
    }
};

void report(const char* name, bool ok, const Result& r) {
    if (ok) {
        passed++;
        kprintln("[selftest] {} ... ok", name);
    } else {
        failed++;
        kprintln("[selftest] {} ... FAIL: {}", name, r.text);
    }
}

bool frames(Result& r) {
    constexpr int N = 64;
    uint64_t got[N];
    const uint64_t before = mm::free_frames();
    for (int i = 0; i < N; i++) {
        got[i] = mm::allocate_frame();
        if (!got[i] || got[i] % 4096) return r.fail("allocation {} returned {:#x}", i, got[i]);
        const uint64_t* page = static_cast<const uint64_t*>(x86::mm::phys_to_virt(got[i]));
        for (int w = 0; w < 512; w++)
            if (page[w]) return r.fail("frame {:#x} not zeroed", got[i]);
        *static_cast<uint64_t*>(x86::mm::phys_to_virt(got[i])) = got[i];
        for (int j = 0; j < i; j++)
            if (got[j] == got[i]) return r.fail("frame {:#x} handed out twice", got[i]);
    }
    for (int i = 0; i < N; i++)
        if (*static_cast<uint64_t*>(x86::mm::phys_to_virt(got[i])) != got[i]) return r.fail("frame contents lost");
    if (mm::free_frames() != before - N)
        return r.fail("free count {} after {} allocations from {}", mm::free_frames(), N, before);
    for (int i = 0; i < N; i++) mm::free_frame(got[i]);
    if (mm::free_frames() != before) return r.fail("free count not restored");
    return true;
}

bool heap(Result& r) {
    const size_t before = mm::heap_in_use();
    constexpr int N = 200;
    char* blocks[N];
    for (int i = 0; i < N; i++) {
        const size_t size = 1 + (i * 37) % 3000;
        blocks[i] = new char[size];
        if (!blocks[i] || reinterpret_cast<uint64_t>(blocks[i]) % 16) return r.fail("bad allocation {}", i);
        for (size_t b = 0; b < size; b++) blocks[i][b] = char(i);
    }
    for (int i = 0; i < N; i += 2) delete[] blocks[i];
    for (int i = 1; i < N; i += 2) {
        const size_t size = 1 + (i * 37) % 3000;
        for (size_t b = 0; b < size; b++)
            if (blocks[i][b] != char(i)) return r.fail("block {} overwritten", i);
        delete[] blocks[i];
    }
    if (!mm::heap_check()) return r.fail("heap structure inconsistent");
    if (mm::heap_in_use() != before) return r.fail("{} bytes leaked", mm::heap_in_use() - before);
    char* big = new char[256 * 1024]; // forces the heap to grow
    if (!big) return r.fail("256 KiB allocation failed");
    big[256 * 1024 - 1] = 1;
    delete[] big;
    return mm::heap_check() ? true : r.fail("heap inconsistent after growth");
}

bool breakpoint(Result& r) {
    const unsigned before = trap::kernel_breakpoints;
    asm volatile("int3");
    if (trap::kernel_breakpoints != before + 1) return r.fail("breakpoint handler did not run");
    return true;
}

bool guard_page(Result& r) {
    const mm::KernelStack stack = mm::allocate_kernel_stack();
    if (!stack) return r.fail("no kernel stack");
    uint64_t value = 0;
    const int inside = x86_probe_read_u64(reinterpret_cast<void*>(stack.bottom), &value);
    const int guard = x86_probe_read_u64(reinterpret_cast<void*>(stack.bottom - 8), &value);
    const bool is_guard = mm::is_stack_guard(stack.bottom - 8) && !mm::is_stack_guard(stack.bottom);
    mm::free_kernel_stack(stack);
    if (inside != 0) return r.fail("the stack itself is not readable");
    if (guard == 0) return r.fail("the guard page below the stack is mapped");
    if (!is_guard) return r.fail("guard page not recognised");
    return true;
}

bool timer(Result& r) {
    const uint64_t start = ktime::ticks();
    const uint64_t deadline = x86::rdtsc() + ktime::tsc_hz(); // 1 s of TSC
    x86::enable_interrupts();
    while (ktime::ticks() < start + 3 && x86::rdtsc() < deadline) x86::halt();
    x86::disable_interrupts();
    if (ktime::ticks() < start + 3) return r.fail("only {} ticks in 1 s", ktime::ticks() - start);
    return true;
}

bool descriptors(Result& r) {
    const uint64_t* gdt = x86::gdt::table();
    for (unsigned i = x86::gdt::KERNEL_CODE; i <= x86::gdt::USER_DATA_SYSEXITQ; i++)
        if ((gdt[i] & ~(1ull << 40)) != (x86::gdt::fixed_descriptor(x86::gdt::Index(i)) & ~(1ull << 40)))
            return r.fail("GDT[{}] = {:#x}", i, gdt[i]);
    uint16_t cs, ss;
    asm volatile("mov %%cs, %0; mov %%ss, %1" : "=r"(cs), "=r"(ss));
    if (cs != x86::gdt::KERNEL_CS || ss != x86::gdt::KERNEL_SS) return r.fail("cs {:#x} ss {:#x}", cs, ss);
    return true;
}

// Enters ring 3 in 64-bit and in compatibility mode and comes back
// through a DPL-3 trap gate on vector 0x80.
bool ring3(Result& r) {
    using namespace x86::paging;
    constexpr uint64_t CODE = 0x400000, STACK = 0x401000;
    const uint64_t code_frame = mm::allocate_frame(), stack_frame = mm::allocate_frame();
    const mm::KernelStack kstack = mm::allocate_kernel_stack();
    if (!code_frame || !stack_frame || !kstack) return r.fail("out of memory");
    static const uint8_t user_code[] = {0xcd, 0x80, 0xeb, 0xfe}; // int $0x80; jmp .
    __builtin_memcpy(x86::mm::phys_to_virt(code_frame), user_code, sizeof(user_code));
    Walker kernel(mm::physical_memory(), mm::kernel_root());
    kernel.map(CODE, code_frame, pte::USER);
    kernel.map(STACK, stack_frame, pte::USER | pte::WRITE | mm::pte_nx());

    const uint64_t old_rsp0 = x86::gdt::kernel_stack();
    x86::set_entry_stack(kstack.top); // TSS.RSP0 and the per-CPU copy, as for a task
    const uint64_t old_gate = x86::idt::set_gate(0x80, reinterpret_cast<uint64_t>(x86_ring3_probe_gate), true, 3);
    bool ok = true;
    const struct {
        const char* mode;
        uint16_t cs;
    } modes[] = {{"64-bit", x86::gdt::USER_CS64}, {"compat", x86::gdt::USER_CS32}};
    for (const auto& m : modes) {
        uint64_t seen[3] = {};
        x86::disable_interrupts();
        x86_ring3_round_trip(CODE, STACK + 4096, m.cs, x86::gdt::USER_DS, seen);
        x86::disable_interrupts();
        if (seen[0] != m.cs || seen[1] != x86::gdt::USER_DS || seen[2] != kstack.top - 40) {
            ok = r.fail("{} mode: gate saw cs {:#x} ss {:#x} frame at {:#x} (RSP0 {:#x})", m.mode, seen[0], seen[1],
                        seen[2], kstack.top);
            break;
        }
    }
    x86::idt::set_gate(0x80, old_gate, true, 3);
    x86::set_entry_stack(old_rsp0);
    kernel.unmap(CODE);
    kernel.unmap(STACK);
    kernel.free_tables(0, 0, nullptr, nullptr); // the lower half is user space: leave it empty
    x86::invlpg(CODE);
    x86::invlpg(STACK);
    mm::free_frame(code_frame);
    mm::free_frame(stack_frame);
    mm::free_kernel_stack(kstack);
    return ok;
}

bool gate_msrs(Result& r) {
    const x86::CpuInfo& cpu = boot_cpu();
    if (cpu.sep) {
        if (x86::msr::read(x86::msr::SYSENTER_CS) != x86::gdt::KERNEL_CS) return r.fail("SYSENTER_CS");
        if (x86::msr::read(x86::msr::SYSENTER_EIP) != x86::entry::sysenter_address(false))
            return r.fail("SYSENTER_EIP");
    }
    if (cpu.syscall) {
        if (x86::msr::read(x86::msr::STAR) != x86::gdt::STAR_VALUE) return r.fail("STAR");
        if (x86::msr::read(x86::msr::LSTAR) != x86::entry::syscall64_address()) return r.fail("LSTAR");
        if (x86::msr::read(x86::msr::CSTAR) != x86::entry::syscall32_address()) return r.fail("CSTAR");
        if (x86::msr::read(x86::msr::FMASK) != x86::entry::fmask_value()) return r.fail("FMASK");
        if (!(x86::msr::read(x86::msr::EFER) & x86::msr::EFER_SCE)) return r.fail("EFER.SCE");
    }
    return true;
}

// Recurses until it runs off its stack; depth is volatile so the compiler
// cannot see that it never ends.
volatile unsigned overflow_depth_limit = ~0u;
// XRSTOR's exception fixup (arch/x86/cpu/context.cpp): an area the CPU
// refuses gives false and the initial FPU state, never a kernel fault; a
// good one round-trips an XMM register.
bool fpu_restore(Result& r) {
    alignas(64) static uint8_t area[x86::xstate::MAX_SIZE];
    const uint64_t pattern = 0x0123456789abcdefull;
    uint64_t back = 0;
    asm volatile("movq %0, %%xmm0" ::"r"(pattern));
    x86::save_fpu_state(area);
    asm volatile("pxor %%xmm0, %%xmm0" ::: "memory");
    if (!x86::restore_fpu_state(area)) return r.fail("a saved area does not restore");
    asm volatile("movq %%xmm0, %0" : "=r"(back));
    if (back != pattern) return r.fail("xmm0 came back as {:#x}", back);
    if (!x86::xstate_config().xsave) return true;
    // XSTATE_BV naming a component outside XCR0: a #GP (SDM Vol. 1 13.8.1).
    auto& bv = *reinterpret_cast<uint64_t*>(area + x86::xstate::LEGACY_SIZE);
    bv |= 1ull << 62;
    if (x86::restore_fpu_state(area)) return r.fail("XRSTOR took XSTATE_BV bit 62");
    asm volatile("movq %%xmm0, %0" : "=r"(back));
    if (back != 0) return r.fail("after a refused XRSTOR xmm0 is {:#x}, not the initial 0", back);
    return true;
}

void overflow_forever(unsigned depth) {
    volatile char pad[512];
    pad[0] = char(depth);
    if (depth < overflow_depth_limit) overflow_forever(depth + 1);
    pad[1] = pad[0];
}
void overflow_stack() {
    overflow_forever(0);
}

} // namespace

bool run_all() {
    struct Test {
        const char* name;
        bool (*run)(Result&);
    } tests[] = {
        {"frame allocator", frames},      {"kernel heap", heap},    {"breakpoint resumes", breakpoint},
        {"stack guard page", guard_page}, {"timer ticks", timer},   {"descriptor tables", descriptors},
        {"ring 3 round trip", ring3},     {"gate MSRs", gate_msrs}, {"FPU restore and its fixup", fpu_restore},
    };
    passed = failed = 0;
    for (auto& t : tests) {
        Result r;
        report(t.name, t.run(r), r);
    }
    kprintln("selftest: {} passed, {} failed", passed, failed);
    return failed == 0;
}

void crash(const char* kind) {
    kprintln("[crash] faulting on purpose: crash={}", kind);
    auto is = [kind](const char* k) { return same_string(kind, k); };
    if (is("pagefault")) {
        *reinterpret_cast<volatile uint64_t*>(0xdead0000ull) = 1;
    } else if (is("overflow")) {
        const mm::KernelStack stack = mm::allocate_kernel_stack();
        x86_call_on_stack(overflow_stack, stack.top);
    } else if (is("invalid-opcode")) {
        asm volatile("ud2");
    } else if (is("divide")) {
        // Division by zero is undefined in C++, so the compiler may drop it:
        // ask for the instruction itself.
        asm volatile("xorl %%ecx, %%ecx; movl $1, %%eax; cltd; idivl %%ecx" ::: "eax", "ecx", "edx");
    } else if (is("gp")) {
        *reinterpret_cast<volatile uint64_t*>(0x8000000000000000ull) = 1;
    }
    panic("crash={} did not fault", kind);
}

} // namespace selftest
