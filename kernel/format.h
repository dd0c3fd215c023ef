#pragma once
// Typed text formatting for the kernel: kprint("pid {} rip {:#x}", pid, rip).
//
// A C++ replacement for printk's varargs: every argument is captured with its
// type, so a wrong conversion cannot read the wrong number of bytes. The
// format language is a small subset of std::format:
//   {}        value in its natural form (decimal, string, char, bool)
//   {:x} {:X} hexadecimal, {:b} binary, {:o} octal, {:d} decimal, {:c} char
//   {:#x}     with 0x prefix       {:08x} zero-padded to 8
//   {:>8} {:<8}  right/left aligned in 8 columns (numbers default right)
//   {{ }}     literal braces
// Pure logic: no hardware, unit-tested on the host.
#include <stddef.h>
#include <stdint.h>

namespace fmt {

struct StringView {
    const char* data = nullptr;
    size_t size = 0;
    constexpr StringView() = default;
    constexpr StringView(const char* s, size_t n) : data(s), size(n) {}
    constexpr StringView(const char* s) : data(s), size(0) {
        while (s && s[size]) size++;
    }
};

// One captured argument.
struct Arg {
    enum class Kind { Signed, Unsigned, Char, Bool, String, Pointer } kind;
    uint8_t bytes = 8; // a signed value's own size: {:x} of int -1 is ffffffff, as printf %x
    union {
        int64_t i;
        uint64_t u;
        char c;
        bool b;
        StringView s;
        const void* p;
    };
    Arg(signed char v) : kind(Kind::Signed), bytes(sizeof v), i(v) {}
    Arg(short v) : kind(Kind::Signed), bytes(sizeof v), i(v) {}
    Arg(int v) : kind(Kind::Signed), bytes(sizeof v), i(v) {}
    Arg(long v) : kind(Kind::Signed), bytes(sizeof v), i(v) {}
    Arg(long long v) : kind(Kind::Signed), bytes(sizeof v), i(v) {}
    Arg(unsigned char v) : kind(Kind::Unsigned), u(v) {}
    Arg(unsigned short v) : kind(Kind::Unsigned), u(v) {}
    Arg(unsigned v) : kind(Kind::Unsigned), u(v) {}
    Arg(unsigned long v) : kind(Kind::Unsigned), u(v) {}
    Arg(unsigned long long v) : kind(Kind::Unsigned), u(v) {}
    Arg(char v) : kind(Kind::Char), c(v) {}
    Arg(bool v) : kind(Kind::Bool), b(v) {}
    Arg(const char* v) : kind(Kind::String), s(v ? v : "(null)") {}
    Arg(char* v) : Arg(static_cast<const char*>(v)) {}
    Arg(StringView v) : kind(Kind::String), s(v) {}
    Arg(const void* v) : kind(Kind::Pointer), p(v) {}
    Arg(void* v) : kind(Kind::Pointer), p(v) {}
    template <typename E>
    requires __is_enum(E) Arg(E v) : Arg(static_cast<__underlying_type(E)>(v)) {}
};

// Where formatted characters go.
class Sink {
  public:
    virtual void put(char c) = 0;
    virtual void write(const char* s, size_t n) {
        for (size_t i = 0; i < n; i++) put(s[i]);
    }

  protected:
    ~Sink() = default;
};

// Formats into a fixed buffer, always NUL-terminated, counting what did not fit.
class BufferSink final : public Sink {
  public:
    BufferSink(char* buf, size_t cap) : buf_(buf), cap_(cap) {
        if (cap_) buf_[0] = 0;
    }
    void put(char c) override {
        if (len_ + 1 < cap_) {
            buf_[len_] = c;
            buf_[len_ + 1] = 0;
        }
        len_++;
    }
    size_t length() const { return len_; } // as if the buffer were unbounded

  private:
    char* buf_;
    size_t cap_;
    size_t len_ = 0;
};

void vformat(Sink& out, StringView fmt, const Arg* args, size_t count);

template <typename... Ts>
void format(Sink& out, StringView fmt, const Ts&... values) {
    if constexpr (sizeof...(Ts) == 0) {
        vformat(out, fmt, nullptr, 0);
    } else {
        const Arg args[] = {Arg(values)...};
        vformat(out, fmt, args, sizeof...(Ts));
    }
}

// Returns the length the full text needs (excluding the NUL).
template <typename... Ts>
size_t format_to(char* buf, size_t cap, StringView fmt, const Ts&... values) {
    BufferSink sink(buf, cap);
    format(sink, fmt, values...);
    return sink.length();
}

} // namespace fmt
