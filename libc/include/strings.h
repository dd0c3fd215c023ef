#ifndef SYSGATE_STRINGS_H
#define SYSGATE_STRINGS_H

#include <sysgate/cdefs.h>
#define __need_size_t
#include <stddef.h>

__SG_BEGIN_DECLS
int strcasecmp(const char* a, const char* b);
int strncasecmp(const char* a, const char* b, size_t n);
__SG_END_DECLS

#endif
