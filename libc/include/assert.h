/* Not include-guarded: each inclusion follows the NDEBUG of that moment. */
#include <sysgate/cdefs.h>

#undef assert
#ifdef NDEBUG
#define assert(e) ((void)0)
#else
__SG_BEGIN_DECLS
__sg_noreturn void __assert_fail(const char* expr, const char* file, unsigned line, const char* func);
__SG_END_DECLS
#define assert(e) ((e) ? (void)0 : __assert_fail(#e, __FILE__, __LINE__, __func__))
#endif

#if !defined(__cplusplus) && !defined(static_assert)
#define static_assert _Static_assert
#endif
