/* strtol and friends, atoi, abs. One parser, __sg_strtox, does the work;
   each function only names its type's limits. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>

#include "libc.h"

static int digit_value(int c) {
    if (isdigit(c)) return c - '0';
    if (islower(c)) return c - 'a' + 10;
    if (isupper(c)) return c - 'A' + 10;
    return 99; /* not a digit in any base */
}

unsigned long long __sg_strtox(const char* s, char** end, int base, unsigned long long max, int is_signed) {
    const char* p = s;
    if (base < 0 || base == 1 || base > 36) {
        errno = EINVAL;
        if (end) *end = (char*)s;
        return 0;
    }
    while (isspace((unsigned char)*p)) p++;
    int negative = 0;
    if (*p == '+' || *p == '-') negative = *p++ == '-';

    /* A "0x" prefix counts only when a hex digit follows: "0xg" is 0. */
    if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
        digit_value((unsigned char)p[2]) < 16) {
        p += 2;
        base = 16;
    } else if (base == 0) {
        base = p[0] == '0' ? 8 : 10;
    }

    unsigned long long value = 0;
    int any = 0, overflow = 0;
    for (;; p++) {
        int d = digit_value((unsigned char)*p);
        if (d >= base) break;
        any = 1;
        if (value > (ULLONG_MAX - (unsigned)d) / (unsigned)base)
            overflow = 1;
        else
            value = value * (unsigned)base + (unsigned)d;
    }
    if (end) *end = (char*)(any ? p : s); /* no digits: nothing was converted */

    /* The most negative value of a signed type is max + 1 in magnitude. */
    unsigned long long limit = is_signed && negative ? max + 1 : max;
    if (overflow || value > limit) {
        errno = ERANGE;
        if (!is_signed) return max;
        return negative ? -limit : max;
    }
    return negative ? -value : value; /* unsigned types wrap, as C says */
}

long strtol(const char* __restrict s, char** __restrict end, int base) {
    return (long)__sg_strtox(s, end, base, LONG_MAX, 1);
}

unsigned long strtoul(const char* __restrict s, char** __restrict end, int base) {
    return (unsigned long)__sg_strtox(s, end, base, ULONG_MAX, 0);
}

long long strtoll(const char* __restrict s, char** __restrict end, int base) {
    return (long long)__sg_strtox(s, end, base, LLONG_MAX, 1);
}

unsigned long long strtoull(const char* __restrict s, char** __restrict end, int base) {
    return __sg_strtox(s, end, base, ULLONG_MAX, 0);
}

intmax_t strtoimax(const char* __restrict s, char** __restrict end, int base) {
    return (intmax_t)__sg_strtox(s, end, base, INTMAX_MAX, 1);
}

uintmax_t strtoumax(const char* __restrict s, char** __restrict end, int base) {
    return (uintmax_t)__sg_strtox(s, end, base, UINTMAX_MAX, 0);
}

int atoi(const char* s) {
    return (int)strtol(s, NULL, 10);
}
long atol(const char* s) {
    return strtol(s, NULL, 10);
}
long long atoll(const char* s) {
    return strtoll(s, NULL, 10);
}

int abs(int x) {
    return x < 0 ? -x : x;
}
long labs(long x) {
    return x < 0 ? -x : x;
}
long long llabs(long long x) {
    return x < 0 ? -x : x;
}
