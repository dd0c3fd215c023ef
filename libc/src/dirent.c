/* Directories over getdents64, whose records are struct dirent itself. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "libc.h"

struct __sg_dir {
    int fd;
    size_t pos, len; /* the next record, and the bytes in buf */
    _Alignas(8) char buf[4096];
};

DIR* fdopendir(int fd) {
    DIR* d = malloc(sizeof(*d));
    if (!d) return NULL;
    d->fd = fd;
    d->pos = d->len = 0;
    return d;
}

DIR* opendir(const char* path) {
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return NULL;
    DIR* d = fdopendir(fd);
    if (!d) close(fd);
    return d;
}

/* NULL at the end (errno unchanged) or on an error (errno set). */
struct dirent* readdir(DIR* d) {
    if (d->pos >= d->len) {
        long r = sys_getdents64(d->fd, d->buf, sizeof(d->buf));
        if (r <= 0) {
            __sg_ret(r);
            return NULL;
        }
        d->len = (size_t)r;
        d->pos = 0;
    }
    struct dirent* e = (struct dirent*)(d->buf + d->pos);
    d->pos += e->d_reclen;
    return e;
}

int closedir(DIR* d) {
    int r = close(d->fd);
    free(d);
    return r;
}

int dirfd(DIR* d) {
    return d->fd;
}
