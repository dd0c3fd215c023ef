#pragma once
// The XSAVE feature set's layout and rules (SDM Vol. 1 chapter 13), and
// the pieces of Linux's signal-frame format built on it
// (arch/x86/include/uapi/asm/sigcontext.h, arch/x86/kernel/fpu/signal.c,
// arch/x86/kernel/fpu/xstate.c). Pure: everything here works on recorded
// CPUID answers and plain memory, so the host unit tests
// (tests/unit/xstate_test.cpp) check it; the instructions themselves are in
// arch/x86/cpu/context.cpp.
#include <stddef.h>
#include <stdint.h>

namespace x86::xstate {

// State components (XCR0 / XSTATE_BV bits, SDM Vol. 1 13.1).
constexpr uint64_t X87 = 1u << 0, SSE = 1u << 1, YMM = 1u << 2, BNDREGS = 1u << 3, BNDCSR = 1u << 4, OPMASK = 1u << 5,
                   ZMM_HI256 = 1u << 6, HI16_ZMM = 1u << 7, PKRU = 1u << 9;
constexpr uint64_t FPSSE = X87 | SSE;
// Components XSETBV accepts only together (SDM Vol. 2B XSETBV, Vol. 1 13.3).
constexpr uint64_t MPX = BNDREGS | BNDCSR;
constexpr uint64_t AVX512 = OPMASK | ZMM_HI256 | HI16_ZMM;
// What Sysgate saves for programs: Linux 6.1's XFEATURE_MASK_USER_SUPPORTED
// (arch/x86/include/asm/fpu/xstate.h) without AMX's tile state, which Linux
// gives a process only after arch_prctl(ARCH_REQ_XCOMP_PERM): x87, SSE, AVX,
// MPX's two components (kept in XCR0 as Linux does, though neither kernel
// enables MPX for programs), AVX-512, and PKRU (with CR4.PKE; every page
// has protection key 0, and PKRU's initial value 0 allows every access).
constexpr uint64_t KERNEL_SUPPORTED = FPSSE | YMM | MPX | AVX512 | PKRU;
constexpr unsigned COMPONENTS = 10; // bits 0-9: the highest one KERNEL_SUPPORTED uses, plus one

constexpr unsigned LEGACY_SIZE = 512; // the FXSAVE image
constexpr unsigned HEADER_SIZE = 64;  // the XSAVE header after it
constexpr unsigned MIN_SIZE = LEGACY_SIZE + HEADER_SIZE;
// The largest area Sysgate keeps per task: the standard-format end of
// PKRU (offset 2688 + 8 on every CPU that has it; Hi16_ZMM ends at
// 1664 + 1024 = 2688). A CPU
// that reports a larger size for the chosen components gets the largest
// subset that fits instead (choose_features), never a panic.
constexpr unsigned MAX_SIZE = 2696;

// The XSAVE header (SDM Vol. 1 13.4.2), bytes 512-575 of the area.
struct Header {
    uint64_t xstate_bv; // components whose state the area holds (the others: in their initial state)
    uint64_t xcomp_bv;  // 0 in the standard format, the only one programs see
    uint64_t reserved[6];
};
static_assert(sizeof(Header) == HEADER_SIZE);

// struct _fpx_sw_bytes: what Linux writes in bytes 464-511 of the FXSAVE
// image (which FXSAVE and XSAVE leave alone) to say an XSAVE area follows.
constexpr uint32_t FP_XSTATE_MAGIC1 = 0x46505853; // "SXPF" at byte 464
constexpr uint32_t FP_XSTATE_MAGIC2 = 0x46505845; // "EXPF" right after the XSAVE area
constexpr unsigned FP_XSTATE_MAGIC2_SIZE = 4;
constexpr unsigned SW_BYTES_OFFSET = 464;
struct SwBytes {
    uint32_t magic1;
    uint32_t extended_size; // the whole fpstate: (i386: FSAVE header +) XSAVE area + magic2
    uint64_t xfeatures;     // the components the area may hold (XCR0's user part)
    uint32_t xstate_size;   // the XSAVE area's size (where magic2 is)
    uint32_t padding[7];
};
static_assert(sizeof(SwBytes) == 48 && SW_BYTES_OFFSET + sizeof(SwBytes) == LEGACY_SIZE);

// struct fregs_state: the FSAVE-format header in front of an i386
// frame's FXSAVE image.
constexpr unsigned FSAVE_HEADER_SIZE = 112;

// What CPUID says (leaf 1 ECX, leaf 0Dh subleaves 0, 1, and 2..7).
struct Leaves {
    bool xsave = false;                // CPUID.1:ECX[26]
    bool pku = false;                  // CPUID.7.0:ECX[3]: CR4.PKE can be set, so PKRU is usable
    uint32_t d0[4] = {};               // 0Dh.0: EAX/EDX supported XCR0 bits, EBX size for XCR0 now, ECX max size
    uint32_t d1[4] = {};               // 0Dh.1: EAX[0] XSAVEOPT, [1] XSAVEC, [3] XSAVES
    uint32_t comp[COMPONENTS][4] = {}; // 0Dh.i (i >= 2): EAX size, EBX standard-format offset
};

// The kernel's choice, fixed at boot.
struct Config {
    bool xsave = false;          // XSAVE/XRSTOR in use (else FXSAVE/FXRSTOR)
    bool xsaveopt = false;       // context switches use XSAVEOPT
    uint64_t features = FPSSE;   // XCR0; FPSSE without XSAVE
    uint64_t cpu_features = 0;   // what the CPU could enable (CPUID.0Dh.0:EDX:EAX)
    unsigned size = LEGACY_SIZE; // the standard-format area for `features`
    unsigned offset[COMPONENTS] = {}, length[COMPONENTS] = {};
};

// The components to enable: those the kernel supports and the CPU
// reports, AVX only with SSE, AVX-512 only with AVX and all three of its
// parts, MPX's two together, PKRU only with PKU, and none whose area
// would end past `max_size` (dropped from the highest down).
uint64_t choose_features(const Leaves& l, unsigned max_size = MAX_SIZE);
// The standard-format area size for `features` (what CPUID.0Dh.0:EBX
// reports once XCR0 holds them): the end of the last component, at least
// the legacy area and header.
unsigned area_size(const Leaves& l, uint64_t features);
// The whole configuration from the leaves (the kernel's boot decision).
Config configure(const Leaves& l, unsigned max_size = MAX_SIZE);

// ---- signal frames (Linux's arch/x86/kernel/fpu/signal.c)

// The fpstate's size in a frame: the area, magic2 with XSAVE, and for an
// i386 frame the FSAVE header in front (fpu__alloc_mathframe).
unsigned frame_fpstate_size(const Config& c, bool ia32);
// The sw_reserved bytes Linux writes (save_sw_bytes).
SwBytes sw_bytes(const Config& c, bool ia32);
// AT_MINSIGSTKSZ (Linux's get_sigframe_size, init_sigframe_size): the
// largest frame (x86_64's rt_sigframe, 440 bytes) + 15 bytes of alignment +
// fpu__get_fpstate_size (area, magic2, and the FSAVE header, always) + 63
// bytes of 64-byte alignment, rounded up to 16. The same for both
// bitnesses, as on Linux.
uint64_t min_sigstack_size(const Config& c);

// What sigreturn does with an fpstate's sw_reserved bytes
// (check_xstate_in_sigframe): true if they announce an XSAVE area this
// kernel could have written: magic1, xstate_size in [576, the kernel's
// size] and not above extended_size. (The caller then checks magic2 at
// xstate_size; false or a missing magic2: only the FXSAVE image counts.)
bool sw_bytes_announce_xstate(const SwBytes& sw, const Config& c);
// The header rules (Linux's validate_user_xstate_header, and what XRSTOR
// itself checks, SDM Vol. 1 13.8.1): no component outside `features`,
// XCOMP_BV zero (standard format), every reserved byte zero.
bool valid_header(const Header& h, uint64_t features);
// The components sigreturn restores from an area of `xstate_size` bytes
// that announces `xfeatures`: those the kernel has, whose data lies inside
// the area (the others go to their initial state).
uint64_t restorable(const Config& c, uint64_t xfeatures, unsigned xstate_size);

} // namespace x86::xstate
