#include "kernel/format.h"

namespace fmt {
namespace {

struct Spec {
    char type = 0; // 0, 'x', 'X', 'b', 'o', 'd', 'c', 'p', 's'
    bool alternate = false;
    bool zero_pad = false;
    char align = 0; // '<', '>' or 0 for the default
    size_t width = 0;
};

// Parses the text between ':' and '}'. Unknown characters are ignored so a
// typo degrades to the default form rather than losing the value.
Spec parse_spec(const char* p, const char* end) {
    Spec spec;
    if (p < end && (*p == '<' || *p == '>')) spec.align = *p++;
    if (p < end && *p == '#') {
        spec.alternate = true;
        p++;
    }
    if (p < end && *p == '0') {
        spec.zero_pad = true;
        p++;
    }
    while (p < end && *p >= '0' && *p <= '9') spec.width = spec.width * 10 + size_t(*p++ - '0');
    if (p < end) spec.type = *p;
    return spec;
}

void pad(Sink& out, char c, size_t n) {
    while (n--) out.put(c);
}

void emit_aligned(Sink& out, const Spec& spec, const char* text, size_t len, bool numeric) {
    size_t fill = spec.width > len ? spec.width - len : 0;
    char align = spec.align ? spec.align : (numeric ? '>' : '<');
    if (align == '>') pad(out, ' ', fill);
    out.write(text, len);
    if (align == '<') pad(out, ' ', fill);
}

void emit_number(Sink& out, const Spec& spec, uint64_t magnitude, bool negative) {
    unsigned base = 10;
    const char* digits = "0123456789abcdef";
    const char* prefix = "";
    switch (spec.type) {
    case 'x':
        base = 16;
        prefix = "0x";
        break;
    case 'p':
        base = 16;
        prefix = "0x";
        break;
    case 'X':
        base = 16;
        prefix = "0X";
        digits = "0123456789ABCDEF";
        break;
    case 'b':
        base = 2;
        prefix = "0b";
        break;
    case 'o':
        base = 8;
        prefix = "0o";
        break;
    default:
        break;
    }
    if (!spec.alternate && spec.type != 'p') prefix = "";

    char body[80];
    size_t n = 0;
    do {
        body[n++] = digits[magnitude % base];
        magnitude /= base;
    } while (magnitude);

    char text[100];
    size_t len = 0;
    if (negative) text[len++] = '-';
    for (const char* q = prefix; *q; q++) text[len++] = *q;
    size_t used = len + n;
    if (spec.zero_pad && spec.width > used) {
        // The zeros go straight to the sink: the width is not bounded by text[].
        out.write(text, len);
        pad(out, '0', spec.width - used);
        while (n) out.put(body[--n]);
        return;
    }
    while (n) text[len++] = body[--n];
    emit_aligned(out, spec, text, len, true);
}

void emit(Sink& out, const Spec& spec, const Arg& arg) {
    switch (arg.kind) {
    case Arg::Kind::Signed:
        if (spec.type == 'c') {
            char c = char(arg.i);
            emit_aligned(out, spec, &c, 1, false);
        } else if (spec.type == 'x' || spec.type == 'X' || spec.type == 'b' || spec.type == 'o') {
            // Two's complement in the argument's own width, like printf %x.
            const uint64_t mask = arg.bytes < 8 ? (1ull << (8 * arg.bytes)) - 1 : ~0ull;
            emit_number(out, spec, uint64_t(arg.i) & mask, false);
        } else {
            bool neg = arg.i < 0;
            emit_number(out, spec, neg ? 0 - uint64_t(arg.i) : uint64_t(arg.i), neg);
        }
        return;
    case Arg::Kind::Unsigned:
        if (spec.type == 'c') {
            char c = char(arg.u);
            emit_aligned(out, spec, &c, 1, false);
        } else {
            emit_number(out, spec, arg.u, false);
        }
        return;
    case Arg::Kind::Char:
        if (spec.type && spec.type != 'c') {
            emit_number(out, spec, uint64_t(uint8_t(arg.c)), false);
        } else {
            emit_aligned(out, spec, &arg.c, 1, false);
        }
        return;
    case Arg::Kind::Bool:
        emit_aligned(out, spec, arg.b ? "true" : "false", arg.b ? 4 : 5, false);
        return;
    case Arg::Kind::String:
        emit_aligned(out, spec, arg.s.data, arg.s.size, false);
        return;
    case Arg::Kind::Pointer: {
        Spec p = spec;
        if (!p.type || p.type == 'p') {
            p.type = 'p';
            p.alternate = true;
        }
        emit_number(out, p, uint64_t(reinterpret_cast<uintptr_t>(arg.p)), false);
        return;
    }
    }
}

} // namespace

void vformat(Sink& out, StringView fmt, const Arg* args, size_t count) {
    size_t next = 0;
    const char* p = fmt.data;
    const char* end = fmt.data + fmt.size;
    while (p < end) {
        char c = *p++;
        if (c == '{') {
            if (p < end && *p == '{') {
                out.put('{');
                p++;
                continue;
            }
            const char* close = p;
            while (close < end && *close != '}') close++;
            if (close == end) { // unterminated: print it literally
                out.put('{');
                continue;
            }
            Spec spec;
            if (p < close && *p == ':') spec = parse_spec(p + 1, close);
            if (next < count) {
                emit(out, spec, args[next++]);
            } else {
                out.write("{?}", 3); // more placeholders than arguments
            }
            p = close + 1;
        } else if (c == '}' && p < end && *p == '}') {
            out.put('}');
            p++;
        } else {
            out.put(c);
        }
    }
}

} // namespace fmt
