/* struct termios as TCGETS/TCSETS copy it: the kernel's struct termios
   (include/uapi/asm-generic/termbits.h), 36 bytes, without glibc's speed
   fields. Flag values: same header. */
#ifndef SYSGATE_TERMIOS_H
#define SYSGATE_TERMIOS_H

#include <sys/ioctl.h>
#include <sysgate/cdefs.h>

typedef unsigned char cc_t;
typedef unsigned int speed_t;
typedef unsigned int tcflag_t;

#define NCCS 19
struct termios {
    tcflag_t c_iflag;
    tcflag_t c_oflag;
    tcflag_t c_cflag;
    tcflag_t c_lflag;
    cc_t c_line;
    cc_t c_cc[NCCS];
};

/* c_cc indexes */
#define VINTR 0
#define VQUIT 1
#define VERASE 2
#define VKILL 3
#define VEOF 4
#define VTIME 5
#define VMIN 6
#define VSTART 8
#define VSTOP 9
#define VSUSP 10

/* c_iflag */
#define IGNBRK 0000001
#define BRKINT 0000002
#define IGNPAR 0000004
#define PARMRK 0000010
#define INPCK 0000020
#define ISTRIP 0000040
#define INLCR 0000100
#define IGNCR 0000200
#define ICRNL 0000400
#define IXON 0002000
#define IXOFF 0010000

/* c_oflag */
#define OPOST 0000001
#define ONLCR 0000004

/* c_cflag */
#define CSIZE 0000060
#define CS8 0000060
#define CSTOPB 0000100
#define CREAD 0000200
#define PARENB 0000400

/* c_lflag */
#define ISIG 0000001
#define ICANON 0000002
#define ECHO 0000010
#define ECHOE 0000020
#define ECHOK 0000040
#define ECHONL 0000100
#define NOFLSH 0000200
#define TOSTOP 0000400
#define IEXTEN 0100000

/* tcsetattr() actions */
#define TCSANOW 0
#define TCSADRAIN 1
#define TCSAFLUSH 2

__SG_BEGIN_DECLS
int tcgetattr(int fd, struct termios* t);
int tcsetattr(int fd, int action, const struct termios* t);
__SG_END_DECLS

#endif
