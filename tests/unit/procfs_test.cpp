// kernel/fs/proc/render.h: the text of /proc's files, byte for byte.
//
// The expected texts are written out by hand from Linux 6.1's formats:
// fs/proc/task_mmu.c (show_vma_header_prefix pads a maps line to column
// 73 on a 64-bit kernel, then one space, then the name; an anonymous line
// ends in the space after the inode), fs/proc/array.c (status, stat,
// statm), arch/x86/kernel/cpu/proc.c (cpuinfo), fs/proc/meminfo.c
// (16-column labels, 8-column numbers), fs/proc/uptime.c.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "kernel/exec/elf.h"
#include "kernel/fs/proc/render.h"
#include "kernel/mm/address_space.h"

namespace {

class StringSink final : public fmt::Sink {
  public:
    void put(char c) override { text.push_back(c); }
    std::string text;
};

template <typename F>
std::string render(F f) {
    StringSink s;
    f(s);
    return s.text;
}

std::vector<std::string> lines_of(const std::string& t) {
    std::vector<std::string> out;
    std::stringstream in(t);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// A line with a name: the name starts at index 73 (column 74).
std::string named(const std::string& head, const std::string& name) {
    return head + std::string(73 - head.size(), ' ') + name;
}

// ---------------------------------------------------------------- maps

TEST(ProcMaps, LineLayoutIsLinuxs) {
    procfs::MapLine l;
    l.start = 0x400000, l.end = 0x401000, l.prot = mm::PROT_READ | mm::PROT_EXEC, l.offset = 0x1000;
    l.dev_major = 0, l.dev_minor = 1, l.ino = 7, l.name = "/bin/cat";
    EXPECT_EQ(render([&](fmt::Sink& s) { procfs::render_map_line(s, l); }),
              "00400000-00401000 r-xp 00001000 00:01 7                                  /bin/cat\n");
    // 12-digit addresses: 26 spaces after the inode, the name still at column 74.
    procfs::MapLine stack;
    stack.start = 0x7ffd4b5e5000, stack.end = 0x7ffd4b606000, stack.prot = mm::PROT_READ | mm::PROT_WRITE;
    stack.name = "[stack]";
    EXPECT_EQ(render([&](fmt::Sink& s) { procfs::render_map_line(s, stack); }),
              "7ffd4b5e5000-7ffd4b606000 rw-p 00000000 00:00 0" + std::string(26, ' ') + "[stack]\n");
    // Anonymous: no padding, the line ends in the space after the inode.
    procfs::MapLine anon;
    anon.start = 0xf7ff0000, anon.end = 0xf7ff3000;
    EXPECT_EQ(render([&](fmt::Sink& s) { procfs::render_map_line(s, anon); }),
              "f7ff0000-f7ff3000 ---p 00000000 00:00 0 \n");
    // Lowercase hex everywhere, 16 digits for the vsyscall page, "s" for shared.
    procfs::MapLine v;
    v.start = 0xffffffffff600000, v.end = 0xffffffffff601000, v.prot = mm::PROT_EXEC, v.shared = true;
    v.dev_major = 0xab, v.dev_minor = 0xc, v.ino = 123456, v.offset = 0xabcdef012;
    EXPECT_EQ(render([&](fmt::Sink& s) { procfs::render_map_line(s, v); }),
              "ffffffffff600000-ffffffffff601000 --xs abcdef012 ab:0c 123456 \n");
}

struct Regions {
    std::vector<mm::Region> r;
    void add(uint64_t start, uint64_t end, uint32_t prot, const char* name,
             mm::Backing backing = mm::Backing::Private) {
        r.push_back(mm::Region{start, end, prot, 0, backing, mm::Special::None, nullptr, 0, name, nullptr});
    }
    const mm::Region* list() {
        for (size_t i = 0; i + 1 < r.size(); i++) r[i].next = &r[i + 1];
        return r.empty() ? nullptr : &r[0];
    }
};

constexpr uint32_t R = mm::PROT_READ, W = mm::PROT_WRITE, X = mm::PROT_EXEC;

// /test/files' program headers (readelf -l): a read-only page, the code,
// the read-only data, then data whose bss runs past its file bytes.
const elf::Segment files_segments[] = {
    {0x400000, 0x1b4, 0x0, 0x1b4, R},
    {0x401000, 0xd100, 0x1000, 0xd100, R | X},
    {0x40f000, 0x3ad8, 0xf000, 0x3ad8, R},
    {0x413ae0, 0x7148, 0x12ae0, 0x190, R | W},
};

procfs::MapsView files_view(Regions& regions) {
    // As kernel/proc/exec.cpp maps it.
    regions.add(0x400000, 0x401000, R, "data");
    regions.add(0x401000, 0x40f000, R | X, "text");
    regions.add(0x40f000, 0x413000, R, "data");
    regions.add(0x413000, 0x41b000, R | W, "data");
    regions.add(0x7fffff7bc000, 0x7ffffffbc000, R | W, "stack");
    regions.add(0x7fffffffc000, 0x7fffffffd000, R, "vvar", mm::Backing::Kernel);
    regions.add(0x7fffffffd000, 0x7fffffffe000, R | X, "vdso", mm::Backing::Kernel);
    regions.add(0x7fffffffe000, 0x7ffffffff000, R | X, "vdso", mm::Backing::Kernel);
    procfs::MapsView v;
    v.regions = regions.list();
    v.exe.path = "/test/files";
    v.exe.dev_major = 0, v.exe.dev_minor = 1, v.exe.ino = 42;
    v.exe.segments = files_segments;
    v.exe.segment_count = 4;
    v.brk_start = v.brk_end = 0x41b000;
    return v;
}

TEST(ProcMaps, SegmentsCarryThePathAndTheBssTouchingTheBreakIsTheHeap) {
    Regions regions;
    const procfs::MapsView v = files_view(regions);
    const auto lines = lines_of(render([&](fmt::Sink& s) { procfs::render_maps(s, v); }));
    ASSERT_EQ(lines.size(), 8u);
    EXPECT_EQ(lines[0], named("00400000-00401000 r--p 00000000 00:01 42 ", "/test/files"));
    EXPECT_EQ(lines[1], named("00401000-0040f000 r-xp 00001000 00:01 42 ", "/test/files"));
    EXPECT_EQ(lines[2], named("0040f000-00413000 r--p 0000f000 00:01 42 ", "/test/files"));
    // The file's last data page, from file offset 0x12000...
    EXPECT_EQ(lines[3], named("00413000-00414000 rw-p 00012000 00:01 42 ", "/test/files"));
    // ...then the bss, anonymous; it ends at the break, so Linux calls it [heap].
    EXPECT_EQ(lines[4], named("00414000-0041b000 rw-p 00000000 00:00 0 ", "[heap]"));
    EXPECT_EQ(lines[5], named("7fffff7bc000-7ffffffbc000 rw-p 00000000 00:00 0 ", "[stack]"));
    EXPECT_EQ(lines[6], named("7fffffffc000-7fffffffd000 r--p 00000000 00:00 0 ", "[vvar]"));
    // Two vDSO pages are one mapping.
    EXPECT_EQ(lines[7], named("7fffffffd000-7ffffffff000 r-xp 00000000 00:00 0 ", "[vdso]"));
}

TEST(ProcMaps, HeapMmapAndTheVsyscallPage) {
    Regions regions;
    procfs::MapsView v = files_view(regions);
    // brk grew: the heap region follows the bss and merges with it, as
    // Linux's brk vma does.
    regions.r.insert(regions.r.begin() + 4, mm::Region{0x41b000, 0x41e000, R | W, 0, mm::Backing::Private,
                                                       mm::Special::None, nullptr, 0, "heap", nullptr});
    // Two adjacent anonymous mmaps with the same rights are one line; a
    // third with other rights is not.
    regions.r.insert(regions.r.begin() + 5, mm::Region{0x7ffff7ff0000, 0x7ffff7ff2000, R | W, 0, mm::Backing::Private,
                                                       mm::Special::None, nullptr, 0, "mmap", nullptr});
    regions.r.insert(regions.r.begin() + 6, mm::Region{0x7ffff7ff2000, 0x7ffff7ff4000, R | W, 0, mm::Backing::Private,
                                                       mm::Special::None, nullptr, 0, "mmap", nullptr});
    regions.r.insert(regions.r.begin() + 7, mm::Region{0x7ffff7ff4000, 0x7ffff7ff5000, 0, 0, mm::Backing::Private,
                                                       mm::Special::None, nullptr, 0, "mmap", nullptr});
    v.regions = regions.list();
    v.brk_end = 0x41e000;
    mm::Region vsyscall{0xffffffffff600000,
                        0xffffffffff601000,
                        R | X,
                        0,
                        mm::Backing::Kernel,
                        mm::Special::None,
                        nullptr,
                        0,
                        "vsyscall",
                        nullptr};
    v.tail = &vsyscall;
    const auto lines = lines_of(render([&](fmt::Sink& s) { procfs::render_maps(s, v); }));
    ASSERT_EQ(lines.size(), 11u);
    EXPECT_EQ(lines[4], named("00414000-0041e000 rw-p 00000000 00:00 0 ", "[heap]"));
    EXPECT_EQ(lines[5], "7ffff7ff0000-7ffff7ff4000 rw-p 00000000 00:00 0 ");
    EXPECT_EQ(lines[6], "7ffff7ff4000-7ffff7ff5000 ---p 00000000 00:00 0 ");
    EXPECT_EQ(lines[10], named("ffffffffff600000-ffffffffff601000 r-xp 00000000 00:00 0 ", "[vsyscall]"));
}

TEST(ProcMaps, SharedPagesAndAnUnknownExecutable) {
    // Two segments sharing a page: the later one's file bytes are there
    // (Linux maps it over the earlier one's last page).
    const elf::Segment segs[] = {{0x8048000, 0x1500, 0x0, 0x1500, R | X}, {0x8049500, 0x200, 0x1500, 0x100, R | W}};
    Regions regions;
    regions.add(0x8048000, 0x8049000, R | X, "text");
    regions.add(0x8049000, 0x804a000, R | W | X, "text"); // the shared page
    procfs::MapsView v;
    v.regions = regions.list();
    v.exe.path = "/bin/x";
    v.exe.ino = 9;
    v.exe.segments = segs;
    v.exe.segment_count = 2;
    auto lines = lines_of(render([&](fmt::Sink& s) { procfs::render_maps(s, v); }));
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], named("08048000-08049000 r-xp 00000000 00:00 9 ", "/bin/x"));
    EXPECT_EQ(lines[1], named("08049000-0804a000 rwxp 00001000 00:00 9 ", "/bin/x"));
    // Without the executable the same regions print as anonymous memory.
    v.exe = procfs::ExecutableView{};
    lines = lines_of(render([&](fmt::Sink& s) { procfs::render_maps(s, v); }));
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "08048000-08049000 r-xp 00000000 00:00 0 ");
}

// ---------------------------------------------------------------- status, stat, statm

procfs::TaskView sample_task() {
    procfs::TaskView t;
    std::strcpy(t.name, "sh");
    t.state = 'S';
    t.tgid = 12, t.pid = 12, t.ppid = 1;
    t.fd_size = 64;
    t.threads = 1;
    t.blocked = 1ull << (17 - 1);                      // SIGCHLD
    t.ignored = (1ull << (2 - 1)) | (1ull << (3 - 1)); // SIGINT, SIGQUIT
    t.caught = 1ull << (28 - 1) | 1ull << 63;          // SIGWINCH, signal 64
    t.queue_limit = 256;
    t.exit_signal = 17;
    t.has_memory = true;
    t.vm_pages = 2061, t.rss_anon_pages = 20, t.rss_file_pages = 2, t.data_pages = 8, t.stack_pages = 2048;
    t.exec_pages = 14, t.pte_pages = 6;
    t.start_code = 0x401000, t.end_code = 0x40d000, t.start_brk = 0x41b000;
    return t;
}

TEST(ProcStatus, IsLinuxsLayout) {
    const std::string expected = "Name:\tsh\n"
                                 "Umask:\t0022\n"
                                 "State:\tS (sleeping)\n"
                                 "Tgid:\t12\n"
                                 "Ngid:\t0\n"
                                 "Pid:\t12\n"
                                 "PPid:\t1\n"
                                 "TracerPid:\t0\n"
                                 "Uid:\t0\t0\t0\t0\n"
                                 "Gid:\t0\t0\t0\t0\n"
                                 "FDSize:\t64\n"
                                 "Groups:\t \n"
                                 "NStgid:\t12\n"
                                 "NSpid:\t12\n"
                                 "NSpgid:\t0\n"
                                 "NSsid:\t0\n"
                                 "VmPeak:\t    8244 kB\n"
                                 "VmSize:\t    8244 kB\n"
                                 "VmLck:\t       0 kB\n"
                                 "VmPin:\t       0 kB\n"
                                 "VmHWM:\t      88 kB\n"
                                 "VmRSS:\t      88 kB\n"
                                 "RssAnon:\t      80 kB\n"
                                 "RssFile:\t       8 kB\n"
                                 "RssShmem:\t       0 kB\n"
                                 "VmData:\t      32 kB\n"
                                 "VmStk:\t    8192 kB\n"
                                 "VmExe:\t      48 kB\n"
                                 "VmLib:\t       8 kB\n"
                                 "VmPTE:\t      24 kB\n"
                                 "VmSwap:\t       0 kB\n"
                                 "HugetlbPages:\t       0 kB\n"
                                 "CoreDumping:\t0\n"
                                 "THP_enabled:\t0\n"
                                 "Threads:\t1\n"
                                 "SigQ:\t0/256\n"
                                 "SigPnd:\t0000000000000000\n"
                                 "ShdPnd:\t0000000000000000\n"
                                 "SigBlk:\t0000000000010000\n"
                                 "SigIgn:\t0000000000000006\n"
                                 "SigCgt:\t8000000008000000\n"
                                 "CapInh:\t0000000000000000\n"
                                 "CapPrm:\t000001ffffffffff\n"
                                 "CapEff:\t000001ffffffffff\n"
                                 "CapBnd:\t000001ffffffffff\n"
                                 "CapAmb:\t0000000000000000\n"
                                 "NoNewPrivs:\t0\n"
                                 "Cpus_allowed:\t1\n"
                                 "Cpus_allowed_list:\t0\n";
    EXPECT_EQ(render([](fmt::Sink& s) { procfs::render_status(s, sample_task()); }), expected);
}

TEST(ProcStatus, AZombieHasNoMemoryLinesAndNamesAreEscaped) {
    procfs::TaskView t = sample_task();
    t.state = 'Z';
    t.has_memory = false;
    std::strcpy(t.name, "a\\b\nc");
    const std::string s = render([&](fmt::Sink& out) { procfs::render_status(out, t); });
    EXPECT_EQ(s.rfind("Name:\ta\\\\b\\nc\n", 0), 0u);
    EXPECT_NE(s.find("\nState:\tZ (zombie)\n"), std::string::npos);
    EXPECT_EQ(s.find("Vm"), std::string::npos);
    EXPECT_NE(s.find("\nNSsid:\t0\nThreads:\t1\n"), std::string::npos);
}

TEST(ProcStat, FiftyTwoFieldsInLinuxsOrder) {
    procfs::TaskView t = sample_task();
    t.pending = 1ull << 9 | 1ull << 40; // SIGUSR1 and a real-time one: only the first 31 show
    const std::string s = render([&](fmt::Sink& out) { procfs::render_stat(out, t); });
    EXPECT_EQ(s,
              "12 (sh) S 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 0 8441856 22 18446744073709551615 4198400 4247552 0 0 "
              "0 512 65536 6 134217728 1 0 0 17 0 0 0 0 0 0 0 0 4304896 0 0 0 0 0\n");
    // A name with spaces and parentheses: readers split after the last ')'.
    std::strcpy(t.name, "a) b");
    const std::string odd = render([&](fmt::Sink& out) { procfs::render_stat(out, t); });
    EXPECT_EQ(odd.rfind("12 (a) b) S 1 ", 0), 0u);
    // A process of several tasks reports no wchan; a zombie no memory.
    t.whole_process = true, t.threads = 2, t.has_memory = false, t.state = 'Z', t.exit_code = 0x100;
    const std::string z = render([&](fmt::Sink& out) { procfs::render_stat(out, t); });
    EXPECT_NE(z.find(") Z 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 2 0 0 0 0 18446744073709551615 0 0 0 0 0 "),
              std::string::npos);
    std::string zeros;
    for (int i = 0; i < 13; i++) zeros += " 0"; // processor ... cguest_time, start_data ... env_end
    EXPECT_NE(z.find(" 0 0 0 17" + zeros + " 256\n"), std::string::npos);
}

TEST(ProcStatm, PagesInLinuxsOrder) {
    EXPECT_EQ(render([](fmt::Sink& s) { procfs::render_statm(s, sample_task()); }), "2061 22 2 12 0 2056 0\n");
    procfs::TaskView z = sample_task();
    z.has_memory = false;
    EXPECT_EQ(render([&](fmt::Sink& s) { procfs::render_statm(s, z); }), "0 0 0 0 0 0 0\n");
}

TEST(ProcStatus, SignalSetsAreSixteenHexDigits) {
    EXPECT_EQ(render([](fmt::Sink& s) { procfs::render_sigset(s, 0); }), "0000000000000000");
    EXPECT_EQ(render([](fmt::Sink& s) { procfs::render_sigset(s, 1); }), "0000000000000001");
    EXPECT_EQ(render([](fmt::Sink& s) { procfs::render_sigset(s, ~0ull); }), "ffffffffffffffff");
}

// ---------------------------------------------------------------- cpuinfo

procfs::CpuView qemu_like_cpu() {
    procfs::CpuView c;
    std::strcpy(c.vendor, "GenuineIntel");
    std::strcpy(c.brand, "QEMU TCG CPU version 2.5+");
    c.family = 15, c.model = 107, c.stepping = 1;
    c.max_basic = 13;
    c.leaf1_ebx = 0x00000800; // CLFLUSH 8 * 8 bytes, APIC id 0
    c.leaf1_edx =
        0x078bfbfd; // fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2
    c.leaf1_ecx = 0x80000001 | 1u << 26 | 1u << 28; // pni, hypervisor; xsave and avx, not enabled by the OS
    c.ext1_edx = 1u << 11 | 1u << 20 | 1u << 29;    // syscall nx lm
    c.ext1_ecx = 1;                                 // lahf_lm
    c.leaf7_ebx = 1u << 0 | 1u << 5 | 1u << 7;      // fsgsbase avx2 smep
    c.phys_bits = 40, c.virt_bits = 48;
    c.cr4 = 1ull << 20; // SMEP on; no FSGSBASE, no OSXSAVE
    c.tsc_khz = 2400000;
    return c;
}

TEST(ProcCpuinfo, FlagsAreLinuxsNamesForWhatTheOsEnabled) {
    procfs::CpuView c = qemu_like_cpu();
    EXPECT_EQ(render([&](fmt::Sink& s) { procfs::render_cpu_flags(s, c); }),
              " fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2"
              " syscall nx lm pni hypervisor lahf_lm smep");
    // With XSAVE on (CR4.OSXSAVE) xsave, avx and avx2 appear; FSGSBASE too.
    c.cr4 |= 1ull << 18 | 1ull << 16;
    const std::string on = render([&](fmt::Sink& s) { procfs::render_cpu_flags(s, c); });
    EXPECT_NE(on.find(" xsave avx hypervisor"), std::string::npos);
    EXPECT_NE(on.find(" lahf_lm fsgsbase avx2 smep"), std::string::npos);
    // Bit 27 of CPUID.1:ECX (OSXSAVE) has no name in Linux's list.
    c.leaf1_ecx |= 1u << 27;
    EXPECT_EQ(render([&](fmt::Sink& s) { procfs::render_cpu_flags(s, c); }), on);
}

TEST(ProcCpuinfo, OneProcessorInLinuxsLayout) {
    procfs::CpuView c = qemu_like_cpu();
    c.cache_kb = 512;
    c.ext7_edx = 1u << 8 | 1u << 0 | 1u << 20; // invariant TSC (unnamed), ts, an unknown bit
    const std::string s = render([&](fmt::Sink& out) { procfs::render_cpuinfo(out, c); });
    const std::string head = "processor\t: 0\n"
                             "vendor_id\t: GenuineIntel\n"
                             "cpu family\t: 15\n"
                             "model\t\t: 107\n"
                             "model name\t: QEMU TCG CPU version 2.5+\n"
                             "stepping\t: 1\n"
                             "cpu MHz\t\t: 2400.000\n"
                             "cache size\t: 512 KB\n"
                             "physical id\t: 0\n"
                             "siblings\t: 1\n"
                             "core id\t\t: 0\n"
                             "cpu cores\t: 1\n"
                             "apicid\t\t: 0\n"
                             "initial apicid\t: 0\n"
                             "fpu\t\t: yes\n"
                             "fpu_exception\t: yes\n"
                             "cpuid level\t: 13\n"
                             "wp\t\t: yes\n"
                             "flags\t\t: fpu de";
    EXPECT_EQ(s.substr(0, head.size()), head);
    const std::string tail = " smep\n"
                             "bugs\t\t:\n"
                             "bogomips\t: 4800.00\n"
                             "clflush size\t: 64\n"
                             "cache_alignment\t: 64\n"
                             "address sizes\t: 40 bits physical, 48 bits virtual\n"
                             "power management: ts [20]\n"
                             "\n";
    ASSERT_GE(s.size(), tail.size());
    EXPECT_EQ(s.substr(s.size() - tail.size()), tail);
    // No TSC: no "cpu MHz" line; no brand string: "unknown".
    c.leaf1_edx &= ~(1u << 4);
    c.brand[0] = 0;
    const std::string bare = render([&](fmt::Sink& out) { procfs::render_cpuinfo(out, c); });
    EXPECT_EQ(bare.find("cpu MHz"), std::string::npos);
    EXPECT_NE(bare.find("model name\t: unknown\n"), std::string::npos);
}

TEST(ProcCpuinfo, BogomipsHasTwoDecimals) {
    procfs::CpuView c = qemu_like_cpu();
    c.tsc_khz = 2096054;
    const std::string s = render([&](fmt::Sink& out) { procfs::render_cpuinfo(out, c); });
    EXPECT_NE(s.find("\ncpu MHz\t\t: 2096.054\n"), std::string::npos);
    EXPECT_NE(s.find("\nbogomips\t: 4192.10\n"), std::string::npos);
}

// ---------------------------------------------------------------- meminfo, uptime

TEST(ProcMeminfo, LabelsAndNumbersInColumns) {
    EXPECT_EQ(render([](fmt::Sink& s) { procfs::render_meminfo(s, 32736, 30960); }), "MemTotal:         130944 kB\n"
                                                                                     "MemFree:          123840 kB\n"
                                                                                     "MemAvailable:     123840 kB\n"
                                                                                     "Buffers:               0 kB\n"
                                                                                     "Cached:                0 kB\n"
                                                                                     "SwapCached:            0 kB\n"
                                                                                     "SwapTotal:             0 kB\n"
                                                                                     "SwapFree:              0 kB\n");
}

TEST(ProcUptime, SecondsWithHundredths) {
    EXPECT_EQ(render([](fmt::Sink& s) { procfs::render_uptime(s, 3'049'999'999, 0); }), "3.04 0.00\n");
    EXPECT_EQ(render([](fmt::Sink& s) { procfs::render_uptime(s, 12'345'000'000'000ull, 70'000'000); }),
              "12345.00 0.07\n");
}

} // namespace
