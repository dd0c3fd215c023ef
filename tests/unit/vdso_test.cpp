// The vDSO images as built (arch/x86/vdso/, embedded by vdso_images.S):
// what a loader, glibc and an unwinder read in them.
//
//  - exports and symbol versions as Linux's (LINUX_2.6 for the time
//    functions, LINUX_2.5 for __kernel_vsyscall and the trampolines), found
//    alike by this test's own reader, the kernel's (kernel/exec/elf.cpp)
//    and the libc's (libc/src/vdso.c, 64-bit images);
//  - one read-only executable PT_LOAD, no relocations, a PT_GNU_EH_FRAME;
//  - the code the kernel depends on: a sysenter right before the landing
//    pad, the signal trampolines' bytes;
//  - the unwind tables, checked against the code: an interpreter of the
//    DWARF call-frame instructions (DWARF 4, 6.4; the .eh_frame and
//    .eh_frame_hdr formats of the LSB, "Exception Frames") gives, at every
//    instruction, where it says the caller's stack pointer, return address
//    and registers are; a small simulation of the instructions themselves
//    (push, pop, mov, the gate instructions with what the kernel changes)
//    says where they really are. For the signal trampolines: that the
//    expressions name the sigcontext fields of Linux's frames.
#include <elf.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "script_runner.h"

#include "arch/x86/vdso/layout.h"
#include "kernel/exec/elf.h"
#include "kernel/proc/sigframe.h"

extern "C" {
extern const unsigned char unit_vdso32_int80[], unit_vdso32_int80_end[];
extern const unsigned char unit_vdso32_sysenter[], unit_vdso32_sysenter_end[];
extern const unsigned char unit_vdso32_syscall[], unit_vdso32_syscall_end[];
extern const unsigned char unit_vdso64_syscall[], unit_vdso64_syscall_end[];
extern const unsigned char unit_vdso64_sysenter[], unit_vdso64_sysenter_end[];
void* sg___sg_elf_lookup_version(const void* image, const char* name, const char* version);
}

namespace {

enum class Gate { Int80, Sysenter, Syscall };

struct ImageRef {
    const char* name;
    const unsigned char *start, *end;
    bool is64;
    Gate gate;
};

const ImageRef kImages[] = {
    {"vdso32-int80", unit_vdso32_int80, unit_vdso32_int80_end, false, Gate::Int80},
    {"vdso32-sysenter", unit_vdso32_sysenter, unit_vdso32_sysenter_end, false, Gate::Sysenter},
    {"vdso32-syscall", unit_vdso32_syscall, unit_vdso32_syscall_end, false, Gate::Syscall},
    {"vdso64-syscall", unit_vdso64_syscall, unit_vdso64_syscall_end, true, Gate::Syscall},
    {"vdso64-sysenter", unit_vdso64_sysenter, unit_vdso64_sysenter_end, true, Gate::Sysenter},
};

// ---------------------------------------------------------------- reading the image

struct Symbol {
    uint64_t value, size;
    unsigned type, bind;
    std::string version;
    bool hidden_version;
};

struct Segment {
    uint32_t type, flags;
    uint64_t offset, vaddr, filesz, memsz;
};

// The image as the kernel maps it: linked at 0, one PT_LOAD from file
// offset 0, so an address inside the load is also a file offset.
class Vdso {
  public:
    explicit Vdso(const ImageRef& ref) : ref_(ref), data_(ref.start), size_(size_t(ref.end - ref.start)) {
        if (ref.is64)
            parse<Elf64_Ehdr, Elf64_Phdr, Elf64_Dyn, Elf64_Sym>();
        else
            parse<Elf32_Ehdr, Elf32_Phdr, Elf32_Dyn, Elf32_Sym>();
    }

    const ImageRef& ref() const { return ref_; }
    size_t size() const { return size_; }
    const uint8_t* at(uint64_t address) const {
        EXPECT_LT(address, size_) << ref_.name;
        return data_ + address;
    }
    uint64_t entry = 0;
    std::vector<Segment> segments;
    std::map<int64_t, uint64_t> dynamic;
    std::map<std::string, Symbol> symbols; // the dynamic symbols
    std::string soname;

    const Segment* segment(uint32_t type) const {
        for (const Segment& s : segments)
            if (s.type == type) return &s;
        return nullptr;
    }
    uint64_t symbol(const std::string& name) const {
        auto it = symbols.find(name);
        EXPECT_NE(it, symbols.end()) << ref_.name << " has no " << name;
        return it == symbols.end() ? 0 : it->second.value;
    }

  private:
    template <typename T>
    T read(uint64_t offset) const {
        T v{};
        EXPECT_LE(offset + sizeof(T), size_) << ref_.name;
        if (offset + sizeof(T) <= size_) memcpy(&v, data_ + offset, sizeof(T));
        return v;
    }

    template <typename Ehdr, typename Phdr, typename Dyn, typename Sym>
    void parse() {
        const auto eh = read<Ehdr>(0);
        ASSERT_EQ(memcmp(eh.e_ident, ELFMAG, SELFMAG), 0);
        ASSERT_EQ(eh.e_ident[EI_CLASS], ref_.is64 ? ELFCLASS64 : ELFCLASS32);
        ASSERT_EQ(eh.e_type, ET_DYN);
        ASSERT_EQ(eh.e_machine, ref_.is64 ? EM_X86_64 : EM_386);
        entry = eh.e_entry;
        for (unsigned i = 0; i < eh.e_phnum; i++) {
            const auto ph = read<Phdr>(eh.e_phoff + i * sizeof(Phdr));
            segments.push_back({ph.p_type, ph.p_flags, ph.p_offset, ph.p_vaddr, ph.p_filesz, ph.p_memsz});
        }
        const Segment* dyn = segment(PT_DYNAMIC);
        ASSERT_NE(dyn, nullptr);
        for (uint64_t at = dyn->offset; at + sizeof(Dyn) <= dyn->offset + dyn->filesz; at += sizeof(Dyn)) {
            const auto d = read<Dyn>(at);
            if (d.d_tag == DT_NULL) break;
            dynamic[int64_t(d.d_tag)] = d.d_un.d_val;
        }
        ASSERT_TRUE(dynamic.count(DT_SYMTAB) && dynamic.count(DT_STRTAB) && dynamic.count(DT_HASH));
        const uint64_t symtab = dynamic[DT_SYMTAB], strtab = dynamic[DT_STRTAB];
        const uint32_t count = read<uint32_t>(dynamic[DT_HASH] + 4); // nchain
        auto str = [&](uint64_t off) { return std::string(reinterpret_cast<const char*>(data_ + strtab + off)); };
        if (dynamic.count(DT_SONAME)) soname = str(dynamic[DT_SONAME]);
        // Version index -> name, from the definitions (.gnu.version_d).
        std::map<unsigned, std::string> versions;
        if (dynamic.count(DT_VERDEF)) {
            uint64_t at = dynamic[DT_VERDEF];
            for (;;) {
                const auto vd = read<Elf32_Verdef>(at); // the same layout in both classes
                const auto aux = read<Elf32_Verdaux>(at + vd.vd_aux);
                if (!(vd.vd_flags & VER_FLG_BASE)) versions[vd.vd_ndx] = str(aux.vda_name);
                if (!vd.vd_next) break;
                at += vd.vd_next;
            }
        }
        for (uint32_t i = 1; i < count; i++) {
            const auto s = read<Sym>(symtab + i * sizeof(Sym));
            if (s.st_shndx == SHN_UNDEF || s.st_shndx == SHN_ABS) continue; // the version names themselves
            Symbol sym{s.st_value, s.st_size, unsigned(s.st_info & 0xf), unsigned(s.st_info >> 4), "", false};
            if (dynamic.count(DT_VERSYM)) {
                const uint16_t v = read<uint16_t>(dynamic[DT_VERSYM] + 2 * i);
                sym.version = versions.count(v & 0x7fff) ? versions[v & 0x7fff] : "?";
                sym.hidden_version = v & 0x8000;
            }
            symbols[str(s.st_name)] = sym;
        }
    }

    ImageRef ref_;
    const uint8_t* data_;
    size_t size_;
};

// ---------------------------------------------------------------- exports

// Every image exports exactly these, with these versions.
std::map<std::string, std::string> expected_exports(bool is64) {
    if (!is64)
        return {{"__vdso_clock_gettime", "LINUX_2.6"},
                {"__vdso_clock_gettime64", "LINUX_2.6"},
                {"__vdso_gettimeofday", "LINUX_2.6"},
                {"__vdso_time", "LINUX_2.6"},
                {"__vdso_clock_getres", "LINUX_2.6"},
                {"__kernel_vsyscall", "LINUX_2.5"},
                {"__kernel_sigreturn", "LINUX_2.5"},
                {"__kernel_rt_sigreturn", "LINUX_2.5"},
                {"__kernel_vsyscall_sysenter_return", "SYSGATE_PRIVATE"},
                {"__sysgate_vdso_fallback_return", "SYSGATE_PRIVATE"}};
    return {{"__vdso_clock_gettime", "LINUX_2.6"},
            {"clock_gettime", "LINUX_2.6"},
            {"__vdso_gettimeofday", "LINUX_2.6"},
            {"gettimeofday", "LINUX_2.6"},
            {"__vdso_time", "LINUX_2.6"},
            {"time", "LINUX_2.6"},
            {"__vdso_clock_getres", "LINUX_2.6"},
            {"clock_getres", "LINUX_2.6"},
            {"__vdso_getcpu", "LINUX_2.6"},
            {"getcpu", "LINUX_2.6"},
            {"__kernel_vsyscall", "LINUX_2.6"},
            {"__kernel_vsyscall_sysenter_return", "SYSGATE_PRIVATE"},
            {"__sysgate_vdso_fallback_return", "SYSGATE_PRIVATE"}};
}

TEST(Vdso, ExportsWithLinuxsVersions) {
    for (const ImageRef& ref : kImages) {
        SCOPED_TRACE(ref.name);
        Vdso v(ref);
        std::map<std::string, std::string> got;
        for (const auto& [name, sym] : v.symbols) {
            got[name] = sym.version;
            EXPECT_EQ(sym.type, unsigned(STT_FUNC)) << name;
            EXPECT_FALSE(sym.hidden_version) << name; // each the default version of its name
            EXPECT_GT(sym.size, 0u) << name;
        }
        EXPECT_EQ(got, expected_exports(ref.is64));
        EXPECT_EQ(v.soname, ref.is64 ? "linux-vdso.so.1" : "linux-gate.so.1");
        if (!ref.is64) {
            EXPECT_EQ(v.entry, v.symbol("__kernel_vsyscall")); // as Linux's ENTRY()
        }
    }
}

// The kernel's and the libc's readers find the same addresses.
TEST(Vdso, KernelAndLibcLookupsAgree) {
    for (const ImageRef& ref : kImages) {
        SCOPED_TRACE(ref.name);
        Vdso v(ref);
        for (const auto& [name, sym] : v.symbols) {
            uint64_t value = ~0ull;
            EXPECT_TRUE(elf::find_dynamic_symbol(ref.start, v.size(), name.c_str(), value)) << name;
            EXPECT_EQ(value, sym.value) << name;
            if (!ref.is64) continue; // the host's libc objects read ELF64 only
            const uint8_t* p =
                static_cast<const uint8_t*>(sg___sg_elf_lookup_version(ref.start, name.c_str(), sym.version.c_str()));
            EXPECT_EQ(p, ref.start + sym.value) << name;
            EXPECT_EQ(sg___sg_elf_lookup_version(ref.start, name.c_str(), "LINUX_2.5"), nullptr) << name;
            EXPECT_EQ(sg___sg_elf_lookup_version(ref.start, name.c_str(), nullptr), ref.start + sym.value) << name;
        }
        uint64_t value;
        EXPECT_FALSE(elf::find_dynamic_symbol(ref.start, v.size(), "__sysgate_vdso_fallback", value)); // hidden
        EXPECT_FALSE(elf::find_dynamic_symbol(ref.start, v.size(), "vdso_data", value));
    }
}

// ---------------------------------------------------------------- the mapping

TEST(Vdso, OneReadOnlyExecutableSegmentWithoutRelocations) {
    for (const ImageRef& ref : kImages) {
        SCOPED_TRACE(ref.name);
        Vdso v(ref);
        unsigned loads = 0;
        for (const Segment& s : v.segments) {
            if (s.type != PT_LOAD) continue;
            loads++;
            EXPECT_EQ(s.vaddr, 0u);
            EXPECT_EQ(s.offset, 0u);
            EXPECT_EQ(s.flags, unsigned(PF_R | PF_X));
            EXPECT_EQ(s.filesz, s.memsz);
            // The kernel maps the file's pages (kernel/vdso.cpp).
            EXPECT_LE(v.size(), x86::vdso::MAX_CODE_PAGES * 4096);
            if (!ref.is64) {
                EXPECT_LE(x86::vdso::CODE32 + (v.size() + 4095) / 4096 * 4096, 0x100000000ull);
            }
        }
        EXPECT_EQ(loads, 1u);
        for (int64_t tag : {DT_REL, DT_RELA, DT_JMPREL, DT_TEXTREL, DT_NEEDED, DT_PLTGOT})
            EXPECT_EQ(v.dynamic.count(tag), 0u) << "dynamic tag " << tag;
        const Segment* eh = v.segment(PT_GNU_EH_FRAME);
        ASSERT_NE(eh, nullptr);
        EXPECT_GT(eh->memsz, 0u);
        EXPECT_LE(eh->vaddr + eh->memsz, v.segments[0].memsz);
    }
}

TEST(Vdso, CodeTheKernelReliesOn) {
    for (const ImageRef& ref : kImages) {
        SCOPED_TRACE(ref.name);
        Vdso v(ref);
        // A restarted sysenter call returns 2 bytes before the landing pad.
        const uint64_t pad = v.symbol("__kernel_vsyscall_sysenter_return");
        EXPECT_EQ(v.at(pad - 2)[0], 0x0f);
        EXPECT_EQ(v.at(pad - 2)[1], 0x34);
        // The fallback returns right after its system call.
        const uint64_t back = v.symbol("__sysgate_vdso_fallback_return");
        EXPECT_EQ(memcmp(v.at(back - 2), ref.is64 ? "\x0f\x05" : "\xcd\x80", 2), 0); // syscall, int $0x80
        if (ref.is64) continue;
        EXPECT_EQ(memcmp(v.at(v.symbol("__kernel_sigreturn")), sigframe::SIGRETURN_CODE, 8), 0);
        EXPECT_EQ(memcmp(v.at(v.symbol("__kernel_rt_sigreturn")), sigframe::RT_SIGRETURN_CODE, 7), 0);
    }
}

// ---------------------------------------------------------------- the unwind tables

uint64_t uleb(const uint8_t*& p) {
    uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
        const uint8_t b = *p++;
        v |= uint64_t(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
}
int64_t sleb(const uint8_t*& p) {
    int64_t v = 0;
    unsigned shift = 0;
    uint8_t b;
    do {
        b = *p++;
        v |= int64_t(b & 0x7f) << shift;
        shift += 7;
    } while (b & 0x80);
    if (shift < 64 && (b & 0x40)) v |= -(int64_t(1) << shift);
    return v;
}
int32_t s32(const uint8_t* p) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

struct Rule {
    enum Kind { Same, Undefined, Offset, Register, Expression } kind = Same;
    int64_t value = 0;
    std::vector<uint8_t> expression;
};
struct Row {
    unsigned cfa_register = 0;
    int64_t cfa_offset = 0;
    std::vector<uint8_t> cfa_expression; // non-empty: CFA = this expression
    std::map<unsigned, Rule> rules;
};
struct Fde {
    uint64_t start = 0, end = 0;
    bool signal_frame = false;
    uint64_t code_align = 1;
    int64_t data_align = 0;
    const uint8_t *cie_program = nullptr, *cie_end = nullptr, *program = nullptr, *end_of_program = nullptr;
};

// The FDE covering `pc`, found as libgcc's unwinder finds it: a binary
// search of .eh_frame_hdr's sorted table (addresses in the image are
// offsets, the image being linked at 0; the table is "datarel", relative
// to the header's start).
std::optional<Fde> find_fde(const Vdso& v, uint64_t pc) {
    const Segment* eh = v.segment(PT_GNU_EH_FRAME);
    if (!eh) return std::nullopt;
    const uint8_t* hdr = v.at(eh->vaddr);
    EXPECT_EQ(hdr[0], 1);    // version
    EXPECT_EQ(hdr[1], 0x1b); // eh_frame_ptr: pcrel sdata4
    EXPECT_EQ(hdr[2], 0x03); // fde_count: udata4
    EXPECT_EQ(hdr[3], 0x3b); // table: datarel sdata4
    uint32_t count;
    memcpy(&count, hdr + 8, 4);
    const uint8_t* table = hdr + 12;
    int64_t lo = 0, hi = int64_t(count) - 1, found = -1;
    while (lo <= hi) {
        const int64_t mid = (lo + hi) / 2;
        const uint64_t loc = uint64_t(eh->vaddr + s32(table + 8 * mid));
        if (loc <= pc) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    if (found < 0) return std::nullopt;
    const uint64_t fde_at = uint64_t(eh->vaddr + s32(table + 8 * found + 4));
    const uint8_t* fde = v.at(fde_at);
    uint32_t length;
    memcpy(&length, fde, 4);
    const uint8_t* cie = fde + 4 - s32(fde + 4);
    uint32_t cie_length;
    memcpy(&cie_length, cie, 4);
    EXPECT_EQ(s32(cie + 4), 0); // a CIE
    const uint8_t* p = cie + 8;
    EXPECT_EQ(*p, 1); // version
    p++;
    const std::string augmentation(reinterpret_cast<const char*>(p));
    p += augmentation.size() + 1;
    Fde f;
    f.code_align = uleb(p);
    f.data_align = sleb(p);
    p++; // return address column (version 1: a byte)
    EXPECT_EQ(augmentation.substr(0, 2), "zR");
    const uint64_t aug_length = uleb(p);
    const uint8_t* aug = p;
    EXPECT_EQ(aug[0], 0x1b); // FDE addresses: pcrel sdata4
    f.signal_frame = augmentation.find('S') != std::string::npos;
    f.cie_program = aug + aug_length;
    f.cie_end = cie + 4 + cie_length;
    // The FDE: pc_begin (pc-relative), pc_range, augmentation data, program.
    f.start = uint64_t(int64_t(fde_at + 8) + s32(fde + 8));
    f.end = f.start + uint32_t(s32(fde + 12));
    EXPECT_EQ(f.start, uint64_t(eh->vaddr + s32(table + 8 * found))); // the table agrees with the FDE
    p = fde + 16;
    p += uleb(p);
    f.program = p;
    f.end_of_program = fde + 4 + length;
    if (pc >= f.end) return std::nullopt;
    return f;
}

// The row of the call-frame table at `pc`: the CIE's initial instructions,
// then the FDE's until the location passes pc.
Row row_at(const Fde& f, uint64_t pc) {
    Row row, initial;
    std::vector<Row> stack;
    uint64_t loc = f.start;
    auto run = [&](const uint8_t* p, const uint8_t* end, bool in_cie) {
        while (p < end) {
            const uint8_t op = *p++;
            auto advance = [&](uint64_t delta) {
                loc += delta * f.code_align;
                return loc > pc;
            };
            switch (op >> 6) {
            case 1:
                if (advance(op & 0x3f)) return;
                continue;
            case 2:
                row.rules[op & 0x3f] = {Rule::Offset, int64_t(uleb(p)) * f.data_align, {}};
                continue;
            case 3:
                row.rules[op & 0x3f] = initial.rules.count(op & 0x3f) ? initial.rules[op & 0x3f] : Rule{};
                continue;
            }
            switch (op) {
            case 0x00: // nop
                break;
            case 0x02:
                if (advance(*p++)) return;
                break;
            case 0x03: {
                uint16_t d;
                memcpy(&d, p, 2);
                p += 2;
                if (advance(d)) return;
                break;
            }
            case 0x07: // undefined
                row.rules[unsigned(uleb(p))] = {Rule::Undefined, 0, {}};
                break;
            case 0x08: // same_value
                row.rules[unsigned(uleb(p))] = {};
                break;
            case 0x09: { // register
                const unsigned r = unsigned(uleb(p));
                row.rules[r] = {Rule::Register, int64_t(uleb(p)), {}};
                break;
            }
            case 0x0a: // remember_state
                stack.push_back(row);
                break;
            case 0x0b: { // restore_state: the rules, not the CFA (DWARF 4, 6.4.2.4)
                const Row saved = stack.back();
                stack.pop_back();
                row.rules = saved.rules;
                break;
            }
            case 0x0c: // def_cfa
                row.cfa_register = unsigned(uleb(p));
                row.cfa_offset = int64_t(uleb(p));
                row.cfa_expression.clear();
                break;
            case 0x0d: // def_cfa_register
                row.cfa_register = unsigned(uleb(p));
                break;
            case 0x0e: // def_cfa_offset
                row.cfa_offset = int64_t(uleb(p));
                break;
            case 0x0f: { // def_cfa_expression
                const uint64_t n = uleb(p);
                row.cfa_expression.assign(p, p + n);
                p += n;
                break;
            }
            case 0x10: { // expression
                const unsigned r = unsigned(uleb(p));
                const uint64_t n = uleb(p);
                row.rules[r] = {Rule::Expression, 0, std::vector<uint8_t>(p, p + n)};
                p += n;
                break;
            }
            default:
                ADD_FAILURE() << "call-frame instruction " << int(op) << " not handled by this test";
                return;
            }
        }
        if (in_cie) initial = row;
    };
    run(f.cie_program, f.cie_end, true);
    run(f.program, f.end_of_program, false);
    return row;
}

// ---- the simulation

// What a register or stack slot holds: the caller's value of register r
// (DWARF number), the return address, the stack pointer's value, or
// anything else.
struct Value {
    enum Kind { Caller, ReturnAddress, StackPointer, Other } kind = Other;
    unsigned reg = 0;
    bool operator==(const Value& o) const { return kind == o.kind && (kind != Caller || reg == o.reg); }
};
Value caller(unsigned r) {
    return {Value::Caller, r};
}
const Value kOther{};

struct Machine {
    bool is64;
    int64_t cfa_minus_sp;           // the CFA is the stack pointer plus this
    std::map<unsigned, Value> regs; // by DWARF number
    std::map<int64_t, Value> slots; // by offset from the CFA
    Value reg(unsigned r) const { return regs.count(r) ? regs.at(r) : kOther; }
    Value slot(int64_t off) const { return slots.count(off) ? slots.at(off) : kOther; }
};

// DWARF numbers (System V psABIs): i386 eax 0, ecx 1, edx 2, ebx 3, esp 4,
// ebp 5, esi 6, edi 7, eip 8; x86_64 rax 0, rdx 1, rcx 2, rbx 3, rsi 4,
// rdi 5, rbp 6, rsp 7, r8-r15 8-15, rip 16. The instruction encodings
// number the first eight registers ax cx dx bx sp bp si di.
unsigned dwarf_reg(bool is64, unsigned encoding) {
    static const unsigned x86_64[8] = {0, 2, 1, 3, 7, 6, 4, 5};
    return is64 ? x86_64[encoding] : encoding;
}
unsigned sp_reg(bool is64) {
    return is64 ? 7 : 4;
}
unsigned ra_reg(bool is64) {
    return is64 ? 16 : 8;
}

Machine at_entry(bool is64) {
    Machine m{is64, is64 ? 8 : 4, {}, {}};
    for (unsigned r = 0; r < (is64 ? 16u : 8u); r++)
        if (r != sp_reg(is64)) m.regs[r] = caller(r);
    m.slots[-(is64 ? 8 : 4)] = {Value::ReturnAddress, 0};
    return m;
}

// The state the sysenter protocol gives at the landing pad's sysenter
// (32-bit: ecx, edx, ebp pushed below the return address; 64-bit: rdx,
// rbp) with the stack pointer in ebp/rbp.
Machine at_protocol_sysenter(bool is64) {
    Machine m = at_entry(is64);
    const int64_t w = is64 ? 8 : 4;
    if (is64) {
        m.slots[-2 * w] = caller(1);
        m.slots[-3 * w] = caller(6);
        m.cfa_minus_sp = 3 * w;
    } else {
        m.slots[-2 * w] = caller(1);
        m.slots[-3 * w] = caller(2);
        m.slots[-4 * w] = caller(5);
        m.cfa_minus_sp = 4 * w;
    }
    m.regs[is64 ? 6 : 5] = {Value::StackPointer, 0};
    return m;
}

// Where the table says the caller's register r is, checked against the
// machine. Registers the table says nothing about must hold their own
// caller's value.
void expect_recoverable(const Row& row, const Machine& m, unsigned r, uint64_t pc, const char* what) {
    Value where;
    std::string how = "same value";
    const auto it = row.rules.find(r);
    const Rule rule = it == row.rules.end() ? Rule{} : it->second;
    switch (rule.kind) {
    case Rule::Same:
        where = m.reg(r);
        break;
    case Rule::Offset:
        where = m.slot(rule.value);
        how = "saved at CFA" + std::to_string(rule.value);
        break;
    case Rule::Register:
        where = m.reg(unsigned(rule.value));
        how = "in register " + std::to_string(rule.value);
        break;
    default:
        ADD_FAILURE() << what << " at " << std::hex << pc << ": unexpected rule for register " << std::dec << r;
        return;
    }
    const Value want = r == ra_reg(m.is64) ? Value{Value::ReturnAddress, 0} : caller(r);
    EXPECT_TRUE(where == want) << what << " at 0x" << std::hex << pc << std::dec << ": register " << r << " (" << how
                               << ") does not hold the caller's value";
}

// Simulates the instructions from `pc` to the ret, checking the table at
// each one (where a trap or signal can stop the program) against the
// machine. `keep` are the registers the code must give back.
void walk(const Vdso& v, uint64_t pc, Machine m, const std::set<unsigned>& keep, const char* what) {
    const bool is64 = m.is64;
    for (int steps = 0; steps < 64; steps++) {
        const std::optional<Fde> fde = find_fde(v, pc);
        ASSERT_TRUE(fde.has_value()) << what << ": no unwind information at 0x" << std::hex << pc;
        EXPECT_FALSE(fde->signal_frame);
        const Row row = row_at(*fde, pc);
        EXPECT_TRUE(row.cfa_expression.empty()) << what;
        EXPECT_EQ(row.cfa_register, sp_reg(is64)) << what << " at 0x" << std::hex << pc;
        EXPECT_EQ(row.cfa_offset, m.cfa_minus_sp) << what << " at 0x" << std::hex << pc;
        for (unsigned r : keep) expect_recoverable(row, m, r, pc, what);
        expect_recoverable(row, m, ra_reg(is64), pc, what);

        const uint8_t* code = v.at(pc);
        unsigned n = 1;
        const unsigned w = is64 ? 8 : 4;
        const bool rex_w = is64 && code[0] == 0x48;
        const uint8_t* op = code + (rex_w ? 1 : 0);
        if (op[0] >= 0x50 && op[0] <= 0x57) { // push
            m.cfa_minus_sp += w;
            m.slots[-m.cfa_minus_sp] = m.reg(dwarf_reg(is64, op[0] - 0x50));
        } else if (op[0] >= 0x58 && op[0] <= 0x5f) { // pop
            m.regs[dwarf_reg(is64, op[0] - 0x58)] = m.slot(-m.cfa_minus_sp);
            m.cfa_minus_sp -= w;
        } else if (op[0] == 0x89 && (op[1] >> 6) == 3) { // mov reg, reg
            const unsigned src = dwarf_reg(is64, (op[1] >> 3) & 7), dst = dwarf_reg(is64, op[1] & 7);
            ASSERT_NE(dst, sp_reg(is64)) << what;
            m.regs[dst] = src == sp_reg(is64) ? Value{Value::StackPointer, 0} : m.reg(src);
            n = 2;
        } else if (op[0] == 0x8b && (op[1] & 0xc7) == 0x44 && op[2] == 0x24) { // mov disp8(%esp), reg: an argument
            m.regs[dwarf_reg(is64, (op[1] >> 3) & 7)] = kOther;
            n = 4;
        } else if (op[0] == 0x0d) { // or $imm32, %eax (the fallback's SYSGATE_VDSO_FALLBACK_BIT)
            m.regs[0] = kOther;
            n = 5;
        } else if (op[0] == 0xcd && op[1] == 0x80) { // int $0x80: the result in eax
            m.regs[0] = kOther;
            n = 2;
        } else if (op[0] == 0x0f && op[1] == 0x05) { // syscall: rcx/ecx and r11 clobbered, the result in eax
            m.regs[0] = kOther;
            m.regs[is64 ? 2 : 1] = kOther;
            if (is64) m.regs[11] = kOther;
            n = 2;
        } else if (op[0] == 0x0f && op[1] == 0x34) { // sysenter: back at the next instruction
            // sysexit: EIP = EDX (the pad), ESP = ECX, which the kernel
            // sets from the stack pointer the caller left in ebp/rbp.
            ASSERT_TRUE(m.reg(is64 ? 6 : 5) == (Value{Value::StackPointer, 0})) << what;
            m.regs[0] = kOther;
            m.regs[is64 ? 2 : 1] = kOther; // rcx / ecx
            m.regs[is64 ? 1 : 2] = kOther; // rdx / edx
            n = 2;
        } else if (op[0] == 0xc3) { // ret: the table must have said so all along
            EXPECT_EQ(m.cfa_minus_sp, int64_t(w)) << what;
            return;
        } else {
            FAIL() << what << ": instruction byte 0x" << std::hex << int(op[0]) << " at 0x" << pc
                   << " not handled by this test";
        }
        pc += n + (rex_w ? 1 : 0);
    }
    FAIL() << what << ": no ret";
}

TEST(Vdso, UnwindTablesMatchTheGateCode) {
    for (const ImageRef& ref : kImages) {
        SCOPED_TRACE(ref.name);
        Vdso v(ref);
        const bool is64 = ref.is64;
        // __kernel_vsyscall gives back every register but the result (and,
        // 64-bit, rcx and r11, which syscall clobbers by contract).
        std::set<unsigned> all;
        for (unsigned r = 1; r < (is64 ? 16u : 8u); r++)
            if (r != sp_reg(is64) && !(is64 && (r == 2 || r == 11))) all.insert(r);
        walk(v, v.symbol("__kernel_vsyscall"), at_entry(is64), all, "__kernel_vsyscall");
        // The landing pad of the bare-sysenter protocol, from its sysenter.
        const uint64_t pad = v.symbol("__kernel_vsyscall_sysenter_return");
        if (ref.gate != Gate::Sysenter) walk(v, pad - 2, at_protocol_sysenter(is64), all, "the sysenter landing pad");
        // The fallback is an ordinary function: the callee-saved registers.
        const std::set<unsigned> callee_saved =
            is64 ? std::set<unsigned>{3, 6, 12, 13, 14, 15} : std::set<unsigned>{3, 5, 6, 7};
        const uint64_t fallback = v.symbol("__sysgate_vdso_fallback_return");
        // It starts where its FDE does (it is not exported).
        const std::optional<Fde> fde = find_fde(v, fallback);
        ASSERT_TRUE(fde.has_value());
        walk(v, fde->start, at_entry(is64), callee_saved, "__sysgate_vdso_fallback");
    }
}

// Every exported function has unwind information at every byte.
TEST(Vdso, EveryFunctionHasUnwindInformation) {
    for (const ImageRef& ref : kImages) {
        SCOPED_TRACE(ref.name);
        Vdso v(ref);
        for (const auto& [name, sym] : v.symbols)
            for (uint64_t pc = sym.value; pc < sym.value + sym.size; pc++)
                EXPECT_TRUE(find_fde(v, pc).has_value()) << name << " + " << pc - sym.value;
    }
}

// The trampolines' frames are signal frames: CFA and every register are
// read from the sigcontext of Linux's frame, at esp + a fixed offset.
std::vector<uint8_t> breg_esp(int64_t offset, bool deref) {
    std::vector<uint8_t> e = {0x74}; // DW_OP_breg4
    do {                             // sleb128
        uint8_t b = offset & 0x7f;
        offset >>= 7;
        const bool done = (offset == 0 && !(b & 0x40)) || (offset == -1 && (b & 0x40));
        e.push_back(done ? b : b | 0x80);
        if (done) break;
    } while (true);
    if (deref) e.push_back(0x06); // DW_OP_deref
    return e;
}

void expect_sigcontext_at(const Vdso& v, uint64_t pc, int64_t sc, const char* what) {
    using sigframe::SigContext32;
    const std::optional<Fde> fde = find_fde(v, pc);
    ASSERT_TRUE(fde.has_value()) << what;
    EXPECT_TRUE(fde->signal_frame) << what;
    const Row row = row_at(*fde, pc);
    EXPECT_EQ(row.cfa_expression, breg_esp(sc + offsetof(SigContext32, esp), true)) << what;
    const std::pair<unsigned, size_t> regs[] = {{0, offsetof(SigContext32, eax)}, {1, offsetof(SigContext32, ecx)},
                                                {2, offsetof(SigContext32, edx)}, {3, offsetof(SigContext32, ebx)},
                                                {5, offsetof(SigContext32, ebp)}, {6, offsetof(SigContext32, esi)},
                                                {7, offsetof(SigContext32, edi)}, {8, offsetof(SigContext32, eip)}};
    for (const auto& [r, off] : regs) {
        ASSERT_TRUE(row.rules.count(r)) << what << ": register " << r;
        EXPECT_EQ(row.rules.at(r).kind, Rule::Expression) << what << ": register " << r;
        EXPECT_EQ(row.rules.at(r).expression, breg_esp(sc + int64_t(off), false)) << what << ": register " << r;
    }
}

TEST(Vdso, TrampolinesDescribeTheSignalFrame) {
    using sigframe::RtSigFrame32;
    using sigframe::SigFrame32;
    using sigframe::UContext32;
    for (const ImageRef& ref : kImages) {
        if (ref.is64) continue;
        SCOPED_TRACE(ref.name);
        Vdso v(ref);
        // The handler's ret popped pretcode: esp is 4 into the frame. An
        // unwinder looks the return address up minus one: covered too.
        const uint64_t old = v.symbol("__kernel_sigreturn");
        const int64_t sc = int64_t(offsetof(SigFrame32, sc)) - 4;
        expect_sigcontext_at(v, old - 1, sc, "__kernel_sigreturn - 1");
        expect_sigcontext_at(v, old, sc, "__kernel_sigreturn");
        expect_sigcontext_at(v, old + 1, sc - 4, "__kernel_sigreturn after popl"); // the signal number popped
        expect_sigcontext_at(v, old + 6, sc - 4, "__kernel_sigreturn's int $0x80");
        const uint64_t rt = v.symbol("__kernel_rt_sigreturn");
        const int64_t rt_sc = int64_t(offsetof(RtSigFrame32, uc) + offsetof(UContext32, mcontext)) - 4;
        expect_sigcontext_at(v, rt - 1, rt_sc, "__kernel_rt_sigreturn - 1");
        expect_sigcontext_at(v, rt, rt_sc, "__kernel_rt_sigreturn");
        expect_sigcontext_at(v, rt + 5, rt_sc, "__kernel_rt_sigreturn's int $0x80");
    }
}

// docs/gates.md shows the boot log's addresses of __kernel_vsyscall: the
// images' symbols at the fixed addresses they are mapped at.
TEST(Vdso, GatesGuideShowsTheBootLogAddresses) {
    const std::string text =
        script_runner::read_file(std::filesystem::path(script_runner::source_dir()) / "docs/gates.md");
    const struct {
        std::string line;
        const ImageRef& image;
        uint64_t base;
    } cases[] = {
        {"\\[vdso\\] 32-bit __kernel_vsyscall uses sysenter [^\\n]* at (0x[0-9a-f]+)", kImages[1], x86::vdso::CODE32},
        {"\\[vdso\\] 64-bit __kernel_vsyscall uses syscall [^\\n]* at (0x[0-9a-f]+)", kImages[3], x86::vdso::CODE64},
    };
    for (const auto& c : cases) {
        std::smatch m;
        ASSERT_TRUE(std::regex_search(text, m, std::regex(c.line))) << c.line;
        Vdso v(c.image);
        char want[32];
        std::snprintf(want, sizeof want, "0x%llx",
                      static_cast<unsigned long long>(c.base + v.symbol("__kernel_vsyscall")));
        EXPECT_EQ(m[1].str(), want) << c.image.name;
    }
}

} // namespace
