#ifndef SYSGATE_SYS_TYPES_H
#define SYSGATE_SYS_TYPES_H
#include <sysgate/types.h>
#endif
