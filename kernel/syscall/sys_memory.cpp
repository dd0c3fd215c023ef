// Memory system calls with Linux 6.1's semantics: the program break,
// anonymous mappings (private, shared, /dev/zero), munmap, mprotect,
// mremap, madvise, msync, mlock and mincore. Each checks its arguments in
// the order Linux does (mm/mmap.c, mm/mremap.c, mm/mprotect.c,
// mm/madvise.c, mm/msync.c, mm/mlock.c, mm/mincore.c) and then uses the
// region operations of kernel/mm/address_space.cpp.
//
// Where Sysgate answers differently, on purpose:
//   - a mapping that may need fresh memory (private and writable without
//     MAP_NORESERVE, or shared) must fit in the free memory now, else
//     -ENOMEM at once: there is no swap and no OOM killer;
//   - below 64 KiB (Linux's vm.mmap_min_addr) nothing is mapped: -EPERM,
//     Linux's answer to a task without CAP_SYS_RAWIO;
//   - files cannot be mapped (-ENODEV), except /dev/zero, which gives
//     anonymous memory as on Linux; MAP_HUGETLB fails with -ENOMEM, as on
//     Linux with no huge pages reserved;
//   - the vDSO cannot be made writable (-EACCES; Linux copies it on write).
#include "arch/x86/mm/layout.h"
#include "arch/x86/vdso/layout.h"
#include "kernel/errno.h"
#include "kernel/fs/file.h"
#include "kernel/mm/address_space.h"
#include "kernel/mm/memory.h"
#include "kernel/mm/shared_memory.h"
#include "kernel/proc/process.h"
#include "kernel/proc/sched.h"
#include "kernel/syscall/handlers.h"

namespace {

using mm::Backing;
using mm::Region;
using mm::Special;
using x86::mm::page_down;
using x86::mm::PAGE_SIZE;
using x86::mm::page_up;
namespace vm = mm::vm;

// include/uapi/asm-generic/mman-common.h, mman.h, linux/mman.h, asm/mman.h
constexpr uint64_t MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_SHARED_VALIDATE = 0x03, MAP_TYPE = 0x0f, MAP_FIXED = 0x10,
                   MAP_ANONYMOUS = 0x20, MAP_32BIT = 0x40, MAP_GROWSDOWN = 0x100, MAP_DENYWRITE = 0x800,
                   MAP_EXECUTABLE = 0x1000, MAP_LOCKED = 0x2000, MAP_NORESERVE = 0x4000, MAP_POPULATE = 0x8000,
                   MAP_NONBLOCK = 0x10000, MAP_STACK = 0x20000, MAP_HUGETLB = 0x40000, MAP_FIXED_NOREPLACE = 0x100000,
                   MAP_UNINITIALIZED = 0x4000000;
constexpr unsigned MAP_HUGE_SHIFT = 26, MAP_HUGE_MASK = 0x3f;
// The flags every file's mmap knows (include/linux/mman.h): MAP_SHARED
// drops the others, MAP_SHARED_VALIDATE refuses them.
constexpr uint64_t LEGACY_MAP_MASK = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE |
                                     MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE |
                                     MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_32BIT |
                                     (21ull << MAP_HUGE_SHIFT) | (30ull << MAP_HUGE_SHIFT);
constexpr uint64_t PROT_SEM = 0x8, PROT_GROWSDOWN = 0x01000000, PROT_GROWSUP = 0x02000000;
constexpr uint64_t MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2, MREMAP_DONTUNMAP = 4;
constexpr int MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4;
constexpr int MCL_CURRENT = 1, MCL_FUTURE = 2, MCL_ONFAULT = 4, MLOCK_ONFAULT = 1;

// Linux's default vm.mmap_min_addr.
constexpr uint64_t MMAP_MIN_ADDR = 0x10000;

mm::AddressSpace& current_mm() {
    return *current_process()->mm;
}

// The end of what a call may name (Linux's TASK_SIZE). An i386 call from
// a 64-bit program (int $0x80) is kept below 4 GiB, so that its result
// fits in eax.
uint64_t task_size(bool compat) {
    return compat ? 1ull << 32 : user_address_limit();
}

// Below the stack (and its 8 MiB reservation), top-down, as Linux lays out mmap.
uint64_t mmap_base(bool is64) {
    return (is64 ? x86::vdso::STACK_TOP64 : x86::vdso::STACK_TOP32) - (8ull << 20) - (1ull << 20);
}

// Linux's get_unmapped_area: a free range for `length` bytes (the hint if
// it fits), or the fixed address checked; the address or -errno.
int64_t unmapped_area(uint64_t hint, uint64_t length, bool fixed, bool map32bit, bool compat) {
    const Process* p = current_process();
    const uint64_t size = task_size(compat);
    if (length > size) return -err::ENOMEM;
    uint64_t address = hint;
    if (!fixed) {
        mm::Placement q{
            page_up(hint), length, size, mmap_base(p->is64 && !compat), MMAP_MIN_ADDR, map32bit && p->is64 && !compat};
        if (q.hint < hint) q.hint = 0; // page_up wrapped
        address = mm::place(p->mm->list(), q);
        if (!address) return -err::ENOMEM;
    }
    if (address > size - length) return -err::ENOMEM;
    if (address % PAGE_SIZE) return -err::EINVAL;
    if (address < MMAP_MIN_ADDR) return -err::EPERM;
    return int64_t(address);
}

// Linux's do_munmap argument rule, then the unmap.
long do_munmap(uint64_t start, uint64_t length) {
    const uint64_t size = task_size(false);
    if (start % PAGE_SIZE || start > size || length > size - start) return -err::EINVAL;
    const uint64_t aligned = page_up(length);
    if (!aligned) return -err::EINVAL;
    return current_mm().unmap(start, aligned);
}

// /dev/zero (character device 1:5): mapping it gives anonymous memory
// (Linux's mmap_zero, drivers/char/mem.c).
bool is_dev_zero(File* f) {
    FileStatus s;
    return !f->status(s) && (s.mode & mode::IFMT) == mode::IFCHR && s.rdev == (1u << 8 | 5);
}

// do_mmap and ksys_mmap_pgoff of mm/mmap.c, for anonymous memory.
long do_mmap(uint64_t address, uint64_t length, uint64_t prot, uint64_t flags, int fd, uint64_t pgoff, bool compat) {
    mm::AddressSpace& as = current_mm();
    File* file = nullptr;
    if (!(flags & MAP_ANONYMOUS)) {
        file = files::get(fd);
        if (!file) return -err::EBADF;
        if (flags & MAP_HUGETLB) return -err::EINVAL; // not a hugetlbfs file
    } else if (flags & MAP_HUGETLB) {
        const uint64_t log = (flags >> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;
        if (log != 0 && log != 21 && log != 30) return -err::EINVAL; // no such huge page size
        return -err::ENOMEM;                                         // there is no huge page pool
    }

    if (!length) return -err::EINVAL;
    if (flags & MAP_FIXED_NOREPLACE) flags |= MAP_FIXED;
    if (!(flags & MAP_FIXED)) { // round_hint_to_min
        address = page_down(address);
        if (address && address < MMAP_MIN_ADDR) address = MMAP_MIN_ADDR;
    }
    const uint64_t size = page_up(length);
    if (!size) return -err::ENOMEM;
    if (pgoff + size / PAGE_SIZE < pgoff) return -err::EOVERFLOW;
    if (as.list().count() > mm::RegionList::MAX_REGIONS) return -err::ENOMEM;

    const int64_t placed = unmapped_area(address, size, flags & MAP_FIXED, flags & MAP_32BIT, compat);
    if (placed < 0) return placed;
    const uint64_t start = uint64_t(placed);
    if ((flags & MAP_FIXED_NOREPLACE) && as.list().intersects(start, start + size)) return -err::EEXIST;

    // Unknown PROT_* bits are ignored, as calc_vm_prot_bits does.
    Region spec{start,
                start + size,
                uint32_t(prot & mm::PROT_ALL),
                vm::MAY_ALL | as.def_flags,
                Backing::Private,
                Special::None,
                nullptr,
                0,
                "mmap",
                nullptr};
    if (flags & MAP_GROWSDOWN) spec.flags |= vm::GROWSDOWN;
    if (flags & MAP_LOCKED) spec.flags |= vm::LOCKED;
    if (file) {
        if (!is_dev_zero(file)) return -err::ENODEV; // no other file can be mapped here
        const int access = file->flags & oflag::ACCMODE;
        switch (flags & MAP_TYPE) {
        case MAP_SHARED:
            flags &= LEGACY_MAP_MASK; // unknown flags are ignored...
            [[fallthrough]];
        case MAP_SHARED_VALIDATE:
            if (flags & ~LEGACY_MAP_MASK) return -err::EOPNOTSUPP; // ...or refused
            if ((prot & mm::PROT_WRITE) && access == oflag::RDONLY) return -err::EACCES;
            spec.backing = Backing::Shared;
            if (access == oflag::RDONLY) spec.flags &= ~vm::MAY_WRITE;
            [[fallthrough]];
        case MAP_PRIVATE:
            if (access == oflag::WRONLY) return -err::EACCES;
            if (spec.flags & vm::GROWSDOWN) return -err::EINVAL;
            break;
        default:
            return -err::EINVAL;
        }
    } else {
        switch (flags & MAP_TYPE) {
        case MAP_SHARED:
            if (spec.flags & vm::GROWSDOWN) return -err::EINVAL;
            spec.backing = Backing::Shared;
            break;
        case MAP_PRIVATE:
            break;
        default: // MAP_SHARED_VALIDATE included: Linux 6.1 takes it for files only
            return -err::EINVAL;
        }
    }
    if (flags & MAP_NORESERVE) spec.flags |= vm::NORESERVE;

    // mmap_region: the old mappings go first, then the memory check.
    if ((flags & MAP_FIXED) && as.unmap(start, size)) return -err::ENOMEM;
    if (spec.backing == Backing::Shared) {
        if (!mm::enough_memory(size)) return -err::ENOMEM;
        spec.object = mm::SharedMemory::create(size / PAGE_SIZE);
        if (!spec.object) return -err::ENOMEM;
    } else if ((spec.prot & mm::PROT_WRITE) && !(spec.flags & vm::NORESERVE)) {
        if (!mm::enough_memory(size)) return -err::ENOMEM;
        spec.flags |= vm::ACCOUNT;
    }
    if (const int e = as.add_region(spec)) {
        if (spec.object) spec.object->put(mm::physical_memory());
        return e == -err::EEXIST ? -err::ENOMEM : e;
    }
    if ((spec.flags & vm::LOCKED) || (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE)
        as.populate(start, start + size, true); // as mm_populate: a failure does not fail the call
    return long(start);
}

// ---------------------------------------------------------------- mremap

// vma_to_resize (mm/mremap.c): the region at `address` may become new_len
// bytes long; 0 or -errno.
long check_resize(uint64_t address, uint64_t old_len, uint64_t new_len, uint64_t flags) {
    const Region* r = current_mm().find(address);
    if (!r) return -err::EFAULT;
    // old_len 0 duplicates a mapping: only shared memory can be.
    if (!old_len && r->backing != Backing::Shared) return -err::EINVAL;
    if ((flags & MREMAP_DONTUNMAP) && r->backing == Backing::Kernel) return -err::EINVAL;
    if (old_len > r->end - address) return -err::EFAULT; // across regions
    if (new_len == old_len) return 0;
    if (r->backing == Backing::Kernel) return -err::EFAULT; // the vDSO never grows (VM_DONTEXPAND)
    return 0;
}

// move_vma: the pages of [address, address + old_len) go to new_address.
long move_mapping(uint64_t address, uint64_t old_len, uint64_t new_address, uint64_t new_len, uint64_t flags) {
    mm::AddressSpace& as = current_mm();
    const Region* r = as.find(address);
    if (!old_len) { // a second mapping of the same shared memory
        Region spec = *r;
        spec.start = new_address;
        spec.end = new_address + new_len;
        spec.pgoff = r->pgoff + (address - r->start) / PAGE_SIZE;
        spec.object->get();
        if (const int e = as.add_region(spec)) {
            spec.object->put(mm::physical_memory());
            return e == -err::EEXIST ? -err::ENOMEM : e;
        }
        return long(new_address);
    }
    const bool vdso = r->special == Special::Vdso;
    if (const int e = as.move(address, old_len, new_address, new_len, flags & MREMAP_DONTUNMAP)) return e;
    // A call made from inside the vDSO returns into its new place (Linux's
    // vdso_fix_landing does it for the 32-bit landing pad; here every gate
    // of the vDSO, the 64-bit one included, returns through it).
    Process* p = current_process();
    x86::RegisterFrame& f = p->frame();
    if (vdso) {
        if (f.rip >= address && f.rip < address + old_len) {
            f.rip = f.rip - address + new_address;
            sched::set_work(p, x86::work::FRAME);
        }
        x86::entry::switch_task_gates(p->is64, p->mm->vdso_base); // sysenter's landing pad moved too
    }
    return long(new_address);
}

// mremap_to: MREMAP_FIXED or MREMAP_DONTUNMAP.
long mremap_to(uint64_t address, uint64_t old_len, uint64_t new_address, uint64_t new_len, uint64_t flags,
               bool compat) {
    const uint64_t size = task_size(compat);
    if (new_address % PAGE_SIZE) return -err::EINVAL;
    if (new_len > size || new_address > size - new_len) return -err::EINVAL;
    if (address + old_len > new_address && new_address + new_len > address) return -err::EINVAL; // overlap
    if (flags & MREMAP_FIXED)
        if (const long e = do_munmap(new_address, new_len)) return e;
    if (old_len > new_len) {
        if (const long e = do_munmap(address + new_len, old_len - new_len)) return e;
        old_len = new_len;
    }
    if (const long e = check_resize(address, old_len, new_len, flags)) return e;
    const int64_t placed = unmapped_area(new_address, new_len, flags & MREMAP_FIXED, false, compat);
    if (placed < 0) return placed;
    return move_mapping(address, old_len, uint64_t(placed), new_len, flags);
}

long do_mremap(uint64_t address, uint64_t old_len, uint64_t new_len, uint64_t flags, uint64_t new_address,
               bool compat) {
    if (flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP)) return -err::EINVAL;
    if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) return -err::EINVAL;
    // MREMAP_DONTUNMAP is always a move, and never a resize.
    if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || old_len != new_len)) return -err::EINVAL;
    if (address % PAGE_SIZE) return -err::EINVAL;
    old_len = page_up(old_len);
    new_len = page_up(new_len);
    if (!new_len) return -err::EINVAL;
    mm::AddressSpace& as = current_mm();
    if (!as.find(address)) return -err::EFAULT;

    if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))
        return mremap_to(address, old_len, new_address, new_len, flags, compat);

    // Shrinking always works: the tail is unmapped.
    if (old_len >= new_len) {
        const long e = do_munmap(address + new_len, old_len - new_len);
        if (e && old_len != new_len) return e;
        return long(address);
    }
    if (const long e = check_resize(address, old_len, new_len, flags)) return e;
    const Region* r = as.find(address);
    // Up to the end of its region: grow in place if nothing is in the way.
    if (old_len == r->end - address) {
        const uint64_t end = r->end + (new_len - old_len);
        if (end > r->end && !as.list().intersects(r->end, end) && end <= task_size(compat)) {
            if (const int e = as.expand(address, end)) return e;
            return long(address);
        }
    }
    if (!(flags & MREMAP_MAYMOVE)) return -err::ENOMEM;
    const int64_t placed = unmapped_area(0, new_len, false, false, compat);
    if (placed < 0) return placed;
    return move_mapping(address, old_len, uint64_t(placed), new_len, flags);
}

// ---------------------------------------------------------------- madvise

constexpr int MADV_NORMAL = 0, MADV_RANDOM = 1, MADV_SEQUENTIAL = 2, MADV_WILLNEED = 3, MADV_DONTNEED = 4,
              MADV_FREE = 8, MADV_REMOVE = 9, MADV_DONTFORK = 10, MADV_DOFORK = 11, MADV_MERGEABLE = 12,
              MADV_UNMERGEABLE = 13, MADV_HUGEPAGE = 14, MADV_NOHUGEPAGE = 15, MADV_DONTDUMP = 16, MADV_DODUMP = 17,
              MADV_WIPEONFORK = 18, MADV_KEEPONFORK = 19, MADV_COLD = 20, MADV_PAGEOUT = 21, MADV_POPULATE_READ = 22,
              MADV_POPULATE_WRITE = 23, MADV_DONTNEED_LOCKED = 24, MADV_COLLAPSE = 25, MADV_HWPOISON = 100,
              MADV_SOFT_OFFLINE = 101;

// madvise_behavior_valid, with Debian's configuration (KSM, transparent
// huge pages and memory-failure injection built in).
bool advice_valid(int advice) {
    return (advice >= MADV_NORMAL && advice <= MADV_DONTNEED) || (advice >= MADV_FREE && advice <= MADV_COLLAPSE) ||
           advice == MADV_HWPOISON || advice == MADV_SOFT_OFFLINE;
}

// madvise_vma_behavior on [start, end), which lies in region r.
long advise_region(const Region& r, uint64_t start, uint64_t end, int advice) {
    mm::AddressSpace& as = current_mm();
    const bool vvar = r.special == Special::Vvar; // Linux's VM_IO | VM_PFNMAP
    long e = 0;
    switch (advice) {
    case MADV_REMOVE:
        if (r.flags & vm::LOCKED) return -err::EINVAL;
        if (r.backing != Backing::Shared) return -err::EINVAL; // no file behind it
        if (!(r.flags & vm::MAY_WRITE)) return -err::EACCES;   // vma_is_shared_maywrite
        as.remove_shared(start, end);
        return 0;
    case MADV_WILLNEED:
        return 0;
    case MADV_COLD:
    case MADV_PAGEOUT:
        return (r.flags & vm::LOCKED) || vvar ? -err::EINVAL : 0;
    case MADV_FREE:
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED:
        if (vvar || ((r.flags & vm::LOCKED) && advice != MADV_DONTNEED_LOCKED)) return -err::EINVAL;
        if (advice == MADV_FREE && r.backing != Backing::Private) return -err::EINVAL; // anonymous private only
        as.discard(start, end); // MADV_FREE: freed at once, which it allows
        return 0;
    case MADV_POPULATE_READ:
    case MADV_POPULATE_WRITE: {
        const uint32_t need = advice == MADV_POPULATE_WRITE ? mm::PROT_WRITE : mm::PROT_READ;
        if (vvar || !(r.prot & need)) return -err::EINVAL;
        return as.populate(start, end, true) ? 0 : -err::ENOMEM;
    }
    case MADV_DONTFORK:
        e = as.change_flags(start, end, vm::DONTCOPY, 0);
        break;
    case MADV_DOFORK:
        if (vvar) return -err::EINVAL;
        e = as.change_flags(start, end, 0, vm::DONTCOPY);
        break;
    case MADV_WIPEONFORK:
        if (r.backing == Backing::Shared) return -err::EINVAL; // anonymous private only
        e = as.change_flags(start, end, vm::WIPEONFORK, 0);
        break;
    case MADV_KEEPONFORK:
        e = as.change_flags(start, end, 0, vm::WIPEONFORK);
        break;
    case MADV_DODUMP:
        return r.special != Special::None ? -err::EINVAL : 0;
    case MADV_COLLAPSE:
        return -err::EINVAL; // no huge pages
    default: // NORMAL, RANDOM, SEQUENTIAL, (UN)MERGEABLE, (NO)HUGEPAGE, DONTDUMP: hints without effect here
        return 0;
    }
    return e == -err::ENOMEM ? -err::EAGAIN : e;
}

// Linux's mlock_fixup over [start, start + length), which must be mapped
// without holes (apply_vma_lock_flags); special mappings are left alone.
long lock_range(uint64_t start, uint64_t length, uint32_t set) {
    mm::AddressSpace& as = current_mm();
    const uint64_t end = start + length;
    if (end < start) return -err::EINVAL;
    if (end == start) return 0;
    const Region* r = as.find(start);
    if (!r) return -err::ENOMEM;
    uint64_t at = start;
    while (true) {
        const uint64_t piece_end = r->end < end ? r->end : end;
        if (r->special == Special::None)
            if (const int e = as.change_flags(at, piece_end, set, vm::LOCKED | vm::LOCKONFAULT)) return e;
        at = piece_end;
        if (at >= end) return 0;
        r = as.find(at); // (the piece may have merged with its neighbours)
        if (!r) return -err::ENOMEM;
    }
}

} // namespace

// ---------------------------------------------------------------- brk

int64_t sys_brk(uint64_t address) {
    mm::AddressSpace& as = current_mm();
    // Linux's rule: an impossible request leaves the break where it was,
    // and the caller sees the old value.
    if (address < as.brk_start || address >= mmap_base(current_process()->is64)) return int64_t(as.brk_end);
    const uint64_t old_top = page_up(as.brk_end), new_top = page_up(address);
    if (new_top > old_top && !mm::enough_memory(new_top - old_top)) return int64_t(as.brk_end);
    if (new_top != old_top && as.resize_region(as.brk_start, new_top, mm::PROT_READ | mm::PROT_WRITE, "heap"))
        return int64_t(as.brk_end);
    // Memory released and taken again must read as zeros: clear the tail
    // of the last page when the break shrinks within it.
    if (address < as.brk_end && address < new_top)
        as.zero(address, (new_top < as.brk_end ? new_top : as.brk_end) - address);
    as.brk_end = address;
    return int64_t(address);
}

// ---------------------------------------------------------------- mmap

int64_t sys_mmap(uint64_t address, uint64_t length, uint64_t prot, uint64_t flags, int fd, uint64_t offset) {
    if (offset % PAGE_SIZE) return -err::EINVAL;
    return do_mmap(address, length, prot, flags, fd, offset / PAGE_SIZE, false);
}

int64_t sys_mmap2(uint32_t address, uint32_t length, uint32_t prot, uint32_t flags, int fd, uint32_t page_offset) {
    return do_mmap(address, length, prot, flags, fd, page_offset, true);
}

// The first i386 mmap takes its six arguments in a structure.
int64_t sys_old_mmap32(UserPtr<const void> args) {
    uint32_t a[6];
    if (copy_from_user(a, args, sizeof(a))) return -err::EFAULT;
    if (a[5] % PAGE_SIZE) return -err::EINVAL;
    return do_mmap(a[0], a[1], a[2], a[3], int(a[4]), a[5] / PAGE_SIZE, true);
}

// Linux's errors (mm/mmap.c, mm/mprotect.c): munmap of a range that wraps
// or leaves user space is -EINVAL; mprotect of one is -ENOMEM.
int64_t sys_munmap(uint64_t address, uint64_t length) {
    return do_munmap(address, length);
}

int64_t sys_mprotect(uint64_t address, uint64_t length, uint64_t prot) {
    const uint64_t grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
    prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
    if (grows == (PROT_GROWSDOWN | PROT_GROWSUP)) return -err::EINVAL;
    if (address % PAGE_SIZE) return -err::EINVAL;
    if (!length) return 0;
    const uint64_t size = page_up(length);
    if (!size || address + size <= address) return -err::ENOMEM;
    if (prot & ~(mm::PROT_ALL | PROT_SEM)) return -err::EINVAL;
    mm::AddressSpace& as = current_mm();
    if (grows & PROT_GROWSUP) { // no region grows up on x86
        const Region* r = as.list().first_ending_above(address);
        return !r || r->start > address ? -err::ENOMEM : -err::EINVAL;
    }
    return as.protect(address, size, uint32_t(prot & mm::PROT_ALL), grows & PROT_GROWSDOWN);
}

// ---------------------------------------------------------------- mremap

int64_t sys_mremap(uint64_t address, uint64_t old_length, uint64_t new_length, uint64_t flags, uint64_t new_address) {
    return do_mremap(address, old_length, new_length, flags, new_address, false);
}

int64_t sys_mremap32(uint32_t address, uint32_t old_length, uint32_t new_length, uint32_t flags, uint32_t new_address) {
    return do_mremap(address, old_length, new_length, flags, new_address, true);
}

// ---------------------------------------------------------------- madvise, msync, mlock, mincore

int64_t sys_madvise(uint64_t address, uint64_t length, int advice) {
    if (!advice_valid(advice)) return -err::EINVAL;
    if (address % PAGE_SIZE) return -err::EINVAL;
    const uint64_t size = page_up(length);
    if (length && !size) return -err::EINVAL;
    const uint64_t end = address + size;
    if (end < address) return -err::EINVAL;
    if (end == address) return 0;
    // Poisoning pages needs CAP_SYS_ADMIN, which no process has here.
    if (advice == MADV_HWPOISON || advice == MADV_SOFT_OFFLINE) return -err::EPERM;
    // madvise_walk_vmas: holes are skipped, and reported at the end.
    mm::AddressSpace& as = current_mm();
    long unmapped = 0;
    uint64_t at = address;
    while (at < end) {
        const Region* r = as.list().first_ending_above(at);
        if (!r) return -err::ENOMEM;
        if (at < r->start) {
            unmapped = -err::ENOMEM;
            at = r->start;
            if (at >= end) break;
        }
        const uint64_t piece_end = r->end < end ? r->end : end;
        if (const long e = advise_region(*r, at, piece_end, advice)) return e;
        at = piece_end;
    }
    return unmapped;
}

int64_t sys_msync(uint64_t address, uint64_t length, int flags) {
    if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) return -err::EINVAL;
    if (address % PAGE_SIZE) return -err::EINVAL;
    if ((flags & MS_ASYNC) && (flags & MS_SYNC)) return -err::EINVAL;
    const uint64_t end = address + page_up(length);
    if (end < address) return -err::ENOMEM;
    if (end == address) return 0;
    // Nothing is written back anywhere (no file is mapped); what remains is
    // Linux's walk: holes give -ENOMEM, locked pages refuse MS_INVALIDATE.
    mm::AddressSpace& as = current_mm();
    long unmapped = 0;
    uint64_t at = address;
    while (true) {
        const Region* r = as.list().first_ending_above(at);
        if (!r) return -err::ENOMEM;
        if (at < r->start) {
            if (flags == MS_ASYNC) return -err::ENOMEM;
            at = r->start;
            if (at >= end) return -err::ENOMEM;
            unmapped = -err::ENOMEM;
        }
        if ((flags & MS_INVALIDATE) && (r->flags & vm::LOCKED)) return -err::EBUSY;
        at = r->end;
        if (at >= end) return unmapped;
    }
}

int64_t sys_mincore(uint64_t address, uint64_t length, UserPtr<uint8_t> vec) {
    if (address % PAGE_SIZE) return -err::EINVAL;
    if (!user_range_ok(address, length)) return -err::ENOMEM;
    uint64_t pages = length / PAGE_SIZE + (length % PAGE_SIZE != 0);
    if (!user_range_ok(vec.address(), pages)) return -err::EFAULT;
    mm::AddressSpace& as = current_mm();
    uint8_t chunk[256];
    while (pages) {
        const Region* r = as.find(address);
        if (!r) return -err::ENOMEM;
        uint64_t n = (r->end - address) / PAGE_SIZE;
        if (n > pages) n = pages;
        if (n > sizeof(chunk)) n = sizeof(chunk);
        for (uint64_t i = 0; i < n; i++) chunk[i] = as.resident(*r, address + i * PAGE_SIZE) ? 1 : 0;
        if (copy_to_user(vec, chunk, n)) return -err::EFAULT;
        vec = vec + n;
        address += n * PAGE_SIZE;
        pages -= n;
    }
    return 0;
}

// mlock: pages stay in memory anyway (there is no swap); what it does is
// Linux's bookkeeping: every page present now, the range flagged locked.
static long do_mlock(uint64_t address, uint64_t length, uint32_t flags) {
    const uint64_t start = page_down(address);
    const uint64_t size = page_up(length + (address - start));
    if (const long e = lock_range(start, size, flags)) return e;
    if (flags & vm::LOCKONFAULT) return 0;
    return current_mm().populate(start, start + size, true) ? 0 : -err::EAGAIN;
}

int64_t sys_mlock(uint64_t address, uint64_t length) {
    return do_mlock(address, length, vm::LOCKED);
}

int64_t sys_mlock2(uint64_t address, uint64_t length, int flags) {
    if (flags & ~MLOCK_ONFAULT) return -err::EINVAL;
    return do_mlock(address, length, vm::LOCKED | ((flags & MLOCK_ONFAULT) ? vm::LOCKONFAULT : 0));
}

int64_t sys_munlock(uint64_t address, uint64_t length) {
    const uint64_t start = page_down(address);
    return lock_range(start, page_up(length + (address - start)), 0);
}

int64_t sys_mlockall(int flags) {
    if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT) return -err::EINVAL;
    mm::AddressSpace& as = current_mm();
    const uint32_t lock = vm::LOCKED | ((flags & MCL_ONFAULT) ? vm::LOCKONFAULT : 0);
    as.def_flags = (flags & MCL_FUTURE) ? lock : 0;
    if (!(flags & MCL_CURRENT)) return 0;
    for (uint64_t at = 0;;) {
        const Region* r = as.list().first_ending_above(at);
        if (!r) break;
        at = r->end;
        if (r->special == Special::None) as.change_flags(r->start, r->end, lock, vm::LOCKED | vm::LOCKONFAULT);
    }
    if (!(flags & MCL_ONFAULT)) as.populate(0, user_address_limit(), true); // mm_populate ignores failures
    return 0;
}

int64_t sys_munlockall() {
    mm::AddressSpace& as = current_mm();
    as.def_flags = 0;
    for (uint64_t at = 0;;) {
        const Region* r = as.list().first_ending_above(at);
        if (!r) break;
        at = r->end;
        if (r->special == Special::None) as.change_flags(r->start, r->end, 0, vm::LOCKED | vm::LOCKONFAULT);
    }
    return 0;
}
