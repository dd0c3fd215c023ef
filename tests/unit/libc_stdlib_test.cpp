// libc/src/strtol.c, scan.c, qsort.c and env.c: number parsing, sscanf,
// qsort/bsearch, rand and the environment, built for the host with their
// symbols renamed sg_*.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

extern "C" {
long sg_strtol(const char* s, char** end, int base);
unsigned long sg_strtoul(const char* s, char** end, int base);
long long sg_strtoll(const char* s, char** end, int base);
unsigned long long sg_strtoull(const char* s, char** end, int base);
intmax_t sg_strtoimax(const char* s, char** end, int base);
int sg_atoi(const char* s);
long sg_atol(const char* s);
int sg_abs(int x);
long sg_labs(long x);
int sg_sscanf(const char* s, const char* fmt, ...);
void sg_qsort(void* base, size_t count, size_t size, int (*cmp)(const void*, const void*));
void* sg_bsearch(const void* key, const void* base, size_t count, size_t size, int (*cmp)(const void*, const void*));
int sg_rand(void);
void sg_srand(unsigned seed);
char* sg_getenv(const char* name);
int sg_setenv(const char* name, const char* value, int overwrite);
int sg_unsetenv(const char* name);
extern char** sg_environ;
extern int sg_errno;
}

namespace {

// strtol and the host's must agree on value, errno and end for every case.
void ExpectLikeHost(const char* s, int base) {
    char *sg_end, *host_end;
    sg_errno = 0;
    errno = 0;
    long sg_value = sg_strtol(s, &sg_end, base);
    long host_value = strtol(s, &host_end, base);
    EXPECT_EQ(sg_value, host_value) << '"' << s << "\" base " << base;
    EXPECT_EQ(sg_end - s, host_end - s) << '"' << s << "\" base " << base;
    EXPECT_EQ(sg_errno, errno) << '"' << s << "\" base " << base;

    sg_errno = 0;
    errno = 0;
    unsigned long long sg_u = sg_strtoull(s, &sg_end, base);
    unsigned long long host_u = strtoull(s, &host_end, base);
    EXPECT_EQ(sg_u, host_u) << "strtoull \"" << s << "\" base " << base;
    EXPECT_EQ(sg_end - s, host_end - s) << "strtoull \"" << s << "\" base " << base;
    EXPECT_EQ(sg_errno, errno) << "strtoull \"" << s << "\" base " << base;
}

TEST(LibcStrtol, AgreesWithTheHost) {
    const char* inputs[] = {"0",
                            "42",
                            "-42",
                            "+42",
                            "  \t\n 17xyz",
                            "0x1f",
                            "0X1F",
                            "0x",
                            "0xg",
                            "-0x10",
                            "017",
                            "08",
                            "0b101",
                            "z",
                            "Zz",
                            "",
                            "   ",
                            "-",
                            "+",
                            "9223372036854775807",
                            "9223372036854775808",
                            "-9223372036854775808",
                            "-9223372036854775809",
                            "18446744073709551615",
                            "18446744073709551616",
                            "99999999999999999999999",
                            "-1",
                            "123abc",
                            "1_000",
                            "0000000000000000000000000000000001"};
    for (const char* s : inputs)
        for (int base : {0, 2, 8, 10, 16, 36}) ExpectLikeHost(s, base);
}

TEST(LibcStrtol, OverflowClampsAndSetsERANGE) {
    sg_errno = 0;
    EXPECT_EQ(sg_strtol("99999999999999999999", nullptr, 10), LONG_MAX);
    EXPECT_EQ(sg_errno, ERANGE);
    sg_errno = 0;
    EXPECT_EQ(sg_strtol("-99999999999999999999", nullptr, 10), LONG_MIN);
    EXPECT_EQ(sg_errno, ERANGE);
    sg_errno = 0;
    EXPECT_EQ(sg_strtoll("-9223372036854775808", nullptr, 10), LLONG_MIN);
    EXPECT_EQ(sg_errno, 0);
    EXPECT_EQ(sg_strtoul("-1", nullptr, 10), ULONG_MAX); // negation wraps, no error
    EXPECT_EQ(sg_errno, 0);
    EXPECT_EQ(sg_strtoimax("-0x8000000000000000", nullptr, 0), INTMAX_MIN);
}

TEST(LibcStrtol, EndPointerAndBadBase) {
    char* end;
    const char* s = "  -123 rest";
    EXPECT_EQ(sg_strtol(s, &end, 10), -123);
    EXPECT_STREQ(end, " rest");
    const char* none = "  +x";
    EXPECT_EQ(sg_strtol(none, &end, 10), 0);
    EXPECT_EQ(end, none); // no digits: nothing consumed, not even the sign
    sg_errno = 0;
    EXPECT_EQ(sg_strtol("10", &end, 1), 0);
    EXPECT_EQ(sg_errno, EINVAL);
    sg_errno = 0;
    EXPECT_EQ(sg_strtol("10", nullptr, 37), 0);
    EXPECT_EQ(sg_errno, EINVAL);
    EXPECT_EQ(sg_strtol("zz", nullptr, 36), 35 * 36 + 35);
}

TEST(LibcStrtol, AtoiAndAbs) {
    EXPECT_EQ(sg_atoi("  -77 apples"), -77);
    EXPECT_EQ(sg_atoi("nothing"), 0);
    EXPECT_EQ(sg_atol("123456789012"), 123456789012L);
    EXPECT_EQ(sg_abs(-5), 5);
    EXPECT_EQ(sg_abs(5), 5);
    EXPECT_EQ(sg_labs(-5000000000L), 5000000000L);
}

TEST(LibcSscanf, Integers) {
    int a = 0, b = 0, c = 0;
    unsigned u = 0;
    EXPECT_EQ(sg_sscanf("12 -7 0x1f 077", "%d %d %x %o", &a, &b, &u, &c), 4);
    EXPECT_EQ(a, 12);
    EXPECT_EQ(b, -7);
    EXPECT_EQ(u, 0x1fu);
    EXPECT_EQ(c, 077);
    EXPECT_EQ(sg_sscanf("0x10 010 10", "%i %i %i", &a, &b, &c), 3);
    EXPECT_EQ(a, 16);
    EXPECT_EQ(b, 8);
    EXPECT_EQ(c, 10);
    long l;
    long long ll;
    short h;
    signed char hh;
    size_t z;
    EXPECT_EQ(sg_sscanf("5000000000 -9000000000000 70000 300 42", "%ld %lld %hd %hhd %zu", &l, &ll, &h, &hh, &z), 5);
    EXPECT_EQ(l, 5000000000L);
    EXPECT_EQ(ll, -9000000000000LL);
    EXPECT_EQ(h, static_cast<short>(70000));
    EXPECT_EQ(hh, static_cast<signed char>(300));
    EXPECT_EQ(z, 42u);
}

TEST(LibcSscanf, WidthsStringsCharactersAndCounts) {
    int a = 0, b = 0, n = 0;
    EXPECT_EQ(sg_sscanf("12345", "%2d%3d%n", &a, &b, &n), 2); // %n is not counted
    EXPECT_EQ(a, 12);
    EXPECT_EQ(b, 345);
    EXPECT_EQ(n, 5);
    char word[16], c[3] = {0};
    EXPECT_EQ(sg_sscanf("  hello world", "%s %2c", word, c), 2);
    EXPECT_STREQ(word, "hello");
    EXPECT_STREQ(c, "wo");
    EXPECT_EQ(sg_sscanf("abcdef", "%3s", word), 1);
    EXPECT_STREQ(word, "abc");
    EXPECT_EQ(sg_sscanf("x=5, y=6", "x=%d, y=%d", &a, &b), 2);
    EXPECT_EQ(a, 5);
    EXPECT_EQ(b, 6);
    EXPECT_EQ(sg_sscanf("50%", "%d%%", &a), 1);
    EXPECT_EQ(sg_sscanf("7 8", "%*d %d", &a), 1); // '*' converts without storing
    EXPECT_EQ(a, 8);
}

TEST(LibcSscanf, FailuresStopTheScan) {
    int a = -1, b = -1;
    EXPECT_EQ(sg_sscanf("12 abc", "%d %d", &a, &b), 1); // matching failure
    EXPECT_EQ(a, 12);
    EXPECT_EQ(b, -1);
    EXPECT_EQ(sg_sscanf("", "%d", &a), -1); // input failure before any conversion: EOF
    EXPECT_EQ(sg_sscanf("   ", "%d", &a), -1);
    EXPECT_EQ(sg_sscanf("5", "%d %d", &a, &b), 1);
    EXPECT_EQ(sg_sscanf("x5", "y%d", &a), 0);
}

int CompareInts(const void* a, const void* b) {
    int x = *static_cast<const int*>(a), y = *static_cast<const int*>(b);
    return (x > y) - (x < y);
}

struct Record { // an odd size, to exercise byte-wise swapping
    char key[3];
    char pad[10];
};
int CompareRecords(const void* a, const void* b) {
    return memcmp(static_cast<const Record*>(a)->key, static_cast<const Record*>(b)->key, 3);
}

TEST(LibcQsort, SortsLikeStdSort) {
    std::mt19937 rng(3);
    for (size_t n : {0u, 1u, 2u, 3u, 10u, 100u, 1000u}) {
        std::vector<int> v(n);
        for (int& x : v) x = static_cast<int>(rng() % 50) - 25; // many equal keys
        std::vector<int> expected = v;
        std::sort(expected.begin(), expected.end());
        sg_qsort(v.data(), v.size(), sizeof(int), CompareInts);
        EXPECT_EQ(v, expected) << n << " elements";
    }
    std::vector<int> sorted(500), reversed(500);
    for (int i = 0; i < 500; i++) sorted[i] = i, reversed[i] = 500 - i;
    std::vector<int> expected = sorted;
    sg_qsort(sorted.data(), 500, sizeof(int), CompareInts);
    sg_qsort(reversed.data(), 500, sizeof(int), CompareInts);
    EXPECT_EQ(sorted, expected);
    EXPECT_EQ(reversed[0], 1);
    EXPECT_EQ(reversed[499], 500);
}

TEST(LibcQsort, OddElementSizes) {
    std::vector<Record> records(200);
    std::mt19937 rng(5);
    for (Record& r : records) {
        for (char& k : r.key) k = static_cast<char>('a' + rng() % 26);
        memset(r.pad, r.key[0], sizeof r.pad);
    }
    sg_qsort(records.data(), records.size(), sizeof(Record), CompareRecords);
    for (size_t i = 1; i < records.size(); i++) EXPECT_LE(CompareRecords(&records[i - 1], &records[i]), 0);
    for (Record& r : records) // whole elements moved, not just keys
        for (char p : r.pad) EXPECT_EQ(p, r.key[0]);
}

TEST(LibcQsort, Bsearch) {
    int v[] = {1, 3, 5, 7, 9, 11};
    for (int i = 0; i < 6; i++) EXPECT_EQ(sg_bsearch(&v[i], v, 6, sizeof(int), CompareInts), &v[i]);
    for (int missing : {0, 4, 12}) EXPECT_EQ(sg_bsearch(&missing, v, 6, sizeof(int), CompareInts), nullptr);
    EXPECT_EQ(sg_bsearch(&v[0], v, 0, sizeof(int), CompareInts), nullptr);
}

TEST(LibcRand, RepeatableAndInRange) {
    sg_srand(42);
    int first[5];
    for (int& r : first) r = sg_rand();
    sg_srand(42);
    for (int r : first) EXPECT_EQ(sg_rand(), r);
    int distinct = 0, last = -1;
    for (int i = 0; i < 1000; i++) {
        int r = sg_rand();
        EXPECT_GE(r, 0);
        EXPECT_LE(r, 0x7fffffff);
        distinct += r != last;
        last = r;
    }
    EXPECT_GT(distinct, 990);
}

class LibcEnv : public ::testing::Test {
  protected:
    void SetUp() override {
        saved_ = sg_environ;
        sg_environ = initial_;
    }
    void TearDown() override { sg_environ = saved_; }
    char a_[8] = "A=1", path_[32] = "PATH=/bin:/usr/bin", empty_[8] = "EMPTY=";
    char* initial_[4] = {a_, path_, empty_, nullptr};
    char** saved_ = nullptr;
};

TEST_F(LibcEnv, Getenv) {
    EXPECT_STREQ(sg_getenv("A"), "1");
    EXPECT_STREQ(sg_getenv("PATH"), "/bin:/usr/bin");
    EXPECT_STREQ(sg_getenv("EMPTY"), "");
    EXPECT_EQ(sg_getenv("PAT"), nullptr); // a prefix of a name is not the name
    EXPECT_EQ(sg_getenv("A=1"), nullptr);
    EXPECT_EQ(sg_getenv(""), nullptr);
    sg_environ = nullptr; // no environment at all
    EXPECT_EQ(sg_getenv("A"), nullptr);
}

TEST_F(LibcEnv, SetenvAddsReplacesOrKeeps) {
    EXPECT_EQ(sg_setenv("B", "two", 0), 0);
    EXPECT_STREQ(sg_getenv("B"), "two");
    EXPECT_STREQ(sg_getenv("A"), "1"); // the others are still there
    EXPECT_EQ(sg_setenv("A", "changed", 0), 0);
    EXPECT_STREQ(sg_getenv("A"), "1");
    EXPECT_EQ(sg_setenv("A", "changed", 1), 0);
    EXPECT_STREQ(sg_getenv("A"), "changed");
    for (int i = 0; i < 50; i++) { // grows the (now heap) array repeatedly
        char name[16];
        snprintf(name, sizeof name, "V%d", i);
        ASSERT_EQ(sg_setenv(name, name, 1), 0);
    }
    EXPECT_STREQ(sg_getenv("V49"), "V49");
    EXPECT_STREQ(sg_getenv("B"), "two");
    EXPECT_STREQ(a_, "A=1"); // the original strings are never written to
}

TEST_F(LibcEnv, UnsetenvRemovesEveryCopy) {
    char dup[8] = "A=2";
    char* with_duplicate[] = {a_, path_, dup, nullptr};
    sg_environ = with_duplicate;
    EXPECT_EQ(sg_unsetenv("A"), 0);
    EXPECT_EQ(sg_getenv("A"), nullptr);
    EXPECT_STREQ(sg_getenv("PATH"), "/bin:/usr/bin");
    EXPECT_EQ(sg_unsetenv("NOT_THERE"), 0);
}

TEST_F(LibcEnv, BadNames) {
    for (const char* name : {"", "A=B"}) {
        sg_errno = 0;
        EXPECT_EQ(sg_setenv(name, "x", 1), -1);
        EXPECT_EQ(sg_errno, EINVAL);
        sg_errno = 0;
        EXPECT_EQ(sg_unsetenv(name), -1);
        EXPECT_EQ(sg_errno, EINVAL);
    }
}

} // namespace
