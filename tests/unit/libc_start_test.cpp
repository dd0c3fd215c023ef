// libc/src/auxv.c: reading the initial process stack and the auxiliary
// vector, on fake stacks laid out as the System V ABI says the kernel
// leaves them at _start.
#include <gtest/gtest.h>

#include <elf.h>

#include <cerrno>
#include <cstring>

extern "C" {
struct sg_start_info { // struct __sg_start_info, libc/src/libc.h
    int argc;
    char** argv;
    char** envp;
    unsigned long* auxv;
};
void sg___sg_parse_start_stack(unsigned long* sp, sg_start_info* out);
unsigned long sg___sg_auxv_find(const unsigned long* auxv, unsigned long type, int* found);
unsigned long sg_getauxval(unsigned long type);
extern unsigned long* sg___sg_auxv;
extern int sg_errno;
}

namespace {

unsigned long W(const char* s) {
    return reinterpret_cast<unsigned long>(s);
}

TEST(LibcStart, ParsesArgumentsEnvironmentAndAuxv) {
    unsigned char random[16] = {1, 2, 3};
    unsigned long stack[] = {3,
                             W("prog"),
                             W("-v"),
                             W("file"),
                             0,
                             W("HOME=/"),
                             W("TERM=vt100"),
                             0,
                             AT_PAGESZ,
                             4096,
                             AT_RANDOM,
                             reinterpret_cast<unsigned long>(random),
                             AT_NULL,
                             0};
    sg_start_info info;
    sg___sg_parse_start_stack(stack, &info);
    EXPECT_EQ(info.argc, 3);
    EXPECT_STREQ(info.argv[0], "prog");
    EXPECT_STREQ(info.argv[2], "file");
    EXPECT_EQ(info.argv[3], nullptr);
    EXPECT_STREQ(info.envp[0], "HOME=/");
    EXPECT_STREQ(info.envp[1], "TERM=vt100");
    EXPECT_EQ(info.envp[2], nullptr);
    EXPECT_EQ(info.auxv, &stack[8]);
    EXPECT_EQ(sg___sg_auxv_find(info.auxv, AT_RANDOM, nullptr), reinterpret_cast<unsigned long>(random));
}

TEST(LibcStart, EmptyArgumentsAndEnvironment) {
    unsigned long stack[] = {0, 0, 0, AT_NULL, 0};
    sg_start_info info;
    sg___sg_parse_start_stack(stack, &info);
    EXPECT_EQ(info.argc, 0);
    EXPECT_EQ(info.argv[0], nullptr);
    EXPECT_EQ(info.envp[0], nullptr);
    EXPECT_EQ(info.auxv, &stack[3]);
    int found = 1;
    EXPECT_EQ(sg___sg_auxv_find(info.auxv, AT_PAGESZ, &found), 0u);
    EXPECT_EQ(found, 0);
}

TEST(LibcStart, AuxvLookupTellsZeroFromMissing) {
    unsigned long auxv[] = {AT_UID,     0,       AT_EUID, 1000,   AT_SYSINFO,
                            0xffffe414, AT_NULL, 0,       AT_GID, 7}; // past AT_NULL: never read
    int found = 0;
    EXPECT_EQ(sg___sg_auxv_find(auxv, AT_UID, &found), 0u);
    EXPECT_EQ(found, 1);
    EXPECT_EQ(sg___sg_auxv_find(auxv, AT_EUID, &found), 1000u);
    EXPECT_EQ(sg___sg_auxv_find(auxv, AT_SYSINFO, &found), 0xffffe414u);
    EXPECT_EQ(sg___sg_auxv_find(auxv, AT_GID, &found), 0u);
    EXPECT_EQ(found, 0);
    EXPECT_EQ(sg___sg_auxv_find(nullptr, AT_UID, &found), 0u);
    EXPECT_EQ(found, 0);

    unsigned long* saved = sg___sg_auxv;
    sg___sg_auxv = auxv;
    sg_errno = 0;
    EXPECT_EQ(sg_getauxval(AT_UID), 0u);
    EXPECT_EQ(sg_errno, 0); // present, and 0
    EXPECT_EQ(sg_getauxval(AT_EUID), 1000u);
    EXPECT_EQ(sg_getauxval(AT_SYSINFO_EHDR), 0u);
    EXPECT_EQ(sg_errno, ENOENT); // absent
    sg___sg_auxv = saved;
}

} // namespace
