#ifndef SYSGATE_SYS_WAIT_H
#define SYSGATE_SYS_WAIT_H

#include <sysgate/cdefs.h>
#include <sysgate/types.h>

#define WNOHANG 1
#define WUNTRACED 2

/* The status word the kernel stores (Linux's encoding): exit status in
   bits 8-15, terminating signal in bits 0-6, 0x80 for a core dump, 0x7f
   in the low byte for a stopped child. */
#define WEXITSTATUS(s) (((s)&0xff00) >> 8)
#define WTERMSIG(s) ((s)&0x7f)
#define WSTOPSIG(s) WEXITSTATUS(s)
#define WCOREDUMP(s) ((s)&0x80)
#define WIFEXITED(s) (WTERMSIG(s) == 0)
#define WIFSIGNALED(s) (((signed char)(((s)&0x7f) + 1) >> 1) > 0)
#define WIFSTOPPED(s) (((s)&0xff) == 0x7f)

__SG_BEGIN_DECLS
pid_t wait(int* status);
pid_t waitpid(pid_t pid, int* status, int options);
__SG_END_DECLS

#endif
