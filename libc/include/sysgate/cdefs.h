/* Internal helpers shared by every public header of Sysgate's libc. */
#ifndef SYSGATE_CDEFS_H
#define SYSGATE_CDEFS_H

#ifdef __cplusplus
#define __SG_BEGIN_DECLS extern "C" {
#define __SG_END_DECLS }
#else
#define __SG_BEGIN_DECLS
#define __SG_END_DECLS
#endif

#define __sg_noreturn __attribute__((__noreturn__))
#define __sg_printf(fmt, args) __attribute__((__format__(__printf__, fmt, args)))
#define __sg_scanf(fmt, args) __attribute__((__format__(__scanf__, fmt, args)))

#endif
