// C++ on Sysgate's libc: static constructors and destructors, a
// function-local static, virtual calls, new and delete. Prints a fixed
// text that libc/test/smoke compares.
#include <new>
#include <stdio.h>
#include <string.h>

namespace {
struct Noisy {
    const char* name;
    explicit Noisy(const char* n) : name(n) { printf("construct %s\n", name); }
    ~Noisy() { printf("destroy %s\n", name); }
};

Noisy first("first");
Noisy second("second");

struct Shape {
    virtual ~Shape() = default;
    virtual int sides() const = 0;
};
struct Triangle : Shape {
    int sides() const override { return 3; }
};
struct Square : Shape {
    int sides() const override { return 4; }
};

Noisy& local_static() {
    static Noisy once("local");
    return once;
}
} // namespace

int main() {
    Shape* shapes[] = {new Triangle, new Square};
    int total = 0;
    for (Shape* s : shapes) total += s->sides();
    for (Shape* s : shapes) delete s;
    int* numbers = new int[100];
    for (int i = 0; i < 100; i++) numbers[i] = i;
    printf("sides %d, sum %d\n", total, numbers[99] + numbers[1]);
    delete[] numbers;
    alignas(long) char storage[sizeof(Square)];
    Shape* placed = new (storage) Square;
    printf("placed %d\n", placed->sides());
    placed->~Shape();
    local_static();
    local_static();
    return 0;
}
