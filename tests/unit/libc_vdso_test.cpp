// libc/src/vdso.c: finding functions in a vDSO. The images are real
// shared objects that libc.mk links from libc/test/fake_vdso.S (DT_HASH
// only, DT_GNU_HASH only, both and linked high like a prelinked vDSO, and
// an ELF32 one), loaded here the way a kernel maps a vDSO.
#include <gtest/gtest.h>

#include <elf.h>

#include <cstdint>
#include <cstring>
#include <vector>

extern "C" {
void* sg___sg_elf_lookup(const void* image, const char* name);
void* sg___sg_elf_lookup_version(const void* image, const char* name, const char* version);
void* sg_sysgate_vdso_symbol(const char* name);
void* sg_sysgate_vdso_vsym(const char* version, const char* name);
extern unsigned long* sg___sg_auxv;

extern const unsigned char sg_libc_test_vdso_sysv[], sg_libc_test_vdso_sysv_end[];
extern const unsigned char sg_libc_test_vdso_gnu[], sg_libc_test_vdso_gnu_end[];
extern const unsigned char sg_libc_test_vdso_prelinked[], sg_libc_test_vdso_prelinked_end[];
extern const unsigned char sg_libc_test_vdso_elf32[], sg_libc_test_vdso_elf32_end[];
}

namespace {

// Each PT_LOAD segment at its address relative to the first one, as in
// memory; the file's layout differs (its .dynamic is a page lower).
class LoadedImage {
  public:
    LoadedImage(const unsigned char* file, const unsigned char* end) {
        auto* eh = reinterpret_cast<const Elf64_Ehdr*>(file);
        auto* ph = reinterpret_cast<const Elf64_Phdr*>(file + eh->e_phoff);
        uint64_t first = 0, last = 0;
        bool any = false;
        for (int i = 0; i < eh->e_phnum; i++) {
            if (ph[i].p_type != PT_LOAD) continue;
            if (!any) first = ph[i].p_vaddr;
            any = true;
            last = std::max(last, ph[i].p_vaddr + ph[i].p_memsz);
        }
        EXPECT_TRUE(any);
        memory_.assign(last - first, 0);
        for (int i = 0; i < eh->e_phnum; i++) {
            if (ph[i].p_type != PT_LOAD) continue;
            EXPECT_LE(file + ph[i].p_offset + ph[i].p_filesz, end);
            memcpy(memory_.data() + (ph[i].p_vaddr - first), file + ph[i].p_offset, ph[i].p_filesz);
        }
    }
    unsigned char* base() { return memory_.data(); }
    bool contains(const void* p) const {
        auto* q = static_cast<const unsigned char*>(p);
        return q >= memory_.data() && q < memory_.data() + memory_.size();
    }

  private:
    std::vector<unsigned char> memory_;
};

// What fake_vdso.S puts at each function.
const unsigned char kSyscallRet[] = {0x0f, 0x05, 0xc3};
const unsigned char kClockGettime[] = {0xb8, 0x11, 0x22, 0x33, 0x44, 0xc3};
const unsigned char kNotype[] = {0xb8, 0x55, 0x66, 0x77, 0x88, 0xc3};

void ExpectFunctionAt(LoadedImage& image, const char* name, const unsigned char* bytes, size_t n) {
    void* p = sg___sg_elf_lookup(image.base(), name);
    ASSERT_NE(p, nullptr) << name;
    ASSERT_TRUE(image.contains(p)) << name;
    EXPECT_EQ(memcmp(p, bytes, n), 0) << name << " points at the wrong bytes";
}

void CheckImage(const unsigned char* file, const unsigned char* end) {
    LoadedImage image(file, end);
    ExpectFunctionAt(image, "__kernel_vsyscall", kSyscallRet, sizeof kSyscallRet);
    ExpectFunctionAt(image, "__vdso_clock_gettime", kClockGettime, sizeof kClockGettime);
    ExpectFunctionAt(image, "clock_gettime", kClockGettime, sizeof kClockGettime); // weak alias
    ExpectFunctionAt(image, "__vdso_notype", kNotype, sizeof kNotype);
    // Every one of them, so that no hash chain is cut short.
    for (unsigned char n = 0; n < 20; n++) {
        char name[32];
        snprintf(name, sizeof name, "__vdso_filler_%u", n);
        const unsigned char filler[] = {0xb0, n, 0xc3};
        ExpectFunctionAt(image, name, filler, sizeof filler);
    }
    // Not exported, or not functions.
    for (const char* name : {"local_helper", "__vdso_hidden", "__vdso_unlisted", "__vdso_object", "__kernel_vsyscal",
                             "__kernel_vsyscall2", "", "LINUX_2.6"})
        EXPECT_EQ(sg___sg_elf_lookup(image.base(), name), nullptr) << name;
}

TEST(LibcVdso, SysvHashTable) {
    CheckImage(sg_libc_test_vdso_sysv, sg_libc_test_vdso_sysv_end);
}

TEST(LibcVdso, GnuHashTable) {
    CheckImage(sg_libc_test_vdso_gnu, sg_libc_test_vdso_gnu_end);
}

// Linked at 0xffffffffff700000, like the x86_64 vDSO of older Linux:
// addresses inside are link-time ones, to be moved by the load bias.
TEST(LibcVdso, PrelinkedImage) {
    CheckImage(sg_libc_test_vdso_prelinked, sg_libc_test_vdso_prelinked_end);
}

// Symbol versions (fake_vdso.map puts everything in LINUX_2.6): the
// version asked for must be the symbol's; NULL asks for any.
TEST(LibcVdso, LooksUpByVersion) {
    using Range = std::pair<const unsigned char*, const unsigned char*>;
    for (const Range& r : {Range{sg_libc_test_vdso_sysv, sg_libc_test_vdso_sysv_end},
                           Range{sg_libc_test_vdso_gnu, sg_libc_test_vdso_gnu_end},
                           Range{sg_libc_test_vdso_prelinked, sg_libc_test_vdso_prelinked_end}}) {
        LoadedImage image(r.first, r.second);
        void* any = sg___sg_elf_lookup_version(image.base(), "__vdso_clock_gettime", nullptr);
        ASSERT_NE(any, nullptr);
        EXPECT_EQ(sg___sg_elf_lookup_version(image.base(), "__vdso_clock_gettime", "LINUX_2.6"), any);
        EXPECT_EQ(sg___sg_elf_lookup(image.base(), "__vdso_clock_gettime"), any);
        EXPECT_EQ(sg___sg_elf_lookup_version(image.base(), "__vdso_clock_gettime", "LINUX_2.5"), nullptr);
        EXPECT_EQ(sg___sg_elf_lookup_version(image.base(), "__vdso_clock_gettime", "LINUX_2.6.1"), nullptr);
        EXPECT_EQ(sg___sg_elf_lookup_version(image.base(), "__vdso_clock_gettime", "linux-vdso.so.1"), nullptr);
        EXPECT_EQ(sg___sg_elf_lookup_version(image.base(), "clock_gettime", "LINUX_2.6"),
                  sg___sg_elf_lookup(image.base(), "clock_gettime"));

        unsigned long* saved = sg___sg_auxv;
        unsigned long auxv[] = {AT_SYSINFO_EHDR, reinterpret_cast<unsigned long>(image.base()), AT_NULL, 0};
        sg___sg_auxv = auxv;
        EXPECT_EQ(sg_sysgate_vdso_vsym("LINUX_2.6", "__vdso_clock_gettime"), any);
        EXPECT_EQ(sg_sysgate_vdso_vsym("LINUX_2.5", "__vdso_clock_gettime"), nullptr);
        sg___sg_auxv = saved;
    }
}

TEST(LibcVdso, RejectsOtherImages) {
    EXPECT_EQ(sg___sg_elf_lookup(nullptr, "__kernel_vsyscall"), nullptr);
    // An ELF32 vDSO is not for a 64-bit program.
    EXPECT_EQ(sg___sg_elf_lookup(sg_libc_test_vdso_elf32, "__kernel_vsyscall"), nullptr);

    LoadedImage bad_magic(sg_libc_test_vdso_gnu, sg_libc_test_vdso_gnu_end);
    bad_magic.base()[1] = 'X';
    EXPECT_EQ(sg___sg_elf_lookup(bad_magic.base(), "__kernel_vsyscall"), nullptr);

    LoadedImage no_dynamic(sg_libc_test_vdso_gnu, sg_libc_test_vdso_gnu_end);
    auto* eh = reinterpret_cast<Elf64_Ehdr*>(no_dynamic.base());
    auto* ph = reinterpret_cast<Elf64_Phdr*>(no_dynamic.base() + eh->e_phoff);
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_DYNAMIC) ph[i].p_type = PT_NULL;
    EXPECT_EQ(sg___sg_elf_lookup(no_dynamic.base(), "__kernel_vsyscall"), nullptr);
}

// sysgate_vdso_symbol: the image comes from auxv's AT_SYSINFO_EHDR.
TEST(LibcVdso, FindsTheImageThroughTheAuxiliaryVector) {
    LoadedImage image(sg_libc_test_vdso_sysv, sg_libc_test_vdso_sysv_end);
    unsigned long* saved = sg___sg_auxv;
    unsigned long with[] = {AT_PAGESZ, 4096, AT_SYSINFO_EHDR, reinterpret_cast<unsigned long>(image.base()),
                            AT_NULL,   0};
    sg___sg_auxv = with;
    void* p = sg_sysgate_vdso_symbol("__kernel_vsyscall");
    EXPECT_TRUE(p && image.contains(p) && !memcmp(p, kSyscallRet, sizeof kSyscallRet));
    EXPECT_EQ(sg_sysgate_vdso_symbol("nothing"), nullptr);

    unsigned long without[] = {AT_PAGESZ, 4096, AT_NULL, 0};
    sg___sg_auxv = without;
    EXPECT_EQ(sg_sysgate_vdso_symbol("__kernel_vsyscall"), nullptr);
    sg___sg_auxv = nullptr; // no auxiliary vector at all
    EXPECT_EQ(sg_sysgate_vdso_symbol("__kernel_vsyscall"), nullptr);
    sg___sg_auxv = saved;
}

} // namespace
