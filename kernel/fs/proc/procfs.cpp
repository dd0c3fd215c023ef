#include "kernel/fs/proc/procfs.h"

#include "arch/x86/cpu/cpu.h"
#include "arch/x86/cpu/cpuid.h"
#include "arch/x86/mm/layout.h"
#include "arch/x86/mm/paging.h"
#include "kernel/errno.h"
#include "kernel/exec/elf.h"
#include "kernel/format.h"
#include "kernel/fs/proc/render.h"
#include "kernel/fs/vfs.h"
#include "kernel/mm/address_space.h"
#include "kernel/mm/memory.h"
#include "kernel/proc/process.h"
#include "kernel/strings.h"
#include "kernel/time.h"
#include "kernel/vsyscall_page.h"

namespace procfs {
namespace {

using namespace x86::paging;

// ---- the fixed names

struct Item {
    const char* name;
    Kind kind;
    uint32_t mode;
};

constexpr uint32_t FILE_MODE = mode::IFREG | 0444, DIR_MODE = mode::IFDIR | 0555, LINK_MODE = mode::IFLNK | 0777;

constexpr Item root_items[] = {
    {"cpuinfo", Kind::Cpuinfo, FILE_MODE}, {"meminfo", Kind::Meminfo, FILE_MODE},
    {"self", Kind::Self, LINK_MODE},       {"thread-self", Kind::ThreadSelf, LINK_MODE},
    {"uptime", Kind::Uptime, FILE_MODE},
};
// In Linux's order (fs/proc/base.c, tgid_base_stuff); "task" only in /proc/PID.
constexpr Item process_items[] = {
    {"task", Kind::Tasks, DIR_MODE},   {"fd", Kind::Fds, mode::IFDIR | 0500}, {"status", Kind::Status, FILE_MODE},
    {"comm", Kind::Comm, FILE_MODE},   {"cmdline", Kind::Cmdline, FILE_MODE}, {"stat", Kind::Stat, FILE_MODE},
    {"statm", Kind::Statm, FILE_MODE}, {"maps", Kind::Maps, FILE_MODE},       {"cwd", Kind::Cwd, LINK_MODE},
    {"root", Kind::Link, LINK_MODE},   {"exe", Kind::Exe, LINK_MODE},
};
constexpr size_t ROOT_ITEMS = sizeof(root_items) / sizeof(root_items[0]);
constexpr size_t PROCESS_ITEMS = sizeof(process_items) / sizeof(process_items[0]);

// getdents64 positions: 0 and 1 are "." and "..", then the fixed names,
// then numbered entries at FIRST_NUMBER + N, so a listing read in several
// calls stays right while processes come and go.
constexpr uint64_t FIRST_NUMBER = 64;

const Item* find_item(Kind kind) {
    for (const Item& i : root_items)
        if (i.kind == kind) return &i;
    for (const Item& i : process_items)
        if (i.kind == kind) return &i;
    return nullptr;
}

bool name_is(const char* name, size_t length, const char* s) {
    size_t i = 0;
    for (; i < length && s[i] == name[i]; i++) {
    }
    return i == length && !s[i];
}

// A decimal number as /proc names use it: no sign, no leading zero.
bool parse_number(const char* s, size_t length, int& out) {
    if (!length || length > 9 || (length > 1 && s[0] == '0')) return false;
    int v = 0;
    for (size_t i = 0; i < length; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

// ---- the processes behind the names

// /proc/PID: any task's id names it (Linux lists only the processes but
// finds every task).
Process* task_named(int pid) {
    return pid > 0 ? proc::find(pid) : nullptr;
}

// The task an entry speaks of: PID's for /proc/PID/..., TID's for
// /proc/PID/task/TID/....
Process* subject(const Entry& e) {
    Process* p = task_named(e.pid);
    if (!p || !e.tid) return p;
    Process* t = proc::find(e.tid);
    return t && t->tgid == p->tgid ? t : nullptr;
}

File* file_of(const Entry& e) {
    Process* t = subject(e);
    if (!t || !t->files || e.fd < 0 || e.fd >= FileTable::MAX_FDS) return nullptr;
    return t->files->files[e.fd];
}

bool is_per_process(Kind k) {
    return k != Kind::Root && k != Kind::Self && k != Kind::ThreadSelf && k != Kind::Cpuinfo && k != Kind::Meminfo &&
           k != Kind::Uptime;
}

uint64_t ino_of(const Entry& e) {
    if (e.kind == Kind::Root) return 1; // Linux's PROC_ROOT_INO
    return uint64_t(e.kind) << 40 | uint64_t(uint32_t(e.pid) & 0xffff) << 24 | uint64_t(uint32_t(e.tid) & 0xffff) << 8 |
           uint64_t(uint32_t(e.fd) & 0xff);
}

uint32_t mode_of(const Entry& e) {
    switch (e.kind) {
    case Kind::Root:
    case Kind::Process:
    case Kind::Task:
        return DIR_MODE;
    case Kind::Fd: {
        // lr-x------, l-wx------ or lrwx------, as the descriptor was opened.
        uint32_t m = mode::IFLNK;
        if (File* f = file_of(e)) {
            const int access = f->flags & oflag::ACCMODE;
            if (access != oflag::WRONLY) m |= 0500;
            if (access != oflag::RDONLY) m |= 0300;
        }
        return m;
    }
    default:
        break;
    }
    const Item* i = find_item(e.kind);
    return i ? i->mode : FILE_MODE;
}

uint8_t type_of(uint32_t m) {
    switch (m & mode::IFMT) {
    case mode::IFDIR:
        return vfs::DT_DIR;
    case mode::IFLNK:
        return vfs::DT_LNK;
    default:
        return vfs::DT_REG;
    }
}

// ---- what the files say

class TextSink final : public fmt::Sink {
  public:
    TextSink(char* buf, size_t capacity) : buf_(buf), capacity_(capacity) {}
    void put(char c) override {
        if (length_ < capacity_) buf_[length_] = c;
        length_++;
    }
    size_t length() const { return length_; } // as if the buffer had no end

  private:
    char* buf_;
    size_t capacity_;
    size_t length_ = 0;
};

CpuView cpu_view() {
    const x86::CpuidLeaves l = x86::read_cpuid();
    const x86::CpuInfo info = x86::decode_cpuid(l);
    CpuView v;
    __builtin_memcpy(v.vendor, info.vendor_string, sizeof(v.vendor));
    // The brand string without its padding (Intel right-justifies it).
    const char* b = info.brand;
    while (*b == ' ') b++;
    size_t n = 0;
    while (b[n] && n < sizeof(v.brand) - 1) n++;
    while (n && b[n - 1] == ' ') n--;
    __builtin_memcpy(v.brand, b, n);
    v.brand[n] = 0;
    v.family = info.family, v.model = info.model, v.stepping = info.stepping;
    v.max_basic = l.leaf0[0];
    v.leaf1_ebx = l.leaf1[1], v.leaf1_ecx = l.leaf1[2], v.leaf1_edx = l.leaf1[3];
    if (v.max_basic >= 7) v.leaf7_ebx = l.leaf7[1], v.leaf7_ecx = l.leaf7[2], v.leaf7_edx = l.leaf7[3];
    const uint32_t max_ext = l.ext0[0];
    if (max_ext >= 0x80000001) v.ext1_ecx = l.ext1[2], v.ext1_edx = l.ext1[3];
    if (max_ext >= 0x80000007) v.ext7_edx = l.ext7[3];
    uint32_t r[4];
    if (max_ext >= 0x80000006) {
        x86::cpuid(0x80000006, 0, r);
        v.cache_kb = r[2] >> 16;
    }
    // Linux's defaults when the CPU does not say (get_cpu_address_sizes).
    v.phys_bits = 36, v.virt_bits = 48;
    if (max_ext >= 0x80000008) {
        x86::cpuid(0x80000008, 0, r);
        v.phys_bits = r[0] & 0xff, v.virt_bits = (r[0] >> 8) & 0xff;
    }
    v.cr4 = x86::read_cr4();
    v.tsc_khz = ktime::tsc_hz() / 1000;
    return v;
}

// Present pages in [start, end) of an address space, skipping the parts
// no page table covers.
uint64_t present_pages(uint64_t root, uint64_t start, uint64_t end) {
    uint64_t count = 0;
    for (uint64_t va = start; va < end;) {
        const uint64_t* table = mm::physical_memory().table(root);
        uint64_t span = 0;
        for (unsigned level = 4;; level--) {
            span = 1ull << (12 + 9 * (level - 1));
            const uint64_t e = table[index(level, va)];
            if (!(e & pte::PRESENT)) break;
            if (level == 1 || (e & pte::HUGE)) {
                const uint64_t stop = (va & ~(span - 1)) + span;
                count += ((stop < end ? stop : end) - va) / x86::mm::PAGE_SIZE;
                break;
            }
            table = mm::physical_memory().table(entry_address(e));
        }
        va = (va & ~(span - 1)) + span;
    }
    return count;
}

// The page tables of the user half below the PML4 (Linux's VmPTE).
uint64_t table_pages(uint64_t root) {
    uint64_t count = 0;
    const uint64_t* pml4 = mm::physical_memory().table(root);
    for (unsigned i = 0; i < 256; i++) {
        if (!(pml4[i] & pte::PRESENT)) continue;
        count++;
        const uint64_t* pdpt = mm::physical_memory().table(entry_address(pml4[i]));
        for (unsigned j = 0; j < 512; j++) {
            if (!(pdpt[j] & pte::PRESENT) || (pdpt[j] & pte::HUGE)) continue;
            count++;
            const uint64_t* pd = mm::physical_memory().table(entry_address(pdpt[j]));
            for (unsigned k = 0; k < 512; k++)
                if ((pd[k] & pte::PRESENT) && !(pd[k] & pte::HUGE)) count++;
        }
    }
    return count;
}

TaskView task_view(const Process* t, bool whole) {
    TaskView v;
    for (size_t i = 0; i < sizeof(v.name) - 1 && t->name[i]; i++) v.name[i] = t->name[i];
    switch (t->state) {
    case ProcessState::Runnable:
        v.state = 'R';
        break;
    case ProcessState::Sleeping:
        // TASK_KILLABLE and TASK_UNINTERRUPTIBLE both show as D on Linux.
        v.state = t->sleep_kind == Sleep::Interruptible ? 'S' : 'D';
        break;
    case ProcessState::Zombie:
        v.state = 'Z';
        break;
    }
    v.tgid = t->tgid, v.pid = t->pid;
    const ThreadGroup* g = t->group;
    const Process* leader = g && g->leader ? g->leader : t;
    v.ppid = leader->parent ? leader->parent->tgid : 0;
    v.fd_size = t->files ? FileTable::MAX_FDS : 0;
    v.threads = g && g->live ? g->live : 1; // a zombie still counts itself, as on Linux
    v.pending = t->signals.pending;
    v.blocked = t->signals.blocked;
    if (t->signals.handlers)
        for (int s = 1; s <= sig::NSIG; s++) {
            const uint64_t h = t->signals.action(s).handler;
            if (h == sig::SIG_IGN)
                v.ignored |= sig::bit(s);
            else if (h != sig::SIG_DFL)
                v.caught |= sig::bit(s);
        }
    if (g) {
        v.shared_pending = g->pending;
        v.queue_limit = g->limits[11].current; // RLIMIT_SIGPENDING
        v.rss_limit = g->limits[5].current;    // RLIMIT_RSS
        v.no_new_privs = g->no_new_privs;
    }
    for (uint64_t queued = v.pending | v.shared_pending; queued; queued &= queued - 1) v.queued_signals++;
    v.exit_signal = t->exit_signal;
    v.exit_code = t->state == ProcessState::Zombie ? t->exit_status : 0;
    v.whole_process = whole;
    if (const mm::AddressSpace* as = t->mm) {
        v.has_memory = true;
        v.start_brk = as->brk_start;
        for (const mm::Region* r = as->regions(); r; r = r->next) {
            const uint64_t pages = (r->end - r->start) / x86::mm::PAGE_SIZE;
            const bool stack = r->name && same_string(r->name, "stack");
            v.vm_pages += pages;
            const uint64_t present = present_pages(as->root(), r->start, r->end);
            if (r->backing != mm::Backing::Private)
                v.rss_file_pages += present;
            else
                v.rss_anon_pages += present;
            if (stack) v.stack_pages += pages;
            // Linux's exec_vm and data_vm (mm/mmap.c, vm_stat_account).
            if ((r->prot & mm::PROT_EXEC) && !(r->prot & mm::PROT_WRITE) && !stack) v.exec_pages += pages;
            if ((r->prot & mm::PROT_WRITE) && r->backing == mm::Backing::Private && !stack) v.data_pages += pages;
            if (r->name && same_string(r->name, "text")) {
                if (!v.start_code || r->start < v.start_code) v.start_code = r->start;
                if (r->end > v.end_code) v.end_code = r->end;
            }
        }
        v.pte_pages = table_pages(as->root());
    }
    return v;
}

void render_maps_of(fmt::Sink& out, const Process* t) {
    const mm::AddressSpace* as = t->mm;
    if (!as) return;
    MapsView view;
    view.regions = as->regions();
    view.brk_start = as->brk_start, view.brk_end = as->brk_end;
    // The executable's segments, read again from its file: the tree does
    // not change, so they are what execve mapped.
    elf::Executable exe;
    int error = 0;
    vfs::Node* node = t->program.path[0] ? vfs::lookup("/", t->program.path, &error) : nullptr;
    if (node && node->is_regular() && !elf::parse_executable(node->data, node->size, x86::mm::USER_TOP, exe)) {
        const FileStatus s = vfs::status_of(node);
        view.exe.path = t->program.path;
        view.exe.dev_major = uint32_t(s.dev >> 8 & 0xfff), view.exe.dev_minor = uint32_t(s.dev & 0xff);
        view.exe.ino = s.ino;
        view.exe.segments = exe.segments;
        view.exe.segment_count = exe.segment_count;
    }
    // The legacy vsyscall page lives in the kernel half, outside the
    // regions. Linux lists it for every 64-bit process unless
    // vsyscall=none: "--xp" under xonly (executing it traps into the
    // emulation, reading it faults), "r-xp" under emulate.
    constexpr uint64_t VSYSCALL = 0xffffffffff600000;
    const uint32_t vsyscall_prot =
        vsyscall_page::mode() == vsyscall_page::Mode::Emulate ? mm::PROT_READ | mm::PROT_EXEC : mm::PROT_EXEC;
    mm::Region vsyscall{VSYSCALL, VSYSCALL + x86::mm::PAGE_SIZE, vsyscall_prot, 0, mm::Backing::Kernel,
                        mm::Special::None, nullptr, 0, "vsyscall", nullptr};
    if (t->is64 && vsyscall_page::mode() != vsyscall_page::Mode::None) view.tail = &vsyscall;
    render_maps(out, view);
}

// The text of a file; -ESRCH once its process is gone.
int generate(const Entry& e, fmt::Sink& out) {
    switch (e.kind) {
    case Kind::Cpuinfo:
        render_cpuinfo(out, cpu_view());
        return 0;
    case Kind::Meminfo:
        render_meminfo(out, mm::total_frames(), mm::free_frames());
        return 0;
    case Kind::Uptime:
        // The idle task's time is not counted.
        render_uptime(out, ktime::now_ns(), 0);
        return 0;
    default:
        break;
    }
    const Process* t = subject(e);
    if (!t) return -err::ESRCH;
    switch (e.kind) {
    case Kind::Cmdline:
        if (t->mm) out.write(t->program.args, t->program.args_length); // empty for a zombie, as on Linux
        return 0;
    case Kind::Comm:
        for (size_t i = 0; i < 15 && t->name[i]; i++) out.put(t->name[i]);
        out.put('\n');
        return 0;
    case Kind::Maps:
        render_maps_of(out, t);
        return 0;
    case Kind::Stat:
        render_stat(out, task_view(t, !e.tid));
        return 0;
    case Kind::Statm:
        render_statm(out, task_view(t, !e.tid));
        return 0;
    case Kind::Status:
        render_status(out, task_view(t, !e.tid));
        return 0;
    default:
        return -err::EINVAL;
    }
}

// ---- open files

// A generated file: the text is made on the first read and again by every
// read from offset 0 (as seq_file does), and served from memory between.
class ProcFile final : public File {
  public:
    explicit ProcFile(const Entry& e) : entry_(e) {}
    ~ProcFile() override { delete[] text_; }
    long read(UserPtr<void> buf, size_t n) override {
        if (!text_ || offset_ == 0)
            if (const int e = refresh()) return e;
        if (offset_ >= length_) return 0;
        if (n > length_ - offset_) n = length_ - offset_;
        if (copy_to_user(buf, text_ + offset_, n)) return -err::EFAULT;
        offset_ += n;
        return long(n);
    }
    long write(UserPtr<const void>, size_t) override { return -err::EBADF; }
    long seek(int64_t off, int whence) override {
        // seq_file: SEEK_SET and SEEK_CUR only.
        const int64_t base = whence == 0 ? 0 : whence == 1 ? int64_t(offset_) : -1;
        if (base < 0 || (off < 0 && -off > base)) return -err::EINVAL;
        offset_ = uint64_t(base + off);
        return long(offset_);
    }
    int status(FileStatus& out) override { return procfs::status(entry_, out); }
    int path(char* out, size_t capacity) override { return path_of(entry_, out, capacity); }

  private:
    static constexpr size_t MAX_TEXT = 4 << 20;

    int refresh() {
        size_t capacity = 4096;
        for (int attempt = 0; attempt < 2; attempt++) {
            char* buffer = new char[capacity];
            if (!buffer) return -err::ENOMEM;
            TextSink sink(buffer, capacity);
            if (const int e = generate(entry_, sink)) {
                delete[] buffer;
                return e;
            }
            if (sink.length() <= capacity) {
                delete[] text_;
                text_ = buffer;
                length_ = sink.length();
                return 0;
            }
            delete[] buffer;
            // Nothing runs in between: the second pass makes the same text.
            capacity = sink.length();
            if (capacity > MAX_TEXT) return -err::ENOMEM;
        }
        return -err::ENOMEM;
    }

    Entry entry_;
    char* text_ = nullptr;
    size_t length_ = 0;
    uint64_t offset_ = 0;
};

struct DirItem {
    char name[24];
    uint64_t ino;
    uint8_t type;
};

void fill(DirItem& d, const char* name, const Entry& e) {
    size_t i = 0;
    for (; name[i] && i < sizeof(d.name) - 1; i++) d.name[i] = name[i];
    d.name[i] = 0;
    d.ino = ino_of(e);
    d.type = type_of(mode_of(e));
}

void fill_number(DirItem& d, int n, const Entry& e) {
    fmt::format_to(d.name, sizeof(d.name), "{}", n);
    d.ino = ino_of(e);
    d.type = type_of(mode_of(e));
}

// The listing entry at `position` (>= 2) or the first after it; false at
// the end. *next is the position after it.
bool list(const Entry& dir, uint64_t position, DirItem& out, uint64_t& next) {
    switch (dir.kind) {
    case Kind::Root: {
        if (position - 2 < ROOT_ITEMS) {
            const Item& i = root_items[position - 2];
            fill(out, i.name, Entry{i.kind, 0, 0, 0});
            next = position + 1;
            return true;
        }
        // The processes (their leaders' ids), in increasing order.
        const int from = position >= FIRST_NUMBER ? int(position - FIRST_NUMBER) : 0;
        const Process* best = nullptr;
        for (const Process* p = proc::first(); p; p = p->next_in_table)
            if (p->pid == p->tgid && p->pid >= from && (!best || p->pid < best->pid)) best = p;
        if (!best) return false;
        fill_number(out, best->pid, Entry{Kind::Process, best->pid, 0, 0});
        next = FIRST_NUMBER + uint64_t(best->pid) + 1;
        return true;
    }
    case Kind::Process:
    case Kind::Task: {
        if (!subject(dir)) return false;
        const size_t skip = dir.kind == Kind::Task ? 1 : 0; // no "task" in a task's directory
        if (position - 2 + skip >= PROCESS_ITEMS) return false;
        const Item& i = process_items[position - 2 + skip];
        fill(out, i.name, Entry{i.kind, dir.pid, dir.tid, 0});
        next = position + 1;
        return true;
    }
    case Kind::Tasks: {
        const Process* s = subject(dir);
        if (!s) return false;
        const int from = position >= FIRST_NUMBER ? int(position - FIRST_NUMBER) : 0;
        const Process* best = nullptr;
        for (const Process* p = proc::first(); p; p = p->next_in_table)
            if (p->tgid == s->tgid && p->pid >= from && (!best || p->pid < best->pid)) best = p;
        if (!best) return false;
        fill_number(out, best->pid, Entry{Kind::Task, dir.pid, best->pid, 0});
        next = FIRST_NUMBER + uint64_t(best->pid) + 1;
        return true;
    }
    case Kind::Fds: {
        const Process* s = subject(dir);
        if (!s || !s->files) return false;
        for (uint64_t fd = position >= FIRST_NUMBER ? position - FIRST_NUMBER : 0; fd < FileTable::MAX_FDS; fd++) {
            if (!s->files->files[fd]) continue;
            fill_number(out, int(fd), Entry{Kind::Fd, dir.pid, dir.tid, int(fd)});
            next = FIRST_NUMBER + fd + 1;
            return true;
        }
        return false;
    }
    default:
        return false;
    }
}

class ProcDirectory final : public File {
  public:
    explicit ProcDirectory(const Entry& e) : entry_(e) {}
    long read(UserPtr<void>, size_t) override { return -err::EISDIR; }
    int status(FileStatus& out) override { return procfs::status(entry_, out); }
    int path(char* out, size_t capacity) override { return path_of(entry_, out, capacity); }
    long seek(int64_t off, int whence) override {
        if (whence != 0 || off < 0) return -err::EINVAL;
        position_ = uint64_t(off);
        return off;
    }
    long read_directory(UserPtr<void> buf, size_t size) override {
        size_t used = 0;
        for (;;) {
            DirItem item;
            uint64_t next = position_ + 1;
            if (position_ == 0) {
                fill(item, ".", entry_);
            } else if (position_ == 1) {
                Entry up;
                if (parent(entry_, up)) {
                    fill(item, "..", up);
                } else { // /proc's parent is the tree's root
                    fill(item, "..", entry_);
                    item.ino = vfs::root()->ino;
                }
            } else if (!list(entry_, position_, item, next)) {
                break;
            }
            const int r = vfs::put_dirent(buf, size, used, item.ino, next, item.type, item.name);
            if (r < 0) return used ? long(used) : r;
            if (r > 0) return used ? long(used) : -err::EINVAL;
            position_ = next;
        }
        return long(used);
    }

  private:
    Entry entry_;
    uint64_t position_ = 0;
};

int copy_text(char* out, size_t capacity, const char* s, size_t n) {
    if (n + 1 > capacity) return -err::ENAMETOOLONG;
    __builtin_memcpy(out, s, n);
    out[n] = 0;
    return 0;
}

} // namespace

bool is_directory(const Entry& e) {
    switch (e.kind) {
    case Kind::Root:
    case Kind::Process:
    case Kind::Tasks:
    case Kind::Task:
    case Kind::Fds:
        return true;
    default:
        return false;
    }
}

bool is_link(const Entry& e) {
    switch (e.kind) {
    case Kind::Self:
    case Kind::ThreadSelf:
    case Kind::Fd:
    case Kind::Exe:
    case Kind::Cwd:
    case Kind::Link:
        return true;
    default:
        return false;
    }
}

int lookup(const Entry& dir, const char* name, size_t length, Entry& out) {
    int n = 0;
    switch (dir.kind) {
    case Kind::Root:
        for (const Item& i : root_items)
            if (name_is(name, length, i.name)) {
                out = Entry{i.kind, 0, 0, 0};
                return 0;
            }
        if (!parse_number(name, length, n) || !task_named(n)) return -err::ENOENT;
        out = Entry{Kind::Process, n, 0, 0};
        return 0;
    case Kind::Process:
    case Kind::Task:
        if (!subject(dir)) return -err::ENOENT;
        for (const Item& i : process_items) {
            if (dir.kind == Kind::Task && i.kind == Kind::Tasks) continue;
            if (name_is(name, length, i.name)) {
                out = Entry{i.kind, dir.pid, dir.tid, 0};
                return 0;
            }
        }
        return -err::ENOENT;
    case Kind::Tasks: {
        const Process* s = subject(dir);
        const Process* t = parse_number(name, length, n) ? proc::find(n) : nullptr;
        if (!s || !t || t->tgid != s->tgid) return -err::ENOENT;
        out = Entry{Kind::Task, dir.pid, n, 0};
        return 0;
    }
    case Kind::Fds:
        if (!parse_number(name, length, n)) return -err::ENOENT;
        out = Entry{Kind::Fd, dir.pid, dir.tid, n};
        return file_of(out) ? 0 : -err::ENOENT;
    default:
        return -err::ENOTDIR;
    }
}

bool parent(const Entry& e, Entry& out) {
    switch (e.kind) {
    case Kind::Root:
        return false;
    case Kind::Self:
    case Kind::ThreadSelf:
    case Kind::Cpuinfo:
    case Kind::Meminfo:
    case Kind::Uptime:
    case Kind::Process:
        out = Entry{};
        return true;
    case Kind::Tasks:
        out = Entry{Kind::Process, e.pid, 0, 0};
        return true;
    case Kind::Task:
        out = Entry{Kind::Tasks, e.pid, 0, 0};
        return true;
    case Kind::Fd:
        out = Entry{Kind::Fds, e.pid, e.tid, 0};
        return true;
    default: // the entries of /proc/PID or /proc/PID/task/TID
        out = e.tid ? Entry{Kind::Task, e.pid, e.tid, 0} : Entry{Kind::Process, e.pid, 0, 0};
        return true;
    }
}

int read_link(const Entry& e, char* out, size_t capacity, File** file) {
    *file = nullptr;
    char text[vfs::PATH_MAX];
    size_t n = 0;
    switch (e.kind) {
    case Kind::Self: {
        const Process* me = current_process();
        n = fmt::format_to(text, sizeof(text), "{}", me->tgid);
        break;
    }
    case Kind::ThreadSelf: {
        const Process* me = current_process();
        n = fmt::format_to(text, sizeof(text), "{}/task/{}", me->tgid, me->pid);
        break;
    }
    case Kind::Exe: {
        const Process* t = subject(e);
        if (!t || !t->mm || !t->program.path[0]) return -err::ENOENT;
        n = fmt::format_to(text, sizeof(text), "{}", t->program.path);
        break;
    }
    case Kind::Cwd:
    case Kind::Link: {
        const Process* t = subject(e);
        if (!t || !t->fs) return -err::ENOENT;
        n = fmt::format_to(text, sizeof(text), "{}", e.kind == Kind::Cwd ? t->fs->cwd : "/");
        break;
    }
    case Kind::Fd: {
        File* f = file_of(e);
        if (!f) return -err::ENOENT;
        if (const int r = describe(f, text, sizeof(text))) return r;
        while (text[n]) n++;
        if (text[0] != '/') *file = f; // no path to walk: the link leads to the description itself
        break;
    }
    default:
        return -err::EINVAL;
    }
    if (n >= sizeof(text)) return -err::ENAMETOOLONG;
    return copy_text(out, capacity, text, n);
}

int status(const Entry& e, FileStatus& out) {
    out = FileStatus{};
    out.dev = DEVICE;
    out.ino = ino_of(e);
    out.mode = mode_of(e);
    out.nlink = is_directory(e) ? 2 : 1;
    out.size = 0; // Linux's /proc files have no size: read them to the end
    return 0;
}

int path_of(const Entry& e, char* out, size_t capacity) {
    char base[48];
    if (e.tid)
        fmt::format_to(base, sizeof(base), "/proc/{}/task/{}", e.pid, e.tid);
    else
        fmt::format_to(base, sizeof(base), "/proc/{}", e.pid);
    size_t n = 0;
    switch (e.kind) {
    case Kind::Root:
        n = fmt::format_to(out, capacity, "/proc");
        break;
    case Kind::Process:
    case Kind::Task:
        n = fmt::format_to(out, capacity, "{}", base);
        break;
    case Kind::Tasks:
        n = fmt::format_to(out, capacity, "/proc/{}/task", e.pid);
        break;
    case Kind::Fd:
        n = fmt::format_to(out, capacity, "{}/fd/{}", base, e.fd);
        break;
    default: {
        const Item* i = find_item(e.kind);
        if (!i) return -err::ENOENT;
        n = is_per_process(e.kind) ? fmt::format_to(out, capacity, "{}/{}", base, i->name)
                                   : fmt::format_to(out, capacity, "/proc/{}", i->name);
        break;
    }
    }
    return n < capacity ? 0 : -err::ENAMETOOLONG;
}

long open(const Entry& e, int flags, File** out) {
    const int access = flags & oflag::ACCMODE;
    const bool wants_write = access == oflag::WRONLY || access == oflag::RDWR || (flags & oflag::TRUNC);
    if (is_per_process(e.kind) && !subject(e)) return -err::ENOENT;
    File* f = nullptr;
    if (is_directory(e)) {
        if (wants_write) return -err::EISDIR;
        f = new ProcDirectory(e);
    } else if (is_link(e)) {
        return -err::ELOOP; // only reached with O_NOFOLLOW
    } else {
        if (flags & oflag::DIRECTORY) return -err::ENOTDIR;
        if (wants_write) return -err::EACCES;
        f = new ProcFile(e);
    }
    if (!f) return -err::ENOMEM;
    f->flags = flags & (oflag::ACCMODE | oflag::APPEND | oflag::NONBLOCK);
    *out = f;
    return 0;
}

int describe(File* f, char* out, size_t capacity) {
    if (f->path(out, capacity) == 0) return 0;
    FileStatus s;
    f->status(s);
    size_t n = 0;
    if ((s.mode & mode::IFMT) == mode::IFIFO)
        n = fmt::format_to(out, capacity, "pipe:[{}]", s.ino);
    else if ((s.mode & mode::IFMT) == mode::IFCHR && s.rdev == (5 << 8 | 1))
        n = fmt::format_to(out, capacity, "/dev/console");
    else
        n = fmt::format_to(out, capacity, "anon_inode:[{}]", s.ino);
    return n < capacity ? 0 : -err::ENAMETOOLONG;
}

void record_exec(Process& p, const vfs::Node* executable, const char* const* argv, size_t argc) {
    ProgramImage& image = p.program;
    if (vfs::path_of(executable, image.path, sizeof(image.path))) image.path[0] = 0;
    size_t used = 0;
    for (size_t i = 0; i < argc && used < sizeof(image.args); i++) {
        for (const char* s = argv[i]; used < sizeof(image.args); s++) {
            image.args[used++] = *s;
            if (!*s) break;
        }
    }
    image.args_length = uint16_t(used);
}

} // namespace procfs
