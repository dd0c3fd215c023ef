/* <string.h>: plain byte loops, written to be read. The build compiles the
   libc with -fno-tree-loop-distribute-patterns so that GCC does not turn
   these loops back into calls to themselves. */
#include <stdlib.h>
#include <string.h>

void* memcpy(void* __restrict dst, const void* __restrict src, size_t n) {
    unsigned char* d = dst;
    const unsigned char* s = src;
    while (n--) *d++ = *s++;
    return dst;
}

void* memmove(void* dst, const void* src, size_t n) {
    unsigned char* d = dst;
    const unsigned char* s = src;
    if (d < s) {
        while (n--) *d++ = *s++;
    } else if (d > s) { /* copy backwards so an overlapping source is read before it is overwritten */
        while (n--) d[n] = s[n];
    }
    return dst;
}

void* memset(void* dst, int c, size_t n) {
    unsigned char* d = dst;
    while (n--) *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void* a, const void* b, size_t n) {
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y) return *x - *y;
    return 0;
}

void* memchr(const void* s, int c, size_t n) {
    const unsigned char* p = s;
    for (; n; n--, p++)
        if (*p == (unsigned char)c) return (void*)p;
    return NULL;
}

size_t strlen(const char* s) {
    const char* p = s;
    while (*p) p++;
    return (size_t)(p - s);
}

size_t strnlen(const char* s, size_t max) {
    size_t n = 0;
    while (n < max && s[n]) n++;
    return n;
}

/* Comparisons are of unsigned char values, as the C standard requires. */
int strcmp(const char* a, const char* b) {
    while (*a && *a == *b) a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char* a, const char* b, size_t n) {
    for (; n; n--, a++, b++) {
        if (*a != *b) return (unsigned char)*a - (unsigned char)*b;
        if (!*a) return 0;
    }
    return 0;
}

static int lower(int c) {
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int strcasecmp(const char* a, const char* b) {
    while (*a && lower((unsigned char)*a) == lower((unsigned char)*b)) a++, b++;
    return lower((unsigned char)*a) - lower((unsigned char)*b);
}

int strncasecmp(const char* a, const char* b, size_t n) {
    for (; n; n--, a++, b++) {
        int x = lower((unsigned char)*a), y = lower((unsigned char)*b);
        if (x != y) return x - y;
        if (!x) return 0;
    }
    return 0;
}

char* strcpy(char* __restrict dst, const char* __restrict src) {
    char* d = dst;
    while ((*d++ = *src++)) {
    }
    return dst;
}

/* Copies at most n bytes and pads with NULs to n: the result is not
   terminated when src is n bytes or longer. */
char* strncpy(char* __restrict dst, const char* __restrict src, size_t n) {
    size_t i = 0;
    for (; i < n && src[i]; i++) dst[i] = src[i];
    for (; i < n; i++) dst[i] = '\0';
    return dst;
}

char* strcat(char* __restrict dst, const char* __restrict src) {
    strcpy(dst + strlen(dst), src);
    return dst;
}

/* Appends at most n bytes of src, and always a terminating NUL. */
char* strncat(char* __restrict dst, const char* __restrict src, size_t n) {
    char* d = dst + strlen(dst);
    while (n-- && *src) *d++ = *src++;
    *d = '\0';
    return dst;
}

char* strchr(const char* s, int c) {
    for (;; s++) {
        if (*s == (char)c) return (char*)s;
        if (!*s) return NULL;
    }
}

char* strrchr(const char* s, int c) {
    const char* found = NULL;
    for (;; s++) {
        if (*s == (char)c) found = s;
        if (!*s) return (char*)found;
    }
}

char* strstr(const char* haystack, const char* needle) {
    size_t n = strlen(needle);
    for (; *haystack; haystack++)
        if (!strncmp(haystack, needle, n)) return (char*)haystack;
    return n ? NULL : (char*)haystack;
}

char* strdup(const char* s) {
    return strndup(s, (size_t)-1);
}

char* strndup(const char* s, size_t n) {
    size_t len = strnlen(s, n);
    char* copy = malloc(len + 1);
    if (!copy) return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

size_t strspn(const char* s, const char* accept) {
    size_t n = 0;
    while (s[n] && strchr(accept, s[n])) n++;
    return n;
}

size_t strcspn(const char* s, const char* reject) {
    size_t n = 0;
    while (s[n] && !strchr(reject, s[n])) n++;
    return n;
}

char* strtok_r(char* __restrict s, const char* __restrict delim, char** __restrict save) {
    if (!s) s = *save;
    s += strspn(s, delim);
    if (!*s) {
        *save = s;
        return NULL;
    }
    char* end = s + strcspn(s, delim);
    if (*end) *end++ = '\0';
    *save = end;
    return s;
}

char* strtok(char* __restrict s, const char* __restrict delim) {
    static char* save = "";
    return strtok_r(s, delim, &save);
}
