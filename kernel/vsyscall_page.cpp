#include "kernel/vsyscall_page.h"

#include "arch/x86/mm/layout.h"
#include "arch/x86/mm/paging.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/mm/memory.h"
#include "kernel/proc/process.h"
#include "kernel/shutdown.h"
#include "kernel/syscall/dispatch.h"
#include "kernel/uaccess.h"

namespace vsyscall_page {
namespace {

Mode current_mode = Mode::XOnly;

// The three entries, 1 KiB apart, and the x86_64 calls they stand for.
struct Entry {
    uint64_t offset;
    uint32_t number;
};
constexpr Entry ENTRIES[] = {{0x000, 96 /*gettimeofday*/}, {0x400, 201 /*time*/}, {0x800, 309 /*getcpu*/}};

// What the page held when it was code, as Linux still shows it in
// emulate mode: mov $NR, %rax; syscall; ret at each entry, int3 around.
void fill_historical_code(uint8_t* page) {
    __builtin_memset(page, 0xcc, x86::mm::PAGE_SIZE);
    for (const Entry& e : ENTRIES) {
        const uint8_t code[] = {0x48, 0xc7, 0xc0, uint8_t(e.number), uint8_t(e.number >> 8), 0, 0, // mov $NR, %rax
                                0x0f, 0x05,                                                        // syscall
                                0xc3};                                                             // ret
        __builtin_memcpy(page + e.offset, code, sizeof(code));
    }
}

} // namespace

const char* mode_name(Mode m) {
    switch (m) {
    case Mode::XOnly:
        return "xonly";
    case Mode::Emulate:
        return "emulate";
    case Mode::None:
        return "none";
    }
    return "?";
}

Mode mode() {
    return current_mode;
}

void init(Mode m) {
    current_mode = m;
    if (m == Mode::Emulate) {
        // In the kernel's half of every address space, user-readable and
        // never executable; the upper levels get the user bit (SDM Vol. 3A
        // 4.6), the kernel's own leaf pages stay supervisor-only.
        const uint64_t frame = mm::allocate_frame();
        if (!frame) panic("no memory for the vsyscall page");
        fill_historical_code(static_cast<uint8_t*>(x86::mm::phys_to_virt(frame)));
        x86::paging::Walker kernel(mm::physical_memory(), mm::kernel_root());
        if (!kernel.map(ADDRESS, frame, x86::paging::pte::USER | mm::pte_nx())) panic("cannot map the vsyscall page");
    }
    kprintln("[vsyscall] legacy page at {:#x}: {}", ADDRESS,
             m == Mode::XOnly     ? "xonly (calls emulated, reads fault)"
             : m == Mode::Emulate ? "emulate (readable, calls emulated)"
                                  : "none");
}

bool handle_fault(x86::RegisterFrame& f, uint64_t address) {
    if (current_mode == Mode::None || address < ADDRESS || address >= ADDRESS + x86::mm::PAGE_SIZE) return false;
    const Process* p = current_process();
    // Only an instruction fetch at an entry is a call: CR2 equals RIP.
    if (!p->is64 || f.rip != address) return false;
    const Entry* entry = nullptr;
    for (const Entry& e : ENTRIES)
        if (address == ADDRESS + e.offset) entry = &e;
    if (!entry) return false;
    // The call instruction pushed the return address: the emulation ends
    // as the entry's ret would (Linux's emulate_vsyscall).
    uint64_t return_address;
    if (copy_from_user(&return_address, UserPtr<const void>(f.rsp), sizeof(return_address))) return false;
    const int64_t result = syscall::dispatch_legacy(f, entry->number);
    if (result == -err::EFAULT) return false; // a bad buffer: SIGSEGV, as on Linux
    f.rax = uint64_t(result);
    f.rip = return_address;
    f.rsp += 8;
    return true;
}

} // namespace vsyscall_page
