#pragma once
// For unit tests that run the build's scripts (scripts/gen-syscalls,
// scripts/mkinitramfs) or read the tree (docs): where the tree is, how to
// quote a path for the shell, and how to run a command and collect what it
// printed.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace script_runner {

// The repository root (tests/unit/unit.mk passes it in).
inline std::string source_dir() {
#ifdef SYSGATE_SOURCE_DIR
    return SYSGATE_SOURCE_DIR;
#else
    const std::string file = __FILE__; // .../tests/unit/script_runner.h
    const auto at = file.rfind("tests/unit/");
    return at == 0 || at == std::string::npos ? "." : file.substr(0, at - 1);
#endif
}

// A single-quoted shell word.
inline std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

struct Result {
    int status = -1;    // exit status, or -1 if it did not exit normally
    std::string output; // stdout and stderr together
};

inline Result run(const std::string& command) {
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

// The Python the build uses ($PYTHON, as the Makefile passes it).
inline std::string python() {
    const char* p = std::getenv("PYTHON");
    return p && *p ? p : "python3";
}

inline std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace script_runner
