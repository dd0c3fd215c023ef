#include "kernel/proc/exec.h"

#include "arch/x86/cpu/context.h"
#include "arch/x86/cpu/cpu.h"
#include "arch/x86/cpu/features.h"
#include "arch/x86/desc/layout.h"
#include "arch/x86/mm/layout.h"
#include "arch/x86/vdso/layout.h"
#include "kernel/console.h"
#include "kernel/errno.h"
#include "kernel/exec/elf.h"
#include "kernel/exec/initial_stack.h"
#include "kernel/fs/file.h"
#include "kernel/fs/proc/procfs.h"
#include "kernel/fs/vfs.h"
#include "kernel/proc/process.h"
#include "kernel/proc/sched.h"
#include "kernel/random.h"
#include "kernel/vdso.h"

namespace proc {
namespace {

using x86::mm::page_down;
using x86::mm::page_up;

constexpr uint64_t STACK_SIZE = 8 << 20; // reserved; pages appear on first touch

// Maps the segments of an executable; merges segments that share a page.
long load_segments(mm::AddressSpace& as, const elf::Executable& exe, const uint8_t* file) {
    uint64_t mapped_end = 0;
    uint32_t last_prot = 0;
    for (size_t i = 0; i < exe.segment_count; i++) {
        const elf::Segment& s = exe.segments[i];
        uint64_t start = page_down(s.vaddr);
        const uint64_t end = page_up(s.vaddr + s.memsz);
        if (start < mapped_end) {
            // The previous segment's last page is shared: give it both rights.
            if (last_prot != s.prot) as.protect(start, x86::mm::PAGE_SIZE, last_prot | s.prot);
            start = mapped_end;
        }
        if (start < end) {
            if (const int e = as.add_region(start, end, s.prot, (s.prot & mm::PROT_EXEC) ? "text" : "data")) return e;
            // Writable while loading: the region's rights apply to pages made later.
            if (!as.populate(start, end)) return -err::ENOMEM;
        }
        if (s.filesz && !as.write(s.vaddr, file + s.offset, s.filesz)) return -err::ENOMEM;
        mapped_end = end > mapped_end ? end : mapped_end;
        last_prot = s.prot;
    }
    return 0;
}

} // namespace

ArgVector::ArgVector() : text(new char[MAX_BYTES]) {}
ArgVector::~ArgVector() {
    delete[] text;
}

long ArgVector::add(const char* s) {
    if (!text) return -err::ENOMEM;
    size_t n = 0;
    while (s[n]) n++;
    if (count == MAX_STRINGS || used + n + 1 > MAX_BYTES) return -err::E2BIG;
    __builtin_memcpy(text + used, s, n + 1);
    strings[count++] = text + used;
    strings[count] = nullptr;
    used += n + 1;
    return 0;
}

long ArgVector::add_from_user(uint64_t array, bool pointers_are_64bit) {
    if (!text) return -err::ENOMEM;
    if (!array) return 0; // Linux accepts a NULL argv/envp as empty
    const unsigned word = pointers_are_64bit ? 8 : 4;
    for (size_t i = 0;; i++) {
        uint64_t pointer = 0;
        if (copy_from_user(&pointer, UserPtr<const void>(array + i * word), word)) return -err::EFAULT;
        if (!pointer) return 0;
        if (count == MAX_STRINGS) return -err::E2BIG;
        const long n = copy_string_from_user(text + used, MAX_BYTES - used, UserPtr<const char>(pointer));
        if (n == -err::ENAMETOOLONG) return -err::E2BIG;
        if (n < 0) return n;
        strings[count++] = text + used;
        strings[count] = nullptr;
        used += size_t(n) + 1;
    }
}

long exec(Process* p, const char* path, const ArgVector& argv, const ArgVector& envp) {
    int error = 0;
    vfs::Node* node = vfs::lookup(p->cwd(), path, &error);
    if (!node) return error;
    if (node->is_directory()) return -err::EACCES;
    if (!node->is_regular() || !(node->mode & 0111)) return -err::EACCES;

    elf::Executable exe;
    if (const char* why = elf::parse_executable(node->data, node->size, x86::vdso::STACK_TOP64 - STACK_SIZE, exe)) {
        static RateLimit messages("[exec]");
        if (messages.allow()) kprintln("[exec] {}: {}", path, why);
        return -err::ENOEXEC;
    }

    mm::AddressSpace* as = mm::AddressSpace::create();
    if (!as) return -err::ENOMEM;
    long result = load_segments(*as, exe, node->data);

    // The break starts on the page after the highest segment.
    const uint64_t brk = page_up(exe.end);
    as->brk_start = as->brk_end = brk;

    vdso::Mapping vdso_map{};
    if (!result && !vdso::map_into(*as, exe.is64, vdso_map)) result = -err::ENOMEM;

    const uint64_t stack_top = exe.is64 ? x86::vdso::STACK_TOP64 : x86::vdso::STACK_TOP32;
    if (!result) result = as->add_region(stack_top - STACK_SIZE, stack_top, mm::PROT_READ | mm::PROT_WRITE, "stack");

    uint64_t sp = 0;
    if (!result) {
        uint32_t leaf1[4];
        x86::cpuid(1, 0, leaf1);
        exec::AuxEntry aux[24];
        size_t n = 0;
        if (!exe.is64) aux[n++] = {exec::at::SYSINFO, vdso_map.vsyscall};
        aux[n++] = {exec::at::SYSINFO_EHDR, vdso_map.base};
        aux[n++] = {exec::at::HWCAP, leaf1[3]};
        aux[n++] = {exec::at::HWCAP2, x86::x86_fsgsbase_enabled ? 2ull : 0ull}; // HWCAP2_FSGSBASE
        aux[n++] = {exec::at::MINSIGSTKSZ, signals::frame_size(exe.is64)};
        aux[n++] = {exec::at::PAGESZ, 4096};
        aux[n++] = {exec::at::CLKTCK, 100};
        aux[n++] = {exec::at::PHDR, exe.phdr_address};
        aux[n++] = {exec::at::PHENT, exe.phent};
        aux[n++] = {exec::at::PHNUM, exe.phnum};
        aux[n++] = {exec::at::BASE, 0};
        aux[n++] = {exec::at::FLAGS, 0};
        aux[n++] = {exec::at::ENTRY, exe.entry};
        aux[n++] = {exec::at::UID, 0};
        aux[n++] = {exec::at::EUID, 0};
        aux[n++] = {exec::at::GID, 0};
        aux[n++] = {exec::at::EGID, 0};
        aux[n++] = {exec::at::SECURE, 0};
        aux[n++] = {exec::at::RANDOM, 0};
        aux[n++] = {exec::at::EXECFN, 0};
        aux[n++] = {exec::at::PLATFORM, 0};
        uint8_t random[16];
        random::bytes(random, sizeof(random));
        const exec::StackSpec spec{exe.is64,
                                   stack_top,
                                   argv.strings,
                                   argv.count,
                                   envp.strings,
                                   envp.count,
                                   path,
                                   exe.is64 ? "x86_64" : "i686",
                                   random,
                                   aux,
                                   n};
        constexpr size_t IMAGE_MAX = ArgVector::MAX_BYTES * 2 + 32 * 1024;
        uint8_t* image = new uint8_t[IMAGE_MAX];
        if (!image) {
            result = -err::ENOMEM;
        } else {
            sp = exec::build_initial_stack(spec, image, IMAGE_MAX);
            if (!sp)
                result = -err::E2BIG;
            else if (!as->populate(page_down(sp), stack_top) ||
                     !as->write(sp, image + (IMAGE_MAX - (stack_top - sp)), stack_top - sp))
                result = -err::ENOMEM;
            delete[] image;
        }
    }
    if (result) {
        delete as;
        return result;
    }
    // The new program runs alone: the process's other tasks end first
    // (Linux's de_thread). A fatal signal meanwhile ends this one too.
    if (p == current_process() && !proc::become_single_task(p)) {
        delete as;
        return -err::EINTR;
    }

    // The point of no return: the old program is gone from here on.
    mm::AddressSpace* old = p->mm;
    p->mm = as;
    if (p == current_process()) x86::switch_address_space(as->root());
    if (old && old->put()) delete old;
    if (p->vfork_parent) {
        p->vfork_done = true;
        wake_all(p->vfork_wait);
        p->vfork_parent = nullptr;
    }
    if (p->files && p->files->refs > 1) { // shared with another process (CLONE_FILES): its own copy now
        if (FileTable* own = files::copy_table(*p->files)) {
            files::put_table(p->files);
            p->files = own;
        }
    }
    if (p->files) files::close_on_exec(*p->files);
    signals::reset_on_exec(p->signals);
    x86::reset_user_context(p->user_context, exe.is64);
    if (p == current_process()) x86::load_user_context(p->user_context, exe.is64);
    p->is64 = exe.is64;
    const char* base = path;
    for (const char* c = path; *c; c++)
        if (*c == '/') base = c + 1;
    size_t i = 0;
    for (; base[i] && i + 1 < sizeof(p->name); i++) p->name[i] = base[i];
    p->name[i] = 0;
    procfs::record_exec(*p, node, argv.strings, argv.count);

    // Every register zero except the stack pointer; IF on, as Linux starts a program.
    x86::RegisterFrame& f = p->frame();
    __builtin_memset(&f, 0, sizeof(f));
    f.rip = exe.entry;
    f.rsp = sp;
    f.rflags = x86::rflags::IF | x86::rflags::FIXED;
    f.cs = exe.is64 ? x86::gdt::USER_CS64 : x86::gdt::USER_CS32;
    f.ss = x86::gdt::USER_DS;
    // A new frame and maybe a new bitness: the call returns through iretq,
    // and sysenter now enters (and returns to) what fits the new program.
    sched::set_work(p, x86::work::FRAME | x86::work::SIGNAL);
    if (p == current_process()) x86::entry::switch_task_gates(p->is64, p->mm->vdso_base);
    return 0;
}

} // namespace proc
