// The pure parts of ptrace (kernel/proc/ptrace_abi.cpp): struct user
// offsets for both ABIs, Linux's DR7 rules, wait status words. The
// layouts are checked against the host's own <sys/user.h> (glibc's copy
// of Linux's x86_64 struct user) where the host has it.
#include <gtest/gtest.h>
#include <stddef.h>
#include <sys/user.h>
#include <sys/wait.h>

#include <errno.h> // the host's numbers are Linux's, as are Sysgate's
#include "kernel/proc/ptrace_abi.h"

using namespace ptrace_abi;

TEST(PtraceAbi, UserAreaSizesMatchLinux64) {
    EXPECT_EQ(USER64_REGS_SIZE, sizeof(user_regs_struct));
    EXPECT_EQ(USER64_DEBUGREG, offsetof(struct user, u_debugreg));
    EXPECT_EQ(USER64_SIZE, sizeof(struct user));
    EXPECT_EQ(ORIG_RAX * 8, offsetof(user_regs_struct, orig_rax));
    EXPECT_EQ(RIP * 8, offsetof(user_regs_struct, rip));
    EXPECT_EQ(FS_BASE * 8, offsetof(user_regs_struct, fs_base));
    EXPECT_EQ(GS * 8, offsetof(user_regs_struct, gs));
}

TEST(PtraceAbi, UserAreaOffsets64) {
    EXPECT_EQ(decode_user_offset(true, 0).slot, Slot::Register);
    EXPECT_EQ(decode_user_offset(true, offsetof(user_regs_struct, rax)).index, unsigned(RAX));
    EXPECT_EQ(decode_user_offset(true, 8 * 26).index, unsigned(GS));
    EXPECT_EQ(decode_user_offset(true, 216).slot, Slot::Other); // u_fpvalid
    EXPECT_EQ(decode_user_offset(true, 840).slot, Slot::Other); // u_comm's last word
    const UserField dr7 = decode_user_offset(true, offsetof(struct user, u_debugreg[7]));
    EXPECT_EQ(dr7.slot, Slot::DebugReg);
    EXPECT_EQ(dr7.index, 7u);
    EXPECT_EQ(decode_user_offset(true, 912).slot, Slot::Invalid); // sizeof(struct user)
    EXPECT_EQ(decode_user_offset(true, 4).slot, Slot::Invalid);   // misaligned
    EXPECT_EQ(decode_user_offset(true, ~0ull).slot, Slot::Invalid);
    EXPECT_EQ(decode_user_offset(true, ~0ull - 7).slot, Slot::Invalid);
}

TEST(PtraceAbi, UserAreaOffsets32) {
    // struct user32 (arch/x86/include/asm/user32.h): 17 registers of 4
    // bytes; u_debugreg at 252; 284 bytes in all.
    EXPECT_EQ(USER32_REGS_SIZE, 68u);
    EXPECT_EQ(decode_user_offset(false, 0).index, unsigned(EBX));
    EXPECT_EQ(decode_user_offset(false, 24).index, unsigned(EAX));
    EXPECT_EQ(decode_user_offset(false, 44).index, unsigned(ORIG_EAX));
    EXPECT_EQ(decode_user_offset(false, 48).index, unsigned(EIP));
    EXPECT_EQ(decode_user_offset(false, 64).index, unsigned(XSS));
    EXPECT_EQ(decode_user_offset(false, 68).slot, Slot::Other);
    EXPECT_EQ(decode_user_offset(false, 252).slot, Slot::DebugReg);
    EXPECT_EQ(decode_user_offset(false, 252 + 7 * 4).index, 7u);
    EXPECT_EQ(decode_user_offset(false, 284).slot, Slot::Invalid);
    EXPECT_EQ(decode_user_offset(false, 2).slot, Slot::Invalid);
    EXPECT_EQ(decode_user_offset(false, 8).slot, Slot::Register); // 4-aligned is enough
    EXPECT_EQ(decode_user_offset(true, 4).slot, Slot::Invalid);   // but not for x86_64
}

TEST(PtraceAbi, Dr7Decoding) {
    // mov_ss_trap's value: G0, RW0 = read/write, LEN0 = 2 bytes; G1, execute.
    const uint64_t dr7 = (1 << 1) | (3 << 16) | (1 << 18) | (1 << 3);
    const Breakpoint b0 = decode_dr7(dr7, 0), b1 = decode_dr7(dr7, 1), b2 = decode_dr7(dr7, 2);
    EXPECT_TRUE(b0.enabled);
    EXPECT_EQ(b0.type, 3u);
    EXPECT_EQ(b0.length, 2u);
    EXPECT_TRUE(b1.enabled);
    EXPECT_EQ(b1.type, 0u);
    EXPECT_EQ(b1.length, 1u);
    EXPECT_FALSE(b2.enabled);
    EXPECT_EQ(decode_dr7(2u << 30, 3).length, 8u); // LEN3 10: 8 bytes
    EXPECT_EQ(decode_dr7(3u << 30, 3).length, 4u);
}

TEST(PtraceAbi, Dr7Validation) {
    uint64_t a[4] = {0x1000, 0x401000, 0x2002, 0x3000};
    EXPECT_EQ(validate_dr7(0, a, true), 0);
    EXPECT_EQ(validate_dr7((1 << 1) | (3 << 16) | (1 << 18) | (1 << 3), a, true), 0);
    EXPECT_EQ(validate_dr7(1 | (2 << 16), a, true), -EINVAL);                      // an I/O breakpoint
    EXPECT_EQ(validate_dr7(1 | (3 << 18), a, true), -EINVAL);                      // execute of length 4
    EXPECT_EQ(validate_dr7((1 << 4) | (1 << 24) | (3 << 26), a, true), -EINVAL);   // 4 bytes at 0x2002
    EXPECT_EQ(validate_dr7((1 << 4) | (1 << 24) | (1 << 26), a, true), 0);              // 2 bytes at 0x2002
    EXPECT_EQ(validate_dr7((1 << 6) | (1 << 28) | (2u << 30), a, true), 0);             // 8 bytes at 0x3000
    EXPECT_EQ(validate_dr7((1 << 6) | (1 << 28) | (2u << 30), a, false), -EINVAL); // not for i386
    // A disabled slot may hold anything the address check let through.
    a[0] = 0x1001;
    EXPECT_EQ(validate_dr7(1 << 18 | 1 << 16, a, true), 0);
    EXPECT_EQ(validate_dr7(1 | 1 << 18 | 1 << 16, a, true), -EINVAL);
    // Addresses: every byte below TASK_SIZE_MAX.
    a[0] = TASK_SIZE_MAX - 1;
    EXPECT_EQ(validate_dr7(1, a, true), 0);
    EXPECT_EQ(validate_dr7(1 | (1 << 16) | (1 << 18), a, true), -EINVAL);
    EXPECT_EQ(check_breakpoint_address(TASK_SIZE_MAX, 1), -EINVAL);
    EXPECT_EQ(check_breakpoint_address(0xffffffff80000000ull, 1), -EINVAL);
    EXPECT_EQ(check_breakpoint_address(TASK_SIZE_MAX - 2, 2), 0);
    EXPECT_EQ(check_breakpoint_address(TASK_SIZE_MAX - 1, 2), -EINVAL);
    EXPECT_EQ(check_breakpoint_address(~0ull, 8), -EINVAL); // wraps
}

TEST(PtraceAbi, HardwareDr7KeepsOnlyEnabledSlots) {
    EXPECT_EQ(hardware_dr7(0), 0u);
    // L0 asked for: Linux loads G0 (and GE); GD (bit 13) never reaches the CPU.
    EXPECT_EQ(hardware_dr7(1 | (1 << 13) | (3 << 16)), (2u | (1u << 9) | (3u << 16)));
    // A disabled slot's control bits are dropped.
    EXPECT_EQ(hardware_dr7(3u << 20), 0u);
    EXPECT_EQ(hardware_dr7((1 << 6) | (0xfu << 28)), ((2u << 6) | (1u << 9) | (0xfu << 28)));
}

TEST(PtraceAbi, WaitStatusWords) {
    EXPECT_EQ(stopped_status(19), 0x137f); // SIGSTOP
    EXPECT_TRUE(WIFSTOPPED(stopped_status(19)));
    EXPECT_EQ(WSTOPSIG(stopped_status(19)), 19);
    EXPECT_EQ(syscall_stop_status(true), 0x857f);
    EXPECT_EQ(syscall_stop_status(false), 0x057f);
    EXPECT_EQ(stopped_status(5, EVENT_FORK) >> 16, 1);
    EXPECT_EQ(stopped_status(5, EVENT_STOP), 0x80057f);
    EXPECT_EQ(WSTOPSIG(stopped_status(5, EVENT_EXEC)), 5);
    EXPECT_TRUE(is_stopped(stopped_status(5, EVENT_EXIT)));
    EXPECT_FALSE(is_stopped(0x0100)); // exited with 1
    EXPECT_FALSE(is_stopped(0x0009)); // killed by SIGKILL
}
