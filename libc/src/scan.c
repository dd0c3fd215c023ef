/* sscanf: the subset <stdio.h> documents. Pure. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "libc.h"

enum length { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_J, LEN_T };

static void store_integer(va_list* ap, enum length length, unsigned long long v) {
    switch (length) {
    case LEN_HH:
        *va_arg(*ap, signed char*) = (signed char)v;
        break;
    case LEN_H:
        *va_arg(*ap, short*) = (short)v;
        break;
    case LEN_L:
        *va_arg(*ap, long*) = (long)v;
        break;
    case LEN_LL:
        *va_arg(*ap, long long*) = (long long)v;
        break;
    case LEN_Z:
        *va_arg(*ap, size_t*) = (size_t)v;
        break;
    case LEN_J:
        *va_arg(*ap, intmax_t*) = (intmax_t)v;
        break;
    case LEN_T:
        *va_arg(*ap, ptrdiff_t*) = (ptrdiff_t)v;
        break;
    default:
        *va_arg(*ap, int*) = (int)v;
        break;
    }
}

int vsscanf(const char* __restrict s, const char* __restrict fmt, va_list ap_in) {
    va_list ap; /* a copy, so that helpers can take its address */
    va_copy(ap, ap_in);
    const char* in = s;
    int assigned = 0, converted = 0;

    while (*fmt) {
        if (isspace((unsigned char)*fmt)) { /* any amount of whitespace, even none */
            while (isspace((unsigned char)*fmt)) fmt++;
            while (isspace((unsigned char)*in)) in++;
            continue;
        }
        if (*fmt != '%' || fmt[1] == '%') { /* a literal byte; %% is a '%' */
            if (*fmt == '%') {
                fmt++;
                while (isspace((unsigned char)*in)) in++;
            }
            if (!*in) goto input_failure;
            if (*in != *fmt) break;
            in++, fmt++;
            continue;
        }

        fmt++;
        int skip = *fmt == '*';
        if (skip) fmt++;
        int width = 0;
        while (isdigit((unsigned char)*fmt)) width = width * 10 + (*fmt++ - '0');
        enum length length = LEN_NONE;
        switch (*fmt) {
        case 'h':
            length = fmt[1] == 'h' ? LEN_HH : LEN_H;
            break;
        case 'l':
            length = fmt[1] == 'l' ? LEN_LL : LEN_L;
            break;
        case 'z':
            length = LEN_Z;
            break;
        case 'j':
            length = LEN_J;
            break;
        case 't':
            length = LEN_T;
            break;
        }
        if (length == LEN_HH || length == LEN_LL)
            fmt += 2;
        else if (length != LEN_NONE)
            fmt++;
        char conv = *fmt++;

        if (conv == 'n') { /* not a conversion: stores how far the input got */
            if (!skip) store_integer(&ap, length, (unsigned long long)(in - s));
            continue;
        }
        if (conv == 'c') {
            int n = width ? width : 1;
            if (!*in) goto input_failure;
            if ((int)strnlen(in, (size_t)n) < n) break;
            if (!skip) memcpy(va_arg(ap, char*), in, (size_t)n);
            in += n;
        } else if (conv == 's') {
            while (isspace((unsigned char)*in)) in++;
            if (!*in) goto input_failure;
            char* out = skip ? NULL : va_arg(ap, char*);
            for (int n = 0; *in && !isspace((unsigned char)*in) && (!width || n < width); n++, in++)
                if (out) *out++ = *in;
            if (out) *out = '\0';
        } else if (strchr("diuxXo", conv) && conv) {
            while (isspace((unsigned char)*in)) in++;
            if (!*in) goto input_failure;
            /* Parse a copy cut at the field width. */
            char field[64];
            size_t n = width && (size_t)width < sizeof(field) ? (size_t)width : sizeof(field) - 1;
            n = strnlen(in, n);
            memcpy(field, in, n);
            field[n] = '\0';
            int base = conv == 'd' || conv == 'u' ? 10 : conv == 'i' ? 0 : conv == 'o' ? 8 : 16;
            char* end;
            unsigned long long v = __sg_strtox(field, &end, base, ~0ULL, 0);
            if (end == field) break; /* matching failure */
            in += end - field;
            if (!skip) store_integer(&ap, length, v);
        } else {
            break; /* unsupported conversion */
        }
        converted = 1;
        if (!skip) assigned++;
    }
    va_end(ap);
    return assigned;

input_failure:
    va_end(ap);
    return converted ? assigned : EOF;
}

int sscanf(const char* __restrict s, const char* __restrict fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = vsscanf(s, fmt, ap);
    va_end(ap);
    return r;
}
