#include "arch/x86/mm/usercopy.h"

extern "C" const uint64_t __ex_table_start[], __ex_table_end[];

namespace x86 {

uint64_t exception_fixup(uint64_t rip) {
    for (const uint64_t* e = __ex_table_start; e < __ex_table_end; e += 2)
        if (e[0] == rip) return e[1];
    return 0;
}

} // namespace x86
