// kernel/format.h: the typed {} formatter behind kprint.
#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <string>

#include "kernel/format.h"

namespace {

// Formats into a buffer large enough for every case below and returns the text.
template <typename... Ts>
std::string F(const char* format, const Ts&... values) {
    char buf[512];
    std::memset(buf, 'Z', sizeof buf);
    const size_t n = fmt::format_to(buf, sizeof buf, format, values...);
    EXPECT_EQ(n, std::strlen(buf)) << "returned length disagrees with the text for " << format;
    return buf;
}

// A sink that collects everything, to check the Sink interface directly.
class StringSink final : public fmt::Sink {
  public:
    void put(char c) override { text += c; }
    std::string text;
};

enum class Small : uint8_t { Seven = 7, Max = 255 };
enum Plain : int { MinusThree = -3, Big = 100000 };
enum class Wide : uint64_t { Top = 0xfedcba9876543210ull };

TEST(Format, PlainTextAndNoArguments) {
    EXPECT_EQ(F("hello"), "hello");
    EXPECT_EQ(F(""), "");
}

TEST(Format, DefaultIntegers) {
    EXPECT_EQ(F("{}", 0), "0");
    EXPECT_EQ(F("{}", 42), "42");
    EXPECT_EQ(F("{}", -42), "-42");
    EXPECT_EQ(F("{}", 42u), "42");
    EXPECT_EQ(F("{} {} {}", 1, 22, 333), "1 22 333");
    EXPECT_EQ(F("a{}b{}c", 1, 2), "a1b2c");
    EXPECT_EQ(F("{}", static_cast<short>(-32768)), "-32768");
    EXPECT_EQ(F("{}", static_cast<unsigned short>(65535)), "65535");
    EXPECT_EQ(F("{}", static_cast<signed char>(-128)), "-128");
    EXPECT_EQ(F("{}", static_cast<unsigned char>(200)), "200");
    EXPECT_EQ(F("{}", 1234567890123ll), "1234567890123");
    EXPECT_EQ(F("{:d}", 255u), "255");
}

TEST(Format, ExtremeIntegers) {
    EXPECT_EQ(F("{}", INT64_MIN), "-9223372036854775808");
    EXPECT_EQ(F("{}", INT64_MAX), "9223372036854775807");
    EXPECT_EQ(F("{}", UINT64_MAX), "18446744073709551615");
    EXPECT_EQ(F("{}", INT32_MIN), "-2147483648");
    EXPECT_EQ(F("{}", UINT32_MAX), "4294967295");
    EXPECT_EQ(F("{:x}", UINT64_MAX), "ffffffffffffffff");
    EXPECT_EQ(F("{:#X}", UINT64_MAX), "0XFFFFFFFFFFFFFFFF");
    EXPECT_EQ(F("{:b}", UINT64_MAX), std::string(64, '1'));
    EXPECT_EQ(F("{:#b}", UINT64_MAX), "0b" + std::string(64, '1'));
    EXPECT_EQ(F("{:o}", UINT64_MAX), "1777777777777777777777"); // 64 bits = 1 + 21 octal digits
    EXPECT_EQ(F("{:x}", INT64_MIN), "8000000000000000");
    EXPECT_EQ(F("{:b}", uint64_t(1) << 63), "1" + std::string(63, '0'));
}

TEST(Format, Hexadecimal) {
    EXPECT_EQ(F("{:x}", 255u), "ff");
    EXPECT_EQ(F("{:X}", 255u), "FF");
    EXPECT_EQ(F("{:#x}", 255u), "0xff");
    EXPECT_EQ(F("{:#X}", 0xabcdu), "0XABCD");
    EXPECT_EQ(F("{:x}", 0u), "0");
    EXPECT_EQ(F("{:#x}", 0u), "0x0");
    EXPECT_EQ(F("{:x}", 0xdeadbeefcafebabeull), "deadbeefcafebabe");
    EXPECT_EQ(F("{:X}", 0xdeadbeefcafebabeull), "DEADBEEFCAFEBABE");
    EXPECT_EQ(F("{:x}", 10), "a"); // a positive signed value
}

TEST(Format, ZeroPadding) {
    EXPECT_EQ(F("{:08x}", 0xbeefu), "0000beef");
    EXPECT_EQ(F("{:08x}", 0x123456789ull), "123456789"); // wider than the field: not cut
    EXPECT_EQ(F("{:#018x}", 0xdeadbeefull), "0x00000000deadbeef");
    EXPECT_EQ(F("{:#018x}", 0xffffffff80000000ull), "0xffffffff80000000");
    EXPECT_EQ(F("{:#010x}", 255u), "0x000000ff");
    EXPECT_EQ(F("{:016b}", 5u), "0000000000000101");
    EXPECT_EQ(F("{:05}", 42), "00042");
    EXPECT_EQ(F("{:05}", -42), "-0042"); // the sign counts in the width, zeros follow it
    EXPECT_EQ(F("{:03}", 12345), "12345");
    EXPECT_EQ(F("{:02}", 7u), "07");
}

TEST(Format, ZeroPaddingWiderThanAnyInternalBuffer) {
    // Wider than the formatter's 100-byte scratch buffer: must neither
    // overflow it nor lose characters.
    const std::string s = F("{:0150x}", 0xabcu);
    EXPECT_EQ(s.size(), 150u);
    EXPECT_EQ(s, std::string(147, '0') + "abc");
    const std::string t = F("{:#0200b}", 1u);
    EXPECT_EQ(t, "0b" + std::string(197, '0') + "1");
}

TEST(Format, BinaryOctalDecimal) {
    EXPECT_EQ(F("{:b}", 5u), "101");
    EXPECT_EQ(F("{:#b}", 5u), "0b101");
    EXPECT_EQ(F("{:b}", 0u), "0");
    EXPECT_EQ(F("{:o}", 8u), "10");
    EXPECT_EQ(F("{:o}", 0755u), "755");
    EXPECT_EQ(F("{:d}", -7), "-7");
}

TEST(Format, NegativeNumbersInHexUseTheirOwnWidth) {
    // Two's complement of the argument's type, as printf's %x / %hx / %hhx / %lx.
    EXPECT_EQ(F("{:x}", -1), "ffffffff");
    EXPECT_EQ(F("{:x}", static_cast<int64_t>(-1)), "ffffffffffffffff");
    EXPECT_EQ(F("{:x}", static_cast<short>(-2)), "fffe");
    EXPECT_EQ(F("{:x}", static_cast<signed char>(-1)), "ff");
    EXPECT_EQ(F("{:#x}", -16), "0xfffffff0");
    EXPECT_EQ(F("{:b}", static_cast<signed char>(-2)), "11111110");
    EXPECT_EQ(F("{:o}", static_cast<signed char>(-1)), "377");
    EXPECT_EQ(F("{:x}", INT32_MIN), "80000000");
    // In decimal the sign is kept.
    EXPECT_EQ(F("{}", static_cast<signed char>(-1)), "-1");
}

TEST(Format, Alignment) {
    EXPECT_EQ(F("[{:>8}]", 42), "[      42]");
    EXPECT_EQ(F("[{:<8}]", 42), "[42      ]");
    EXPECT_EQ(F("[{:8}]", 42), "[      42]");   // numbers default right
    EXPECT_EQ(F("[{:8}]", "ab"), "[ab      ]"); // strings default left
    EXPECT_EQ(F("[{:>8}]", "ab"), "[      ab]");
    EXPECT_EQ(F("[{:<6}]", -5), "[-5    ]");
    EXPECT_EQ(F("[{:>6x}]", 255u), "[    ff]");
    EXPECT_EQ(F("[{:>#8x}]", 255u), "[    0xff]");
    EXPECT_EQ(F("[{:2}]", 12345), "[12345]"); // never truncated
    EXPECT_EQ(F("[{:>3}]", "abcdef"), "[abcdef]");
    EXPECT_EQ(F("[{:>3}]", 'x'), "[  x]");
    EXPECT_EQ(F("[{:<3}]", 'x'), "[x  ]");
    EXPECT_EQ(F("[{:12}]", 1234567890), "[  1234567890]");
}

TEST(Format, Bool) {
    EXPECT_EQ(F("{}", true), "true");
    EXPECT_EQ(F("{}", false), "false");
    EXPECT_EQ(F("[{:>6}]", true), "[  true]");
    EXPECT_EQ(F("[{:<6}]", false), "[false ]");
}

TEST(Format, Char) {
    EXPECT_EQ(F("{}", 'a'), "a");
    EXPECT_EQ(F("{:c}", 'a'), "a");
    EXPECT_EQ(F("{:x}", 'a'), "61");
    EXPECT_EQ(F("{:d}", 'A'), "65");
    EXPECT_EQ(F("{:#x}", '\xff'), "0xff"); // as an unsigned byte, not sign-extended
    EXPECT_EQ(F("{:c}", 65), "A");         // an int shown as a character
    EXPECT_EQ(F("{:c}", 66u), "B");
    EXPECT_EQ(F("<{}>", ' '), "< >");
}

TEST(Format, Strings) {
    EXPECT_EQ(F("{}", "ok"), "ok");
    const char* null_string = nullptr;
    EXPECT_EQ(F("{}", null_string), "(null)");
    char mutable_text[] = "mutable";
    EXPECT_EQ(F("{}", mutable_text), "mutable");
    EXPECT_EQ(F("{}", fmt::StringView("abcdef", 3)), "abc"); // sized, not NUL-terminated
    EXPECT_EQ(F("[{}]", ""), "[]");
    EXPECT_EQ(F("{}", "{}"), "{}"); // an argument's braces are not a format
}

TEST(Format, Pointers) {
    const void* p = reinterpret_cast<const void*>(0x1234);
    EXPECT_EQ(F("{}", p), "0x1234");
    EXPECT_EQ(F("{:p}", p), "0x1234");
    EXPECT_EQ(F("{:x}", p), "1234");
    EXPECT_EQ(F("{:#x}", p), "0x1234");
    EXPECT_EQ(F("{:#018x}", p), "0x0000000000001234");
    void* mp = reinterpret_cast<void*>(0xffffffff80001000ull);
    EXPECT_EQ(F("{}", mp), "0xffffffff80001000");
    const void* null_pointer = nullptr;
    EXPECT_EQ(F("{}", null_pointer), "0x0");
}

TEST(Format, Enums) {
    EXPECT_EQ(F("{}", Small::Seven), "7");
    EXPECT_EQ(F("{}", Small::Max), "255");
    EXPECT_EQ(F("{:#x}", Small::Max), "0xff");
    EXPECT_EQ(F("{}", MinusThree), "-3");
    EXPECT_EQ(F("{:x}", MinusThree), "fffffffd");
    EXPECT_EQ(F("{}", Big), "100000");
    EXPECT_EQ(F("{:x}", Wide::Top), "fedcba9876543210");
}

TEST(Format, Braces) {
    EXPECT_EQ(F("{{}}"), "{}");
    EXPECT_EQ(F("{{{}}}", 5), "{5}");
    EXPECT_EQ(F("{{ {} }}", "x"), "{ x }");
    EXPECT_EQ(F("a}b"), "a}b"); // a lone '}' is printed
    EXPECT_EQ(F("}}}"), "}}");  // '}}' then a lone '}'
    EXPECT_EQ(F("{{"), "{");
}

TEST(Format, MorePlaceholdersThanArguments) {
    EXPECT_EQ(F("{}"), "{?}");
    EXPECT_EQ(F("{} {}", 1), "1 {?}");
    EXPECT_EQ(F("{:x} {:#x} {}", 255u), "ff {?} {?}");
}

TEST(Format, MoreArgumentsThanPlaceholders) {
    EXPECT_EQ(F("{}", 1, 2, 3), "1");
    EXPECT_EQ(F("none", 1), "none");
}

TEST(Format, UnterminatedBrace) {
    EXPECT_EQ(F("abc {", 1), "abc {");
    EXPECT_EQ(F("abc {:x", 1), "abc {:x");
    EXPECT_EQ(F("{} {", 7, 8), "7 {"); // the first placeholder still works
    EXPECT_EQ(F("{", 7), "{");
}

TEST(Format, UnknownSpecCharactersDegradeToTheDefault) {
    EXPECT_EQ(F("{:q}", 42), "42");
    EXPECT_EQ(F("{:}", 42), "42");
    EXPECT_EQ(F("{abc}", 42), "42"); // no ':' at all: the default form
}

TEST(Format, TruncationIsAlwaysTerminatedAndReportsTheFullLength) {
    char buf[8];
    std::memset(buf, 'Z', sizeof buf);
    EXPECT_EQ(fmt::format_to(buf, sizeof buf, "hello world"), 11u);
    EXPECT_STREQ(buf, "hello w"); // 7 characters and the NUL

    std::memset(buf, 'Z', sizeof buf);
    EXPECT_EQ(fmt::format_to(buf, sizeof buf, "{:#x}-{}", 0xdeadbeefu, "tail"), 15u);
    EXPECT_STREQ(buf, "0xdeadb");

    // Exactly fitting: 7 characters fill the 8-byte buffer.
    std::memset(buf, 'Z', sizeof buf);
    EXPECT_EQ(fmt::format_to(buf, sizeof buf, "1234567"), 7u);
    EXPECT_STREQ(buf, "1234567");

    // One too many.
    std::memset(buf, 'Z', sizeof buf);
    EXPECT_EQ(fmt::format_to(buf, sizeof buf, "12345678"), 8u);
    EXPECT_STREQ(buf, "1234567");
}

TEST(Format, TruncationNeverWritesPastTheCapacity) {
    char buf[16];
    std::memset(buf, 'Z', sizeof buf);
    EXPECT_EQ(fmt::format_to(buf, 4, "{:0100}", 1), 100u);
    EXPECT_STREQ(buf, "000");
    for (size_t i = 4; i < sizeof buf; i++) EXPECT_EQ(buf[i], 'Z') << "byte " << i << " was written";
}

TEST(Format, CapacityOneHoldsOnlyTheTerminator) {
    char buf[4] = {'Z', 'Z', 'Z', 'Z'};
    EXPECT_EQ(fmt::format_to(buf, 1, "{}", 12345), 5u);
    EXPECT_EQ(buf[0], '\0');
    EXPECT_EQ(buf[1], 'Z');
}

TEST(Format, ZeroCapacityWritesNothing) {
    char buf[4] = {'Z', 'Z', 'Z', 'Z'};
    EXPECT_EQ(fmt::format_to(buf, 0, "{}", 12345), 5u);
    for (char c : buf) EXPECT_EQ(c, 'Z');
    // A null buffer with zero capacity only measures.
    EXPECT_EQ(fmt::format_to(nullptr, 0, "{} {}", "abc", -1), 6u);
}

TEST(Format, EmptyBufferMeasuresComplexFormats) {
    EXPECT_EQ(fmt::format_to(nullptr, 0, "{:#018x}", 1u), 18u);
    EXPECT_EQ(fmt::format_to(nullptr, 0, "{:>20}", "x"), 20u);
    EXPECT_EQ(fmt::format_to(nullptr, 0, "{}", INT64_MIN), 20u);
}

TEST(Format, SinkInterface) {
    StringSink sink;
    fmt::format(sink, "pid {} rip {:#x} {}", 7, 0xffffffff80100000ull, true);
    EXPECT_EQ(sink.text, "pid 7 rip 0xffffffff80100000 true");

    StringSink empty;
    fmt::format(empty, "");
    EXPECT_EQ(empty.text, "");

    // vformat with an explicit argument array.
    StringSink v;
    const fmt::Arg args[] = {fmt::Arg(1), fmt::Arg("two"), fmt::Arg('3')};
    fmt::vformat(v, "{}-{}-{}-{}", args, 3);
    EXPECT_EQ(v.text, "1-two-3-{?}");
}

TEST(Format, FormatStringWithExplicitSizeStopsThere) {
    char buf[32];
    // Only the first 5 characters of the format are used; the rest is not read.
    fmt::format_to(buf, sizeof buf, fmt::StringView("ab{}cd-unused", 6), 1);
    EXPECT_STREQ(buf, "ab1cd");
    // An unterminated brace at the very end of a sized view.
    fmt::format_to(buf, sizeof buf, fmt::StringView("x{}", 2), 1);
    EXPECT_STREQ(buf, "x{");
}

TEST(Format, ArgumentCaptureKinds) {
    EXPECT_EQ(fmt::Arg(1).kind, fmt::Arg::Kind::Signed);
    EXPECT_EQ(fmt::Arg(1u).kind, fmt::Arg::Kind::Unsigned);
    EXPECT_EQ(fmt::Arg('a').kind, fmt::Arg::Kind::Char);
    EXPECT_EQ(fmt::Arg(true).kind, fmt::Arg::Kind::Bool);
    EXPECT_EQ(fmt::Arg("s").kind, fmt::Arg::Kind::String);
    EXPECT_EQ(fmt::Arg(static_cast<const void*>(nullptr)).kind, fmt::Arg::Kind::Pointer);
    EXPECT_EQ(fmt::Arg(Small::Seven).kind, fmt::Arg::Kind::Unsigned);
    EXPECT_EQ(fmt::Arg(MinusThree).kind, fmt::Arg::Kind::Signed);
    EXPECT_EQ(fmt::StringView("abc").size, 3u);
    EXPECT_EQ(fmt::StringView(static_cast<const char*>(nullptr)).size, 0u);
}

} // namespace
