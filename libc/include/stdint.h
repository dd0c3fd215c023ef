/* GCC's own <stdint.h> forwards to the C library's in hosted mode; its
   freestanding definitions are exactly right for Linux, so use them. */
#ifndef SYSGATE_STDINT_H
#define SYSGATE_STDINT_H
#include <stdint-gcc.h>
#endif
