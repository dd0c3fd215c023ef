#ifndef SYSGATE_SCHED_H
#define SYSGATE_SCHED_H

#include <sysgate/cdefs.h>

__SG_BEGIN_DECLS
int sched_yield(void);
/* The CPU this thread runs on (x86_64: through __vdso_getcpu if present). */
int sched_getcpu(void);
int getcpu(unsigned* cpu, unsigned* node);
__SG_END_DECLS

#endif
