#ifndef SYSGATE_SYS_UTSNAME_H
#define SYSGATE_SYS_UTSNAME_H

#include <sysgate/cdefs.h>

/* include/uapi/linux/utsname.h: struct new_utsname, six 65-byte strings. */
struct utsname {
    char sysname[65];
    char nodename[65];
    char release[65];
    char version[65];
    char machine[65];
    char domainname[65];
};

__SG_BEGIN_DECLS
int uname(struct utsname* u);
__SG_END_DECLS

#endif
