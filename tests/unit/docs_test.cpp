// The documentation must match the code it cites: every `path` and
// `path:symbol` reference exists, every relative link resolves, and the MSR
// numbers and selector values in docs/gates.md are the kernel's constants.
#include <gtest/gtest.h>

#include "script_runner.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "arch/x86/cpu/msr.h"
#include "arch/x86/desc/layout.h"
#include "arch/x86/mm/layout.h"
#include "arch/x86/vdso/layout.h"

namespace {

namespace fs = std::filesystem;

const fs::path root = script_runner::source_dir();
using script_runner::read_file;

std::vector<fs::path> documents() {
    std::vector<fs::path> docs{root / "README.md", root / "user/README.md", root / "libc/README.md"};
    for (const auto& e : fs::directory_iterator(root / "docs"))
        if (e.path().extension() == ".md") docs.push_back(e.path());
    return docs;
}

std::string hex(uint64_t v, bool upper) {
    char buf[32];
    std::snprintf(buf, sizeof buf, upper ? "0x%llX" : "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

// True if some line of `text` mentions `name` and then `value`.
bool line_pairs(const std::string& text, const std::string& name, const std::string& value) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        const auto at = line.find(name);
        if (at != std::string::npos && line.find(value, at) != std::string::npos) return true;
    }
    return false;
}

} // namespace

TEST(Docs, EveryCodeReferenceExists) {
    // `arch/x86/entry/int80.asm` or `arch/x86/entry/int80.asm:int80_entry`
    const std::regex reference(
        "`((?:arch|kernel|libc|user|scripts|tests|docs|\\.ci)/[A-Za-z0-9_./-]+)(?::([A-Za-z_][A-Za-z0-9_]*))?`");
    int checked = 0;
    for (const fs::path& doc : documents()) {
        if (!fs::exists(doc)) continue;
        const std::string text = read_file(doc);
        // Files the tutorial itself creates exist only after its steps.
        std::vector<std::string> created;
        const std::regex create("<!-- tutorial: create (\\S+) -->");
        for (std::sregex_iterator it(text.begin(), text.end(), create), end; it != end; ++it)
            created.push_back((*it)[1].str());
        for (std::sregex_iterator it(text.begin(), text.end(), reference), end; it != end; ++it) {
            if ((*it)[1].str().find("NAME") != std::string::npos) continue; // a placeholder: user/bin/NAME.c
            if (std::find(created.begin(), created.end(), (*it)[1].str()) != created.end()) continue;
            // From the repository root, or from the document's own folder.
            fs::path target = root / (*it)[1].str();
            if (!fs::exists(target)) target = doc.parent_path() / (*it)[1].str();
            ASSERT_TRUE(fs::exists(target)) << doc.filename() << " cites " << (*it)[1] << ", which does not exist";
            if ((*it)[2].matched) {
                EXPECT_NE(read_file(target).find((*it)[2].str()), std::string::npos)
                    << doc.filename() << " cites " << (*it)[0] << ": no such symbol in the file";
            }
            checked++;
        }
    }
    EXPECT_GT(checked, 30); // the guides cite the code a lot; zero means the pattern broke
}

TEST(Docs, EveryRelativeLinkResolves) {
    const std::regex link("\\]\\(([^)#:]+)(#[^)]*)?\\)");
    for (const fs::path& doc : documents()) {
        if (!fs::exists(doc)) continue;
        const std::string text = read_file(doc);
        for (std::sregex_iterator it(text.begin(), text.end(), link), end; it != end; ++it)
            EXPECT_TRUE(fs::exists(doc.parent_path() / (*it)[1].str()))
                << doc.filename() << " links to " << (*it)[1] << ", which does not exist";
    }
}

TEST(Docs, GatesGuideHasTheKernelsMsrNumbers) {
    const std::string text = read_file(root / "docs/gates.md");
    EXPECT_TRUE(line_pairs(text, "IA32_SYSENTER_CS", "(" + hex(x86::msr::SYSENTER_CS, false) + ")"));
    EXPECT_TRUE(line_pairs(text, "IA32_SYSENTER_ESP", "(" + hex(x86::msr::SYSENTER_ESP, false) + ")"));
    EXPECT_TRUE(line_pairs(text, "IA32_SYSENTER_EIP", "(" + hex(x86::msr::SYSENTER_EIP, false) + ")"));
    EXPECT_TRUE(line_pairs(text, "`EFER`", "(" + hex(x86::msr::EFER, true) + ")"));
    EXPECT_TRUE(line_pairs(text, "`STAR`", "(" + hex(x86::msr::STAR, true) + ")"));
    EXPECT_TRUE(line_pairs(text, "`LSTAR`", "(" + hex(x86::msr::LSTAR, true) + ")"));
    EXPECT_TRUE(line_pairs(text, "`CSTAR`", "(" + hex(x86::msr::CSTAR, true) + ")"));
    EXPECT_TRUE(line_pairs(text, "`FMASK`", "(" + hex(x86::msr::FMASK, true) + ")"));
    EXPECT_TRUE(line_pairs(text, "IA32_KERNEL_GS_BASE", "(MSR " + hex(x86::msr::KERNEL_GS_BASE, true) + ")"));
    EXPECT_TRUE(line_pairs(text, "IA32_GS_BASE", "(MSR " + hex(x86::msr::GS_BASE, true) + ")"));
}

TEST(Docs, GatesGuideHasTheKernelsSelectors) {
    const std::string text = read_file(root / "docs/gates.md");
    // The GDT diagram: "  1    0x08     kernel code 64 ..." per fixed slot.
    const struct {
        unsigned index;
        uint16_t selector;
        const char* what;
    } rows[] = {
        {x86::gdt::KERNEL_CODE, x86::gdt::KERNEL_CS, "kernel code 64"},
        {x86::gdt::KERNEL_DATA, x86::gdt::KERNEL_SS, "kernel data"},
        {x86::gdt::USER_CODE32, x86::gdt::USER_CS32, "user code 32"},
        {x86::gdt::USER_DATA, x86::gdt::USER_DS, "user data"},
        {x86::gdt::USER_CODE64, x86::gdt::USER_CS64, "user code 64"},
        {x86::gdt::USER_DATA_SYSEXITQ, x86::gdt::USER_SS_SYSEXITQ, "user data (again)"},
        {x86::gdt::TSS, x86::gdt::TSS_SELECTOR, "TSS"},
        {x86::gdt::LDT, x86::gdt::LDT_SELECTOR, "LDT"},
    };
    for (const auto& r : rows) {
        char selector[8];
        std::snprintf(selector, sizeof selector, "0x%02x", r.selector);
        const std::regex row("\\n\\s+" + std::to_string(r.index) + "(-\\d+)?\\s+" + selector + "\\s+" +
                             std::regex_replace(std::string(r.what), std::regex("[()]"), "\\$&"));
        EXPECT_TRUE(std::regex_search(text, row)) << "GDT row " << r.index << " " << selector << " " << r.what;
    }
    // STAR's two halves as the text states them.
    char kernel_base[8];
    std::snprintf(kernel_base, sizeof kernel_base, "(0x%02llx)",
                  static_cast<unsigned long long>(x86::gdt::STAR_VALUE >> 32 & 0xffff));
    EXPECT_TRUE(line_pairs(text, "bits 47:32", kernel_base)) << "STAR[47:32] should read " << kernel_base;
    char user_base[8];
    std::snprintf(user_base, sizeof user_base, "(0x%02llx",
                  static_cast<unsigned long long>(x86::gdt::STAR_VALUE >> 48 & 0xffff));
    EXPECT_TRUE(line_pairs(text, "63:48", user_base)) << "STAR[63:48] should read " << user_base << ")";
    char sysenter_cs[16];
    std::snprintf(sysenter_cs, sizeof sysenter_cs, "(0x174) = 0x%02x", x86::gdt::SYSENTER_CS_VALUE);
    EXPECT_NE(text.find(sysenter_cs), std::string::npos) << "SYSENTER_CS should read " << sysenter_cs;
}

TEST(Docs, GatesGuideHasTheVdsoAddresses) {
    const std::string text = read_file(root / "docs/gates.md");
    EXPECT_NE(text.find(hex(x86::vdso::CODE32, false)), std::string::npos);
}
