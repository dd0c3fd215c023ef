/* snprintf and friends: __sg_format into a caller's buffer. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "libc.h"

struct buffer {
    char* s;
    size_t size; /* room, the terminating NUL included */
    size_t len;  /* bytes produced, stored or not */
};

static void put_buffer(void* ctx, const char* s, size_t n) {
    struct buffer* b = ctx;
    if (b->len + 1 < b->size) {
        size_t room = b->size - 1 - b->len;
        memcpy(b->s + b->len, s, n < room ? n : room);
    }
    b->len += n;
}

int vsnprintf(char* __restrict s, size_t n, const char* __restrict fmt, va_list ap) {
    struct buffer b = {s, n, 0};
    int r = __sg_format(put_buffer, &b, fmt, ap);
    if (n) s[b.len < n ? b.len : n - 1] = '\0'; /* truncated output is still terminated */
    return r;
}

int snprintf(char* __restrict s, size_t n, const char* __restrict fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(s, n, fmt, ap);
    va_end(ap);
    return r;
}

/* The caller promises the buffer is large enough. */
int vsprintf(char* __restrict s, const char* __restrict fmt, va_list ap) {
    return vsnprintf(s, SIZE_MAX / 2, fmt, ap);
}

int sprintf(char* __restrict s, const char* __restrict fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = vsprintf(s, fmt, ap);
    va_end(ap);
    return r;
}
