// libc/src/string.c, ctype.c and errno.c: <string.h>, <ctype.h> and the
// message tables, built for the host with their symbols renamed sg_*.
#include <gtest/gtest.h>

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

extern "C" {
void* sg_memcpy(void* dst, const void* src, size_t n);
void* sg_memmove(void* dst, const void* src, size_t n);
void* sg_memset(void* dst, int c, size_t n);
int sg_memcmp(const void* a, const void* b, size_t n);
void* sg_memchr(const void* s, int c, size_t n);
size_t sg_strlen(const char* s);
size_t sg_strnlen(const char* s, size_t max);
int sg_strcmp(const char* a, const char* b);
int sg_strncmp(const char* a, const char* b, size_t n);
int sg_strcasecmp(const char* a, const char* b);
int sg_strncasecmp(const char* a, const char* b, size_t n);
char* sg_strcpy(char* dst, const char* src);
char* sg_strncpy(char* dst, const char* src, size_t n);
char* sg_strcat(char* dst, const char* src);
char* sg_strncat(char* dst, const char* src, size_t n);
char* sg_strchr(const char* s, int c);
char* sg_strrchr(const char* s, int c);
char* sg_strstr(const char* haystack, const char* needle);
char* sg_strdup(const char* s);
char* sg_strndup(const char* s, size_t n);
size_t sg_strspn(const char* s, const char* accept);
size_t sg_strcspn(const char* s, const char* reject);
char* sg_strtok(char* s, const char* delim);
char* sg_strtok_r(char* s, const char* delim, char** save);
char* sg_strerror(int errnum);
char* sg_strsignal(int sig);
void sg_free(void* p);
int sg_isalnum(int c), sg_isalpha(int c), sg_isblank(int c), sg_iscntrl(int c), sg_isdigit(int c), sg_isgraph(int c),
    sg_islower(int c), sg_isprint(int c), sg_ispunct(int c), sg_isspace(int c), sg_isupper(int c), sg_isxdigit(int c),
    sg_tolower(int c), sg_toupper(int c);
}

namespace {

int sign(int x) {
    return (x > 0) - (x < 0);
}

TEST(LibcString, MemcpyAndMemset) {
    char buf[32];
    EXPECT_EQ(sg_memset(buf, 'x', sizeof buf), buf);
    for (char c : buf) EXPECT_EQ(c, 'x');
    sg_memset(buf, 0x141, 4); // converted to unsigned char
    EXPECT_EQ(static_cast<unsigned char>(buf[0]), 0x41);
    const char src[] = "0123456789";
    EXPECT_EQ(sg_memcpy(buf, src, sizeof src), buf);
    EXPECT_STREQ(buf, "0123456789");
    EXPECT_EQ(sg_memcpy(buf, src, 0), buf); // nothing to do
}

TEST(LibcString, MemmoveOverlapsBothWays) {
    char up[] = "abcdefghij";
    sg_memmove(up + 2, up, 5);
    EXPECT_STREQ(up, "ababcdehij");
    char down[] = "abcdefghij";
    sg_memmove(down, down + 3, 5);
    EXPECT_STREQ(down, "defghfghij");
    char same[] = "abc";
    sg_memmove(same, same, 3);
    EXPECT_STREQ(same, "abc");
}

TEST(LibcString, ComparisonsAreOfUnsignedBytes) {
    EXPECT_EQ(sg_memcmp("abc", "abd", 2), 0);
    EXPECT_LT(sg_memcmp("abc", "abd", 3), 0);
    EXPECT_GT(sg_memcmp("\xff", "\x01", 1), 0); // 255 > 1, not -1 < 1
    EXPECT_EQ(sg_memcmp("x", "y", 0), 0);
    EXPECT_GT(sg_strcmp("\xe9", "e"), 0);
    EXPECT_EQ(sg_strcmp("", ""), 0);
    EXPECT_LT(sg_strcmp("ab", "abc"), 0);
    EXPECT_GT(sg_strcmp("abc", "ab"), 0);
    EXPECT_EQ(sg_strncmp("abcX", "abcY", 3), 0);
    EXPECT_EQ(sg_strncmp("a", "b", 0), 0);
    EXPECT_EQ(sg_strncmp("ab", "ab\0x", 10), 0); // stops at the NUL
    for (const char* a : {"a", "b", "ab", "", "zz", "A"})
        for (const char* b : {"a", "b", "ab", "", "zz", "A"})
            EXPECT_EQ(sign(sg_strcmp(a, b)), sign(strcmp(a, b))) << a << " vs " << b;
}

TEST(LibcString, CaseInsensitiveComparisons) {
    EXPECT_EQ(sg_strcasecmp("Hello", "hELLO"), 0);
    EXPECT_LT(sg_strcasecmp("apple", "Banana"), 0);
    EXPECT_GT(sg_strcasecmp("b", "A"), 0);
    EXPECT_EQ(sg_strncasecmp("ABCdef", "abcXYZ", 3), 0);
    EXPECT_NE(sg_strncasecmp("ABCdef", "abcXYZ", 4), 0);
    EXPECT_LT(sg_strcasecmp("ab", "ABC"), 0);
}

TEST(LibcString, Lengths) {
    EXPECT_EQ(sg_strlen(""), 0u);
    EXPECT_EQ(sg_strlen("hello"), 5u);
    EXPECT_EQ(sg_strnlen("hello", 3), 3u);
    EXPECT_EQ(sg_strnlen("hi", 10), 2u);
    EXPECT_EQ(sg_strnlen("abc", 0), 0u);
}

TEST(LibcString, Searching) {
    const char* s = "hello world";
    EXPECT_EQ(sg_memchr(s, 'o', 11), s + 4);
    EXPECT_EQ(sg_memchr(s, 'o', 4), nullptr);
    const char high[] = "a\xff";
    EXPECT_EQ(sg_memchr(high, 0xff, 2), high + 1);
    EXPECT_EQ(sg_memchr(high, -1, 2), high + 1); // c is converted to unsigned char
    EXPECT_EQ(sg_strchr(s, 'o'), s + 4);
    EXPECT_EQ(sg_strrchr(s, 'o'), s + 7);
    EXPECT_EQ(sg_strchr(s, 'z'), nullptr);
    EXPECT_EQ(sg_strchr(s, '\0'), s + 11); // the terminator is part of the string
    EXPECT_EQ(sg_strrchr(s, '\0'), s + 11);
    EXPECT_EQ(sg_strstr(s, "wor"), s + 6);
    EXPECT_EQ(sg_strstr(s, "word"), nullptr);
    EXPECT_EQ(sg_strstr(s, ""), s);
    const char* empty = "";
    EXPECT_EQ(sg_strstr(empty, ""), empty);
    const char* aaab = "aaab";
    EXPECT_EQ(sg_strstr(aaab, "aab"), aaab + 1); // a false start, then the match
    EXPECT_EQ(sg_strstr("ab", "abc"), nullptr);
    EXPECT_EQ(sg_strspn("abcabx", "abc"), 5u);
    EXPECT_EQ(sg_strspn("xyz", "abc"), 0u);
    EXPECT_EQ(sg_strcspn("abc,def", ",;"), 3u);
    EXPECT_EQ(sg_strcspn("abc", ""), 3u);
}

TEST(LibcString, Copying) {
    char buf[16];
    EXPECT_EQ(sg_strcpy(buf, "abc"), buf);
    EXPECT_STREQ(buf, "abc");
    EXPECT_EQ(sg_strcat(buf, "def"), buf);
    EXPECT_STREQ(buf, "abcdef");
    EXPECT_EQ(sg_strncat(buf, "ghijkl", 2), buf);
    EXPECT_STREQ(buf, "abcdefgh");
    sg_strncat(buf, "", 5);
    EXPECT_STREQ(buf, "abcdefgh");

    char pad[8];
    memset(pad, 'Z', sizeof pad);
    sg_strncpy(pad, "ab", 6); // pads with NULs up to n
    EXPECT_EQ(memcmp(pad, "ab\0\0\0\0ZZ", 8), 0);
    sg_strncpy(pad, "abcdefgh", 4); // no terminator when src is too long
    EXPECT_EQ(memcmp(pad, "abcd\0\0ZZ", 8), 0);
}

TEST(LibcString, Duplicating) {
    char* d = sg_strdup("hello");
    ASSERT_NE(d, nullptr);
    EXPECT_STREQ(d, "hello");
    sg_free(d);
    d = sg_strndup("hello", 3);
    EXPECT_STREQ(d, "hel");
    sg_free(d);
    d = sg_strndup("hi", 100);
    EXPECT_STREQ(d, "hi");
    sg_free(d);
}

TEST(LibcString, Tokens) {
    char text[] = "  alpha, beta,,gamma  ";
    char* save;
    EXPECT_STREQ(sg_strtok_r(text, " ,", &save), "alpha");
    EXPECT_STREQ(sg_strtok_r(nullptr, " ,", &save), "beta");
    EXPECT_STREQ(sg_strtok_r(nullptr, " ,", &save), "gamma");
    EXPECT_EQ(sg_strtok_r(nullptr, " ,", &save), nullptr);
    EXPECT_EQ(sg_strtok_r(nullptr, " ,", &save), nullptr); // and stays at the end

    char path[] = "/usr/local/bin";
    EXPECT_STREQ(sg_strtok(path, "/"), "usr");
    EXPECT_STREQ(sg_strtok(nullptr, "/"), "local");
    EXPECT_STREQ(sg_strtok(nullptr, "/"), "bin");
    EXPECT_EQ(sg_strtok(nullptr, "/"), nullptr);
    char only_delims[] = ",,,";
    EXPECT_EQ(sg_strtok(only_delims, ","), nullptr);
}

TEST(LibcString, ErrorAndSignalMessages) {
    EXPECT_STREQ(sg_strerror(0), "Success");
    EXPECT_STREQ(sg_strerror(ENOENT), "No such file or directory");
    EXPECT_STREQ(sg_strerror(ENOSYS), "Function not implemented");
    EXPECT_STREQ(sg_strerror(EFAULT), strerror(EFAULT)); // glibc's wording
    EXPECT_STREQ(sg_strerror(-1), "Unknown error");
    EXPECT_STREQ(sg_strerror(100000), "Unknown error");
    EXPECT_STREQ(sg_strerror(41), "Unknown error"); // a hole in Linux's numbering
    EXPECT_STREQ(sg_strsignal(SIGSEGV), "Segmentation fault");
    EXPECT_STREQ(sg_strsignal(SIGKILL), strsignal(SIGKILL));
    EXPECT_STREQ(sg_strsignal(40), "Real-time signal");
    EXPECT_STREQ(sg_strsignal(0), "Unknown signal");
    EXPECT_STREQ(sg_strsignal(65), "Unknown signal");
}

// The "C" locale's classes, byte by byte, against the host's; EOF is in none.
TEST(LibcCtype, MatchesTheCLocale) {
    for (int c = -1; c < 256; c++) {
        EXPECT_EQ(!!sg_isalnum(c), !!isalnum(c)) << c;
        EXPECT_EQ(!!sg_isalpha(c), !!isalpha(c)) << c;
        EXPECT_EQ(!!sg_isblank(c), !!isblank(c)) << c;
        EXPECT_EQ(!!sg_iscntrl(c), !!iscntrl(c)) << c;
        EXPECT_EQ(!!sg_isdigit(c), !!isdigit(c)) << c;
        EXPECT_EQ(!!sg_isgraph(c), !!isgraph(c)) << c;
        EXPECT_EQ(!!sg_islower(c), !!islower(c)) << c;
        EXPECT_EQ(!!sg_isprint(c), !!isprint(c)) << c;
        EXPECT_EQ(!!sg_ispunct(c), !!ispunct(c)) << c;
        EXPECT_EQ(!!sg_isspace(c), !!isspace(c)) << c;
        EXPECT_EQ(!!sg_isupper(c), !!isupper(c)) << c;
        EXPECT_EQ(!!sg_isxdigit(c), !!isxdigit(c)) << c;
        EXPECT_EQ(sg_tolower(c), tolower(c)) << c;
        EXPECT_EQ(sg_toupper(c), toupper(c)) << c;
    }
}

} // namespace
