/* The smallest static program of each bitness: exit(0) straight through
   the kernel's native gate, with no libc and no start-up code.
   libc/test/smoke runs it first to find out whether this host runs
   programs of that bitness at all (a Linux built without IA32 emulation
   refuses every 32-bit program with "Exec format error"), so that a libc
   bug is never mistaken for a host that cannot run the program. */
void _start(void);

void _start(void) {
#ifdef __x86_64__
    __asm__ volatile("syscall" : : "a"(60), "D"(0)); /* exit(0), x86_64 number */
#else
    __asm__ volatile("int $0x80" : : "a"(1), "b"(0)); /* exit(0), i386 number */
#endif
    for (;;) {
    }
}
