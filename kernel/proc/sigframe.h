#pragma once
// Linux's signal-frame layouts, byte for byte, so that handlers, libcs,
// debuggers and unwinders read Sysgate's frames as they read Linux's:
//   arch/x86/include/uapi/asm/sigcontext.h   struct sigcontext_32/_64, _fpstate_32
//   arch/x86/include/asm/sigframe.h          sigframe_ia32, rt_sigframe_ia32, rt_sigframe
//   arch/x86/include/uapi/asm/ucontext.h     the uc_flags bits
// and the pure pieces of building and reading them (unit-tested on the
// host): the i386 FPU state's legacy FSAVE-format header, converted from
// and to the FXSAVE image as Linux's arch/x86/kernel/fpu/regset.c does,
// and the test sigreturn applies to a stack segment (force_valid_ss in
// Linux's arch/x86/kernel/signal.c).
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/vdso/sigframe32.h"

namespace sigframe {

// ---- 64-bit (struct rt_sigframe)

struct SigInfo64 {
    int32_t signo, errno_, code;
    int32_t pad0;
    uint64_t addr; // si_addr for faults
    uint8_t rest[128 - 24];
};
static_assert(sizeof(SigInfo64) == 128);

struct SigContext64 {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2, fpstate;
    uint64_t reserved[8];
};
static_assert(sizeof(SigContext64) == 256);

struct UContext64 {
    uint64_t flags, link;
    uint64_t ss_sp;
    int32_t ss_flags, pad;
    uint64_t ss_size;
    SigContext64 mcontext;
    uint64_t sigmask;
};
static_assert(sizeof(UContext64) == 304);

struct RtSigFrame64 {
    uint64_t pretcode;
    UContext64 uc;
    SigInfo64 info;
};
static_assert(sizeof(RtSigFrame64) == 440);

// uc_flags (64-bit frames): the sigcontext's ss is meaningful; and
// sigreturn must restore it as is (set when the signal interrupted 64-bit
// code). Without STRICT, sigreturn to 64-bit code replaces an SS that
// could not be loaded (for DOSEMU and CRIU, which rewrite contexts).
constexpr uint64_t UC_FP_XSTATE = 1, UC_SIGCONTEXT_SS = 2, UC_STRICT_RESTORE_SS = 4;

// ---- i386 (struct sigframe_ia32, struct rt_sigframe_ia32)

// i386's siginfo: the union follows the three ints at once, so si_addr
// is at offset 12, not 16.
struct SigInfo32 {
    int32_t signo, errno_, code;
    uint32_t addr;
    uint8_t rest[128 - 16];
};
static_assert(sizeof(SigInfo32) == 128);

struct SigContext32 {
    uint16_t gs, gsh, fs, fsh, es, esh, ds, dsh;
    uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax, trapno, err, eip;
    uint16_t cs, csh;
    uint32_t eflags, esp_at_signal;
    uint16_t ss, ssh;
    uint32_t fpstate, oldmask, cr2;
};
static_assert(sizeof(SigContext32) == IA32_SIGCONTEXT_size);

struct [[gnu::packed]] UContext32 {
    uint32_t flags, link;
    uint32_t ss_sp;
    int32_t ss_flags;
    uint32_t ss_size;
    SigContext32 mcontext;
    uint32_t sigmask[2];
};
static_assert(sizeof(UContext32) == 116);

// The FXSAVE image (SDM Vol. 1 Table 10-2, 64-bit format: FXSAVE64).
struct FxsaveArea {
    uint16_t cwd, swd, twd, fop; // twd: the abridged tag, one bit per register
    uint64_t rip, rdp;
    uint32_t mxcsr, mxcsr_mask;
    uint32_t st_space[32]; // 8 registers of 16 bytes, 10 used
    uint32_t xmm_space[64];
    uint32_t padding[12];
    uint32_t sw_reserved[12]; // bytes 464-511: FXSAVE leaves them alone
};
static_assert(sizeof(FxsaveArea) == 512);

// The legacy FSAVE environment and registers (struct user_i387_ia32_struct).
struct FsaveEnv {
    uint32_t cwd, swd, twd, fip, fcs, foo, fos;
    uint32_t st_space[20]; // 8 registers of 10 bytes
};
static_assert(sizeof(FsaveEnv) == 108);

// struct _fpstate_32 with FXSR: the FSAVE-format header, the status word
// and the magic, then the FXSAVE image (64-byte aligned in the frame).
constexpr uint16_t X86_FXSR_MAGIC = 0x0000; // "FXSR data follows"; 0xffff: FSAVE data only
struct FpState32 {
    FsaveEnv env;
    uint16_t status, magic;
    FxsaveArea fx;
};
static_assert(sizeof(FpState32) == 624 && offsetof(FpState32, fx) == 112);

// The part of struct _fpstate_32 in front of the FXSAVE image or XSAVE
// area: Linux's struct fregs_state with the FXSR status and magic.
struct FsaveHeader32 {
    FsaveEnv env;
    uint16_t status, magic;
};
static_assert(sizeof(FsaveHeader32) == 112);

struct [[gnu::packed]] RtSigFrame32 {
    uint32_t pretcode;
    int32_t sig;
    uint32_t pinfo, puc;
    SigInfo32 info;
    UContext32 uc;
    uint8_t retcode[8];
};

struct [[gnu::packed]] SigFrame32 {
    uint32_t pretcode;
    int32_t sig;
    SigContext32 sc;
    FpState32 fpstate_unused; // kept so that extramask stays where old programs look
    uint32_t extramask[1];    // the high half of the blocked mask (sc.oldmask is the low)
    uint8_t retcode[8];
};

// The vDSO's unwind tables find the sigcontext with these (sigframe32.h).
static_assert(offsetof(SigFrame32, sc) == IA32_SIGFRAME_sigcontext);
static_assert(offsetof(RtSigFrame32, uc) + offsetof(UContext32, mcontext) == IA32_RT_SIGFRAME_sigcontext);
static_assert(offsetof(SigContext32, gs) == IA32_SIGCONTEXT_gs && offsetof(SigContext32, fs) == IA32_SIGCONTEXT_fs);
static_assert(offsetof(SigContext32, es) == IA32_SIGCONTEXT_es && offsetof(SigContext32, ds) == IA32_SIGCONTEXT_ds);
static_assert(offsetof(SigContext32, edi) == IA32_SIGCONTEXT_di && offsetof(SigContext32, esi) == IA32_SIGCONTEXT_si);
static_assert(offsetof(SigContext32, ebp) == IA32_SIGCONTEXT_bp && offsetof(SigContext32, esp) == IA32_SIGCONTEXT_sp);
static_assert(offsetof(SigContext32, ebx) == IA32_SIGCONTEXT_bx && offsetof(SigContext32, edx) == IA32_SIGCONTEXT_dx);
static_assert(offsetof(SigContext32, ecx) == IA32_SIGCONTEXT_cx && offsetof(SigContext32, eax) == IA32_SIGCONTEXT_ax);
static_assert(offsetof(SigContext32, eip) == IA32_SIGCONTEXT_ip);
static_assert(sizeof(SigFrame32) == 732 && sizeof(RtSigFrame32) == 268);

// What the frames carry in retcode: not executed any more (pretcode points
// at the vDSO or the libc's restorer) but kept, as Linux keeps it, because
// some debuggers recognise signal frames by it.
constexpr uint8_t SIGRETURN_CODE[8] = {0x58, 0xb8, 119, 0, 0, 0, 0xcd, 0x80}; // popl %eax; movl $119, %eax; int $0x80
constexpr uint8_t RT_SIGRETURN_CODE[8] = {0xb8, 173, 0, 0, 0, 0xcd, 0x80, 0}; // movl $173, %eax; int $0x80

// ---- where the frames go

// The i386 ABI's stack alignment at function entry: (sp + 4) % 16 == 0.
constexpr uint64_t align_frame32(uint64_t sp) {
    return ((sp + 4) & ~uint64_t(15)) - 4;
}
// x86_64's: (sp + 8) % 16 == 0, as after a call.
constexpr uint64_t align_frame64(uint64_t sp) {
    return (sp & ~uint64_t(15)) - 8;
}

// ---- the FPU state of i386 frames

// The FSAVE-format header Linux writes before the FXSAVE image in a 32-bit
// frame (convert_from_fxsr): control and status words with the upper
// halves set, the full two-bit tag word rebuilt from the abridged one and
// the registers, the last instruction and operand pointers (cs and ds:
// what the kernel knows of their selectors), the eight registers packed
// to 10 bytes.
FsaveEnv fsave_env_from_fxsave(const FxsaveArea& fx, uint16_t cs, uint16_t ds);
// The reverse (convert_to_fxsr): sigreturn folds the header, which a
// handler may have changed, into the FXSAVE image it restores.
void fold_fsave_env(FxsaveArea& fx, const FsaveEnv& env);
// The tag words: full (2 bits per register, 11 = empty) from the abridged
// (1 bit per register, 1 = valid) and back.
uint32_t full_tag_word(const FxsaveArea& fx);
uint16_t abridged_tag_word(uint32_t full);

// ---- selectors

// Access rights as LAR returns them (SDM Vol. 2A LAR): bits 8-23 of the
// descriptor's second dword.
namespace ar {
constexpr uint32_t TYPE_MASK = 7u << 9, TYPE_RWDATA = 1u << 9, TYPE_RWDATA_EXPDOWN = 3u << 9;
constexpr uint32_t S = 1u << 12, DPL3 = 3u << 13, DPL_MASK = 3u << 13, P = 1u << 15;
} // namespace ar

// Can SS hold this descriptor in ring 3 (a present, DPL-3, writable data
// segment)? `valid` is LAR's ZF: false when the selector names nothing the
// program may see.
constexpr bool usable_user_ss(bool valid, uint32_t access_rights) {
    if (!valid) return false;
    const uint32_t a = access_rights & (ar::DPL_MASK | ar::S | ar::P | ar::TYPE_MASK);
    return a == (ar::DPL3 | ar::S | ar::P | ar::TYPE_RWDATA) ||
           a == (ar::DPL3 | ar::S | ar::P | ar::TYPE_RWDATA_EXPDOWN);
}

} // namespace sigframe
