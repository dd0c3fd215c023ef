// Segments and ports: modify_ldt, iopl, ioperm, and the vm86 calls that
// a 64-bit kernel does not have. The descriptor rules are in
// arch/x86/desc/ldt.h, the hardware side in arch/x86/desc/gdt.cpp and
// arch/x86/cpu/context.cpp; docs/gates.md ("The TSS I/O bitmap and the
// LDT") explains both.
#include "kernel/syscall/sys_segments.h"
#include "arch/x86/cpu/context.h"
#include "arch/x86/cpu/cpu.h"
#include "arch/x86/desc/layout.h"
#include "arch/x86/desc/ldt.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/proc/process.h"
#include "kernel/syscall/handlers.h"

namespace {

using x86::ldt::Table;
using x86::ldt::UserDesc;

// modify_ldt func 0: the LDT as the CPU sees it, zero-filled past its end.
long read_ldt(UserPtr<void> ptr, uint64_t bytecount) {
    const Table& ldt = current_process()->mm->ldt;
    const size_t size = ldt.read_size(bytecount);
    const size_t present = size < size_t(ldt.count()) * 8 ? size : size_t(ldt.count()) * 8;
    if (present && copy_to_user(ptr, ldt.entries(), present)) return -err::EFAULT;
    if (size > present && clear_user(ptr + present, size - present)) return -err::EFAULT;
    return long(size);
}

// modify_ldt func 2: x86_64 Linux has no default LDT and reads back 128 zero bytes.
long read_default_ldt(UserPtr<void> ptr, uint64_t bytecount) {
    const size_t size = bytecount < x86::ldt::DEFAULT_LDT_BYTES ? bytecount : x86::ldt::DEFAULT_LDT_BYTES;
    if (clear_user(ptr, size)) return -err::EFAULT;
    return long(size);
}

// modify_ldt func 1 (old mode) and 0x11: one entry, Linux's rules.
long write_ldt(UserPtr<void> ptr, uint64_t bytecount, bool old_mode) {
    UserDesc d;
    if (bytecount != sizeof(d)) return -err::EINVAL;
    if (read_user(d, UserPtr<const UserDesc>(ptr.address()))) return -err::EFAULT;
    uint64_t descriptor = 0;
    if (!x86::ldt::encode_write(d, old_mode, x86::ldt::ALLOW_16BIT_STACKS, descriptor)) {
        if (x86::ldt::is_16bit_stack(d)) {
            static RateLimit messages("[ldt]");
            if (messages.allow())
                kprintln("[ldt] {}[{}]: modify_ldt refuses 16-bit stack segments (iretq to one would leave the "
                         "kernel's RSP[31:16] in ESP; Sysgate has no espfix): EINVAL",
                         current_process()->name, current_process()->pid);
        }
        return -err::EINVAL;
    }
    Process* p = current_process();
    Table& ldt = p->mm->ldt;
    uint64_t* retired = nullptr;
    {
        // The CPU must never see the table half-switched: install the new
        // array (or count) before anything can load a selector from it.
        x86::InterruptGuard no_interrupts;
        if (!ldt.write(d.entry_number, descriptor, &retired)) return -err::ENOMEM;
        x86::reload_ldt(&ldt);
    }
    delete[] retired;
    return 0;
}

} // namespace

int64_t sys_modify_ldt(int func, UserPtr<void> ptr, uint64_t bytecount) {
    long result = -err::ENOSYS;
    switch (func) {
    case 0:
        result = read_ldt(ptr, bytecount);
        break;
    case 1:
        result = write_ldt(ptr, bytecount, true);
        break;
    case 2:
        result = read_default_ldt(ptr, bytecount);
        break;
    case 0x11:
        result = write_ldt(ptr, bytecount, false);
        break;
    }
    // Linux's ABI returns an int: on x86_64, rax holds it zero-extended
    // (arch/x86/kernel/ldt.c: "return (unsigned int)ret"), so -EINVAL
    // arrives as 0x00000000ffffffea. glibc's syscall() then does not see
    // an error; callers cast the result to int, as Linux's selftests do.
    return int64_t(uint32_t(result));
}

// ioperm and iopl need CAP_SYS_RAWIO on Linux, as does enabling any port;
// taking permissions away never needs it.
namespace {
bool may_use_ports() {
    return has_root_privileges(*current_process());
}
} // namespace

int64_t sys_ioperm(uint64_t from, uint64_t num, int turn_on) {
    if (from + num <= from || from + num > x86::IoBitmap::PORTS) return -err::EINVAL;
    if (turn_on && !may_use_ports()) return -err::EPERM;
    if (!x86::set_io_bitmap(current_process()->user_context, unsigned(from), unsigned(num), turn_on, true))
        return -err::ENOMEM;
    return 0;
}

int64_t sys_iopl(uint32_t level) {
    if (level > 3) return -err::EINVAL;
    x86::UserContext& ctx = current_process()->user_context;
    if (level > ctx.io.iopl && !may_use_ports()) return -err::EPERM;
    x86::set_iopl(ctx, level, true);
    return 0;
}

namespace {

// Where the instruction at CS:RIP is: RIP itself in 64-bit code, else
// the code segment's base plus EIP (IP for a 16-bit segment), as Linux's
// insn_get_effective_ip. Only an LDT code segment has a base.
uint64_t linear_ip(const Process& p, const x86::RegisterFrame& f) {
    const uint16_t cs = uint16_t(f.cs);
    if (!x86::ldt::names_ldt(cs)) return cs == x86::gdt::USER_CS64 ? f.rip : uint32_t(f.rip);
    const uint64_t d = p.mm->ldt.entry(cs >> 3);
    if (d >> 53 & 1) return f.rip; // a 64-bit code segment (modify_ldt never makes one)
    const uint32_t base = uint32_t((d >> 16 & 0xffffff) | (d >> 56 & 0xff) << 24);
    const uint32_t offset = d >> 54 & 1 ? uint32_t(f.rip) : uint32_t(f.rip & 0xffff);
    return uint32_t(base + offset);
}

} // namespace

namespace segments {

// A #GP from user mode at a cli (0xfa) or sti (0xfb) of a task with
// iopl(3): Linux 6.1 (arch/x86/kernel/traps.c, fixup_iopl_exception)
// steps over it and warns once per task, so old programs that bracket
// port accesses with cli/sti keep working without ever disabling
// interrupts. True if the instruction was skipped.
bool skip_cli_sti(x86::RegisterFrame& frame) {
    Process* p = current_process();
    x86::IoPermissions& io = p->user_context.io;
    if (io.iopl != 3 || frame.error_code) return false;
    const uint64_t ip = linear_ip(*p, frame);
    uint8_t byte = 0;
    if (copy_from_user(&byte, UserPtr<const void>(ip), 1) || (byte != 0xfa && byte != 0xfb)) return false;
    if (!io.warned_cli_sti) {
        static RateLimit messages("[iopl]");
        if (messages.allow())
            kprintln("[iopl] {}[{}] uses {} with iopl(3): treated as a no-op, interrupts stay on (ip {:#x})", p->name,
                     p->pid, byte == 0xfa ? "cli" : "sti", ip);
        io.warned_cli_sti = true;
    }
    frame.rip += 1;
    return true;
}

} // namespace segments
