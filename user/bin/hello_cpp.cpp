// hello_cpp: C++ on Sysgate's libc (built with -fno-exceptions -fno-rtti):
// a static constructor that runs before main, virtual calls through a base
// class, new and delete.
#include <stdio.h>

namespace {

class Greeter {
  public:
    virtual ~Greeter() = default;
    virtual const char* language() const = 0;
    void greet() const { printf("hello, world from %s, %d-bit\n", language(), int(sizeof(void*) * 8)); }
};

class Cpp : public Greeter {
  public:
    const char* language() const override { return "C++"; }
};

// A global with a constructor: crt0 and the libc run it before main.
struct Startup {
    bool ran = false;
    Startup() { ran = true; }
} startup;

} // namespace

int main() {
    Greeter* greeter = new Cpp; // operator new: malloc underneath
    greeter->greet();           // a virtual call
    delete greeter;             // the virtual destructor
    printf("static constructor: %s\n", startup.ran ? "ran before main" : "did not run");
    return startup.ran ? 0 : 1;
}
