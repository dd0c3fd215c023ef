// C++ support for programs built with -fno-exceptions -fno-rtti: new and
// delete over malloc, and the few runtime hooks GCC's code calls. Static
// destructors are registered through __cxa_atexit (or atexit with
// -fno-use-cxa-atexit), both in exit.c.
#include <new>
#include <stdio.h>
#include <stdlib.h>

namespace {
// Without exceptions there is no std::bad_alloc to throw: a failed new
// ends the program, so `new` never returns nullptr.
void* allocate(size_t size) {
    void* p = malloc(size ? size : 1);
    if (!p) {
        fprintf(stderr, "operator new: out of memory (%zu bytes)\n", size);
        abort();
    }
    return p;
}
} // namespace

void* operator new(size_t size) {
    return allocate(size);
}
void* operator new[](size_t size) {
    return allocate(size);
}
void operator delete(void* p) noexcept {
    free(p);
}
void operator delete[](void* p) noexcept {
    free(p);
}
void operator delete(void* p, size_t) noexcept {
    free(p);
}
void operator delete[](void* p, size_t) noexcept {
    free(p);
}

extern "C" {
// Called through a vtable slot of an abstract class during its own
// construction or destruction.
void __cxa_pure_virtual() {
    fputs("pure virtual method called\n", stderr);
    abort();
}

void __cxa_deleted_virtual() {
    fputs("deleted virtual method called\n", stderr);
    abort();
}

// Guards for function-local statics. One thread: the first byte of the
// guard says "initialised".
int __cxa_guard_acquire(unsigned long long* guard) {
    return !*(unsigned char*)guard;
}
void __cxa_guard_release(unsigned long long* guard) {
    *(unsigned char*)guard = 1;
}
void __cxa_guard_abort(unsigned long long*) {}
}
