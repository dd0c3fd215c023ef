// scripts/gen-syscalls: the system-call tables -> kernel dispatch tables,
// libc numbers and stubs. Run as a program on fixture tables.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

std::string source_dir() {
#ifdef SYSGATE_SOURCE_DIR
    return SYSGATE_SOURCE_DIR;
#else
    const std::string file = __FILE__; // .../tests/unit/gen_syscalls_test.cpp
    const auto at = file.rfind("tests/unit/");
    return at == 0 || at == std::string::npos ? "." : file.substr(0, at - 1);
#endif
}

std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

struct Result {
    int status = -1;    // exit status, or -1 if it did not exit normally
    std::string output; // stdout and stderr together
};

Result run(const std::string& command) {
    Result r;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (!pipe) return r;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
    const int status = pclose(pipe);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::string python() {
    const char* p = std::getenv("PYTHON");
    return p && *p ? p : "python3";
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_file(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream ss(text);
    for (std::string line; std::getline(ss, line);) out.push_back(line);
    return out;
}

size_t count_of(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) n++;
    return n;
}

const char* const OUTPUTS[] = {"kernel/syscall_table_32.cpp", "kernel/syscall_table_64.cpp",
                               "libc/include/sysgate/syscall_nr.h", "libc/include/sysgate/syscalls.h"};

class GenSyscalls : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/sysgate-gen-syscalls-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
        tbl32 = dir / "syscall_32.tbl";
        tbl64 = dir / "syscall_64.tbl";
        out = dir / "out";
        write_file(tbl32, GOOD32);
        write_file(tbl64, GOOD64);
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    Result generate() { return generate(tbl32, tbl64, out); }
    Result generate(const fs::path& a, const fs::path& b, const fs::path& o) {
        return run(python() + " " + quote(source_dir() + "/scripts/gen-syscalls") + " " + quote(a) + " " + quote(b) +
                   " " + quote(o));
    }
    std::string output(const char* name) { return read_file(out / name); }
    bool any_output() {
        for (const char* name : OUTPUTS)
            if (fs::exists(out / name)) return true;
        return false;
    }
    // Expects the generator to refuse `table` (as the 32- or 64-bit table)
    // with a message naming FILE:LINE and containing `why`.
    void expect_rejected(const std::string& table, bool as64, int line, const std::string& why) {
        SCOPED_TRACE(table);
        write_file(as64 ? tbl64 : tbl32, table);
        const Result r = generate();
        EXPECT_EQ(r.status, 1) << r.output;
        const std::string where = (as64 ? tbl64 : tbl32).string() + ":" + std::to_string(line) + ":";
        EXPECT_NE(r.output.find(where), std::string::npos) << "expected '" << where << "' in: " << r.output;
        EXPECT_NE(r.output.find(why), std::string::npos) << "expected '" << why << "' in: " << r.output;
        EXPECT_EQ(r.output.find("Traceback"), std::string::npos) << r.output;
        EXPECT_FALSE(any_output()) << "nothing may be written when a table is bad";
        write_file(tbl32, GOOD32);
        write_file(tbl64, GOOD64);
    }

    static constexpr const char* GOOD32 = "# i386 fixture\n"
                                          "\n"
                                          "1\ti386\texit\t\t\tsys_exit\n"
                                          "4\ti386\twrite\t\t\tsys_write   # a trailing comment\n"
                                          "6 i386 reserved6\n";
    static constexpr const char* GOOD64 = "0 common read sys_read\n"
                                          "60 64 exit sys_exit\n" // out of order on purpose
                                          "1 common write sys_write\n";
    fs::path dir, tbl32, tbl64, out;
};

TEST_F(GenSyscalls, WritesTheFourOutputs) {
    const Result r = generate();
    ASSERT_EQ(r.status, 0) << r.output;
    for (const char* name : OUTPUTS) EXPECT_TRUE(fs::exists(out / name)) << name;
}

TEST_F(GenSyscalls, KernelTable32) {
    ASSERT_EQ(generate().status, 0);
    const std::string t = output("kernel/syscall_table_32.cpp");
    EXPECT_NE(t.find("generated by scripts/gen-syscalls"), std::string::npos);
    EXPECT_NE(t.find("do not edit"), std::string::npos);
    EXPECT_NE(t.find("const Entry table_i386[7] = {"), std::string::npos) << t;
    EXPECT_NE(t.find("const size_t table_i386_size = 7;"), std::string::npos) << t;
    EXPECT_NE(t.find("make_entry<Abi::I386, &sys_exit>(\"exit\")"), std::string::npos) << t;
    EXPECT_NE(t.find("make_entry<Abi::I386, &sys_write>(\"write\")"), std::string::npos) << t;
    // Slots 0, 2, 3, 5 are unlisted and 6 has no entry point: all -ENOSYS.
    EXPECT_EQ(count_of(t, "not_implemented_entry()"), 5u) << t;
    EXPECT_EQ(count_of(t, "make_entry<"), 2u) << t;
    // One line per slot, in order, each commented with its number.
    std::vector<int> slots;
    const std::regex slot(R"(^\s*/\*\s*(\d+)\s*\*/\s*(\S.*),\s*$)");
    std::map<int, std::string> what;
    for (const std::string& line : lines_of(t)) {
        std::smatch m;
        if (std::regex_match(line, m, slot)) {
            slots.push_back(std::stoi(m[1]));
            what[std::stoi(m[1])] = m[2];
        }
    }
    EXPECT_EQ(slots, (std::vector<int>{0, 1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(what[0], "not_implemented_entry()");
    EXPECT_EQ(what[1], "make_entry<Abi::I386, &sys_exit>(\"exit\")");
    EXPECT_EQ(what[4], "make_entry<Abi::I386, &sys_write>(\"write\")");
    EXPECT_EQ(what[6], "not_implemented_entry()");
}

TEST_F(GenSyscalls, KernelTable64) {
    ASSERT_EQ(generate().status, 0);
    const std::string t = output("kernel/syscall_table_64.cpp");
    EXPECT_NE(t.find("const Entry table_x86_64[61] = {"), std::string::npos) << t;
    EXPECT_NE(t.find("const size_t table_x86_64_size = 61;"), std::string::npos);
    EXPECT_NE(t.find("make_entry<Abi::X86_64, &sys_read>(\"read\")"), std::string::npos);
    EXPECT_NE(t.find("make_entry<Abi::X86_64, &sys_write>(\"write\")"), std::string::npos);
    EXPECT_NE(t.find("make_entry<Abi::X86_64, &sys_exit>(\"exit\")"), std::string::npos);
    EXPECT_EQ(count_of(t, "not_implemented_entry()"), 58u);
    // The slot comments count up: 60 is the last one.
    EXPECT_NE(t.find("/*   60 */ make_entry<Abi::X86_64, &sys_exit>(\"exit\"),"), std::string::npos) << t;
    EXPECT_EQ(t.find("/*   61 */"), std::string::npos);
}

TEST_F(GenSyscalls, NumbersHeader) {
    ASSERT_EQ(generate().status, 0);
    const std::string h = output("libc/include/sysgate/syscall_nr.h");
    for (const char* d : {"#define __NR32_exit 1\n", "#define __NR32_write 4\n", "#define __NR32_reserved6 6\n",
                          "#define __NR64_read 0\n", "#define __NR64_write 1\n", "#define __NR64_exit 60\n"})
        EXPECT_EQ(count_of(h, d), 1u) << d << " in\n" << h;
    EXPECT_NE(h.find("#ifndef SYSGATE_SYSCALL_NR_H"), std::string::npos);
    // __NR_<name> is the program's own bitness: the x86_64 numbers under
    // __x86_64__, the i386 ones otherwise.
    const size_t if64 = h.find("#if defined(__x86_64__)");
    const size_t else32 = h.find("#else", if64);
    const size_t endif = h.find("#endif", else32);
    ASSERT_NE(if64, std::string::npos);
    ASSERT_NE(else32, std::string::npos);
    ASSERT_NE(endif, std::string::npos);
    const std::string part64 = h.substr(if64, else32 - if64);
    const std::string part32 = h.substr(else32, endif - else32);
    EXPECT_NE(part64.find("#define __NR_write 1\n"), std::string::npos) << part64;
    EXPECT_NE(part64.find("#define __NR_exit 60\n"), std::string::npos);
    EXPECT_NE(part64.find("#define __NR_read 0\n"), std::string::npos);
    EXPECT_EQ(part64.find("reserved6"), std::string::npos);
    EXPECT_NE(part32.find("#define __NR_write 4\n"), std::string::npos) << part32;
    EXPECT_NE(part32.find("#define __NR_exit 1\n"), std::string::npos);
    EXPECT_EQ(part32.find("__NR_read"), std::string::npos);
    // The table sizes: every number from there on is -ENOSYS.
    const std::regex size32(R"(#define __NR32_syscalls 7\b)"), size64(R"(#define __NR64_syscalls 61\b)");
    EXPECT_TRUE(std::regex_search(h, size32)) << h;
    EXPECT_TRUE(std::regex_search(h, size64)) << h;
    EXPECT_NE(part64.find("#define __NR_syscalls __NR64_syscalls\n"), std::string::npos) << part64;
    EXPECT_NE(part32.find("#define __NR_syscalls __NR32_syscalls\n"), std::string::npos) << part32;
    // Every define sits on its own line, well-formed (a comment may follow).
    const std::regex number(R"(^#define __NR(32|64)?_([A-Za-z_][A-Za-z0-9_]*) \d+( /\*.*\*/)?$)");
    const std::regex alias(R"(^#define __NR_syscalls __NR(32|64)_syscalls$)");
    size_t calls = 0;
    for (const std::string& line : lines_of(h)) {
        if (line.rfind("#define __NR", 0) != 0) continue;
        std::smatch m;
        if (std::regex_match(line, m, number)) {
            if (m[2] != "syscalls") calls++;
        } else {
            EXPECT_TRUE(std::regex_match(line, alias)) << line;
        }
    }
    EXPECT_EQ(calls, 3u + 3u + 3u + 3u); // __NR32_, __NR64_, and __NR_ for each bitness
}

TEST_F(GenSyscalls, StubsHeader) {
    ASSERT_EQ(generate().status, 0);
    const std::string h = output("libc/include/sysgate/syscalls.h");
    EXPECT_NE(h.find("#include <sysgate/syscall_nr.h>"), std::string::npos);
    const size_t if64 = h.find("#if defined(__x86_64__)");
    const size_t else32 = h.find("#else", if64);
    ASSERT_NE(if64, std::string::npos);
    ASSERT_NE(else32, std::string::npos);
    const std::string part64 = h.substr(if64, else32 - if64);
    const std::string part32 = h.substr(else32);
    EXPECT_NE(part64.find("#define sys_write(...) __sysgate_syscall(__NR64_write, ##__VA_ARGS__)"), std::string::npos)
        << part64;
    EXPECT_NE(part64.find("#define sys_read(...) __sysgate_syscall(__NR64_read, ##__VA_ARGS__)"), std::string::npos);
    EXPECT_NE(part32.find("#define sys_write(...) __sysgate_syscall(__NR32_write, ##__VA_ARGS__)"), std::string::npos)
        << part32;
    EXPECT_NE(part32.find("#define sys_reserved6(...)"), std::string::npos);
    EXPECT_EQ(count_of(h, "#define sys_"), 6u);
}

TEST_F(GenSyscalls, RerunDoesNotTouchUnchangedOutputs) {
    ASSERT_EQ(generate().status, 0);
    const auto old_time = fs::file_time_type::clock::now() - std::chrono::hours(24);
    for (const char* name : OUTPUTS) fs::last_write_time(out / name, old_time);
    ASSERT_EQ(generate().status, 0);
    for (const char* name : OUTPUTS) EXPECT_EQ(fs::last_write_time(out / name), old_time) << name;
    // A change rewrites what depends on it, and only that.
    write_file(tbl64, std::string(GOOD64) + "39 common getpid sys_getpid\n");
    ASSERT_EQ(generate().status, 0);
    EXPECT_EQ(fs::last_write_time(out / "kernel/syscall_table_32.cpp"), old_time);
    EXPECT_NE(fs::last_write_time(out / "kernel/syscall_table_64.cpp"), old_time);
    EXPECT_NE(output("libc/include/sysgate/syscall_nr.h").find("#define __NR64_getpid 39"), std::string::npos);
}

TEST_F(GenSyscalls, LimitsAndSpellingsThatAreAccepted) {
    write_file(tbl32, "1023 i386 last sys_last\n0 i386 _first _sys_first\n007 i386 leading_zero\n");
    write_file(tbl64, "5 64 only64 sys_only64\n");
    const Result r = generate();
    ASSERT_EQ(r.status, 0) << r.output;
    const std::string t = output("kernel/syscall_table_32.cpp");
    EXPECT_NE(t.find("table_i386[1024]"), std::string::npos);
    EXPECT_NE(output("libc/include/sysgate/syscall_nr.h").find("#define __NR32_leading_zero 7\n"), std::string::npos);
}

TEST_F(GenSyscalls, WrongFieldCount) {
    expect_rejected("1 i386 exit sys_exit extra\n", false, 1, "found 5 fields");
    expect_rejected("# comment\n\n1 i386\n", false, 3, "found 2 fields");
    expect_rejected("1\n", false, 1, "found 1 fields");
}

TEST_F(GenSyscalls, BadNumbers) {
    expect_rejected("abc i386 exit sys_exit\n", false, 1, "'abc' is not a system-call number");
    expect_rejected("1 i386 exit sys_exit\n-1 i386 neg sys_neg\n", false, 2, "'-1' is not a system-call number");
    expect_rejected("0x10 i386 hex sys_hex\n", false, 1, "'0x10'");
    expect_rejected("1.5 i386 frac sys_frac\n", false, 1, "'1.5'");
    expect_rejected("\xc2\xb2 i386 squared sys_squared\n", false, 1,
                    "is not a system-call number"); // '²'
    expect_rejected("1024 common big sys_big\n", true, 1, "number 1024 is above the limit 1023");
}

TEST_F(GenSyscalls, WrongAbiForTheTable) {
    expect_rejected("1 common exit sys_exit\n", false, 1, "abi 'common' is not valid in a 32-bit table");
    expect_rejected("1 64 exit sys_exit\n", false, 1, "abi '64'");
    expect_rejected("0 common read sys_read\n1 i386 write sys_write\n", true, 2,
                    "abi 'i386' is not valid in a 64-bit table");
    expect_rejected("512 x32 rt_sigaction compat_sys_rt_sigaction\n", true, 1, "abi 'x32'");
}

TEST_F(GenSyscalls, Duplicates) {
    expect_rejected("1 i386 exit sys_exit\n# gap\n1 i386 other sys_other\n", false, 3,
                    "number 1 already used by 'exit' at line 1");
    expect_rejected("1 i386 exit sys_exit\n2 i386 exit sys_exit2\n", false, 2, "'exit' already defined at line 1");
    expect_rejected("0 common read sys_read\n0 64 read2 sys_read\n", true, 2, "number 0 already used");
}

TEST_F(GenSyscalls, BadIdentifiers) {
    expect_rejected("1 i386 9exit sys_exit\n", false, 1, "'9exit' is not a valid name");
    expect_rejected("1 i386 ex-it sys_exit\n", false, 1, "'ex-it' is not a valid name");
    expect_rejected("1 i386 exit sys-exit\n", false, 1, "'sys-exit' is not a valid entry point");
    expect_rejected("1 i386 exit sys_exit()\n", false, 1, "'sys_exit()' is not a valid entry point");
}

TEST_F(GenSyscalls, EmptyTable) {
    write_file(tbl64, "# nothing here\n\n   \n");
    const Result r = generate();
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.output.find(tbl64.string() + ": no system calls listed"), std::string::npos) << r.output;
    EXPECT_FALSE(any_output());
    write_file(tbl32, "");
    EXPECT_NE(generate().output.find(tbl32.string() + ": no system calls listed"), std::string::npos);
}

TEST_F(GenSyscalls, MissingFileAndUsage) {
    Result r = generate(dir / "nope.tbl", tbl64, out);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.output.find("nope.tbl"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("Traceback"), std::string::npos) << r.output;
    EXPECT_FALSE(any_output());
    r = run(python() + " " + quote(source_dir() + "/scripts/gen-syscalls") + " " + quote(tbl32));
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.output.find("usage"), std::string::npos) << r.output;
}

// ------------------------------------------------------------ the real tables

// name -> number from a Linux <asm/unistd_NN.h>.
std::map<std::string, int> linux_numbers(const std::string& path) {
    std::map<std::string, int> out;
    const std::regex define(R"(^#define __NR_([A-Za-z0-9_]+)\s+(\d+)\s*$)");
    for (const std::string& line : lines_of(read_file(path))) {
        std::smatch m;
        if (std::regex_match(line, m, define)) out[m[1]] = std::stoi(m[2]);
    }
    return out;
}

std::map<std::string, int> generated_numbers(const std::string& header, const std::string& prefix) {
    std::map<std::string, int> out;
    const std::regex define("^#define " + prefix + R"(([A-Za-z0-9_]+) (\d+)( /\*.*\*/)?$)");
    for (const std::string& line : lines_of(header)) {
        std::smatch m;
        if (std::regex_match(line, m, define) && m[1] != "syscalls") out[m[1]] = std::stoi(m[2]);
    }
    return out;
}

class RealTables : public GenSyscalls {
  protected:
    void SetUp() override {
        GenSyscalls::SetUp();
        const std::string tables = source_dir() + "/arch/x86/entry/syscalls/";
        const Result r = generate(tables + "syscall_32.tbl", tables + "syscall_64.tbl", out);
        ASSERT_EQ(r.status, 0) << r.output;
        header = output("libc/include/sysgate/syscall_nr.h");
        n32 = generated_numbers(header, "__NR32_");
        n64 = generated_numbers(header, "__NR64_");
    }
    std::string header;
    std::map<std::string, int> n32, n64;
};

TEST_F(RealTables, KnownLinuxNumbers) {
    EXPECT_EQ(n64["read"], 0);
    EXPECT_EQ(n64["write"], 1);
    EXPECT_EQ(n64["exit"], 60);
    EXPECT_EQ(n64["getppid"], 110);
    EXPECT_EQ(n64["getpid"], 39);
    EXPECT_EQ(n32["exit"], 1);
    EXPECT_EQ(n32["write"], 4);
    EXPECT_EQ(n32["getppid"], 64);
    EXPECT_EQ(n32["getpid"], 20);
    EXPECT_GT(n32.size(), 10u);
    EXPECT_GT(n64.size(), 10u);
}

TEST_F(RealTables, AgreeWithTheHostsLinuxHeaders) {
    // The ABI is Linux's on purpose: every call both know must have Linux's
    // number, and a Sysgate-only call must not take a number Linux uses.
    const char* dirs[] = {"/usr/include/x86_64-linux-gnu/asm/", "/usr/include/asm/"};
    std::string dir;
    for (const char* d : dirs)
        if (fs::exists(std::string(d) + "unistd_64.h") && fs::exists(std::string(d) + "unistd_32.h")) {
            dir = d;
            break;
        }
    if (dir.empty()) GTEST_SKIP() << "no Linux <asm/unistd_{32,64}.h> on this machine";
    struct Abi {
        const char* name;
        const std::map<std::string, int>& ours;
        std::map<std::string, int> theirs;
    } abis[] = {{"x86_64", n64, linux_numbers(dir + "unistd_64.h")}, {"i386", n32, linux_numbers(dir + "unistd_32.h")}};
    for (const Abi& abi : abis) {
        ASSERT_GT(abi.theirs.size(), 300u) << abi.name;
        std::map<int, std::string> linux_by_number;
        for (const auto& [name, nr] : abi.theirs) linux_by_number[nr] = name;
        size_t shared = 0;
        for (const auto& [name, nr] : abi.ours) {
            auto it = abi.theirs.find(name);
            if (it != abi.theirs.end()) {
                EXPECT_EQ(nr, it->second) << abi.name << " " << name;
                shared++;
            } else {
                EXPECT_EQ(linux_by_number.count(nr), 0u)
                    << abi.name << " Sysgate-only '" << name << "' takes Linux's number " << nr << " ("
                    << linux_by_number[nr] << ")";
            }
        }
        EXPECT_GT(shared, abi.ours.size() / 2) << abi.name;
    }
}

TEST_F(RealTables, KernelTablesCoverEveryNumber) {
    const std::string t64 = output("kernel/syscall_table_64.cpp");
    const std::string t32 = output("kernel/syscall_table_32.cpp");
    int max64 = 0, max32 = 0;
    for (const auto& [name, nr] : n64) max64 = std::max(max64, nr);
    for (const auto& [name, nr] : n32) max32 = std::max(max32, nr);
    EXPECT_NE(t64.find("table_x86_64[" + std::to_string(max64 + 1) + "]"), std::string::npos);
    EXPECT_NE(t32.find("table_i386[" + std::to_string(max32 + 1) + "]"), std::string::npos);
    EXPECT_NE(header.find("#define __NR64_syscalls " + std::to_string(max64 + 1)), std::string::npos);
    EXPECT_NE(header.find("#define __NR32_syscalls " + std::to_string(max32 + 1)), std::string::npos);
    EXPECT_NE(t64.find("make_entry<Abi::X86_64, &sys_getppid>(\"getppid\")"), std::string::npos);
    EXPECT_NE(t32.find("make_entry<Abi::I386, &sys_getppid>(\"getppid\")"), std::string::npos);
}

} // namespace
