#ifndef SYSGATE_DIRENT_H
#define SYSGATE_DIRENT_H

#include <sysgate/cdefs.h>
#include <sysgate/types.h>

/* The kernel's struct linux_dirent64, which getdents64 writes: readdir()
   returns a pointer into that buffer. d_name is NUL-terminated and at most
   NAME_MAX bytes long; a record is d_reclen bytes, often shorter than
   sizeof(struct dirent). */
struct dirent {
    ino_t d_ino;
    off_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[256];
};

#define DT_UNKNOWN 0
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10
#define DT_SOCK 12

typedef struct __sg_dir DIR;

__SG_BEGIN_DECLS
DIR* opendir(const char* path);
DIR* fdopendir(int fd);
struct dirent* readdir(DIR* dir);
int closedir(DIR* dir);
int dirfd(DIR* dir);
__SG_END_DECLS

#endif
