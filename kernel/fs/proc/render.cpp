#include "kernel/fs/proc/render.h"

#include "kernel/exec/elf.h"
#include "kernel/mm/address_space.h"
#include "kernel/strings.h"

namespace procfs {
namespace {

constexpr uint64_t PAGE = 4096;
constexpr uint64_t page_down(uint64_t a) {
    return a & ~(PAGE - 1);
}
constexpr uint64_t page_up(uint64_t a) {
    return (a + PAGE - 1) & ~(PAGE - 1);
}

void puts(fmt::Sink& out, const char* s) {
    out.write(s, fmt::StringView(s).size);
}

bool same_name(const char* a, const char* b) {
    if (!a || !b) return a == b;
    return same_string(a, b);
}

// ---- maps

// Linux pads the header to 25 + 6 * sizeof(void*) - 1 columns before a
// name (seq_setwidth), then adds one more space: on a 64-bit kernel the
// name starts in column 74 whatever the task's bitness.
constexpr size_t MAPS_NAME_COLUMN = 25 + 6 * 8 - 1;

const char* special_name(const char* region_name) {
    if (!region_name) return nullptr;
    if (same_string(region_name, "stack")) return "[stack]";
    if (same_string(region_name, "vdso")) return "[vdso]";
    if (same_string(region_name, "vvar")) return "[vvar]";
    if (same_string(region_name, "vsyscall")) return "[vsyscall]";
    if (same_string(region_name, "heap")) return "[heap]";
    return nullptr;
}

bool is_executable_region(const char* name) {
    return name && (same_string(name, "text") || same_string(name, "data"));
}

class MapsWriter {
  public:
    explicit MapsWriter(fmt::Sink& out) : out_(out) {}
    // Adds a piece; one that continues the previous mapping extends it.
    void add(const MapLine& l, bool file) {
        if (have_ && pending_.end == l.start && pending_.prot == l.prot && pending_.shared == l.shared &&
            same_name(pending_.name, l.name) && file == pending_file_ &&
            (!file || (pending_.ino == l.ino && pending_.offset + (pending_.end - pending_.start) == l.offset))) {
            pending_.end = l.end;
            return;
        }
        flush();
        pending_ = l;
        pending_file_ = file;
        have_ = true;
    }
    void flush() {
        if (have_) render_map_line(out_, pending_);
        have_ = false;
    }

  private:
    fmt::Sink& out_;
    MapLine pending_;
    bool pending_file_ = false;
    bool have_ = false;
};

} // namespace

void render_map_line(fmt::Sink& out, const MapLine& l) {
    char head[128];
    size_t n = fmt::format_to(head, sizeof(head), "{:08x}-{:08x} {}{}{}{} {:08x} {:02x}:{:02x} {} ", l.start, l.end,
                              (l.prot & mm::PROT_READ) ? 'r' : '-', (l.prot & mm::PROT_WRITE) ? 'w' : '-',
                              (l.prot & mm::PROT_EXEC) ? 'x' : '-', l.shared ? 's' : 'p', l.offset, l.dev_major,
                              l.dev_minor, l.ino);
    if (n >= sizeof(head)) n = sizeof(head) - 1;
    out.write(head, n);
    if (l.name) {
        for (; n < MAPS_NAME_COLUMN; n++) out.put(' ');
        out.put(' ');
        puts(out, l.name);
    }
    out.put('\n');
}

void render_maps(fmt::Sink& out, const MapsView& view) {
    MapsWriter w(out);
    const ExecutableView& exe = view.exe;
    for (const mm::Region* r = view.regions ? view.regions : view.tail; r; r = r->next          ? r->next
                                                                               : r == view.tail ? nullptr
                                                                                                : view.tail) {
        const bool from_file = exe.path && is_executable_region(r->name);
        for (uint64_t addr = r->start; addr < r->end;) {
            MapLine l;
            l.start = addr;
            l.prot = r->prot;
            l.shared = r->backing == mm::Backing::Shared;
            uint64_t end = r->end;
            bool file = false;
            if (from_file) {
                // The pieces change where a segment starts or where its file
                // part or its memory ends; a later segment maps over a page
                // an earlier one shares with it (as Linux's MAP_FIXED does).
                const elf::Segment* seg = nullptr;
                for (size_t i = 0; i < exe.segment_count; i++) {
                    const elf::Segment& s = exe.segments[i];
                    const uint64_t bounds[3] = {page_down(s.vaddr), page_up(s.vaddr + s.filesz),
                                                page_up(s.vaddr + s.memsz)};
                    for (uint64_t b : bounds)
                        if (b > addr && b < end) end = b;
                    if (s.filesz && page_down(s.vaddr) <= addr && addr < page_up(s.vaddr + s.filesz)) seg = &s;
                }
                if (seg) {
                    file = true;
                    l.offset = page_down(seg->offset) + (addr - page_down(seg->vaddr));
                    l.dev_major = exe.dev_major;
                    l.dev_minor = exe.dev_minor;
                    l.ino = exe.ino;
                    l.name = exe.path;
                }
            }
            l.end = end;
            if (!file) {
                l.name = special_name(r->name);
                // Anonymous memory that touches the program break is the
                // heap to Linux (show_map_vma), the bss included.
                if (!l.name && r->backing == mm::Backing::Private && l.start <= view.brk_end && l.end >= view.brk_start &&
                    view.brk_start)
                    l.name = "[heap]";
            }
            w.add(l, file);
            addr = end;
        }
    }
    w.flush();
}

// ---- status, stat, statm

void render_sigset(fmt::Sink& out, uint64_t set) {
    fmt::format(out, "{:016x}", set);
}

namespace {

const char* state_text(char state) {
    switch (state) {
    case 'R':
        return "R (running)";
    case 'S':
        return "S (sleeping)";
    case 'D':
        return "D (disk sleep)";
    case 'Z':
        return "Z (zombie)";
    default:
        return "R (running)";
    }
}

void kb_line(fmt::Sink& out, const char* label, uint64_t kb) {
    fmt::format(out, "{}:\t{:>8} kB\n", label, kb);
}

// Linux's VmExe: the code segment's pages; VmLib: other executable memory.
uint64_t text_bytes(const TaskView& t) {
    uint64_t text = t.end_code > t.start_code ? page_up(t.end_code) - page_down(t.start_code) : 0;
    if (text > t.exec_pages * PAGE) text = t.exec_pages * PAGE;
    return text;
}

} // namespace

void render_status(fmt::Sink& out, const TaskView& t) {
    puts(out, "Name:\t");
    for (size_t i = 0; i < sizeof(t.name) && t.name[i]; i++) {
        // seq_escape_str(..., "\n\\"): the two characters a reader splits on.
        if (t.name[i] == '\n')
            puts(out, "\\n");
        else if (t.name[i] == '\\')
            puts(out, "\\\\");
        else
            out.put(t.name[i]);
    }
    // Sysgate has no umask(): files cannot be created. 0022 is the mask
    // Linux gives init.
    puts(out, "\nUmask:\t0022\n");
    fmt::format(out, "State:\t{}\nTgid:\t{}\nNgid:\t0\nPid:\t{}\nPPid:\t{}\nTracerPid:\t{}\n", state_text(t.state),
                t.tgid, t.pid, t.ppid, t.tracer);
    // Everyone is root; no supplementary groups ("Groups:\t " keeps Linux's trailing space).
    fmt::format(out, "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t{}\nGroups:\t \n", t.fd_size);
    fmt::format(out, "NStgid:\t{}\nNSpid:\t{}\nNSpgid:\t{}\nNSsid:\t{}\n", t.tgid, t.pid, t.pgrp, t.session);
    if (t.has_memory) {
        // No high-water marks are kept: the peaks are the current sizes,
        // which is what Linux shows until a mapping shrinks.
        const uint64_t rss = t.rss_anon_pages + t.rss_file_pages;
        const uint64_t text = text_bytes(t);
        kb_line(out, "VmPeak", t.vm_pages * 4);
        kb_line(out, "VmSize", t.vm_pages * 4);
        kb_line(out, "VmLck", 0);
        kb_line(out, "VmPin", 0);
        kb_line(out, "VmHWM", rss * 4);
        kb_line(out, "VmRSS", rss * 4);
        kb_line(out, "RssAnon", t.rss_anon_pages * 4);
        kb_line(out, "RssFile", t.rss_file_pages * 4);
        kb_line(out, "RssShmem", 0);
        kb_line(out, "VmData", t.data_pages * 4);
        kb_line(out, "VmStk", t.stack_pages * 4);
        kb_line(out, "VmExe", text >> 10);
        kb_line(out, "VmLib", (t.exec_pages * PAGE - text) >> 10);
        kb_line(out, "VmPTE", t.pte_pages * 4);
        kb_line(out, "VmSwap", 0);
        kb_line(out, "HugetlbPages", 0);
        puts(out, "CoreDumping:\t0\nTHP_enabled:\t0\n");
    }
    fmt::format(out, "Threads:\t{}\nSigQ:\t{}/{}\n", t.threads, t.queued_signals, t.queue_limit);
    const struct {
        const char* label;
        uint64_t set;
    } sets[] = {{"SigPnd", t.pending},
                {"ShdPnd", t.shared_pending},
                {"SigBlk", t.blocked},
                {"SigIgn", t.ignored},
                {"SigCgt", t.caught}};
    for (const auto& s : sets) {
        fmt::format(out, "{}:\t", s.label);
        render_sigset(out, s.set);
        out.put('\n');
    }
    // Root's capabilities: every one of Linux 6.1's 41.
    puts(out, "CapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n"
              "CapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\n");
    fmt::format(out, "NoNewPrivs:\t{}\n", t.no_new_privs ? 1 : 0);
    puts(out, "Cpus_allowed:\t1\nCpus_allowed_list:\t0\n");
}

void render_stat(fmt::Sink& out, const TaskView& t) {
    const bool m = t.has_memory;
    // wchan is a 0/1 flag: whether the task sleeps (for a process, only
    // when it has one task).
    const int wchan = t.state != 'R' && t.state != 'Z' && (!t.whole_process || t.threads < 2);
    fmt::format(out, "{} (", t.pid);
    for (size_t i = 0; i < sizeof(t.name) && t.name[i]; i++) out.put(t.name[i]);
    // state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
    // cmajflt utime stime cutime cstime priority nice num_threads
    // itrealvalue starttime
    fmt::format(out, ") {} {} {} {} 0 -1 0 0 0 0 0 0 0 0 0 20 0 {} 0 0 ", t.state, t.ppid, t.pgrp, t.session,
                t.threads);
    // vsize rss rsslim startcode endcode startstack kstkesp kstkeip
    fmt::format(out, "{} {} {} {} {} 0 0 0 ", m ? t.vm_pages * PAGE : 0, m ? t.rss_anon_pages + t.rss_file_pages : 0,
                t.rss_limit, m ? t.start_code : 0, m ? t.end_code : 0);
    // signal blocked sigignore sigcatch (decimal, the first 31 signals)
    fmt::format(out, "{} {} {} {} ", t.pending & 0x7fffffff, t.blocked & 0x7fffffff, t.ignored & 0x7fffffff,
                t.caught & 0x7fffffff);
    // wchan nswap cnswap exit_signal processor rt_priority policy
    // delayacct_blkio_ticks guest_time cguest_time
    fmt::format(out, "{} 0 0 {} 0 0 0 0 0 0 ", wchan, t.exit_signal);
    // start_data end_data start_brk arg_start arg_end env_start env_end exit_code
    fmt::format(out, "0 0 {} 0 0 0 0 {}\n", m ? t.start_brk : 0, t.exit_code);
}

void render_statm(fmt::Sink& out, const TaskView& t) {
    if (!t.has_memory) {
        puts(out, "0 0 0 0 0 0 0\n");
        return;
    }
    fmt::format(out, "{} {} {} {} 0 {} 0\n", t.vm_pages, t.rss_anon_pages + t.rss_file_pages, t.rss_file_pages,
                text_bytes(t) / PAGE, t.data_pages + t.stack_pages);
}

// ---- cpuinfo

namespace {

// Linux's names for the CPUID bits it shows (arch/x86/include/asm/
// cpufeatures.h; a bit without a name there is not listed), one array
// per CPUID word, in the order Linux prints its capability words.
enum Word { LEAF1_EDX, EXT1_EDX, LEAF1_ECX, EXT1_ECX, LEAF7_EBX, LEAF7_ECX, LEAF7_EDX, WORDS };
using Names = const char* const[32];

Names leaf1_edx = {"fpu",  "vme",  "de",   "pse", "tsc",  "msr", "pae",   "mce", "cx8",     "apic",  nullptr,
                   "sep",  "mtrr", "pge",  "mca", "cmov", "pat", "pse36", "pn",  "clflush", nullptr, "dts",
                   "acpi", "mmx",  "fxsr", "sse", "sse2", "ss",  "ht",    "tm",  "ia64",    "pbe"};
Names ext1_edx = {nullptr, nullptr,    nullptr,   nullptr,   nullptr, nullptr, nullptr,    nullptr,
                  nullptr, nullptr,    nullptr,   "syscall", nullptr, nullptr, nullptr,    nullptr,
                  nullptr, nullptr,    nullptr,   "mp",      "nx",    nullptr, "mmxext",   nullptr,
                  nullptr, "fxsr_opt", "pdpe1gb", "rdtscp",  nullptr, "lm",    "3dnowext", "3dnow"};
Names leaf1_ecx = {"pni",    "pclmulqdq", "dtes64", "monitor", "ds_cpl",
                   "vmx",    "smx",       "est",    "tm2",     "ssse3",
                   "cid",    "sdbg",      "fma",    "cx16",    "xtpr",
                   "pdcm",   nullptr,     "pcid",   "dca",     "sse4_1",
                   "sse4_2", "x2apic",    "movbe",  "popcnt",  "tsc_deadline_timer",
                   "aes",    "xsave",     nullptr,  "avx",     "f16c",
                   "rdrand", "hypervisor"};
Names ext1_ecx = {"lahf_lm",     "cmp_legacy",    "svm",          "extapic",    "cr8_legacy", "abm",        "sse4a",
                  "misalignsse", "3dnowprefetch", "osvw",         "ibs",        "xop",        "skinit",     "wdt",
                  nullptr,       "lwp",           "fma4",         "tce",        nullptr,      "nodeid_msr", nullptr,
                  "tbm",         "topoext",       "perfctr_core", "perfctr_nb", nullptr,      "bpext",      "ptsc",
                  "perfctr_llc", "mwaitx",        nullptr,        nullptr};
Names leaf7_ebx = {"fsgsbase", "tsc_adjust", "sgx",      "bmi1",     "hle",      "avx2",       nullptr,    "smep",
                   "bmi2",     "erms",       "invpcid",  "rtm",      "cqm",      nullptr,      "mpx",      "rdt_a",
                   "avx512f",  "avx512dq",   "rdseed",   "adx",      "smap",     "avx512ifma", nullptr,    "clflushopt",
                   "clwb",     "intel_pt",   "avx512pf", "avx512er", "avx512cd", "sha_ni",     "avx512bw", "avx512vl"};
Names leaf7_ecx = {nullptr,      "avx512vbmi",   "umip",          "pku",       "ospke",
                   "waitpkg",    "avx512_vbmi2", nullptr,         "gfni",      "vaes",
                   "vpclmulqdq", "avx512_vnni",  "avx512_bitalg", "tme",       "avx512_vpopcntdq",
                   nullptr,      "la57",         nullptr,         nullptr,     nullptr,
                   nullptr,      nullptr,        "rdpid",         nullptr,     "bus_lock_detect",
                   "cldemote",   nullptr,        "movdiri",       "movdir64b", "enqcmd",
                   "sgx_lc",     nullptr};
Names leaf7_edx = {nullptr,         nullptr,     "avx512_4vnniw",
                   "avx512_4fmaps", "fsrm",      nullptr,
                   nullptr,         nullptr,     "avx512_vp2intersect",
                   nullptr,         "md_clear",  nullptr,
                   nullptr,         nullptr,     "serialize",
                   nullptr,         "tsxldtrk",  nullptr,
                   "pconfig",       "arch_lbr",  "ibt",
                   nullptr,         "amx_bf16",  "avx512_fp16",
                   "amx_tile",      "amx_int8",  nullptr,
                   nullptr,         "flush_l1d", "arch_capabilities",
                   nullptr,         nullptr};
const char* const* const names[WORDS] = {leaf1_edx, ext1_edx, leaf1_ecx, ext1_ecx, leaf7_ebx, leaf7_ecx, leaf7_edx};

constexpr unsigned feature(Word w, unsigned bit) {
    return unsigned(w) * 32 + bit;
}

// Features that need the OS: Linux lists them only when it enabled them
// (the CR4 bit), and with XSAVE off it also drops what depends on it
// (arch/x86/kernel/cpu/cpuid-deps.c).
struct Needs {
    unsigned feature;
    uint64_t cr4_bit;
};
constexpr Needs os_enabled[] = {
    {feature(LEAF1_ECX, 26), 1ull << 18}, // xsave: CR4.OSXSAVE
    {feature(LEAF7_EBX, 0), 1ull << 16},  // fsgsbase: CR4.FSGSBASE
    {feature(LEAF7_EBX, 7), 1ull << 20},  // smep
    {feature(LEAF7_EBX, 20), 1ull << 21}, // smap
    {feature(LEAF7_ECX, 2), 1ull << 11},  // umip
    {feature(LEAF7_ECX, 3), 1ull << 22},  // pku: CR4.PKE
    {feature(LEAF7_ECX, 16), 1ull << 12}, // la57
};
struct Dependency {
    unsigned feature, needs;
};
constexpr unsigned XSAVE = feature(LEAF1_ECX, 26), AVX = feature(LEAF1_ECX, 28), AVX512F = feature(LEAF7_EBX, 16),
                   AVX512VL = feature(LEAF7_EBX, 31), AVX512BW = feature(LEAF7_EBX, 30),
                   AMX_TILE = feature(LEAF7_EDX, 24);
constexpr Dependency dependencies[] = {
    {AVX, XSAVE},
    {feature(LEAF7_ECX, 3), XSAVE},  // pku
    {feature(LEAF7_EBX, 14), XSAVE}, // mpx
    {feature(LEAF7_ECX, 29), XSAVE}, // enqcmd (needs XSAVES)
    {AMX_TILE, XSAVE},               // through XFD and XSAVES
    {feature(LEAF1_ECX, 12), AVX},   // fma
    {feature(LEAF7_ECX, 9), AVX},    // vaes
    {feature(LEAF7_ECX, 10), AVX},   // vpclmulqdq
    {feature(LEAF7_EBX, 5), AVX},    // avx2
    {AVX512F, AVX},
    {feature(LEAF7_EBX, 21), AVX512F}, // avx512ifma
    {feature(LEAF7_EBX, 26), AVX512F}, // avx512pf
    {feature(LEAF7_EBX, 27), AVX512F}, // avx512er
    {feature(LEAF7_EBX, 28), AVX512F}, // avx512cd
    {feature(LEAF7_EBX, 17), AVX512F}, // avx512dq
    {AVX512BW, AVX512F},
    {AVX512VL, AVX512F},
    {feature(LEAF7_ECX, 1), AVX512F},   // avx512vbmi
    {feature(LEAF7_EDX, 2), AVX512F},   // avx512_4vnniw
    {feature(LEAF7_EDX, 3), AVX512F},   // avx512_4fmaps
    {feature(LEAF7_ECX, 14), AVX512F},  // avx512_vpopcntdq
    {feature(LEAF7_ECX, 6), AVX512VL},  // avx512_vbmi2
    {feature(LEAF7_ECX, 11), AVX512VL}, // avx512_vnni
    {feature(LEAF7_ECX, 12), AVX512VL}, // avx512_bitalg
    {feature(LEAF7_EDX, 8), AVX512VL},  // avx512_vp2intersect
    {feature(LEAF7_EDX, 23), AVX512BW}, // avx512_fp16
};

struct Features {
    uint32_t words[WORDS];
    bool has(unsigned f) const { return (words[f / 32] >> (f % 32)) & 1; }
    void clear(unsigned f) { words[f / 32] &= ~(1u << (f % 32)); }
};

Features features_of(const CpuView& c) {
    Features f{{c.leaf1_edx, c.ext1_edx, c.leaf1_ecx, c.ext1_ecx, c.leaf7_ebx, c.leaf7_ecx, c.leaf7_edx}};
    for (const Needs& n : os_enabled)
        if (!(c.cr4 & n.cr4_bit)) f.clear(n.feature);
    // The table is ordered so one pass settles every chain.
    for (const Dependency& d : dependencies)
        if (!f.has(d.needs)) f.clear(d.feature);
    return f;
}

const char* const power_names[] = {
    "ts",  "fid",         "vid",           "ttp",      "tm", "stc", "100mhzsteps", "hwpstate", "" /* constant_tsc */,
    "cpb", "eff_freq_ro", "proc_feedback", "acc_power"};

} // namespace

void render_cpu_flags(fmt::Sink& out, const CpuView& cpu) {
    const Features f = features_of(cpu);
    for (unsigned w = 0; w < WORDS; w++) {
        for (unsigned b = 0; b < 32; b++) {
            if (!f.has(w * 32 + b) || !names[w][b]) continue;
            out.put(' ');
            puts(out, names[w][b]);
        }
    }
}

void render_cpuinfo(fmt::Sink& out, const CpuView& c) {
    fmt::format(out, "processor\t: 0\nvendor_id\t: {}\ncpu family\t: {}\nmodel\t\t: {}\nmodel name\t: {}\n",
                c.vendor[0] ? c.vendor : "unknown", c.family, c.model, c.brand[0] ? c.brand : "unknown");
    fmt::format(out, "stepping\t: {}\n", c.stepping);
    if (c.leaf1_edx & (1u << 4)) // tsc
        fmt::format(out, "cpu MHz\t\t: {}.{:03}\n", c.tsc_khz / 1000, c.tsc_khz % 1000);
    if (c.cache_kb) fmt::format(out, "cache size\t: {} KB\n", c.cache_kb);
    const unsigned apic_id = c.leaf1_ebx >> 24;
    fmt::format(out, "physical id\t: 0\nsiblings\t: 1\ncore id\t\t: 0\ncpu cores\t: 1\napicid\t\t: {}\n", apic_id);
    fmt::format(out, "initial apicid\t: {}\nfpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: {}\nwp\t\t: yes\n",
                apic_id, c.max_basic);
    puts(out, "flags\t\t:");
    render_cpu_flags(out, c);
    // Linux lists the speculation bugs it found; Sysgate looks for none.
    puts(out, "\nbugs\t\t:\n");
    // With a TSC-calibrated delay loop Linux's BogoMIPS is twice the TSC's MHz.
    const uint64_t centi_bogomips = c.tsc_khz / 5;
    fmt::format(out, "bogomips\t: {}.{:02}\n", centi_bogomips / 100, centi_bogomips % 100);
    const unsigned clflush = ((c.leaf1_ebx >> 8) & 0xff) * 8;
    fmt::format(out, "clflush size\t: {}\ncache_alignment\t: {}\n", clflush, clflush);
    fmt::format(out, "address sizes\t: {} bits physical, {} bits virtual\n", c.phys_bits, c.virt_bits);
    puts(out, "power management:");
    for (unsigned i = 0; i < 32; i++) {
        if (!(c.ext7_edx & (1u << i))) continue;
        if (i < sizeof(power_names) / sizeof(power_names[0])) {
            if (power_names[i][0]) {
                out.put(' ');
                puts(out, power_names[i]);
            }
        } else {
            fmt::format(out, " [{}]", i);
        }
    }
    puts(out, "\n\n");
}

// ---- meminfo, uptime

void render_meminfo(fmt::Sink& out, uint64_t total_pages, uint64_t free_pages) {
    // Linux's first lines (fs/proc/meminfo.c). Sysgate has no page cache
    // and no swap: the initramfs is counted as used memory.
    const struct {
        const char* label;
        uint64_t kb;
    } lines[] = {{"MemTotal:       ", total_pages * 4},
                 {"MemFree:        ", free_pages * 4},
                 {"MemAvailable:   ", free_pages * 4},
                 {"Buffers:        ", 0},
                 {"Cached:         ", 0},
                 {"SwapCached:     ", 0},
                 {"SwapTotal:      ", 0},
                 {"SwapFree:       ", 0}};
    for (const auto& l : lines) fmt::format(out, "{}{:>8} kB\n", l.label, l.kb);
}

void render_uptime(fmt::Sink& out, uint64_t uptime_ns, uint64_t idle_ns) {
    fmt::format(out, "{}.{:02} {}.{:02}\n", uptime_ns / 1000000000, uptime_ns % 1000000000 / 10000000,
                idle_ns / 1000000000, idle_ns % 1000000000 / 10000000);
}

} // namespace procfs
