// kernel/cmdline.h: the kernel command line, Linux style.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "kernel/cmdline.h"

namespace {

using cmdline::CommandLine;

std::vector<std::string> list(const char* const* v, size_t n) {
    std::vector<std::string> out;
    for (size_t i = 0; i < n; i++) out.emplace_back(v[i]);
    return out;
}

using Strings = std::vector<std::string>;

class Cmdline : public ::testing::Test {
  protected:
    const CommandLine& parse(const char* text, bool skip_first_word = false) {
        cmdline::parse(text, *cl, skip_first_word);
        return *cl;
    }
    Strings argv() const {
        EXPECT_EQ(cl->init_argv[cl->init_argc], nullptr) << "argv not NULL-terminated";
        return list(cl->init_argv, cl->init_argc);
    }
    Strings envp() const {
        EXPECT_EQ(cl->init_envp[cl->init_envc], nullptr) << "envp not NULL-terminated";
        return list(cl->init_envp, cl->init_envc);
    }
    Strings errors() const {
        Strings out;
        for (size_t i = 0; i < cl->error_count; i++) out.emplace_back(cl->errors[i]);
        return out;
    }
    std::string all_errors() const {
        std::string s;
        for (const auto& e : errors()) s += e + "\n";
        return s;
    }
    bool has_error_containing(const std::string& part) const {
        for (const auto& e : errors())
            if (e.find(part) != std::string::npos) return true;
        return false;
    }
    std::unique_ptr<CommandLine> cl = std::make_unique<CommandLine>();
};

TEST_F(Cmdline, TheHeaderExample) {
    parse("strace=1 vsyscall=sysenter HOME=/ init=/bin/sh -c \"echo hi\"");
    EXPECT_EQ(cl->error_count, 0u) << all_errors();
    EXPECT_STREQ(cl->get("strace"), "1");
    EXPECT_STREQ(cl->get("vsyscall"), "sysenter");
    EXPECT_EQ(envp(), (Strings{"HOME=/"}));
    EXPECT_EQ(argv(), (Strings{"/bin/sh", "-c", "echo hi"}));
    EXPECT_EQ(cl->setting_count, 2u);
}

TEST_F(Cmdline, EmptyAndNullInput) {
    parse(nullptr);
    EXPECT_EQ(cl->init_argc, 0u);
    EXPECT_EQ(cl->init_envc, 0u);
    EXPECT_EQ(cl->setting_count, 0u);
    EXPECT_EQ(cl->error_count, 0u);
    EXPECT_EQ(cl->init_argv[0], nullptr);
    EXPECT_EQ(cl->init_envp[0], nullptr);
    EXPECT_EQ(cl->get("strace"), nullptr);
    parse("");
    EXPECT_EQ(cl->init_argc + cl->init_envc + cl->setting_count + cl->error_count, 0u);
    parse(" \t\n  \t");
    EXPECT_EQ(cl->init_argc + cl->init_envc + cl->setting_count + cl->error_count, 0u);
}

TEST_F(Cmdline, WordsSplitOnSpacesTabsAndNewlines) {
    parse("  A=1\tB=2\nC=3   D=4  ");
    EXPECT_EQ(envp(), (Strings{"A=1", "B=2", "C=3", "D=4"}));
    EXPECT_EQ(cl->error_count, 0u) << all_errors();
}

TEST_F(Cmdline, DoubleQuotesGroupAndAreRemoved) {
    parse("init=/bin/echo \"a b\" \"\" x\"y z\"w \"tab\there\"");
    EXPECT_EQ(argv(), (Strings{"/bin/echo", "a b", "", "xy zw", "tab\there"}));
    EXPECT_EQ(cl->error_count, 0u) << all_errors();
    parse("\"GREETING=hello world\" init=/bin/sh");
    EXPECT_EQ(envp(), (Strings{"GREETING=hello world"}));
    parse("init=\"/bin/my prog\" arg");
    EXPECT_EQ(argv(), (Strings{"/bin/my prog", "arg"}));
    parse("vsyscall=\"int80\""); // quotes around a value
    EXPECT_STREQ(cl->get("vsyscall"), "int80");
}

TEST_F(Cmdline, BackslashEscapes) {
    // GRUB rebuilds the line with \" and \' for quotes that were in it.
    parse("init=/bin/echo \\\"hi\\\" it\\'s");
    EXPECT_EQ(argv(), (Strings{"/bin/echo", "\"hi\"", "it's"}));
    parse("init=/bin/echo a\\ b c\\\\d");
    EXPECT_EQ(argv(), (Strings{"/bin/echo", "a b", "c\\d"}));
    parse("init=/bin/echo \"in \\\"quotes\\\" too\"");
    EXPECT_EQ(argv(), (Strings{"/bin/echo", "in \"quotes\" too"}));
    // A backslash at the very end has nothing to escape: kept as is.
    parse("init=/bin/echo end\\");
    EXPECT_EQ(argv(), (Strings{"/bin/echo", "end\\"}));
    EXPECT_EQ(cl->error_count, 0u) << all_errors();
}

TEST_F(Cmdline, UnterminatedQuote) {
    parse("init=/bin/echo \"abc def");
    EXPECT_EQ(argv(), (Strings{"/bin/echo", "abc def"})); // runs to the end of the line
    EXPECT_TRUE(has_error_containing("unterminated quote")) << all_errors();
}

TEST_F(Cmdline, InitTakesTheRestOfTheLine) {
    parse("init=/bin/sh strace=1 HOME=/ \"two words\" init=/other");
    EXPECT_EQ(argv(), (Strings{"/bin/sh", "strace=1", "HOME=/", "two words", "init=/other"}));
    EXPECT_EQ(cl->get("strace"), nullptr); // after init=: the program's, not ours
    EXPECT_EQ(cl->init_envc, 0u);
    EXPECT_EQ(cl->error_count, 0u) << all_errors();
}

TEST_F(Cmdline, InitAlone) {
    parse("init=/bin/init");
    EXPECT_EQ(argv(), (Strings{"/bin/init"}));
    parse("init=/bin/init=weird");
    EXPECT_EQ(argv(), (Strings{"/bin/init=weird"})); // only the first '=' separates
}

TEST_F(Cmdline, EmptyInitIsAnError) {
    parse("init= /bin/sh");
    EXPECT_EQ(cl->init_argc, 0u);
    EXPECT_TRUE(has_error_containing("init=")) << all_errors();
    EXPECT_EQ(argv(), Strings{});
}

TEST_F(Cmdline, UnknownKeyValueGoesToTheEnvironment) {
    parse("HOME=/ TERM=linux PATH=/bin:/usr/bin EMPTY= strace=0 init=/bin/sh");
    EXPECT_EQ(envp(), (Strings{"HOME=/", "TERM=linux", "PATH=/bin:/usr/bin", "EMPTY="}));
    EXPECT_STREQ(cl->get("strace"), "0");
    EXPECT_EQ(cl->get("HOME"), nullptr); // not a kernel setting
    EXPECT_EQ(cl->error_count, 0u) << all_errors();
    // Keys are case-sensitive: STRACE is not strace.
    parse("STRACE=1");
    EXPECT_EQ(envp(), (Strings{"STRACE=1"}));
    EXPECT_EQ(cl->get("strace"), nullptr);
}

TEST_F(Cmdline, UnknownBareWordsAreReportedAndIgnored) {
    parse("quiet strace=1 splash");
    EXPECT_EQ(cl->error_count, 2u);
    EXPECT_TRUE(has_error_containing("'quiet'")) << all_errors();
    EXPECT_TRUE(has_error_containing("'splash'")) << all_errors();
    EXPECT_STREQ(cl->get("strace"), "1"); // the rest still counts
    EXPECT_EQ(cl->init_envc, 0u);
    EXPECT_EQ(cl->init_argc, 0u);
    parse("strace"); // a known key without '='
    EXPECT_EQ(cl->error_count, 1u);
    EXPECT_EQ(cl->get("strace"), nullptr);
    parse("=value"); // no key
    EXPECT_EQ(cl->error_count, 1u);
    EXPECT_EQ(cl->init_envc, 0u);
}

TEST_F(Cmdline, ChoiceOptions) {
    for (const char* gate : {"auto", "int80", "sysenter", "syscall"}) {
        parse((std::string("vsyscall=") + gate).c_str());
        EXPECT_STREQ(cl->get("vsyscall"), gate);
        EXPECT_EQ(cl->error_count, 0u) << gate;
    }
    for (const char* kind : {"pagefault", "overflow", "invalid-opcode", "divide", "gp"}) {
        parse((std::string("crash=") + kind).c_str());
        EXPECT_STREQ(cl->get("crash"), kind);
        EXPECT_EQ(cl->error_count, 0u) << kind;
    }
    parse("strace=0 selftest=1");
    EXPECT_STREQ(cl->get("strace"), "0");
    EXPECT_STREQ(cl->get("selftest"), "1");
}

TEST_F(Cmdline, ListOptions) {
    // vsyscall= names a gate, the legacy page's mode, or one of each.
    for (const char* mode : {"emulate", "xonly", "none"}) {
        parse((std::string("vsyscall=") + mode).c_str());
        EXPECT_STREQ(cl->get("vsyscall"), mode);
        EXPECT_EQ(cl->error_count, 0u) << mode;
        EXPECT_TRUE(cl->has_word("vsyscall", mode));
        EXPECT_FALSE(cl->has_word("vsyscall", "sysenter"));
    }
    parse("vsyscall=sysenter,none");
    EXPECT_EQ(cl->error_count, 0u) << all_errors();
    EXPECT_TRUE(cl->has_word("vsyscall", "sysenter"));
    EXPECT_TRUE(cl->has_word("vsyscall", "none"));
    EXPECT_FALSE(cl->has_word("vsyscall", "sys"));        // whole items only
    EXPECT_FALSE(cl->has_word("vsyscall", "enter,none")); // never across items
    parse("vsyscall=xonly,int80");
    EXPECT_EQ(cl->error_count, 0u) << all_errors();
    EXPECT_TRUE(cl->has_word("vsyscall", "int80"));
    EXPECT_FALSE(cl->has_word("strace", "1")); // absent
    // Two of one group, an empty item, an unknown item: refused whole.
    for (const char* bad : {"int80,sysenter", "xonly,none", "int80,", ",int80", "int80,,none", "int80,bogus"}) {
        parse((std::string("vsyscall=") + bad).c_str());
        EXPECT_EQ(cl->get("vsyscall"), nullptr) << bad;
        ASSERT_EQ(cl->error_count, 1u) << bad;
        EXPECT_TRUE(has_error_containing("comma-separated")) << all_errors();
    }
}

TEST_F(Cmdline, BadChoicesAreReportedAndIgnored) {
    // Prefixes, extensions, case, empty, and a choice list itself are all wrong.
    for (const char* bad :
         {"sys", "syscallx", "sysente", "SYSCALL", "", "auto|int80", "int80 ", "|", "int8", ";", "xonly;"}) {
        parse((std::string("vsyscall=\"") + bad + "\"").c_str());
        EXPECT_EQ(cl->get("vsyscall"), nullptr) << "'" << bad << "'";
        ASSERT_EQ(cl->error_count, 1u) << "'" << bad << "'";
        EXPECT_TRUE(has_error_containing(std::string("vsyscall=") + bad)) << all_errors();
        EXPECT_TRUE(has_error_containing("auto|int80|sysenter|syscall")) << all_errors();
        EXPECT_EQ(cl->init_envc, 0u) << "a bad value of a known option is not environment";
    }
    parse("strace=2 strace=01 strace=yes");
    EXPECT_EQ(cl->get("strace"), nullptr);
    EXPECT_EQ(cl->error_count, 3u);
}

TEST_F(Cmdline, NumericOptionRange) {
    parse("timer_hz=18");
    EXPECT_EQ(cl->get_number("timer_hz", 100), 18);
    parse("timer_hz=20000");
    EXPECT_EQ(cl->get_number("timer_hz", 100), 20000);
    parse("timer_hz=1000");
    EXPECT_EQ(cl->get_number("timer_hz", 100), 1000);
    EXPECT_EQ(cl->error_count, 0u);
    for (const char* bad :
         {"17", "0", "20001", "-5", "", "abc", "1e3", "100hz", " 100", "+100", "0x64", "99999999999999999999",
          "2147483648", "9223372036854775808", "18446744073709551716"}) { // 2^64 + 100: must not wrap around to 100
        parse((std::string("\"timer_hz=") + bad + "\"").c_str());
        EXPECT_EQ(cl->get("timer_hz"), nullptr) << "'" << bad << "'";
        EXPECT_EQ(cl->get_number("timer_hz", 100), 100) << "'" << bad << "'";
        ASSERT_EQ(cl->error_count, 1u) << "'" << bad << "'";
        EXPECT_TRUE(has_error_containing("expected a number from 18 to 20000")) << all_errors();
    }
    parse("timer_hz=0100"); // leading zeros are still decimal
    EXPECT_EQ(cl->get_number("timer_hz", 7), 100);
}

TEST_F(Cmdline, LastOneWins) {
    parse("timer_hz=100 vsyscall=int80 timer_hz=250 vsyscall=syscall");
    EXPECT_EQ(cl->get_number("timer_hz", 0), 250);
    EXPECT_STREQ(cl->get("vsyscall"), "syscall");
    // A later bad value does not replace an earlier good one.
    parse("timer_hz=100 timer_hz=5 vsyscall=int80 vsyscall=fast");
    EXPECT_EQ(cl->get_number("timer_hz", 0), 100);
    EXPECT_STREQ(cl->get("vsyscall"), "int80");
    EXPECT_EQ(cl->error_count, 2u);
}

TEST_F(Cmdline, GetFallbacks) {
    parse("strace=1");
    EXPECT_STREQ(cl->get("vsyscall", "auto"), "auto");
    EXPECT_EQ(cl->get("vsyscall"), nullptr);
    EXPECT_STREQ(cl->get("strace", "0"), "1");
    EXPECT_EQ(cl->get_number("timer_hz", 100), 100);
    EXPECT_EQ(cl->get_number("strace", 5), 1); // a choice that happens to be a number
    EXPECT_EQ(cl->get_number("vsyscall", -1), -1);
    EXPECT_EQ(cl->get("strac"), nullptr); // prefixes do not match
    EXPECT_EQ(cl->get("strace1"), nullptr);
}

TEST_F(Cmdline, SkipFirstWord) {
    // QEMU's -kernel: the kernel's file name comes first.
    parse("/boot/sysgate.elf strace=1 init=/bin/sh", true);
    EXPECT_EQ(cl->error_count, 0u) << all_errors();
    EXPECT_STREQ(cl->get("strace"), "1");
    EXPECT_EQ(argv(), (Strings{"/bin/sh"}));
    // Without skipping, the file name is an unknown bare word.
    parse("/boot/sysgate.elf strace=1", false);
    EXPECT_EQ(cl->error_count, 1u);
    EXPECT_TRUE(has_error_containing("/boot/sysgate.elf")) << all_errors();
    // Only one word is skipped, even if it looks like an option.
    parse("strace=1 timer_hz=50", true);
    EXPECT_EQ(cl->get("strace"), nullptr);
    EXPECT_EQ(cl->get_number("timer_hz", 0), 50);
    // Nothing to skip.
    parse("", true);
    EXPECT_EQ(cl->error_count, 0u);
    parse("   /kernel   ", true);
    EXPECT_EQ(cl->error_count + cl->setting_count + cl->init_envc + cl->init_argc, 0u);
}

TEST(CmdlineParsedText, WhatTheKernelReads) {
    // The boot log shows this: the line without the file name QEMU adds.
    EXPECT_STREQ(cmdline::parsed_text("/boot/sysgate.elf strace=1 init=/bin/sh", true), "strace=1 init=/bin/sh");
    EXPECT_STREQ(cmdline::parsed_text("/boot/sysgate.elf strace=1", false), "/boot/sysgate.elf strace=1");
    EXPECT_STREQ(cmdline::parsed_text("  sysgate32.elf \t  A=1", true), "A=1");
    EXPECT_STREQ(cmdline::parsed_text("sysgate32.elf", true), "");
    EXPECT_STREQ(cmdline::parsed_text("sysgate32.elf ", true), "");
    EXPECT_STREQ(cmdline::parsed_text("", true), "");
    EXPECT_STREQ(cmdline::parsed_text(nullptr, true), "");
    // The first word ends where parse() ends it: quotes group, a backslash escapes.
    EXPECT_STREQ(cmdline::parsed_text("\"my kernel.elf\" B=2", true), "B=2");
    EXPECT_STREQ(cmdline::parsed_text("my\\ kernel.elf B=2", true), "B=2");
    EXPECT_STREQ(cmdline::parsed_text("a\\\"b C=3", true), "C=3");
}

TEST_F(Cmdline, SkipsTheWordParsedTextSkips) {
    // parse() and parsed_text() agree on where the first word ends.
    for (const char* line : {"\"my kernel.elf\" B=2", "my\\ kernel.elf B=2", "k.elf B=2", "  k.elf   B=2  "}) {
        parse(line, true);
        EXPECT_EQ(cl->error_count, 0u) << line << ": " << all_errors();
        EXPECT_EQ(envp(), (Strings{"B=2"})) << line;
    }
}

TEST_F(Cmdline, ReparsingStartsOver) {
    parse("strace=1 A=1 bogus init=/x y");
    parse("timer_hz=99");
    EXPECT_EQ(cl->get("strace"), nullptr);
    EXPECT_EQ(cl->init_argc, 0u);
    EXPECT_EQ(cl->init_envc, 0u);
    EXPECT_EQ(cl->error_count, 0u);
    EXPECT_EQ(cl->setting_count, 1u);
    EXPECT_EQ(argv(), Strings{});
}

TEST_F(Cmdline, TooManyWords) {
    std::string line;
    for (size_t i = 0; i < CommandLine::MAX_WORDS + 10; i++) line += "V" + std::to_string(i) + "=x ";
    parse(line.c_str());
    EXPECT_EQ(cl->init_envc, CommandLine::MAX_WORDS);
    EXPECT_EQ(cl->init_envp[CommandLine::MAX_WORDS], nullptr);
    EXPECT_EQ(std::string(cl->init_envp[CommandLine::MAX_WORDS - 1]), "V63=x");
    EXPECT_TRUE(has_error_containing("too long")) << all_errors();
}

TEST_F(Cmdline, InitWithTheMostArguments) {
    std::string line = "init=/bin/prog";
    for (size_t i = 1; i < CommandLine::MAX_WORDS; i++) line += " a" + std::to_string(i);
    parse(line.c_str());
    EXPECT_EQ(cl->error_count, 0u) << all_errors();
    EXPECT_EQ(cl->init_argc, CommandLine::MAX_WORDS);
    EXPECT_EQ(cl->init_argv[CommandLine::MAX_WORDS], nullptr);
    EXPECT_STREQ(cl->init_argv[CommandLine::MAX_WORDS - 1], "a63");
    line += " one-too-many";
    parse(line.c_str());
    EXPECT_EQ(cl->init_argc, CommandLine::MAX_WORDS);
    EXPECT_TRUE(has_error_containing("too long")) << all_errors();
}

TEST_F(Cmdline, TooMuchText) {
    // One word longer than the whole text buffer: cut, still terminated, no overflow.
    const std::string huge(CommandLine::MAX_TEXT + 500, 'x');
    parse(("init=/bin/echo " + huge + " after").c_str());
    ASSERT_GE(cl->init_argc, 1u);
    EXPECT_STREQ(cl->init_argv[0], "/bin/echo");
    size_t total = 0;
    for (size_t i = 0; i < cl->init_argc; i++) total += std::strlen(cl->init_argv[i]) + 1;
    EXPECT_LE(total, CommandLine::MAX_TEXT);
    EXPECT_TRUE(has_error_containing("too long")) << all_errors();
    for (size_t i = 0; i < cl->init_argc; i++) {
        const char* w = cl->init_argv[i];
        EXPECT_GE(w, cl->text);
        EXPECT_LT(w + std::strlen(w), cl->text + CommandLine::MAX_TEXT);
    }
}

TEST_F(Cmdline, ALastWordTooLongIsReported) {
    // Nothing follows the cut word: the truncation itself must be reported.
    const std::string huge(CommandLine::MAX_TEXT + 10, 'y');
    parse(("init=/bin/echo " + huge).c_str());
    EXPECT_TRUE(has_error_containing("too long")) << all_errors();
}

TEST_F(Cmdline, EscapedBackslashBeforeAQuote) {
    // \\ is a literal backslash; the quote after it still groups.
    parse("init=/bin/echo a\\\\\"b c\"");
    EXPECT_EQ(argv(), (Strings{"/bin/echo", "a\\b c"}));
}

TEST_F(Cmdline, TextExactlyFull) {
    // 32 words of 63 characters: with their NULs they fill the text buffer exactly.
    static_assert(CommandLine::MAX_TEXT == 32 * 64);
    std::string line = "init=/" + std::string(57, 'p');
    for (int i = 1; i < 32; i++) line += " " + std::string(63, char('a' + i % 26));
    parse(line.c_str());
    EXPECT_EQ(cl->error_count, 0u) << all_errors();
    ASSERT_EQ(cl->init_argc, 32u);
    EXPECT_EQ(std::strlen(cl->init_argv[0]), 58u);
    for (size_t i = 1; i < cl->init_argc; i++) EXPECT_EQ(std::strlen(cl->init_argv[i]), 63u) << i;
    EXPECT_EQ(cl->init_argv[31][62], char('a' + 31 % 26));
    // One more word does not fit and is reported.
    parse((line + " x").c_str());
    EXPECT_EQ(cl->init_argc, 32u);
    EXPECT_TRUE(has_error_containing("too long")) << all_errors();
}

TEST_F(Cmdline, ErrorsAreCappedAndTerminated) {
    std::string line;
    for (int i = 0; i < 20; i++) line += "bogus" + std::to_string(i) + " ";
    parse(line.c_str());
    EXPECT_EQ(cl->error_count, CommandLine::MAX_ERRORS);
    EXPECT_TRUE(has_error_containing("'bogus0'"));
    EXPECT_TRUE(has_error_containing("'bogus7'"));
    // A value longer than an error line is cut, but the line is terminated.
    parse(("vsyscall=" + std::string(300, 'z')).c_str());
    ASSERT_EQ(cl->error_count, 1u);
    EXPECT_EQ(std::strlen(cl->errors[0]), sizeof(cl->errors[0]) - 1);
}

TEST_F(Cmdline, OptionsTable) {
    ASSERT_GT(cmdline::option_count, 0u);
    bool has_init = false, has_vsyscall = false, has_timer = false;
    for (size_t i = 0; i < cmdline::option_count; i++) {
        const cmdline::OptionSpec& o = cmdline::options[i];
        ASSERT_NE(o.name, nullptr);
        EXPECT_NE(o.help, nullptr) << o.name;
        EXPECT_EQ(std::strchr(o.name, '='), nullptr) << o.name;
        if (!std::strcmp(o.name, "init")) has_init = true;
        if (!std::strcmp(o.name, "vsyscall")) {
            has_vsyscall = true;
            EXPECT_STREQ(o.choices, "auto|int80|sysenter|syscall;emulate|xonly|none");
        }
        if (!std::strcmp(o.name, "timer_hz")) {
            has_timer = true;
            EXPECT_EQ(o.choices, nullptr);
            EXPECT_EQ(o.min, 18);
            EXPECT_EQ(o.max, 20000);
        }
        for (size_t j = 0; j < i; j++) EXPECT_STRNE(o.name, cmdline::options[j].name) << "duplicate option";
    }
    EXPECT_TRUE(has_init);
    EXPECT_TRUE(has_vsyscall);
    EXPECT_TRUE(has_timer);
}

} // namespace
