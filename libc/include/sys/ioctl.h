/* Terminal ioctls: include/uapi/asm-generic/ioctls.h. */
#ifndef SYSGATE_SYS_IOCTL_H
#define SYSGATE_SYS_IOCTL_H

#include <sysgate/cdefs.h>

#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSW 0x5403
#define TCSETSF 0x5404
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD 0x541B

struct winsize {
    unsigned short ws_row;
    unsigned short ws_col;
    unsigned short ws_xpixel;
    unsigned short ws_ypixel;
};

__SG_BEGIN_DECLS
int ioctl(int fd, unsigned long request, ...);
__SG_END_DECLS

#endif
