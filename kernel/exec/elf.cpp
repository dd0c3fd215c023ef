#include "kernel/exec/elf.h"

namespace elf {
namespace {

// The fields Sysgate needs, for both classes (System V gABI, Figure 4-3/5-1).
constexpr uint8_t CLASS32 = 1, CLASS64 = 2, DATA_LSB = 1;
constexpr uint16_t ET_EXEC = 2, ET_DYN = 3, EM_386 = 3, EM_X86_64 = 62;
constexpr uint32_t PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_PHDR = 6;
constexpr uint32_t PF_X = 1, PF_W = 2, PF_R = 4;
constexpr int64_t DT_NULL = 0, DT_HASH = 4, DT_STRTAB = 5, DT_SYMTAB = 6, DT_GNU_HASH = 0x6ffffef5;

template <typename T>
bool read(const uint8_t* data, size_t size, uint64_t offset, T& out) {
    if (offset > size || sizeof(T) > size - offset) return false;
    __builtin_memcpy(&out, data + offset, sizeof(T));
    return true;
}

struct Header {
    bool is64;
    uint16_t type, machine;
    uint64_t entry, phoff;
    uint16_t phentsize, phnum;
};

struct ProgramHeader {
    uint32_t type, flags;
    uint64_t offset, vaddr, filesz, memsz;
};

const char* read_header(const uint8_t* d, size_t size, Header& h) {
    if (size < 52 || d[0] != 0x7f || d[1] != 'E' || d[2] != 'L' || d[3] != 'F') return "not an ELF file";
    if (d[4] != CLASS32 && d[4] != CLASS64) return "unknown ELF class";
    if (d[5] != DATA_LSB) return "not little-endian";
    h.is64 = d[4] == CLASS64;
    read(d, size, 16, h.type);
    read(d, size, 18, h.machine);
    if (h.is64) {
        if (size < 64) return "truncated ELF header";
        read(d, size, 24, h.entry);
        read(d, size, 32, h.phoff);
        read(d, size, 54, h.phentsize);
        read(d, size, 56, h.phnum);
        if (h.machine != EM_X86_64) return "ELF64 file not for x86_64";
        if (h.phnum && h.phentsize != 56) return "bad program header size";
    } else {
        uint32_t entry, phoff;
        read(d, size, 24, entry);
        read(d, size, 28, phoff);
        h.entry = entry;
        h.phoff = phoff;
        read(d, size, 42, h.phentsize);
        read(d, size, 44, h.phnum);
        if (h.machine != EM_386) return "ELF32 file not for i386";
        if (h.phnum && h.phentsize != 32) return "bad program header size";
    }
    return nullptr;
}

bool read_phdr(const uint8_t* d, size_t size, const Header& h, unsigned i, ProgramHeader& p) {
    const uint64_t at = h.phoff + uint64_t(i) * h.phentsize;
    if (h.is64) {
        return read(d, size, at, p.type) && read(d, size, at + 4, p.flags) && read(d, size, at + 8, p.offset) &&
               read(d, size, at + 16, p.vaddr) && read(d, size, at + 32, p.filesz) && read(d, size, at + 40, p.memsz);
    }
    uint32_t offset = 0, vaddr = 0, filesz = 0, memsz = 0;
    const bool ok = read(d, size, at, p.type) && read(d, size, at + 4, offset) && read(d, size, at + 8, vaddr) &&
                    read(d, size, at + 16, filesz) && read(d, size, at + 20, memsz) && read(d, size, at + 24, p.flags);
    p.offset = offset;
    p.vaddr = vaddr;
    p.filesz = filesz;
    p.memsz = memsz;
    return ok;
}

} // namespace

const char* parse_executable(const uint8_t* d, size_t size, uint64_t user_limit_64, Executable& out) {
    Header h;
    if (const char* why = read_header(d, size, h)) return why;
    if (h.type == ET_DYN) return "position-independent executables are not supported (link with -static -no-pie)";
    if (h.type != ET_EXEC) return "not an executable";
    if (h.phnum == 0 || h.phnum > 64) return "no program headers";
    const uint64_t limit = h.is64 ? user_limit_64 : (1ull << 32);
    out = {};
    out.is64 = h.is64;
    out.entry = h.entry;
    out.phent = h.phentsize;
    out.phnum = h.phnum;
    bool entry_in_code = false;
    for (unsigned i = 0; i < h.phnum; i++) {
        ProgramHeader p;
        if (!read_phdr(d, size, h, i, p)) return "program headers run past the end of the file";
        if (p.type == PT_INTERP) return "dynamically linked (needs an interpreter): link with -static";
        if (p.type == PT_PHDR) out.phdr_address = p.vaddr;
        if (p.type != PT_LOAD || p.memsz == 0) continue;
        if (out.segment_count == MAX_SEGMENTS) return "too many loadable segments";
        if (p.filesz > p.memsz) return "segment file size exceeds its memory size";
        if (p.offset > size || p.filesz > size - p.offset) return "segment data runs past the end of the file";
        if (p.vaddr < 0x1000 || p.memsz > limit || p.vaddr > limit - p.memsz)
            return "segment outside the user address space";
        if ((p.vaddr & 0xfff) != (p.offset & 0xfff)) return "segment offset and address not congruent";
        if (out.segment_count && p.vaddr < out.segments[out.segment_count - 1].vaddr)
            return "segments not in address order";
        Segment& s = out.segments[out.segment_count++];
        s = {p.vaddr, p.memsz, p.offset, p.filesz,
             (p.flags & PF_R ? 1u : 0u) | (p.flags & PF_W ? 2u : 0u) | (p.flags & PF_X ? 4u : 0u)};
        if ((s.prot & 4) && h.entry >= p.vaddr && h.entry < p.vaddr + p.memsz) entry_in_code = true;
        if (p.vaddr + p.memsz > out.end) out.end = p.vaddr + p.memsz;
        // Without PT_PHDR, the headers are mapped if a segment holds them from the file.
        if (!out.phdr_address && h.phoff >= p.offset &&
            h.phoff + uint64_t(h.phnum) * h.phentsize <= p.offset + p.filesz)
            out.phdr_address = p.vaddr + (h.phoff - p.offset);
    }
    if (!out.segment_count) return "no loadable segments";
    if (!entry_in_code) return "entry point not in an executable segment";
    return nullptr;
}

bool find_dynamic_symbol(const uint8_t* d, size_t size, const char* name, uint64_t& value) {
    Header h;
    if (read_header(d, size, h) || h.type != ET_DYN) return false;
    // The image is used as loaded: addresses inside it are offsets from the
    // first PT_LOAD's vaddr (the vDSO is linked at 0 and not relocated).
    uint64_t base = ~0ull, dyn_off = 0, dyn_size = 0;
    for (unsigned i = 0; i < h.phnum; i++) {
        ProgramHeader p;
        if (!read_phdr(d, size, h, i, p)) return false;
        if (p.type == PT_LOAD && base == ~0ull) base = p.vaddr - p.offset;
        if (p.type == PT_DYNAMIC) {
            dyn_off = p.offset;
            dyn_size = p.filesz;
        }
    }
    if (base == ~0ull || !dyn_size) return false;
    uint64_t symtab = 0, strtab = 0, hash = 0, gnu_hash = 0;
    const unsigned word = h.is64 ? 8 : 4;
    for (uint64_t at = dyn_off; at + 2 * word <= dyn_off + dyn_size; at += 2 * word) {
        int64_t tag = 0;
        uint64_t val = 0;
        if (h.is64) {
            if (!read(d, size, at, tag) || !read(d, size, at + 8, val)) return false;
        } else {
            int32_t t32;
            uint32_t v32;
            if (!read(d, size, at, t32) || !read(d, size, at + 4, v32)) return false;
            tag = t32;
            val = v32;
        }
        if (tag == DT_NULL) break;
        if (tag == DT_SYMTAB) symtab = val - base;
        if (tag == DT_STRTAB) strtab = val - base;
        if (tag == DT_HASH) hash = val - base;
        if (tag == DT_GNU_HASH) gnu_hash = val - base;
    }
    uint32_t count = 0;
    if (hash) {
        if (!read(d, size, hash + 4, count)) return false; // nchain = number of symbols
    } else if (gnu_hash) {
        // Without DT_HASH, the highest symbol index reachable from the
        // GNU hash buckets bounds the table (as glibc's loader computes it).
        uint32_t nbuckets, symoffset, bloom_size;
        if (!read(d, size, gnu_hash, nbuckets) || !read(d, size, gnu_hash + 4, symoffset) ||
            !read(d, size, gnu_hash + 8, bloom_size))
            return false;
        const uint64_t buckets = gnu_hash + 16 + uint64_t(bloom_size) * word;
        uint32_t last = 0;
        for (uint32_t b = 0; b < nbuckets; b++) {
            uint32_t v;
            if (!read(d, size, buckets + 4ull * b, v)) return false;
            if (v > last) last = v;
        }
        if (last >= symoffset) {
            const uint64_t chains = buckets + 4ull * nbuckets;
            for (;; last++) {
                uint32_t chain;
                if (!read(d, size, chains + 4ull * (last - symoffset), chain)) return false;
                if (chain & 1) break;
            }
            count = last + 1;
        } else {
            count = symoffset;
        }
    } else {
        return false;
    }
    const unsigned sym_size = h.is64 ? 24 : 16;
    for (uint32_t i = 1; i < count; i++) {
        const uint64_t at = symtab + uint64_t(i) * sym_size;
        uint32_t name_off;
        uint16_t shndx;
        uint64_t sym_value;
        if (!read(d, size, at, name_off)) return false;
        if (h.is64) {
            if (!read(d, size, at + 6, shndx) || !read(d, size, at + 8, sym_value)) return false;
        } else {
            uint32_t v32;
            if (!read(d, size, at + 4, v32) || !read(d, size, at + 14, shndx)) return false;
            sym_value = v32;
        }
        if (shndx == 0) continue; // undefined
        const uint64_t str = strtab + name_off;
        size_t k = 0;
        for (; name[k]; k++) {
            if (str + k >= size || d[str + k] != uint8_t(name[k])) break;
        }
        if (name[k] || str + k >= size || d[str + k] != 0) continue;
        value = sym_value - base;
        return true;
    }
    return false;
}

} // namespace elf
