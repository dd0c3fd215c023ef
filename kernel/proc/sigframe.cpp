#include "kernel/proc/sigframe.h"

namespace sigframe {
namespace {

constexpr uint32_t TAG_VALID = 0, TAG_ZERO = 1, TAG_SPECIAL = 2, TAG_EMPTY = 3;

// Register i of the FXSAVE image's stack area (st_space holds ST(0)..ST(7)
// in 16-byte slots): 64-bit significand, then sign and exponent.
struct X87Register {
    uint16_t significand[4];
    uint16_t exponent; // bit 15: sign
};

X87Register fx_register(const FxsaveArea& fx, unsigned i) {
    X87Register r;
    __builtin_memcpy(&r, reinterpret_cast<const uint8_t*>(fx.st_space) + 16 * i, sizeof(r));
    return r;
}

} // namespace

// Linux's twd_fxsr_to_i387: a register's full tag comes from its contents
// (SDM Vol. 1 8.1.7): empty if the abridged bit is clear, else special
// (NaN, infinity, denormal, unnormal), zero or valid. The abridged bits
// are per physical register, the image's registers are per stack position:
// physical register i is ST((i - TOP) mod 8).
uint32_t full_tag_word(const FxsaveArea& fx) {
    const unsigned top = (fx.swd >> 11) & 7;
    uint32_t tags = 0xffff0000u;
    for (unsigned i = 0; i < 8; i++) {
        uint32_t tag = TAG_EMPTY;
        if (fx.twd & (1u << i)) {
            const X87Register r = fx_register(fx, (i - top) & 7);
            switch (r.exponent & 0x7fff) {
            case 0x7fff:
                tag = TAG_SPECIAL;
                break;
            case 0x0000:
                tag = (r.significand[0] | r.significand[1] | r.significand[2] | r.significand[3]) ? TAG_SPECIAL
                                                                                                  : TAG_ZERO;
                break;
            default:
                tag = (r.significand[3] & 0x8000) ? TAG_VALID : TAG_SPECIAL;
                break;
            }
        }
        tags |= tag << (2 * i);
    }
    return tags;
}

// Linux's twd_i387_to_fxsr: each pair of bits that is not 11 (empty)
// becomes a 1.
uint16_t abridged_tag_word(uint32_t full) {
    uint32_t t = ~full;
    t = (t | (t >> 1)) & 0x5555;
    t = (t | (t >> 1)) & 0x3333;
    t = (t | (t >> 2)) & 0x0f0f;
    t = (t | (t >> 4)) & 0x00ff;
    return uint16_t(t);
}

FsaveEnv fsave_env_from_fxsave(const FxsaveArea& fx, uint16_t cs, uint16_t ds) {
    FsaveEnv env;
    __builtin_memset(&env, 0, sizeof(env));
    env.cwd = fx.cwd | 0xffff0000u;
    env.swd = fx.swd | 0xffff0000u;
    env.twd = full_tag_word(fx);
    // A 64-bit kernel saves the 64-bit format, which has no selectors: the
    // instruction pointer's is the program's CS, the operand's its DS.
    env.fip = uint32_t(fx.rip);
    env.fcs = cs;
    env.foo = uint32_t(fx.rdp);
    env.fos = ds | 0xffff0000u;
    for (unsigned i = 0; i < 8; i++)
        __builtin_memcpy(reinterpret_cast<uint8_t*>(env.st_space) + 10 * i,
                         reinterpret_cast<const uint8_t*>(fx.st_space) + 16 * i, 10);
    return env;
}

void fold_fsave_env(FxsaveArea& fx, const FsaveEnv& env) {
    fx.cwd = uint16_t(env.cwd);
    fx.swd = uint16_t(env.swd);
    fx.twd = abridged_tag_word(env.twd);
    fx.fop = uint16_t(env.fcs >> 16);
    fx.rip = env.fip;
    fx.rdp = env.foo;
    for (unsigned i = 0; i < 8; i++)
        __builtin_memcpy(reinterpret_cast<uint8_t*>(fx.st_space) + 16 * i,
                         reinterpret_cast<const uint8_t*>(env.st_space) + 10 * i, 10);
}

} // namespace sigframe
