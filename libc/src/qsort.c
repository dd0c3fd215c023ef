/* qsort as a heapsort: O(n log n) in every case, no recursion, no extra
   memory; like every qsort, not stable. Also bsearch and rand. */
#include <stdint.h>
#include <stdlib.h>

static void swap(unsigned char* a, unsigned char* b, size_t size) {
    while (size--) {
        unsigned char t = *a;
        *a++ = *b;
        *b++ = t;
    }
}

/* Moves element `root` down until the subtree it heads, within the first
   `count` elements, is a max-heap again. */
static void sift_down(unsigned char* base, size_t root, size_t count, size_t size,
                      int (*cmp)(const void*, const void*)) {
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= count) return;
        if (child + 1 < count && cmp(base + child * size, base + (child + 1) * size) < 0) child++;
        if (cmp(base + root * size, base + child * size) >= 0) return;
        swap(base + root * size, base + child * size, size);
        root = child;
    }
}

void qsort(void* base, size_t count, size_t size, int (*cmp)(const void*, const void*)) {
    unsigned char* b = base;
    if (count < 2 || size == 0) return;
    for (size_t i = count / 2; i-- > 0;) sift_down(b, i, count, size, cmp);
    /* The largest element is at the root: move it behind the heap, shrink. */
    for (size_t end = count - 1; end > 0; end--) {
        swap(b, b + end * size, size);
        sift_down(b, 0, end, size, cmp);
    }
}

void* bsearch(const void* key, const void* base, size_t count, size_t size, int (*cmp)(const void*, const void*)) {
    const unsigned char* b = base;
    while (count > 0) {
        const unsigned char* mid = b + (count / 2) * size;
        int c = cmp(key, mid);
        if (c == 0) return (void*)mid;
        if (c > 0) {
            b = mid + size;
            count -= count / 2 + 1;
        } else {
            count /= 2;
        }
    }
    return NULL;
}

/* A 64-bit linear congruential generator (Knuth's MMIX constants); its
   high bits are the good ones, so rand() returns bits 33..63. */
static uint64_t rand_state = 1;

void srand(unsigned seed) {
    rand_state = seed;
}

int rand(void) {
    rand_state = rand_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (int)(rand_state >> 33);
}
