#include "kernel/exec/initial_stack.h"

namespace exec {
namespace {

class Writer {
  public:
    Writer(uint8_t* buf, size_t capacity, uint64_t top) : buf_(buf), bottom_(top - capacity), top_(top), at_(top) {}

    bool fits(uint64_t bytes) const { return at_ - bottom_ >= bytes; }
    // Pushes bytes below the current position; returns their address.
    uint64_t push(const void* data, size_t n) {
        at_ -= n;
        __builtin_memcpy(buf_ + (at_ - bottom_), data, n);
        return at_;
    }
    uint64_t push_string(const char* s) {
        size_t n = 0;
        while (s[n]) n++;
        return fits(n + 1) ? push(s, n + 1) : 0;
    }
    void put_word(uint64_t address, uint64_t value, bool is64) {
        if (is64)
            __builtin_memcpy(buf_ + (address - bottom_), &value, 8);
        else {
            const uint32_t v = uint32_t(value);
            __builtin_memcpy(buf_ + (address - bottom_), &v, 4);
        }
    }
    void align_down(uint64_t a) { at_ &= ~(a - 1); }
    uint64_t position() const { return at_; }
    void set_position(uint64_t p) { at_ = p; }
    uint64_t bottom() const { return bottom_; }

  private:
    uint8_t* buf_;
    uint64_t bottom_, top_, at_;
};

} // namespace

uint64_t build_initial_stack(const StackSpec& s, uint8_t* buf, size_t capacity) {
    if (capacity < 64 || s.stack_top % 16) return 0;
    Writer w(buf, capacity, s.stack_top);
    const uint64_t zero = 0;
    w.push(&zero, 8); // the end marker

    const uint64_t execfn = w.push_string(s.execfn ? s.execfn : "");
    uint64_t env_addr[256], arg_addr[256];
    if (s.envc > 256 || s.argc > 256) return 0;
    for (size_t i = s.envc; i-- > 0;)
        if (!(env_addr[i] = w.push_string(s.envp[i]))) return 0;
    for (size_t i = s.argc; i-- > 0;)
        if (!(arg_addr[i] = w.push_string(s.argv[i]))) return 0;
    const uint64_t platform = w.push_string(s.platform ? s.platform : "");
    if (!execfn || !platform || !w.fits(16)) return 0;
    const uint64_t random = w.push(s.random16, 16);
    w.align_down(16);

    const unsigned word = s.is64 ? 8 : 4;
    const uint64_t words = 1 + (s.argc + 1) + (s.envc + 1) + 2 * (s.aux_count + 1);
    if (!w.fits(words * word + 16)) return 0;
    uint64_t sp = (w.position() - words * word) & ~uint64_t(15);
    w.set_position(sp);

    uint64_t at = sp;
    w.put_word(at, s.argc, s.is64), at += word;
    for (size_t i = 0; i < s.argc; i++) w.put_word(at, arg_addr[i], s.is64), at += word;
    w.put_word(at, 0, s.is64), at += word;
    for (size_t i = 0; i < s.envc; i++) w.put_word(at, env_addr[i], s.is64), at += word;
    w.put_word(at, 0, s.is64), at += word;
    for (size_t i = 0; i < s.aux_count; i++) {
        uint64_t value = s.aux[i].value;
        if (s.aux[i].type == at::RANDOM) value = random;
        if (s.aux[i].type == at::EXECFN) value = execfn;
        if (s.aux[i].type == at::PLATFORM) value = platform;
        w.put_word(at, s.aux[i].type, s.is64), at += word;
        w.put_word(at, value, s.is64), at += word;
    }
    w.put_word(at, at::NULL_, s.is64), at += word;
    w.put_word(at, 0, s.is64);
    return sp;
}

} // namespace exec
