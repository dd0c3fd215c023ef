#pragma once
// The parts of ptrace that are pure arithmetic on Linux's user ABI, kept
// apart from the kernel so that host unit tests can check them
// (tests/unit/ptrace_test.cpp): the layouts of struct user and
// user_regs_struct for both ABIs (arch/x86/include/asm/user_64.h,
// user_32.h), the debug-register rules of arch/x86/kernel/ptrace.c and
// hw_breakpoint.c, and the wait status words of a stopped task.
#include <stddef.h>
#include <stdint.h>

namespace ptrace_abi {

// Requests (include/uapi/linux/ptrace.h, arch/x86/include/uapi/asm/ptrace-abi.h).
enum Request : long {
    TRACEME = 0,
    PEEKTEXT = 1,
    PEEKDATA = 2,
    PEEKUSER = 3,
    POKETEXT = 4,
    POKEDATA = 5,
    POKEUSER = 6,
    CONT = 7,
    KILL = 8,
    SINGLESTEP = 9,
    GETREGS = 12,
    SETREGS = 13,
    GETFPREGS = 14,
    SETFPREGS = 15,
    ATTACH = 16,
    DETACH = 17,
    GETFPXREGS = 18, // i386 only
    SETFPXREGS = 19,
    SYSCALL = 24,
    SYSEMU = 31,
    SYSEMU_SINGLESTEP = 32,
    SETOPTIONS = 0x4200,
    GETEVENTMSG = 0x4201,
    GETSIGINFO = 0x4202,
    SETSIGINFO = 0x4203,
    SEIZE = 0x4206,
    INTERRUPT = 0x4207,
    LISTEN = 0x4208,
    GET_SYSCALL_INFO = 0x420e,
};

// PTRACE_O_* and the events they enable (PTRACE_EVENT_*).
enum : uint32_t {
    O_TRACESYSGOOD = 1,
    O_TRACEFORK = 1 << 1,
    O_TRACEVFORK = 1 << 2,
    O_TRACECLONE = 1 << 3,
    O_TRACEEXEC = 1 << 4,
    O_TRACEVFORKDONE = 1 << 5,
    O_TRACEEXIT = 1 << 6,
    O_TRACESECCOMP = 1 << 7,
    O_EXITKILL = 1 << 20,
    O_SUSPEND_SECCOMP = 1 << 21,
    O_MASK = 0xff | O_EXITKILL | O_SUSPEND_SECCOMP,
};
enum Event : int {
    EVENT_FORK = 1,
    EVENT_VFORK = 2,
    EVENT_CLONE = 3,
    EVENT_EXEC = 4,
    EVENT_VFORK_DONE = 5,
    EVENT_EXIT = 6,
    EVENT_STOP = 128
};

// ---- wait status words (what wait4 stores; WIFSTOPPED is (s & 0xff) == 0x7f)
constexpr int stopped_status(int signal, int event = 0) {
    return 0x7f | (signal & 0xff) << 8 | (event & 0xff) << 16;
}
// A syscall-entry or syscall-exit stop: SIGTRAP, or SIGTRAP | 0x80 with
// PTRACE_O_TRACESYSGOOD, so a tracer can tell it from a real SIGTRAP.
constexpr int syscall_stop_status(bool sysgood) {
    return stopped_status(5 | (sysgood ? 0x80 : 0));
}
constexpr bool is_stopped(int status) {
    return (status & 0xff) == 0x7f;
}

// ---- the user area. Both are "virtual" structures: PEEKUSER/POKEUSER name
// a field by its offset in them.

// user_regs_struct (x86_64), in order: 27 words.
enum Reg64 : unsigned {
    R15,
    R14,
    R13,
    R12,
    RBP,
    RBX,
    R11,
    R10,
    R9,
    R8,
    RAX,
    RCX,
    RDX,
    RSI,
    RDI,
    ORIG_RAX,
    RIP,
    CS,
    EFLAGS,
    RSP,
    SS,
    FS_BASE,
    GS_BASE,
    DS,
    ES,
    FS,
    GS,
    REGS64_COUNT
};
// user_regs_struct (i386): 17 words of 32 bits.
enum Reg32 : unsigned {
    EBX,
    ECX,
    EDX,
    ESI,
    EDI,
    EBP,
    EAX,
    XDS,
    XES,
    XFS,
    XGS,
    ORIG_EAX,
    EIP,
    XCS,
    EFLAGS32,
    ESP,
    XSS,
    REGS32_COUNT
};

// struct user (user_64.h): regs, u_fpvalid, i387 (512 bytes, FXSAVE),
// sizes, start_code, start_stack, signal, reserved, u_ar0, u_fpstate,
// magic, u_comm[32], u_debugreg[8].
constexpr size_t USER64_REGS_SIZE = REGS64_COUNT * 8;   // 216
constexpr size_t USER64_DEBUGREG = 848;                 // offsetof(struct user, u_debugreg)
constexpr size_t USER64_SIZE = USER64_DEBUGREG + 8 * 8; // 912
// struct user (user_32.h, compat struct user32): the i387 area there is
// the 108-byte FSAVE image.
constexpr size_t USER32_REGS_SIZE = REGS32_COUNT * 4; // 68
constexpr size_t USER32_DEBUGREG = 252;
constexpr size_t USER32_SIZE = USER32_DEBUGREG + 8 * 4; // 284

// What a PEEKUSER/POKEUSER offset names.
enum class Slot : uint8_t {
    Invalid,  // misaligned or past the structure: -EIO
    Register, // index: Reg64 or Reg32
    DebugReg, // index: 0-7
    Other,    // another field: reads give 0; x86_64 writes are -EIO, i386 writes are ignored
};
struct UserField {
    Slot slot;
    unsigned index;
};
UserField decode_user_offset(bool abi64, uint64_t offset);

// ---- debug registers

// The highest user address (Linux's TASK_SIZE_MAX, 2^47 - 4096): a
// breakpoint may not cover any byte at or above it.
constexpr uint64_t TASK_SIZE_MAX = 0x00007ffffffff000ull;
constexpr uint64_t DR6_RESERVED = 0xffff0ff0ull; // DR6 reads with these bits set (SDM Vol. 3B 17.2.3)
constexpr uint64_t DR6_BS = 1 << 14;             // single step
constexpr uint64_t DR6_TRAP_BITS = 0xf;          // B0-B3

// One breakpoint as DR7 describes slot i: enabled (L or G set), its type
// (RW bits: 0 execute, 1 write, 2 I/O, 3 read/write) and length in bytes.
struct Breakpoint {
    bool enabled;
    unsigned type;
    unsigned length;
};
Breakpoint decode_dr7(uint64_t dr7, unsigned slot);
// A breakpoint's address for DR0-DR3: 0 or -EINVAL (one reaching
// TASK_SIZE_MAX; Linux's arch_check_bp_in_kernelspace with exclude_kernel).
int check_breakpoint_address(uint64_t address, unsigned length);
// A DR7 value for the addresses given: 0 or -EINVAL (Linux's
// ptrace_write_dr7 and hw_breakpoint_arch_parse: I/O breakpoints refused,
// execute breakpoints only of length 1, data ones aligned to their length
// and below TASK_SIZE_MAX; 8-byte ones only for 64-bit tracers, as on
// Linux's 32-bit kernel).
int validate_dr7(uint64_t dr7, const uint64_t (&address)[4], bool abi64);
// What goes into the DR7 register for an accepted value: the enabled
// slots with their global-enable bits and control fields, nothing else
// (as Linux's encode_dr7: the GD bit or the others never reach the CPU).
uint64_t hardware_dr7(uint64_t dr7);

} // namespace ptrace_abi
