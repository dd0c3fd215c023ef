/* Process start-up: crt0's _start (libc/arch/<arch>/crt0.S) calls
   __libc_start with the stack pointer the kernel gave the program. */
#include <stdlib.h>
#include <sys/auxv.h>
#include <sysgate.h>
#include <unistd.h>

#include "libc.h"

int main(int argc, char** argv, char** envp);

/* Defined by the GNU ld default linker script of static executables. */
typedef void (*init_fn)(void);
extern const init_fn __preinit_array_start[] __attribute__((visibility("hidden")));
extern const init_fn __preinit_array_end[] __attribute__((visibility("hidden")));
extern const init_fn __init_array_start[] __attribute__((visibility("hidden")));
extern const init_fn __init_array_end[] __attribute__((visibility("hidden")));

/* Points every system call at the gate the kernel chose for this process:
   i386: AT_SYSINFO is the address of the vDSO's __kernel_vsyscall (Linux
         gives it too);
   x86_64: the vDSO's __kernel_vsyscall symbol, a Sysgate extension.
   Where there is none (a 64-bit program on Linux), __sysgate_vsyscall keeps
   its initial value, the native `syscall; ret` (libc/arch/<arch>/syscall.S). */
static void choose_gate(void) {
#ifdef __x86_64__
    void* gate = sysgate_vdso_symbol("__kernel_vsyscall");
#else
    void* gate = (void*)__sg_auxv_find(__sg_auxv, AT_SYSINFO, NULL);
#endif
    if (gate) __sysgate_vsyscall = (void (*)(void))gate;
}

__sg_noreturn void __libc_start(unsigned long* sp, void (*rtld_fini)(void)) {
    struct __sg_start_info info;
    __sg_parse_start_stack(sp, &info);
    environ = info.envp;
    __sg_auxv = info.auxv;
    choose_gate();
    __sg_time_init();

    /* The ABI's rdx/edx at _start: a function for atexit (0 from a kernel;
       set by a dynamic linker, which static programs do not have). */
    if (rtld_fini) atexit(rtld_fini);

    for (const init_fn* f = __preinit_array_start; f < __preinit_array_end; f++) (*f)();
    for (const init_fn* f = __init_array_start; f < __init_array_end; f++) (*f)();
    exit(main(info.argc, info.argv, info.envp));
}
