/* malloc, free, calloc and realloc over the program break.

   The heap is one contiguous run of chunks from heap_start up to the break
   (heap_end). Every chunk starts with a 16-byte header and its payload
   follows, 16-byte aligned:

       size       bytes in the chunk, header included: a multiple of 16,
                  whose low 4 bits hold the chunk's state (USED or FREE)
       prev_size  size of the chunk just below, 0 for the first one: lets
                  free() find and merge with its lower neighbour

   The last 16 bytes below the break are a sentinel header (size 0, USED),
   so every chunk has a next one. Two free chunks are never neighbours:
   free() merges them. Free chunks are also on a doubly-linked list whose
   links live in their payload; malloc takes the first that fits and splits
   it. When no chunk fits, the heap grows with brk; when the chunk below
   the sentinel is free and large, brk gives it back.

   Pure apart from its two links to the system, __sg_heap_brk and
   __sg_heap_panic (heap.c), which the unit tests replace. Not thread-safe:
   Sysgate programs have one thread. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libc.h"

#define ALIGN 16
/* Two distinct non-zero states, so that a zeroed or random header is
   recognised as neither. */
#define USED 0x9
#define FREE 0x6
#define STATE_MASK (ALIGN - 1)
#define GROW_STEP (64 * 1024)       /* grow the break by multiples of this */
#define TRIM_THRESHOLD (128 * 1024) /* give back a free top chunk this large */

struct chunk {
    _Alignas(ALIGN) size_t size; /* | state */
    size_t prev_size;
};

struct free_links { /* in the payload of a free chunk */
    struct chunk* next;
    struct chunk* prev;
};

#define HEADER sizeof(struct chunk)
#define MIN_CHUNK ((HEADER + sizeof(struct free_links) + ALIGN - 1) & ~(size_t)(ALIGN - 1))

static char* heap_start; /* NULL until the first allocation */
static char* heap_end;   /* the break, as the heap last set it */
static struct chunk* free_list;

static size_t size_of(const struct chunk* c) {
    return c->size & ~(size_t)STATE_MASK;
}
static unsigned state_of(const struct chunk* c) {
    return c->size & STATE_MASK;
}
static void set(struct chunk* c, size_t size, unsigned state) {
    c->size = size | state;
}
static struct chunk* next_of(struct chunk* c) {
    return (struct chunk*)((char*)c + size_of(c));
}
static struct chunk* prev_of(struct chunk* c) {
    return (struct chunk*)((char*)c - c->prev_size);
}
static struct free_links* links(struct chunk* c) {
    return (struct free_links*)(c + 1);
}
static struct chunk* sentinel(void) {
    return (struct chunk*)(heap_end - HEADER);
}
static int is_free(struct chunk* c) {
    return state_of(c) == FREE;
}
static char* align_up(char* p) {
    return (char*)(((uintptr_t)p + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1));
}

static void list_insert(struct chunk* c) {
    links(c)->prev = NULL;
    links(c)->next = free_list;
    if (free_list) links(free_list)->prev = c;
    free_list = c;
}

static void list_remove(struct chunk* c) {
    struct free_links* l = links(c);
    if (l->prev)
        links(l->prev)->next = l->next;
    else
        free_list = l->next;
    if (l->next) links(l->next)->prev = l->prev;
}

/* Marks c free, merges it with free neighbours and lists the result,
   which it returns. */
static struct chunk* release(struct chunk* c) {
    size_t size = size_of(c);
    struct chunk* next = next_of(c);
    if (is_free(next)) {
        list_remove(next);
        size += size_of(next);
    }
    if (c->prev_size && is_free(prev_of(c))) {
        c = prev_of(c);
        list_remove(c);
        size += size_of(c);
    }
    set(c, size, FREE);
    next_of(c)->prev_size = size;
    list_insert(c);
    return c;
}

/* Gives the free chunk c back to the system if it is just below the
   sentinel and large, and nobody else moved the break meanwhile (sbrk). */
static void trim(struct chunk* c) {
    if (next_of(c) != sentinel() || size_of(c) < TRIM_THRESHOLD) return;
    if (__sg_heap_brk(NULL) != heap_end) return;
    char* end = (char*)c + HEADER;
    if (__sg_heap_brk(end) != end) return;
    list_remove(c);
    set(c, 0, USED); /* the new sentinel; its prev_size is still right */
    heap_end = end;
}

/* Cuts the used chunk c down to `size` bytes if the rest can be a chunk. */
static void split(struct chunk* c, size_t size) {
    size_t rest = size_of(c) - size;
    if (rest < MIN_CHUNK) return;
    set(c, size, USED);
    struct chunk* r = next_of(c);
    set(r, rest, USED);
    r->prev_size = size;
    next_of(r)->prev_size = rest;
    release(r);
}

/* Moves the break up so that a free chunk of at least `need` bytes ends at
   the sentinel, and returns that chunk (listed), or NULL with ENOMEM. */
static struct chunk* grow(size_t need) {
    if (!heap_start) { /* the first call: a heap holding only the sentinel */
        char* start = align_up(__sg_heap_brk(NULL));
        if (__sg_heap_brk(start + HEADER) != start + HEADER) goto fail;
        heap_start = start;
        heap_end = start + HEADER;
        set(sentinel(), 0, USED);
        sentinel()->prev_size = 0;
    }

    /* The new chunk normally starts at the sentinel, which it replaces,
       and merges with a free chunk below it. */
    struct chunk* s = sentinel();
    char* at = (char*)s;
    size_t below = s->prev_size;
    char* now = __sg_heap_brk(NULL);
    if (now < heap_end) __sg_heap_panic("the program break was moved below the heap", now);
    if (now > heap_end) {
        /* The program moved the break itself (sbrk): the new chunk goes
           above that memory, and the old sentinel becomes a used chunk
           that fences it in. */
        at = align_up(now);
        below = (size_t)(at - (char*)s);
    } else if (below && is_free(prev_of(s))) {
        need -= size_of(prev_of(s)); /* merges with the new chunk (too small alone) */
    }

    size_t add = (need + GROW_STEP - 1) / GROW_STEP * GROW_STEP;
    if (add < need || (uintptr_t)at + HEADER + add < (uintptr_t)at) goto fail;
    char* end = at + HEADER + add;
    if (__sg_heap_brk(end) != end) goto fail;

    if (at != (char*)s) set(s, below, USED);
    struct chunk* c = (struct chunk*)at;
    set(c, add, USED);
    c->prev_size = below;
    heap_end = end;
    set(sentinel(), 0, USED);
    sentinel()->prev_size = add;
    return release(c);

fail:
    errno = ENOMEM;
    return NULL;
}

/* The chunk of a pointer that malloc returned, checked: a pointer malloc
   never returned, a second free, or a header the program overwrote are
   reported and abort the program rather than corrupt the heap further. */
static struct chunk* checked_chunk(void* p) {
    char* q = p;
    if ((uintptr_t)q % ALIGN || !heap_start || q < heap_start + HEADER || q >= heap_end)
        __sg_heap_panic("invalid pointer (not from malloc)", p);
    struct chunk* c = (struct chunk*)q - 1;
    if (state_of(c) == FREE) __sg_heap_panic("double free", p);
    size_t size = size_of(c);
    if (state_of(c) != USED || size < MIN_CHUNK || size > (size_t)((char*)sentinel() - (char*)c) ||
        next_of(c)->prev_size != size ||
        (c->prev_size && ((char*)c - heap_start < (long)c->prev_size || size_of(prev_of(c)) != c->prev_size)))
        __sg_heap_panic("heap corruption (a block header was overwritten) or invalid pointer", p);
    return c;
}

/* Payload `n` bytes as a chunk size, or 0 if too large. */
static size_t chunk_size_for(size_t n) {
    if (n > SIZE_MAX / 2) return 0;
    size_t size = (n + HEADER + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    return size < MIN_CHUNK ? MIN_CHUNK : size;
}

void* malloc(size_t n) {
    size_t need = chunk_size_for(n);
    if (!need) {
        errno = ENOMEM;
        return NULL;
    }
    struct chunk* c = free_list;
    while (c && size_of(c) < need) c = links(c)->next;
    if (!c && !(c = grow(need))) return NULL;
    list_remove(c);
    set(c, size_of(c), USED);
    split(c, need);
    return c + 1;
}

void free(void* p) {
    if (p) trim(release(checked_chunk(p)));
}

void* calloc(size_t count, size_t size) {
    size_t total;
    if (__builtin_mul_overflow(count, size, &total)) {
        errno = ENOMEM;
        return NULL;
    }
    void* p = malloc(total);
    if (p) memset(p, 0, total);
    return p;
}

void* realloc(void* p, size_t n) {
    if (!p) return malloc(n);
    if (n == 0) { /* as glibc: free, and return NULL */
        free(p);
        return NULL;
    }
    struct chunk* c = checked_chunk(p);
    size_t need = chunk_size_for(n);
    if (!need) {
        errno = ENOMEM;
        return NULL;
    }
    struct chunk* next = next_of(c);
    if (size_of(c) < need && is_free(next) && size_of(c) + size_of(next) >= need) {
        list_remove(next); /* grow in place into the free neighbour */
        set(c, size_of(c) + size_of(next), USED);
        next_of(c)->prev_size = size_of(c);
    }
    if (size_of(c) >= need) {
        split(c, need);
        return p;
    }
    void* q = malloc(n);
    if (!q) return NULL;
    memcpy(q, p, size_of(c) - HEADER);
    free(p);
    return q;
}

/* For the unit tests: walks the heap checking every invariant above.
   Returns the bytes in free chunks, or -1 if something is inconsistent. */
long __sg_heap_verify(void) {
    if (!heap_start) return 0;
    long free_bytes = 0, free_chunks = 0;
    size_t prev = 0;
    int prev_free = 0;
    struct chunk* c = (struct chunk*)heap_start;
    for (; c != sentinel(); c = next_of(c)) {
        if ((char*)c > (char*)sentinel() || c->prev_size != prev || size_of(c) < HEADER) return -1;
        if (state_of(c) != USED && state_of(c) != FREE) return -1;
        if (is_free(c)) {
            if (prev_free) return -1; /* should have been merged */
            free_bytes += (long)size_of(c);
            free_chunks++;
        }
        prev_free = is_free(c);
        prev = size_of(c);
    }
    if (c->prev_size != prev || state_of(c) != USED) return -1;
    for (struct chunk* f = free_list; f; f = links(f)->next)
        if (!is_free(f) || --free_chunks < 0) return -1;
    return free_chunks == 0 ? free_bytes : -1;
}
