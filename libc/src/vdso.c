/* Finding a function in the vDSO: a small dynamic-symbol lookup over an ELF
   shared object already loaded in memory (pure, so the unit tests run it
   on real shared objects). The vDSO is ELF32 for i386 programs and ELF64
   for x86_64 ones; the layouts below are the System V gABI's. */
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>
#include <sysgate.h>

#include "libc.h"

#ifdef __x86_64__
#define ELF_CLASS 2 /* ELFCLASS64 */
typedef uint64_t Addr;
typedef struct {
    unsigned char e_ident[16];
    uint16_t e_type, e_machine;
    uint32_t e_version;
    uint64_t e_entry, e_phoff, e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} Ehdr;
typedef struct {
    uint32_t p_type, p_flags;
    uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
} Phdr;
typedef struct {
    int64_t d_tag;
    uint64_t d_val;
} Dyn;
typedef struct {
    uint32_t st_name;
    unsigned char st_info, st_other;
    uint16_t st_shndx;
    uint64_t st_value, st_size;
} Sym;
#else
#define ELF_CLASS 1 /* ELFCLASS32 */
typedef uint32_t Addr;
typedef struct {
    unsigned char e_ident[16];
    uint16_t e_type, e_machine;
    uint32_t e_version, e_entry, e_phoff, e_shoff, e_flags;
    uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} Ehdr;
typedef struct {
    uint32_t p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
} Phdr;
typedef struct {
    int32_t d_tag;
    uint32_t d_val;
} Dyn;
typedef struct {
    uint32_t st_name, st_value, st_size;
    unsigned char st_info, st_other;
    uint16_t st_shndx;
} Sym;
#endif

enum { PT_LOAD = 1, PT_DYNAMIC = 2 };
enum { DT_NULL = 0, DT_HASH = 4, DT_STRTAB = 5, DT_SYMTAB = 6, DT_GNU_HASH = 0x6ffffef5 };
enum { DT_VERSYM = 0x6ffffff0, DT_VERDEF = 0x6ffffffc };
enum { VER_FLG_BASE = 1 };

/* Symbol versions (the GNU extension both vDSOs use, with the same
   layout in ELF32 and ELF64): .gnu.version holds one index per dynamic
   symbol; .gnu.version_d a chain of definitions, each naming its version
   in its first auxiliary entry. */
typedef struct {
    uint16_t vd_version, vd_flags, vd_ndx, vd_cnt;
    uint32_t vd_hash, vd_aux, vd_next;
} Verdef;
typedef struct {
    uint32_t vda_name, vda_next;
} Verdaux;
enum { STT_NOTYPE = 0, STT_FUNC = 2, STB_GLOBAL = 1, STB_WEAK = 2, SHN_UNDEF = 0 };

/* The number of symbols in a DT_GNU_HASH table. It does not say so
   directly: symbols below `symoffset` are not hashed; of the others, the
   highest one any bucket starts a chain at is followed by its chain, whose
   last entry has bit 0 set. */
static uint32_t gnu_hash_symbol_count(const uint32_t* table) {
    uint32_t nbuckets = table[0], symoffset = table[1], bloom_words = table[2];
    const uint32_t* buckets = (const uint32_t*)((const Addr*)(table + 4) + bloom_words);
    const uint32_t* chains = buckets + nbuckets;
    uint32_t last = 0;
    for (uint32_t b = 0; b < nbuckets; b++)
        if (buckets[b] > last) last = buckets[b];
    if (last < symoffset) return symoffset;
    while (!(chains[last - symoffset] & 1)) last++;
    return last + 1;
}

/* Does dynamic symbol `index` have version `version`? An object without
   version tables matches any version (glibc's loader does the same). */
static int version_matches(const uint16_t* versym, const unsigned char* verdef, const char* strtab, uint32_t index,
                           const char* version) {
    if (!version || !versym || !verdef) return 1;
    const uint16_t want = versym[index] & 0x7fff; /* bit 15: hidden, not the default version */
    for (const Verdef* d = (const Verdef*)verdef;; d = (const Verdef*)((const unsigned char*)d + d->vd_next)) {
        if (!(d->vd_flags & VER_FLG_BASE) && (d->vd_ndx & 0x7fff) == want) {
            const Verdaux* aux = (const Verdaux*)((const unsigned char*)d + d->vd_aux);
            return !strcmp(strtab + aux->vda_name, version);
        }
        if (!d->vd_next) return 0;
    }
}

void* __sg_elf_lookup(const void* image, const char* name) {
    return __sg_elf_lookup_version(image, name, NULL);
}

void* __sg_elf_lookup_version(const void* image, const char* name, const char* version) {
    const unsigned char* base = image;
    const Ehdr* eh = image;
    if (!image || memcmp(eh->e_ident, "\177ELF", 4) || eh->e_ident[4] != ELF_CLASS || eh->e_phentsize != sizeof(Phdr))
        return NULL;

    /* Addresses inside the object are link-time addresses (0 for Linux's
       vDSO, anything for a prelinked one): bias = where the first PT_LOAD
       is in memory - where it was linked. */
    const Phdr* ph = (const Phdr*)(base + eh->e_phoff);
    const Phdr *first_load = NULL, *dynamic_ph = NULL;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && !first_load) first_load = &ph[i];
        if (ph[i].p_type == PT_DYNAMIC) dynamic_ph = &ph[i];
    }
    if (!first_load || !dynamic_ph) return NULL;
    uintptr_t bias = (uintptr_t)base + first_load->p_offset - first_load->p_vaddr;
    const Dyn* dynamic = (const Dyn*)(bias + dynamic_ph->p_vaddr);

    const Sym* symtab = NULL;
    const char* strtab = NULL;
    const uint32_t *hash = NULL, *gnu_hash = NULL;
    const uint16_t* versym = NULL;
    const unsigned char* verdef = NULL;
    for (const Dyn* d = dynamic; d->d_tag != DT_NULL; d++) {
        uintptr_t p = bias + (uintptr_t)d->d_val;
        switch (d->d_tag) {
        case DT_SYMTAB:
            symtab = (const Sym*)p;
            break;
        case DT_STRTAB:
            strtab = (const char*)p;
            break;
        case DT_HASH:
            hash = (const uint32_t*)p;
            break;
        case DT_GNU_HASH:
            gnu_hash = (const uint32_t*)p;
            break;
        case DT_VERSYM:
            versym = (const uint16_t*)p;
            break;
        case DT_VERDEF:
            verdef = (const unsigned char*)p;
            break;
        }
    }
    if (!symtab || !strtab || (!hash && !gnu_hash)) return NULL;

    /* DT_HASH: nchain, its second word, is the number of symbols. */
    uint32_t count = hash ? hash[1] : gnu_hash_symbol_count(gnu_hash);
    for (uint32_t i = 1; i < count; i++) { /* symbol 0 is the null symbol */
        const Sym* s = &symtab[i];
        unsigned type = s->st_info & 0xf, bind = s->st_info >> 4;
        if (s->st_shndx == SHN_UNDEF || (type != STT_FUNC && type != STT_NOTYPE) ||
            (bind != STB_GLOBAL && bind != STB_WEAK))
            continue;
        if (!strcmp(strtab + s->st_name, name) && version_matches(versym, verdef, strtab, i, version))
            return (void*)(bias + (uintptr_t)s->st_value);
    }
    return NULL;
}

void* sysgate_vdso_symbol(const char* name) {
    return sysgate_vdso_vsym(NULL, name);
}

void* sysgate_vdso_vsym(const char* version, const char* name) {
    int found;
    unsigned long ehdr = __sg_auxv_find(__sg_auxv, AT_SYSINFO_EHDR, &found);
    return found && ehdr ? __sg_elf_lookup_version((const void*)ehdr, name, version) : NULL;
}
