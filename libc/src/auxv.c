/* The initial stack and the auxiliary vector (pure: no system calls, so
   the unit tests run it on a fake stack). */
#include <errno.h>
#include <sys/auxv.h>

#include "libc.h"

unsigned long* __sg_auxv;

/* The System V ABI's initial process stack (i386 and x86_64 alike, in
   words of the program's size):
     sp[0]            argc
     sp[1..argc]      argv[0..argc-1], then NULL
     ...              envp[...], then NULL
     ...              auxv (type, value) pairs, ending with AT_NULL */
void __sg_parse_start_stack(unsigned long* sp, struct __sg_start_info* out) {
    out->argc = (int)sp[0];
    out->argv = (char**)(sp + 1);
    out->envp = out->argv + out->argc + 1;
    char** p = out->envp;
    while (*p) p++;
    out->auxv = (unsigned long*)(p + 1);
}

unsigned long __sg_auxv_find(const unsigned long* auxv, unsigned long type, int* found) {
    for (const unsigned long* a = auxv; a && a[0] != AT_NULL; a += 2) {
        if (a[0] == type) {
            if (found) *found = 1;
            return a[1];
        }
    }
    if (found) *found = 0;
    return 0;
}

unsigned long getauxval(unsigned long type) {
    int found;
    unsigned long value = __sg_auxv_find(__sg_auxv, type, &found);
    if (!found) errno = ENOENT;
    return value;
}
