// Memory system calls: the program break and anonymous mappings. Pages
// appear on first touch (kernel/mm/address_space.cpp); a request larger
// than the free memory fails at once with -ENOMEM.
#include "arch/x86/mm/layout.h"
#include "arch/x86/vdso/layout.h"
#include "kernel/errno.h"
#include "kernel/mm/memory.h"
#include "kernel/proc/process.h"
#include "kernel/syscall/handlers.h"

namespace {

using x86::mm::PAGE_SIZE;
using x86::mm::page_up;

constexpr int MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000,
              MAP_FIXED_NOREPLACE = 0x100000, MAP_STACK = 0x20000, MAP_GROWSDOWN = 0x100;
constexpr int PROT_MASK = mm::PROT_READ | mm::PROT_WRITE | mm::PROT_EXEC;
constexpr uint64_t RESERVE_FRAMES = 256; // kept back so the system still answers

bool memory_available(uint64_t bytes) {
    return bytes / PAGE_SIZE + RESERVE_FRAMES <= mm::free_frames();
}

// Below the stack (and its 8 MiB reservation), top-down, as Linux lays out mmap.
uint64_t mmap_ceiling(const Process* p) {
    return (p->is64 ? x86::vdso::STACK_TOP64 : x86::vdso::STACK_TOP32) - (8ull << 20) - (1ull << 20);
}

long do_mmap(uint64_t address, uint64_t length, int prot, int flags, int fd, uint64_t offset) {
    Process* p = current_process();
    if (!length || (prot & ~PROT_MASK)) return -err::EINVAL;
    if ((flags & (MAP_SHARED | MAP_PRIVATE)) != MAP_PRIVATE) return -err::EINVAL; // private mappings only
    if (!(flags & MAP_ANONYMOUS)) return fd < 0 ? -err::EBADF : -err::ENODEV;     // no file mappings
    if (offset % PAGE_SIZE) return -err::EINVAL;
    if (flags & ~(MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE | MAP_STACK |
                  MAP_GROWSDOWN | 0x8000 /*MAP_POPULATE*/ | 0x40000 /*MAP_HUGETLB*/ | 0x10000 /*MAP_NONBLOCK*/))
        return -err::EINVAL;
    const uint64_t limit = user_address_limit();
    const uint64_t size = page_up(length);
    if (size < length || size > limit) return -err::ENOMEM;
    if (!memory_available(size)) return -err::ENOMEM;

    uint64_t start;
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
        if (address % PAGE_SIZE || address < PAGE_SIZE) return -err::EINVAL;
        if (address > limit - size) return -err::ENOMEM; // past the top, as Linux's get_unmapped_area
        start = address;
        if (flags & MAP_FIXED_NOREPLACE) {
            for (const mm::Region* r = p->mm->regions(); r; r = r->next)
                if (r->start < start + size && start < r->end) return -err::EEXIST;
        } else if (const int e = p->mm->unmap(start, size)) {
            return e;
        }
    } else {
        start = p->mm->find_free(size, mmap_ceiling(p));
        if (!start || start < PAGE_SIZE) return -err::ENOMEM;
    }
    if (const int e = p->mm->add_region(start, start + size, uint32_t(prot), "mmap"))
        return e == -err::EEXIST ? -err::ENOMEM : e;
    return long(start);
}

// The page-rounded length of [address, address + length), or 0 if the
// rounding or the end wraps or passes what the process may name (4 GiB
// for a 32-bit process). Every (address, length) call checks this first.
uint64_t whole_pages_in_reach(uint64_t address, uint64_t length) {
    const uint64_t limit = user_address_limit();
    if (length > limit) return 0;
    const uint64_t size = page_up(length);
    return size && address <= limit && size <= limit - address ? size : 0;
}

} // namespace

int64_t sys_brk(uint64_t address) {
    mm::AddressSpace& as = *current_process()->mm;
    // Linux's rule: an impossible request leaves the break where it was,
    // and the caller sees the old value.
    if (address < as.brk_start || address >= mmap_ceiling(current_process())) return int64_t(as.brk_end);
    const uint64_t old_top = page_up(as.brk_end), new_top = page_up(address);
    if (new_top > old_top && !memory_available(new_top - old_top)) return int64_t(as.brk_end);
    if (new_top != old_top && as.resize_region(as.brk_start, new_top, mm::PROT_READ | mm::PROT_WRITE, "heap"))
        return int64_t(as.brk_end);
    // Memory released and taken again must read as zeros: clear the tail
    // of the last page when the break shrinks within it.
    if (address < as.brk_end && address < new_top)
        as.zero(address, (new_top < as.brk_end ? new_top : as.brk_end) - address);
    as.brk_end = address;
    return int64_t(address);
}

int64_t sys_mmap(uint64_t address, uint64_t length, int prot, int flags, int fd, int64_t offset) {
    if (offset < 0) return -err::EINVAL;
    return do_mmap(address, length, prot, flags, fd, uint64_t(offset));
}

int64_t sys_mmap2(uint32_t address, uint32_t length, int prot, int flags, int fd, uint32_t page_offset) {
    return do_mmap(address, length, prot, flags, fd, uint64_t(page_offset) * PAGE_SIZE);
}

// The first i386 mmap takes its six arguments in a structure.
int64_t sys_old_mmap32(UserPtr<const void> args) {
    uint32_t a[6];
    if (copy_from_user(a, args, sizeof(a))) return -err::EFAULT;
    return do_mmap(a[0], a[1], int(a[2]), int(a[3]), int(a[4]), a[5]);
}

// Linux's errors (mm/mmap.c, mm/mprotect.c): munmap of a range that wraps
// or leaves user space is -EINVAL; mprotect of one is -ENOMEM.
int64_t sys_munmap(uint64_t address, uint64_t length) {
    if (address % PAGE_SIZE) return -err::EINVAL;
    const uint64_t size = whole_pages_in_reach(address, length);
    if (!size) return -err::EINVAL;
    return current_process()->mm->unmap(address, size);
}

int64_t sys_mprotect(uint64_t address, uint64_t length, int prot) {
    if (address % PAGE_SIZE || (prot & ~PROT_MASK)) return -err::EINVAL;
    if (!length) return 0;
    const uint64_t size = whole_pages_in_reach(address, length);
    if (!size) return -err::ENOMEM;
    return current_process()->mm->protect(address, size, uint32_t(prot));
}
