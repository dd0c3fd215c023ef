/* printf/scanf macros for <stdint.h> types; strtoimax/strtoumax. */
#ifndef SYSGATE_INTTYPES_H
#define SYSGATE_INTTYPES_H

#include <stdint.h>
#include <sysgate/cdefs.h>

#ifdef __x86_64__
#define __SG_PRI64 "l"
#define __SG_PRIPTR "l"
#else
#define __SG_PRI64 "ll"
#define __SG_PRIPTR ""
#endif

#define PRId8 "d"
#define PRId16 "d"
#define PRId32 "d"
#define PRId64 __SG_PRI64 "d"
#define PRIi8 "i"
#define PRIi16 "i"
#define PRIi32 "i"
#define PRIi64 __SG_PRI64 "i"
#define PRIu8 "u"
#define PRIu16 "u"
#define PRIu32 "u"
#define PRIu64 __SG_PRI64 "u"
#define PRIx8 "x"
#define PRIx16 "x"
#define PRIx32 "x"
#define PRIx64 __SG_PRI64 "x"
#define PRIX8 "X"
#define PRIX16 "X"
#define PRIX32 "X"
#define PRIX64 __SG_PRI64 "X"
#define PRIo64 __SG_PRI64 "o"
#define PRIdMAX "jd"
#define PRIuMAX "ju"
#define PRIxMAX "jx"
#define PRIdPTR __SG_PRIPTR "d"
#define PRIuPTR __SG_PRIPTR "u"
#define PRIxPTR __SG_PRIPTR "x"

#define SCNd32 "d"
#define SCNu32 "u"
#define SCNx32 "x"
#define SCNd64 __SG_PRI64 "d"
#define SCNu64 __SG_PRI64 "u"
#define SCNx64 __SG_PRI64 "x"

__SG_BEGIN_DECLS
intmax_t strtoimax(const char* __restrict s, char** __restrict end, int base);
uintmax_t strtoumax(const char* __restrict s, char** __restrict end, int base);
__SG_END_DECLS

#endif
