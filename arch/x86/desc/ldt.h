#pragma once
// The local descriptor table (LDT) a program builds with modify_ldt, and
// the rules Linux applies to its entries (arch/x86/kernel/ldt.c,
// arch/x86/include/asm/desc.h: fill_ldt, LDT_empty). Pure: the unit tests
// check every rule; the kernel installs the table (arch/x86/desc/gdt.cpp)
// and the system call lives in kernel/syscall/sys_segments.cpp.
//
// A selector names the LDT when its TI bit (bit 2) is set (SDM Vol. 3A
// 3.4.2): index << 3 | 4 | RPL. The CPU finds the table through LDTR,
// loaded by lldt from a system descriptor in the GDT (SDM Vol. 3A 3.5.1;
// in 64-bit mode a 16-byte descriptor, Figure 7-4's layout with type 2).
// Like Linux, Sysgate keeps one LDT per address space, shared by the
// tasks that share the memory, copied by fork and gone after execve.
#include <stddef.h>
#include <stdint.h>

#include "arch/x86/desc/descriptors.h"

namespace x86::ldt {

constexpr unsigned ENTRIES = 8192; // a selector's 13-bit index (Linux's LDT_ENTRIES)
constexpr unsigned ENTRY_SIZE = 8;
constexpr unsigned DEFAULT_LDT_BYTES = 128; // what modify_ldt(2) "reads" of the default LDT on x86_64

// Selectors (SDM Vol. 3A 3.4.2).
constexpr uint16_t TI_LDT = 4;
constexpr uint16_t selector(unsigned index, unsigned rpl = 3) {
    return uint16_t(index << 3 | TI_LDT | (rpl & 3));
}
constexpr bool names_ldt(uint16_t sel) {
    return sel & TI_LDT;
}

// struct user_desc (arch/x86/include/uapi/asm/ldt.h); flags from bit 0:
// seg_32bit, contents (2 bits), read_exec_only, limit_in_pages,
// seg_not_present, useable, lm.
struct UserDesc {
    uint32_t entry_number;
    uint32_t base_addr;
    uint32_t limit;
    uint32_t flags;
};
static_assert(sizeof(UserDesc) == 16);
constexpr uint32_t SEG_32BIT = 1, READ_EXEC_ONLY = 1 << 3, LIMIT_IN_PAGES = 1 << 4, SEG_NOT_PRESENT = 1 << 5,
                   USEABLE = 1 << 6, LM = 1 << 7;
constexpr unsigned contents(const UserDesc& d) {
    return d.flags >> 1 & 3; // 0 data, 1 expand-down data, 2 code, 3 conforming code
}

// Linux's LDT_empty: the descriptor a program passes to clear an entry.
// Unused flag bits (above lm) and lm itself do not count.
constexpr bool is_empty(const UserDesc& d) {
    return !d.base_addr && !d.limit && (d.flags & 0x7f) == (READ_EXEC_ONLY | SEG_NOT_PRESENT);
}

// A 16-bit segment that could hold a stack: present, writable data with
// D/B = 0 (SS accepts only writable data, and a not-present one does not
// load). iretq to such an SS loads only the low 16 bits of ESP; bits 31:16
// keep what the kernel's RSP had (the reason for Linux's espfix64,
// arch/x86/kernel/espfix_64.c). Sysgate has no espfix, so it refuses these
// segments; 16-bit code and 16-bit data that cannot be a stack are fine
// (docs/gates.md, "The TSS I/O bitmap and the LDT").
constexpr bool is_16bit_stack(const UserDesc& d) {
    return !(d.flags & SEG_32BIT) && contents(d) <= 1 && !(d.flags & READ_EXEC_ONLY) && !(d.flags & SEG_NOT_PRESENT);
}
constexpr bool ALLOW_16BIT_STACKS = false;

// The descriptor a write installs (modify_ldt func 1 "old mode" or 0x11),
// or false for -EINVAL. Linux's write_ldt rules, in its order:
//   - entry_number below 8192;
//   - contents 3 (conforming code) only in the new mode, and only not
//     present (a present conforming code segment would run at the
//     caller's CPL with any RPL: Linux refuses it outright);
//   - "empty" (LDT_empty), or in old mode base = limit = 0, clears the entry;
//   - otherwise fill_ldt's encoding: DPL 3, accessed, S = 1, lm ignored
//     (a 64-bit LDT code segment would confuse every "is this 64-bit?"
//     check, and sysret overrides it anyway); old mode also clears AVL.
// allow_16bit_stacks: whether a 16-bit stack segment may be created.
constexpr bool encode_write(const UserDesc& d, bool old_mode, bool allow_16bit_stacks, uint64_t& out) {
    if (d.entry_number >= ENTRIES) return false;
    if (contents(d) == 3 && (old_mode || !(d.flags & SEG_NOT_PRESENT))) return false;
    if ((old_mode && !d.base_addr && !d.limit) || is_empty(d)) {
        out = 0;
        return true;
    }
    if (is_16bit_stack(d) && !allow_16bit_stacks) return false;
    uint32_t flags = d.flags & ~LM;
    if (old_mode) flags &= ~USEABLE;
    out = desc::from_user_desc(d.base_addr, d.limit, flags);
    return true;
}

// The entries of one LDT, grown on demand. The CPU reads [0, count())
// (the limit in the GDT descriptor is count() * 8 - 1); the rest of the
// allocation is zero. version() changes with every write, so a CPU that
// installed the table knows when to install it again.
class Table {
  public:
    Table() = default;
    ~Table() { delete[] entries_; }
    Table(const Table&) = delete;
    Table& operator=(const Table&) = delete;

    unsigned count() const { return count_; }
    const uint64_t* entries() const { return entries_; }
    uint64_t version() const { return version_; }
    uint64_t entry(unsigned index) const { return index < count_ ? entries_[index] : 0; }

    // Sets entry `index` (< ENTRIES). False when out of memory; then
    // nothing changed. The old array is returned in *retired for the
    // caller to free once the CPU no longer uses it (nullptr if none).
    bool write(unsigned index, uint64_t descriptor, uint64_t** retired) {
        *retired = nullptr;
        if (index >= ENTRIES) return false;
        if (index >= capacity_) {
            // Whole pages of entries (512 a page): few reallocations.
            const unsigned capacity = (index / 512 + 1) * 512;
            uint64_t* grown = new uint64_t[capacity];
            if (!grown) return false;
            for (unsigned i = 0; i < capacity; i++) grown[i] = i < count_ ? entries_[i] : 0;
            *retired = entries_;
            entries_ = grown;
            capacity_ = capacity;
        }
        entries_[index] = descriptor;
        if (index >= count_) count_ = index + 1;
        version_++;
        return true;
    }

    // fork: the same entries in a table of its own. False when out of memory.
    bool copy_from(const Table& other) {
        if (!other.count_) return true;
        uint64_t* copy = new uint64_t[other.capacity_];
        if (!copy) return false;
        for (unsigned i = 0; i < other.capacity_; i++) copy[i] = other.entries_[i];
        delete[] entries_;
        entries_ = copy;
        capacity_ = other.capacity_;
        count_ = other.count_;
        version_++;
        return true;
    }

    // modify_ldt func 0: how many bytes a read of `bytecount` returns
    // (Linux: 0 without an LDT, else bytecount capped at the table's
    // largest size, the part past count() reading as zero).
    size_t read_size(size_t bytecount) const {
        if (!count_) return 0;
        return bytecount < size_t(ENTRIES) * ENTRY_SIZE ? bytecount : size_t(ENTRIES) * ENTRY_SIZE;
    }

  private:
    uint64_t* entries_ = nullptr;
    unsigned count_ = 0, capacity_ = 0;
    uint64_t version_ = 0;
};

} // namespace x86::ldt
