/* The printf engine: __sg_format() turns a format and its arguments into
   bytes for a `put` callback. Pure (no system calls): printf, snprintf and
   dprintf are thin layers over it, and the unit tests compare it with the
   host's printf.

   Supported: %d %i %u %o %x %X %c %s %p %% and %f %F %e %E %g %G; flags
   - + space # 0; width and precision, also as *; length modifiers hh h l
   ll z t j, and L for long double (printed at double precision). An
   unknown conversion is copied to the output as it stands.

   Floating point is exact: the double is first written out in full in
   decimal (every double is a finite decimal fraction), then that digit
   string is rounded, half to even, to the requested precision. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "libc.h"

/* ---- output, buffered so that `put` sees a few large chunks */

struct out {
    __sg_put_fn put;
    void* ctx;
    size_t total; /* bytes produced so far */
    size_t used;  /* bytes in buf */
    char buf[128];
};

static void out_flush(struct out* o) {
    if (o->used) o->put(o->ctx, o->buf, o->used);
    o->used = 0;
}

static void out_bytes(struct out* o, const char* s, size_t n) {
    o->total += n;
    while (n) {
        size_t k = sizeof(o->buf) - o->used;
        if (k > n) k = n;
        memcpy(o->buf + o->used, s, k);
        o->used += k;
        s += k;
        n -= k;
        if (o->used == sizeof(o->buf)) out_flush(o);
    }
}

static void out_char(struct out* o, char c) {
    out_bytes(o, &c, 1);
}

static void out_repeat(struct out* o, char c, long n) {
    for (; n > 0; n--) out_char(o, c);
}

/* ---- one conversion specification: %[flags][width][.precision][length]conv */

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J, LEN_BIG_L };

struct spec {
    int left, plus, space, alt, zero; /* the flags - + space # 0 */
    int width;                        /* 0: none */
    int prec;                         /* -1: none */
    enum length length;
    char conv;
};

/* Writes `body` (len bytes) in a field of sp->width: spaces before it, or
   after it with '-'. Zero padding, which goes between sign and digits, is
   left to the numeric conversions. */
static void pad_before(struct out* o, const struct spec* sp, long len) {
    if (!sp->left) out_repeat(o, ' ', sp->width - len);
}
static void pad_after(struct out* o, const struct spec* sp, long len) {
    if (sp->left) out_repeat(o, ' ', sp->width - len);
}

static void format_string(struct out* o, const struct spec* sp, const char* s) {
    if (!s) s = sp->prec < 0 || sp->prec >= 6 ? "(null)" : ""; /* as glibc */
    size_t len = sp->prec < 0 ? strlen(s) : strnlen(s, (size_t)sp->prec);
    pad_before(o, sp, (long)len);
    out_bytes(o, s, len);
    pad_after(o, sp, (long)len);
}

/* ---- integers */

static void format_integer(struct out* o, const struct spec* sp, uintmax_t value, int negative) {
    char digits[sizeof(uintmax_t) * 3]; /* octal needs 22 for 64 bits */
    const char* xdigits = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    unsigned base = 10;
    if (sp->conv == 'o') base = 8;
    if (sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p') base = 16;

    int n = 0;
    for (uintmax_t v = value; v; v /= base) digits[sizeof(digits) - ++n] = xdigits[v % base];

    /* The precision is the minimum number of digits: %.0d of 0 is empty. */
    long zeros = (sp->prec < 0 ? 1 : sp->prec) - n;
    if (zeros < 0) zeros = 0;
    if (sp->alt && base == 8 && zeros == 0 && (n == 0 || digits[sizeof(digits) - n] != '0'))
        zeros = 1; /* %#o: the first digit is a 0 */

    char prefix[2];
    int plen = 0;
    if (sp->conv == 'd' || sp->conv == 'i') {
        if (negative)
            prefix[plen++] = '-';
        else if (sp->plus)
            prefix[plen++] = '+';
        else if (sp->space)
            prefix[plen++] = ' ';
    } else if ((sp->alt && base == 16 && value) || sp->conv == 'p') {
        prefix[plen++] = '0';
        prefix[plen++] = sp->conv == 'X' ? 'X' : 'x';
    }

    long len = plen + zeros + n;
    if (sp->zero && !sp->left && sp->prec < 0 && sp->width > len) {
        zeros += sp->width - len;
        len = sp->width;
    }
    pad_before(o, sp, len);
    out_bytes(o, prefix, (size_t)plen);
    out_repeat(o, '0', zeros);
    out_bytes(o, digits + sizeof(digits) - n, (size_t)n);
    pad_after(o, sp, len);
}

/* ---- floating point */

/* A non-negative decimal number: digits[0] is worth 10^exp10, digits[1]
   10^(exp10-1), and so on; digits past len are 0. */
#define BIG_WORDS 90 /* base-1e9 words: 5^1074 * 2^53 has 767 digits */
struct decimal {
    int len;
    int exp10;
    char digits[BIG_WORDS * 9];
};

/* w[0..*n) is a number in base 10^9, least significant word first. */
static void big_multiply(uint32_t* w, int* n, uint32_t factor) {
    uint64_t carry = 0;
    for (int i = 0; i < *n; i++) {
        uint64_t t = (uint64_t)w[i] * factor + carry;
        w[i] = (uint32_t)(t % 1000000000);
        carry = t / 1000000000;
    }
    while (carry) {
        w[(*n)++] = (uint32_t)(carry % 1000000000);
        carry /= 1000000000;
    }
}

/* Writes the finite, non-negative double v out exactly. v = m * 2^e with
   an integer m; for e >= 0 that is the integer m * 2^e, and for e < 0 it
   is m * 5^-e / 10^-e: an integer's digits with the point moved. */
static void exact_decimal(double v, struct decimal* d) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    int biased = (int)(bits >> 52) & 0x7ff;
    uint64_t m = bits & ((1ULL << 52) - 1);
    int e = biased ? biased - 1075 : -1074; /* subnormals have no implicit 1 */
    if (biased) m |= 1ULL << 52;
    if (m == 0) {
        d->len = 1;
        d->exp10 = 0;
        d->digits[0] = '0';
        return;
    }
    while (!(m & 1) && e < 0) m >>= 1, e++; /* fewer digits to compute */

    uint32_t w[BIG_WORDS];
    int n = 0;
    for (uint64_t t = m; t; t /= 1000000000) w[n++] = (uint32_t)(t % 1000000000);
    int shift = 0; /* the number is w * 10^-shift */
    if (e >= 0) {
        for (; e >= 31; e -= 31) big_multiply(w, &n, 1U << 31);
        big_multiply(w, &n, 1U << e);
    } else {
        shift = -e;
        for (e = -e; e >= 13; e -= 13) big_multiply(w, &n, 1220703125); /* 5^13 */
        uint32_t p = 1;
        while (e--) p *= 5;
        big_multiply(w, &n, p);
    }

    /* The top word without leading zeros, then 9 digits per word. */
    int len = 0;
    for (int i = n - 1; i >= 0; i--) {
        char nine[9];
        uint32_t x = w[i];
        for (int k = 8; k >= 0; k--, x /= 10) nine[k] = (char)('0' + x % 10);
        int skip = 0;
        if (i == n - 1)
            while (skip < 8 && nine[skip] == '0') skip++;
        memcpy(d->digits + len, nine + skip, (size_t)(9 - skip));
        len += 9 - skip;
    }
    d->exp10 = (len - 1) - shift;                       /* the place of the first digit */
    while (len > 1 && d->digits[len - 1] == '0') len--; /* digits past len are 0 anyway */
    d->len = len;
}

static char digit_at(const struct decimal* d, int power) {
    int i = d->exp10 - power;
    return i >= 0 && i < d->len ? d->digits[i] : '0';
}

/* Keeps the first `keep` digits, rounding half to even on the exact value. */
static void round_to(struct decimal* d, int keep) {
    if (keep >= d->len) return;
    int up;
    if (keep < 0) {
        up = 0; /* below half a unit of the last kept place */
    } else {
        char next = d->digits[keep];
        int rest_nonzero = 0;
        for (int i = keep + 1; i < d->len; i++) rest_nonzero |= d->digits[i] != '0';
        int last_odd = keep > 0 && (d->digits[keep - 1] - '0') % 2;
        up = next > '5' || (next == '5' && (rest_nonzero || last_odd));
    }
    if (keep <= 0) { /* every digit is dropped: 0 or one unit of the place above */
        d->exp10 = up ? d->exp10 - keep + 1 : 0;
        d->digits[0] = up ? '1' : '0';
        d->len = 1;
        return;
    }
    d->len = keep;
    for (int i = keep - 1; up && i >= 0; i--) {
        if (d->digits[i] == '9') {
            d->digits[i] = '0';
        } else {
            d->digits[i]++;
            up = 0;
        }
    }
    if (up) { /* 9...9 became 10...0 */
        d->digits[0] = '1';
        d->len = 1;
        d->exp10++;
    }
    while (d->len > 1 && d->digits[d->len - 1] == '0') d->len--;
}

static void format_float(struct out* o, const struct spec* sp, double v) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    int upper = sp->conv == 'F' || sp->conv == 'E' || sp->conv == 'G';
    char sign = (bits >> 63) ? '-' : sp->plus ? '+' : sp->space ? ' ' : 0;
    int slen = sign != 0;

    if (((bits >> 52) & 0x7ff) == 0x7ff) { /* infinity or NaN: no zero padding */
        const char* s = (bits << 12) ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf");
        pad_before(o, sp, 3 + slen);
        if (sign) out_char(o, sign);
        out_bytes(o, s, 3);
        pad_after(o, sp, 3 + slen);
        return;
    }

    struct decimal d;
    exact_decimal(v < 0 ? -v : v, &d);
    int prec = sp->prec < 0 ? 6 : sp->prec;
    char style = (char)(sp->conv | 0x20); /* 'f', 'e' or 'g' */
    if (style == 'g') {
        /* %g: P significant digits; %e style if the exponent X is < -4 or
           >= P, else %f style with P - 1 - X decimals. Both keep the same
           P digits, so one rounding serves either. */
        int p = prec ? prec : 1;
        round_to(&d, p);
        int x = d.exp10;
        if (x < -4 || x >= p) {
            style = 'e';
            prec = p - 1;
            if (!sp->alt && prec > d.len - 1) prec = d.len - 1; /* drop trailing zeros */
        } else {
            style = 'f';
            prec = p - 1 - x;
            if (!sp->alt && prec > d.len - 1 - x) prec = d.len - 1 - x > 0 ? d.len - 1 - x : 0;
        }
    } else if (style == 'e') {
        round_to(&d, prec + 1);
    } else {
        round_to(&d, d.exp10 + prec + 1); /* keep down to the place 10^-prec */
    }

    int point = prec > 0 || sp->alt;
    int exp10 = d.exp10; /* 0 for the value 0 */
    long len;
    if (style == 'f') {
        len = (exp10 >= 0 ? exp10 + 1 : 1) + point + prec;
    } else {
        int ae = exp10 < 0 ? -exp10 : exp10;
        len = 1 + point + prec + 2 + (ae >= 100 ? 3 : 2);
    }
    len += slen;

    int zero_pad = sp->zero && !sp->left && sp->width > len;
    if (!zero_pad) pad_before(o, sp, len);
    if (sign) out_char(o, sign);
    if (zero_pad) out_repeat(o, '0', sp->width - len);

    if (style == 'f') {
        for (int p = exp10 >= 0 ? exp10 : 0; p >= 0; p--) out_char(o, digit_at(&d, p));
        if (point) out_char(o, '.');
        for (int p = -1; p >= -prec; p--) out_char(o, digit_at(&d, p));
    } else {
        out_char(o, digit_at(&d, exp10));
        if (point) out_char(o, '.');
        for (int i = 1; i <= prec; i++) out_char(o, digit_at(&d, exp10 - i));
        char tail[6];
        int t = 0, ae = exp10 < 0 ? -exp10 : exp10;
        tail[t++] = upper ? 'E' : 'e';
        tail[t++] = exp10 < 0 ? '-' : '+';
        if (ae >= 100) tail[t++] = (char)('0' + ae / 100);
        tail[t++] = (char)('0' + ae / 10 % 10);
        tail[t++] = (char)('0' + ae % 10);
        out_bytes(o, tail, (size_t)t);
    }
    if (!zero_pad) pad_after(o, sp, len);
}

/* ---- the format loop */

int __sg_format(__sg_put_fn put, void* ctx, const char* fmt, va_list ap) {
    struct out o = {.put = put, .ctx = ctx};
    while (*fmt) {
        if (*fmt != '%') {
            const char* text = fmt;
            while (*fmt && *fmt != '%') fmt++;
            out_bytes(&o, text, (size_t)(fmt - text));
            continue;
        }
        const char* start = fmt++;
        struct spec sp = {.prec = -1};

        for (;; fmt++) {
            if (*fmt == '-')
                sp.left = 1;
            else if (*fmt == '+')
                sp.plus = 1;
            else if (*fmt == ' ')
                sp.space = 1;
            else if (*fmt == '#')
                sp.alt = 1;
            else if (*fmt == '0')
                sp.zero = 1;
            else
                break;
        }
        if (*fmt == '*') {
            sp.width = va_arg(ap, int);
            if (sp.width < 0) { /* a negative width is a '-' flag */
                sp.left = 1;
                sp.width = sp.width == INT_MIN ? INT_MAX : -sp.width;
            }
            fmt++;
        } else {
            while (*fmt >= '0' && *fmt <= '9')
                sp.width = sp.width < INT_MAX / 10 ? sp.width * 10 + (*fmt++ - '0') : (fmt++, INT_MAX);
        }
        if (*fmt == '.') {
            fmt++;
            sp.prec = 0;
            if (*fmt == '*') {
                sp.prec = va_arg(ap, int); /* negative: as if omitted */
                if (sp.prec < 0) sp.prec = -1;
                fmt++;
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    sp.prec = sp.prec < INT_MAX / 10 ? sp.prec * 10 + (*fmt++ - '0') : (fmt++, INT_MAX);
            }
        }
        switch (*fmt) {
        case 'h':
            sp.length = fmt[1] == 'h' ? LEN_HH : LEN_H;
            break;
        case 'l':
            sp.length = fmt[1] == 'l' ? LEN_LL : LEN_L;
            break;
        case 'z':
            sp.length = LEN_Z;
            break;
        case 't':
            sp.length = LEN_T;
            break;
        case 'j':
            sp.length = LEN_J;
            break;
        case 'L':
            sp.length = LEN_BIG_L;
            break;
        }
        if (sp.length == LEN_HH || sp.length == LEN_LL)
            fmt += 2;
        else if (sp.length != LEN_NONE)
            fmt++;
        sp.conv = *fmt;
        if (sp.conv) fmt++;

        switch (sp.conv) {
        case 'd':
        case 'i': {
            intmax_t v;
            switch (sp.length) {
            case LEN_HH:
                v = (signed char)va_arg(ap, int);
                break;
            case LEN_H:
                v = (short)va_arg(ap, int);
                break;
            case LEN_L:
                v = va_arg(ap, long);
                break;
            case LEN_LL:
                v = va_arg(ap, long long);
                break;
            case LEN_Z:
                v = va_arg(ap, ssize_t);
                break;
            case LEN_T:
                v = va_arg(ap, ptrdiff_t);
                break;
            case LEN_J:
                v = va_arg(ap, intmax_t);
                break;
            default:
                v = va_arg(ap, int);
                break;
            }
            /* Negate in unsigned arithmetic: -INTMAX_MIN does not exist. */
            format_integer(&o, &sp, v < 0 ? -(uintmax_t)v : (uintmax_t)v, v < 0);
            break;
        }
        case 'u':
        case 'o':
        case 'x':
        case 'X': {
            uintmax_t v;
            switch (sp.length) {
            case LEN_HH:
                v = (unsigned char)va_arg(ap, unsigned);
                break;
            case LEN_H:
                v = (unsigned short)va_arg(ap, unsigned);
                break;
            case LEN_L:
                v = va_arg(ap, unsigned long);
                break;
            case LEN_LL:
                v = va_arg(ap, unsigned long long);
                break;
            case LEN_Z:
                v = va_arg(ap, size_t);
                break;
            case LEN_T:
                v = (uintmax_t)va_arg(ap, ptrdiff_t);
                break;
            case LEN_J:
                v = va_arg(ap, uintmax_t);
                break;
            default:
                v = va_arg(ap, unsigned);
                break;
            }
            format_integer(&o, &sp, v, 0);
            break;
        }
        case 'p': {
            void* p = va_arg(ap, void*);
            if (p) {
                format_integer(&o, &sp, (uintptr_t)p, 0);
            } else {
                sp.prec = -1;
                format_string(&o, &sp, "(nil)"); /* as glibc */
            }
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            pad_before(&o, &sp, 1);
            out_char(&o, c);
            pad_after(&o, &sp, 1);
            break;
        }
        case 's':
            format_string(&o, &sp, va_arg(ap, const char*));
            break;
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G':
            format_float(&o, &sp, sp.length == LEN_BIG_L ? (double)va_arg(ap, long double) : va_arg(ap, double));
            break;
        case '%':
            out_char(&o, '%');
            break;
        default: /* unknown, or the format ended inside the specification */
            out_bytes(&o, start, (size_t)(fmt - start));
            break;
        }
    }
    out_flush(&o);
    if (o.total > INT_MAX) {
        errno = EOVERFLOW;
        return -1;
    }
    return (int)o.total;
}
