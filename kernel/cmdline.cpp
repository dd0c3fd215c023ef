#include "kernel/cmdline.h"
#include "kernel/strings.h"

#include "kernel/format.h"

namespace cmdline {

const OptionSpec options[] = {
    {"init", nullptr, 0, 0, "init=PATH ARGS...: the first program and its arguments (the rest of the line)"},
    {"strace", "0|1", 0, 0, "strace=1: print every system call with its gate, arguments and result"},
    {"syscall_cycles", "0|1", 0, 0,
     "syscall_cycles=1: count TSC ticks per gate (sysgate_stats); every call then takes the slow path"},
    {"vsyscall", "auto|int80|sysenter|syscall;emulate|xonly|none", 0, 0,
     "vsyscall=GATE,PAGE: the instruction __kernel_vsyscall uses (auto: chosen from CPUID), and the legacy "
     "vsyscall page at 0xffffffffff600000 as on Linux (xonly: calls emulated, reads fault; emulate: also "
     "readable; none: absent)"},
    {"selftest", "0|1", 0, 0, "selftest=1: run the in-kernel self-tests, then power off with their result"},
    {"crash", "pagefault|overflow|invalid-opcode|divide|gp", 0, 0,
     "crash=KIND: fault on purpose in the kernel (tests the fault report)"},
    {"timer_hz", nullptr, 18, 20000, "timer_hz=N: timer interrupts per second (default 100)"},
};
const size_t option_count = sizeof(options) / sizeof(options[0]);

namespace {

const OptionSpec* find_option(const char* key) {
    for (size_t i = 0; i < option_count; i++)
        if (same_string(options[i].name, key)) return &options[i];
    return nullptr;
}

bool ends_choice(char c) {
    return !c || c == '|' || c == ';';
}

// The group (0, 1...) of the ';'-separated groups of '|'-separated
// choices that the word value[0, length) belongs to, or -1.
int choice_group(const char* choices, const char* value, size_t length) {
    int group = 0;
    for (const char* p = choices; *p;) {
        size_t n = 0;
        while (!ends_choice(p[n])) n++;
        if (n == length && __builtin_memcmp(p, value, n) == 0) return group;
        p += n;
        if (*p == ';') group++;
        if (*p) p++;
    }
    return -1;
}

// True if `value` is one of the choices, or (with groups) a comma list of
// at most one choice from each group.
bool is_choice(const char* choices, const char* value) {
    bool lists = false;
    for (const char* c = choices; *c; c++) lists |= *c == ';';
    unsigned seen = 0; // groups already used, as bits
    for (const char* v = value;;) {
        size_t n = 0;
        while (v[n] && !(lists && v[n] == ',')) n++;
        const int group = choice_group(choices, v, n);
        if (group < 0 || group >= 32 || (seen >> group & 1)) return false;
        seen |= 1u << group;
        if (!v[n]) return true;
        v += n + 1;
    }
}

bool parse_long(const char* s, long& out) {
    if (!*s) return false;
    long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 100000000) return false;
        v = v * 10 + (*s - '0');
    }
    out = v;
    return true;
}

template <typename... Ts>
void error(CommandLine& out, fmt::StringView format, const Ts&... args) {
    if (out.error_count < CommandLine::MAX_ERRORS)
        fmt::format_to(out.errors[out.error_count++], sizeof(out.errors[0]), format, args...);
}

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\n';
}

} // namespace

bool CommandLine::has_word(const char* key, const char* word) const {
    const char* value = get(key);
    if (!value) return false;
    size_t length = 0;
    while (word[length]) length++;
    for (const char* v = value;;) {
        size_t n = 0;
        while (v[n] && v[n] != ',') n++;
        if (n == length && __builtin_memcmp(v, word, n) == 0) return true;
        if (!v[n]) return false;
        v += n + 1;
    }
}

const char* parsed_text(const char* text, bool skip_first_word) {
    const char* p = text ? text : "";
    if (!skip_first_word) return p;
    while (is_blank(*p)) p++;
    bool quoted = false;
    for (; *p && (quoted || !is_blank(*p)); p++) {
        if (*p == '\\' && p[1])
            p++; // an escaped character, never a quote
        else if (*p == '"')
            quoted = !quoted;
    }
    while (is_blank(*p)) p++;
    return p;
}

void parse(const char* in, CommandLine& out, bool skip_first_word) {
    out.init_argc = out.init_envc = out.setting_count = out.error_count = 0;
    const char* words[CommandLine::MAX_WORDS];
    size_t count = 0;
    size_t used = 0;

    // Split into NUL-terminated words in out.text.
    const char* p = parsed_text(in, skip_first_word);
    bool dropped = false;
    while (*p) {
        while (is_blank(*p)) p++;
        if (!*p) break;
        if (count == CommandLine::MAX_WORDS || used + 1 >= CommandLine::MAX_TEXT) {
            error(out, "command line too long: the rest is ignored");
            break;
        }
        words[count++] = out.text + used;
        bool quoted = false;
        while (*p && (quoted || !is_blank(*p))) {
            const bool escaped = *p == '\\' && p[1]; // GRUB escapes quotes this way when it rebuilds the line
            if (escaped) p++;
            if (*p == '"' && !escaped) {
                quoted = !quoted;
            } else if (used + 1 < CommandLine::MAX_TEXT) {
                out.text[used++] = *p;
            } else {
                dropped = true;
            }
            p++;
        }
        out.text[used++] = 0;
        if (quoted) error(out, "unterminated quote in the command line");
        if (dropped) {
            error(out, "command line too long: the rest is ignored");
            break;
        }
    }

    for (size_t i = 0; i < count; i++) {
        char* word = const_cast<char*>(words[i]);
        char* eq = word;
        while (*eq && *eq != '=') eq++;
        if (*eq != '=' || eq == word) {
            error(out, "unknown boot option '{}' ignored", word);
            continue;
        }
        *eq = 0;
        const char* value = eq + 1;
        if (same_string(word, "init")) {
            // Everything after init= belongs to the program.
            if (!*value) {
                error(out, "init= needs a program path");
                break;
            }
            out.init_argv[out.init_argc++] = value;
            for (i++; i < count; i++) out.init_argv[out.init_argc++] = words[i];
            break;
        }
        const OptionSpec* spec = find_option(word);
        if (!spec) {
            *eq = '='; // not ours: the first program's environment
            out.init_envp[out.init_envc++] = word;
            continue;
        }
        long number = 0;
        if (spec->choices ? !is_choice(spec->choices, value)
                          : (!parse_long(value, number) || number < spec->min || number > spec->max)) {
            bool lists = false;
            for (const char* c = spec->choices ? spec->choices : ""; *c; c++) lists |= *c == ';';
            if (lists)
                error(out, "{}={}: expected at most one of each of {}, comma-separated; option ignored", word, value,
                      spec->choices);
            else if (spec->choices)
                error(out, "{}={}: expected one of {}; option ignored", word, value, spec->choices);
            else
                error(out, "{}={}: expected a number from {} to {}; option ignored", word, value, spec->min, spec->max);
            continue;
        }
        out.settings[out.setting_count++] = {word, value};
    }
    out.init_argv[out.init_argc] = nullptr;
    out.init_envp[out.init_envc] = nullptr;
}

const char* CommandLine::get(const char* key, const char* fallback) const {
    const char* found = fallback;
    for (size_t i = 0; i < setting_count; i++) // the last one given wins, as on Linux
        if (same_string(settings[i].key, key)) found = settings[i].value;
    return found;
}

long CommandLine::get_number(const char* key, long fallback) const {
    long v = fallback;
    const char* s = get(key);
    if (s) parse_long(s, v);
    return v;
}

} // namespace cmdline
