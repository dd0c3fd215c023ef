/* Sysgate's own interface: the vDSO, the auxiliary vector, the gates and
   the Sysgate-specific system calls. Everything here also works on Linux,
   where the Sysgate-specific calls fail with ENOSYS. */
#ifndef SYSGATE_H
#define SYSGATE_H

#include <sysgate/abi.h>
#include <sysgate/cdefs.h>

__SG_BEGIN_DECLS

/* The address of a global function exported by this process's vDSO
   (auxv AT_SYSINFO_EHDR), or NULL. sysgate_vdso_symbol ignores symbol
   versions; sysgate_vdso_vsym wants `version` too (as Linux's
   tools/testing/selftests/vDSO/parse_vdso.c vdso_sym: "LINUX_2.6" for the
   time functions), unless the vDSO has no versions at all. */
void* sysgate_vdso_symbol(const char* name);
void* sysgate_vdso_vsym(const char* version, const char* name);

/* The value of auxiliary-vector entry `type` (AT_* in <sys/auxv.h>), or 0
   with errno = ENOENT. */
unsigned long getauxval(unsigned long type);

/* The ways into the kernel (SYSGATE_GATE_* in <sysgate/abi.h>):
   "int80", "sysenter", "syscall", "vdso-fallback", or "?". */
const char* sysgate_gate_name(int gate);

/* ---- Sysgate-specific system calls (numbers 1000-1023 in both tables) ----
   Both return the raw result converted the libc way: -1 with errno set on
   failure. */

/* Copies at most `size` bytes of struct sysgate_stats (<sysgate/abi.h>)
   into buf: per-gate call counts and TSC ticks, memory, the vDSO's gates. */
long sysgate_stats(struct sysgate_stats* buf, unsigned long size);

/* Kernel control operation `op` (SYSGATE_CTL_*) with argument `arg`. */
long sysgate_ctl(long op, long arg);

/* Fills up to `count` entries of buf with the process table; returns the
   number of processes (which may exceed count). */
long sysgate_procs(struct sysgate_proc* buf, unsigned long count);

__SG_END_DECLS

#endif
