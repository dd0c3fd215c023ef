/* SYS_<name> for syscall(): the numbers of the program's own bitness,
   generated from the tables by scripts/gen-syscalls. */
#ifndef SYSGATE_SYS_SYSCALL_H
#define SYSGATE_SYS_SYSCALL_H
#include <sysgate/syscall_sys.h>
#endif
