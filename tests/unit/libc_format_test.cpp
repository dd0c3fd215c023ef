// libc/src/format.c and sprintf.c: the printf engine of Sysgate's libc,
// built for the host with its symbols renamed sg_* (libc/libc.mk,
// UNIT_LIBC_OBJS). Most cases compare with the host's (glibc's) snprintf,
// which formats floating point exactly too.
#include <gtest/gtest.h>

#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

extern "C" {
int sg_snprintf(char* s, size_t n, const char* fmt, ...);
int sg_sprintf(char* s, const char* fmt, ...);
}

namespace {

// The same format and arguments through both, then the same text and count.
#define EXPECT_LIKE_HOST(fmt, ...)                                                                                     \
    do {                                                                                                               \
        static char host_buf[4096], sg_buf[4096];                                                                      \
        int host_n = snprintf(host_buf, sizeof host_buf, fmt, ##__VA_ARGS__);                                          \
        int sg_n = sg_snprintf(sg_buf, sizeof sg_buf, fmt, ##__VA_ARGS__);                                             \
        EXPECT_STREQ(sg_buf, host_buf) << "format \"" << fmt << "\"";                                                  \
        EXPECT_EQ(sg_n, host_n) << "format \"" << fmt << "\"";                                                         \
    } while (0)

// Sysgate's output alone, for what the host cannot be asked (or disagrees on).
template <typename... Ts>
std::string SG(const char* fmt, Ts... args) {
    char buf[4096];
    int n = sg_snprintf(buf, sizeof buf, fmt, args...);
    EXPECT_EQ(n, static_cast<int>(strlen(buf))) << "format \"" << fmt << "\"";
    return buf;
}

TEST(LibcFormat, PlainText) {
    EXPECT_EQ(SG("hello"), "hello");
    EXPECT_EQ(SG(""), "");
    EXPECT_EQ(SG("100%%"), "100%");
    EXPECT_LIKE_HOST("a%%b%%%%c");
}

TEST(LibcFormat, SignedIntegers) {
    EXPECT_LIKE_HOST("%d %d %d", 0, INT_MAX, INT_MIN);
    EXPECT_LIKE_HOST("%i|%5d|%-5d|%05d|%+d|% d", -7, 42, 42, -42, 3, 3);
// Flags the standard says are ignored in these combinations (GCC warns).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
    EXPECT_LIKE_HOST("%+ d|% +d|%-+6d|%+06d", 5, 5, 5, -5);
#pragma GCC diagnostic pop
    EXPECT_LIKE_HOST("%ld %ld", LONG_MAX, LONG_MIN);
    EXPECT_LIKE_HOST("%lld %lld", LLONG_MAX, LLONG_MIN);
    EXPECT_LIKE_HOST("%hhd %hhd %hd %hd", 300, -129, 70000, -32769);
    EXPECT_LIKE_HOST("%zd %td %jd", static_cast<ssize_t>(-1), static_cast<ptrdiff_t>(-2), INTMAX_MIN);
}

TEST(LibcFormat, UnsignedIntegers) {
    EXPECT_LIKE_HOST("%u %u", 0u, UINT_MAX);
    EXPECT_LIKE_HOST("%lu %llu %zu %ju", ULONG_MAX, ULLONG_MAX, SIZE_MAX, UINTMAX_MAX);
    EXPECT_LIKE_HOST("%hhu %hu", 257, 65537);
    EXPECT_LIKE_HOST("%x %X %o", 0xdeadbeefu, 0xdeadbeefu, 0777u);
    EXPECT_LIKE_HOST("%#x %#X %#o %#x %#o", 255u, 255u, 8u, 0u, 0u);
    EXPECT_LIKE_HOST("%lx %llX %lo", ULONG_MAX, ULLONG_MAX, ULONG_MAX);
    EXPECT_LIKE_HOST("%#010x|%-#10x|%#5o", 0x1234u, 0x1234u, 9u);
}

TEST(LibcFormat, IntegerPrecision) {
    EXPECT_LIKE_HOST("[%.0d] [%.0x] [%#.0o] [%#.0x] [%5.0d]", 0, 0u, 0u, 0u, 0);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat" // '0' is ignored when there is a precision
    EXPECT_LIKE_HOST("%.5d|%8.5d|%-8.5d|%08.5d|%.3d", 42, -42, 42, 42, 123456);
#pragma GCC diagnostic pop
    EXPECT_LIKE_HOST("%#.5o|%#.5x|%+.3d", 8u, 0x1fu, 7);
}

TEST(LibcFormat, StarWidthAndPrecision) {
    EXPECT_LIKE_HOST("[%*d] [%*d] [%.*d] [%.*d]", 6, 42, -6, 42, 4, 7, -1, 7);
    EXPECT_LIKE_HOST("[%*.*s] [%-*s]", 8, 3, "abcdef", 5, "ab");
    EXPECT_LIKE_HOST("[%*.*f]", 12, 3, 3.14159);
}

TEST(LibcFormat, CharactersAndStrings) {
    EXPECT_LIKE_HOST("%c%c%c|%3c|%-3c|", 'a', 'b', 0x41, 'x', 'y');
    EXPECT_LIKE_HOST("%s|%10s|%-10s|%.2s|%.0s|%10.3s", "hello", "hi", "hi", "hello", "x", "abcdef");
    EXPECT_LIKE_HOST("%s", "");
    const char* null_string = nullptr;
    EXPECT_EQ(SG("%s", null_string), "(null)"); // as glibc
    EXPECT_EQ(SG("%8s|", null_string), "  (null)|");
}

TEST(LibcFormat, Pointers) {
    int x;
    EXPECT_LIKE_HOST("%p %p", static_cast<void*>(&x), reinterpret_cast<void*>(0x1000));
    EXPECT_LIKE_HOST("%20p|%-20p|", static_cast<void*>(&x), static_cast<void*>(&x));
    EXPECT_EQ(SG("%p", static_cast<void*>(nullptr)), "(nil)"); // as glibc
}

TEST(LibcFormat, FixedPoint) {
    EXPECT_LIKE_HOST("%f %f %f %f", 0.0, 1.0, -1.5, 3.14159265358979);
    EXPECT_LIKE_HOST("%.0f %.1f %.2f %.10f", 2.5, 0.05, 1.005, 1.0 / 3);
    EXPECT_LIKE_HOST("%.3f %.3f %.20f", 1234567.8915, 0.0005, 0.1);
    EXPECT_LIKE_HOST("%10.3f|%-10.3f|%010.3f|%+.2f|% .2f", 3.14159, 3.14159, -3.14159, 2.0, 2.0);
    EXPECT_LIKE_HOST("%#.0f %.0f %F", 3.0, 1e15, 1.5);
    EXPECT_LIKE_HOST("%f", 1e300);
    EXPECT_LIKE_HOST("%f", DBL_MAX);
    EXPECT_LIKE_HOST("%.0f", -DBL_MAX);
    EXPECT_LIKE_HOST("%.330f", DBL_MIN);
    EXPECT_LIKE_HOST("%.1080f", 4.9406564584124654e-324); // the smallest subnormal, every digit
}

// Round half to even on the exact binary value, like glibc.
TEST(LibcFormat, Rounding) {
    EXPECT_LIKE_HOST("%.0f %.0f %.0f %.0f %.0f", 0.5, 1.5, 2.5, 3.5, -0.5);
    EXPECT_LIKE_HOST("%.2f %.2f %.2f %.1f", 0.125, 0.375, 0.015, 0.25);
    EXPECT_LIKE_HOST("%.2f %.3f %.0e %.2e", 9.999, 0.9995, 9.5, 9.995);
    EXPECT_LIKE_HOST("%.1f %.0f %.3f", 0.05, 0.4999999999999999, 99.9995);
    EXPECT_LIKE_HOST("%.0f %.1f", 1e-300, 0.04);
}

TEST(LibcFormat, Exponential) {
    EXPECT_LIKE_HOST("%e %e %e %E", 0.0, 1.0, -123.456, 1e-10);
    EXPECT_LIKE_HOST("%.0e %#.0e %.3e %.15e", 12345.0, 12345.0, 1e100, 0.1);
    EXPECT_LIKE_HOST("%e %e %e", DBL_MAX, DBL_MIN, 4.9406564584124654e-324);
    EXPECT_LIKE_HOST("%15.4e|%-15.4e|%015.4e|%+e", 1.5, 1.5, -1.5, 1.5);
}

TEST(LibcFormat, General) {
    EXPECT_LIKE_HOST("%g %g %g %g %g", 0.0, 1.0, 100000.0, 1e6, 1234567.0);
    EXPECT_LIKE_HOST("%g %g %g %g", 0.0001, 0.00001, 1e-5, 123.456);
    EXPECT_LIKE_HOST("%g %g %G %G", 1e20, 1.5e-7, 1e-20, 3.0);
    EXPECT_LIKE_HOST("%.0g %.1g %.2g %.10g %.17g", 123.0, 0.15, 99.5, 1.0 / 3, 0.1);
    EXPECT_LIKE_HOST("%#g %#g %#.3g %#.0g", 1.0, 1e-5, 100.0, 5.0);
    EXPECT_LIKE_HOST("%10g|%-10g|%010g|%+g", 1.5, 1.5, -1.5, 1.5);
    EXPECT_LIKE_HOST("%g %g %g", DBL_MAX, DBL_MIN, 999999.5);
}

TEST(LibcFormat, InfinityAndNan) {
    const double inf = HUGE_VAL, nan = std::nan("");
    EXPECT_LIKE_HOST("%f %F %e %E %g %G", inf, inf, -inf, -inf, inf, -inf);
    EXPECT_LIKE_HOST("%f %F %e %G", nan, nan, nan, nan);
    EXPECT_LIKE_HOST("%f %F", -nan, -nan);
    EXPECT_LIKE_HOST("%8f|%-8f|%08f|%+f|% f", inf, inf, inf, inf, inf);
    EXPECT_LIKE_HOST("%f %e %g %.0f", -0.0, -0.0, -0.0, -0.0);
}

TEST(LibcFormat, LongDoubleAtDoublePrecision) {
    EXPECT_EQ(SG("%Lf %.3Le %Lg", 1.5L, 2.25L, 100.0L), "1.500000 2.250e+00 100");
}

// Random doubles of every magnitude, against the host.
TEST(LibcFormat, RandomDoublesMatchHost) {
    std::mt19937_64 rng(12345);
    for (int i = 0; i < 3000; i++) {
        uint64_t bits = rng();
        double v;
        std::memcpy(&v, &bits, sizeof v);
        if (std::isnan(v)) continue;
        int prec = static_cast<int>(rng() % 25);
        EXPECT_LIKE_HOST("%.*e", prec, v);
        EXPECT_LIKE_HOST("%.*g", prec, v);
        EXPECT_LIKE_HOST("%.17g", v);
        if (std::fabs(v) < 1e30) EXPECT_LIKE_HOST("%.*f", prec, v);
    }
    // Numbers a benchmark prints: nanoseconds with decimals.
    for (int i = 0; i < 2000; i++) {
        double ns = static_cast<double>(rng() % 100000000) / 1000.0;
        EXPECT_LIKE_HOST("%.1f %.2f %8.3f %g", ns, ns, ns, ns);
    }
}

TEST(LibcFormat, Truncation) {
    char buf[8];
    std::memset(buf, 'Z', sizeof buf);
    EXPECT_EQ(sg_snprintf(buf, 5, "%s", "hello world"), 11);
    EXPECT_STREQ(buf, "hell");
    EXPECT_EQ(buf[5], 'Z'); // nothing written past n
    std::memset(buf, 'Z', sizeof buf);
    EXPECT_EQ(sg_snprintf(buf, 0, "%d", 12345), 5);
    EXPECT_EQ(buf[0], 'Z'); // n == 0: nothing written at all
    EXPECT_EQ(sg_snprintf(buf, 1, "%d", 12345), 5);
    EXPECT_STREQ(buf, "");
    EXPECT_EQ(sg_snprintf(nullptr, 0, "%f", 1.0), 8); // measuring only
    EXPECT_EQ(sg_snprintf(buf, sizeof buf, "%.3f", 2.0), 5);
    EXPECT_STREQ(buf, "2.000");
}

TEST(LibcFormat, LongOutputCrossesTheInternalBuffer) {
    EXPECT_LIKE_HOST("%600d|%-300s|%0400d", 1, "x", -5);
    std::string long_text(1000, 'q');
    EXPECT_LIKE_HOST("<%s>", long_text.c_str());
}

TEST(LibcFormat, Sprintf) {
    char buf[64];
    EXPECT_EQ(sg_sprintf(buf, "%s=%d", "x", 10), 4);
    EXPECT_STREQ(buf, "x=10");
}

// An unknown conversion, or a format that ends inside a specification, is
// copied as it stands and consumes no argument.
TEST(LibcFormat, UnknownConversionsAreCopied) {
    EXPECT_EQ(SG("%y|%d", 5), "%y|5");
    EXPECT_EQ(SG("%-5k|%d", 6), "%-5k|6");
    EXPECT_EQ(SG("end%"), "end%");
    EXPECT_EQ(SG("end%5"), "end%5");
}

} // namespace
