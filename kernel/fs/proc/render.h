#pragma once
// The text of /proc's files, in Linux's formats (fs/proc/array.c,
// fs/proc/task_mmu.c, arch/x86/kernel/cpu/proc.c, fs/proc/meminfo.c,
// fs/proc/uptime.c), from plain snapshots. Pure: no process table, no
// page tables, no CPUID here, so the host unit tests can feed any values
// and compare the exact bytes (tests/unit/procfs_test.cpp).
#include <stddef.h>
#include <stdint.h>

#include "kernel/format.h"

namespace elf {
struct Segment;
}
namespace mm {
struct Region;
}

namespace procfs {

// ---- /proc/PID/maps

// The executable a process runs, for the lines of its segments: Linux
// prints the file's offset, device, inode and path there.
struct ExecutableView {
    const char* path = nullptr; // nullptr: unknown, the segments print as anonymous memory
    uint32_t dev_major = 0, dev_minor = 0;
    uint64_t ino = 0;
    const elf::Segment* segments = nullptr;
    size_t segment_count = 0;
};

// One line: "start-end perms offset major:minor inode", padded to column
// 73 before a name (Linux's show_vma_header_prefix and seq_pad).
struct MapLine {
    uint64_t start = 0, end = 0;
    uint32_t prot = 0; // mm::PROT_*
    bool shared = false;
    uint64_t offset = 0;
    uint32_t dev_major = 0, dev_minor = 0;
    uint64_t ino = 0;
    const char* name = nullptr; // a path or "[heap]"...; nullptr: none (the line ends in a space)
};
void render_map_line(fmt::Sink& out, const MapLine& line);

// Every region of an address space (sorted by start), as Linux names
// them: the executable's segments with its path ("text" and "data"
// regions, split where a segment's file part ends: the rest is
// anonymous, as the bss Linux maps separately), [heap], [stack], [vvar],
// [vdso], [vsyscall]; other regions without a name. Adjacent pieces that
// Linux would show as one mapping are merged.
struct MapsView {
    const mm::Region* regions = nullptr;
    const mm::Region* tail = nullptr; // one more after them (the vsyscall page, in the kernel half)
    ExecutableView exe;
    uint64_t brk_start = 0, brk_end = 0; // [heap]: anonymous memory that touches [brk_start, brk_end]
};
void render_maps(fmt::Sink& out, const MapsView& view);

// ---- /proc/PID/status, /proc/PID/stat, /proc/PID/statm

// What is known of a task and its process.
struct TaskView {
    char name[16] = {}; // comm: the program's base name, at most 15 characters
    char state = 'R';   // R, S, D or Z
    int tgid = 0, pid = 0, ppid = 0, tracer = 0;
    int pgrp = 0, session = 0; // Sysgate has neither: 0, as for a process Linux's init never moved
    unsigned fd_size = 0;
    unsigned threads = 0;
    uint64_t pending = 0, shared_pending = 0, blocked = 0, ignored = 0, caught = 0; // bit N-1: signal N
    uint64_t queued_signals = 0, queue_limit = 0;
    bool no_new_privs = false;
    int exit_signal = 0;
    int exit_code = 0;          // a zombie's wait status
    bool whole_process = false; // /proc/PID/stat rather than /proc/PID/task/TID/stat
    bool has_memory = false;    // false for a zombie: no Vm* lines, zeros in stat
    // In 4 KiB pages.
    uint64_t vm_pages = 0, rss_anon_pages = 0, rss_file_pages = 0, data_pages = 0, stack_pages = 0, exec_pages = 0,
             pte_pages = 0;
    uint64_t start_code = 0, end_code = 0, start_brk = 0;
    uint64_t rss_limit = ~0ull; // RLIMIT_RSS
};

void render_status(fmt::Sink& out, const TaskView& t);
void render_stat(fmt::Sink& out, const TaskView& t);
void render_statm(fmt::Sink& out, const TaskView& t);

// A signal set as status prints it: 16 hex digits, signal 64 first.
void render_sigset(fmt::Sink& out, uint64_t set);

// ---- /proc/cpuinfo

// The CPUID words the flags come from, and what the kernel enabled.
struct CpuView {
    char vendor[13] = {};
    char brand[49] = {}; // leading and trailing blanks are dropped
    unsigned family = 0, model = 0, stepping = 0;
    uint32_t max_basic = 0; // CPUID.0:EAX, "cpuid level"
    uint32_t leaf1_ebx = 0; // APIC id, CLFLUSH line size
    uint32_t leaf1_ecx = 0, leaf1_edx = 0;
    uint32_t leaf7_ebx = 0, leaf7_ecx = 0, leaf7_edx = 0;
    uint32_t ext1_ecx = 0, ext1_edx = 0;
    uint32_t ext7_edx = 0; // power management
    uint32_t cache_kb = 0; // CPUID.80000006H:ECX[31:16] (0: not shown)
    unsigned phys_bits = 0, virt_bits = 0;
    uint64_t cr4 = 0; // features the OS must enable appear only when it did
    uint64_t tsc_khz = 0;
};
void render_cpuinfo(fmt::Sink& out, const CpuView& cpu);
// The "flags" list alone: each name preceded by a space.
void render_cpu_flags(fmt::Sink& out, const CpuView& cpu);

// ---- /proc/meminfo, /proc/uptime

void render_meminfo(fmt::Sink& out, uint64_t total_pages, uint64_t free_pages);
void render_uptime(fmt::Sink& out, uint64_t uptime_ns, uint64_t idle_ns);

} // namespace procfs
