#pragma once
// The kernel command line, Linux style:
//
//   strace=1 vsyscall=sysenter HOME=/ init=/bin/sh -c "echo hi"
//
// Words are split on spaces; double quotes group (and are removed); a
// backslash makes the next character literal (GRUB writes \" and \'). Words
// before init= are kernel options if their key is known (see options[]),
// otherwise KEY=VALUE words go into the first program's environment, as on
// Linux. Everything after init= is the first program's argv. A bad value
// or an unknown bare word produces a message and is otherwise ignored.
// Pure logic, unit-tested on the host.
#include <stddef.h>
#include <stdint.h>

namespace cmdline {

struct OptionSpec {
    const char* name;
    // "a|b|c", or nullptr for a number. Groups separated by ';' make the
    // value a comma-separated list of at most one word from each group:
    // "a|b;x|y" takes "a", "y" or "b,x".
    const char* choices;
    long min, max; // for numbers
    const char* help;
};
extern const OptionSpec options[];
extern const size_t option_count;

struct CommandLine {
    static constexpr size_t MAX_WORDS = 64, MAX_TEXT = 2048, MAX_ERRORS = 8;
    char text[MAX_TEXT]; // the words, NUL-separated
    const char* init_argv[MAX_WORDS + 1] = {};
    size_t init_argc = 0;
    const char* init_envp[MAX_WORDS + 1] = {};
    size_t init_envc = 0;
    struct Setting {
        const char* key; // points into text, NUL-terminated at '='
        const char* value;
    } settings[MAX_WORDS];
    size_t setting_count = 0;
    char errors[MAX_ERRORS][160];
    size_t error_count = 0;

    // The value given for a kernel option, or `fallback` if absent.
    const char* get(const char* key, const char* fallback = nullptr) const;
    // For an option whose value is a list: whether `word` is one of its items.
    bool has_word(const char* key, const char* word) const;
    long get_number(const char* key, long fallback) const;
};

// `skip_first_word`: QEMU's -kernel puts the kernel's file name first.
void parse(const char* text, CommandLine& out, bool skip_first_word = false);

// What parse() reads of `text`: all of it, or (skip_first_word) what
// follows the first word and the blanks after it, the word split by the
// same rules as parse() (quotes, backslashes). Points into `text`.
const char* parsed_text(const char* text, bool skip_first_word);

} // namespace cmdline
