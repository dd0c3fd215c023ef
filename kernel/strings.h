#pragma once
// Comparing NUL-terminated strings: the freestanding kernel has no <cstring>.

constexpr bool same_string(const char* a, const char* b) {
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}
