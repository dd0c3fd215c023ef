/* <stdio.h> streams over read and write.

   A FILE has one buffer, used for reading or for writing depending on the
   last operation; switching from reading to writing seeks back over the
   unread bytes, switching the other way flushes. stdout is line-buffered,
   stderr unbuffered, other streams fully buffered. exit() flushes every
   stream. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libc.h"

enum {
    CAN_READ = 1,
    CAN_WRITE = 2,
    AT_EOF = 4,
    HAD_ERROR = 8,
    LINE_BUFFERED = 16,
    UNBUFFERED = 32,
    ALLOCATED = 64, /* fopen's: freed by fclose */
};
enum mode { IDLE, READING, WRITING };

struct __sg_file {
    int fd;
    int flags;
    enum mode mode;
    int pushed_back; /* ungetc's byte, or EOF */
    unsigned char* buf;
    size_t size;
    size_t pos;             /* writing: bytes buffered; reading: next byte to return */
    size_t end;             /* reading: bytes in the buffer */
    struct __sg_file* next; /* every open stream, for fflush(NULL) */
};

static unsigned char stdin_buf[BUFSIZ], stdout_buf[BUFSIZ];
static struct __sg_file std_streams[3] = {
    {.fd = 0, .flags = CAN_READ, .pushed_back = EOF, .buf = stdin_buf, .size = BUFSIZ, .next = &std_streams[1]},
    {.fd = 1,
     .flags = CAN_WRITE | LINE_BUFFERED,
     .pushed_back = EOF,
     .buf = stdout_buf,
     .size = BUFSIZ,
     .next = &std_streams[2]},
    {.fd = 2, .flags = CAN_WRITE | UNBUFFERED, .pushed_back = EOF},
};
FILE* const stdin = &std_streams[0];
FILE* const stdout = &std_streams[1];
FILE* const stderr = &std_streams[2];
static FILE* open_streams = &std_streams[0];

ssize_t __sg_write_all(int fd, const void* buf, size_t n) {
    const char* p = buf;
    size_t done = 0;
    while (done < n) {
        long r = sys_write(fd, p + done, n - done);
        if (r == -EINTR) continue;
        if (__SG_IS_ERR(r) || r == 0) return __sg_ret(r ? r : -EIO);
        done += (size_t)r;
    }
    return (ssize_t)done;
}

/* ---- writing */

static int flush_writes(FILE* f) {
    if (f->mode != WRITING || f->pos == 0) return 0;
    size_t n = f->pos;
    f->pos = 0;
    if (__sg_write_all(f->fd, f->buf, n) < 0) {
        f->flags |= HAD_ERROR;
        return EOF;
    }
    return 0;
}

static int start_writing(FILE* f) {
    if (!(f->flags & CAN_WRITE)) {
        f->flags |= HAD_ERROR;
        errno = EBADF;
        return EOF;
    }
    if (f->mode == READING) { /* the file position is ahead of what was consumed */
        long unread = (long)(f->end - f->pos) + (f->pushed_back != EOF);
        if (unread) sys_lseek(f->fd, -unread, SEEK_CUR); /* (i386: offsets within 2 GiB) */
        f->pos = f->end = 0;
        f->pushed_back = EOF;
    }
    f->mode = WRITING;
    return 0;
}

static size_t write_bytes(FILE* f, const char* p, size_t n) {
    if (n == 0) return 0;
    if (start_writing(f)) return 0;
    if ((f->flags & UNBUFFERED) || !f->buf) {
        ssize_t r = __sg_write_all(f->fd, p, n);
        if (r < 0) f->flags |= HAD_ERROR;
        return r < 0 ? 0 : (size_t)r;
    }
    size_t done = 0;
    while (done < n) {
        size_t k = f->size - f->pos;
        if (k > n - done) k = n - done;
        memcpy(f->buf + f->pos, p + done, k);
        f->pos += k;
        done += k;
        if (f->pos == f->size && flush_writes(f)) return done - k;
    }
    if ((f->flags & LINE_BUFFERED) && memchr(p, '\n', n) && flush_writes(f)) return 0;
    return n;
}

int fflush(FILE* f) {
    if (!f) {
        int r = 0;
        for (FILE* s = open_streams; s; s = s->next) r |= fflush(s);
        return r;
    }
    return flush_writes(f);
}

void __sg_stdio_flush_all(void) {
    fflush(NULL);
}

size_t fwrite(const void* __restrict p, size_t size, size_t count, FILE* __restrict f) {
    size_t total;
    if (size == 0 || count == 0 || __builtin_mul_overflow(size, count, &total)) return 0;
    return write_bytes(f, p, total) / size;
}

int fputc(int c, FILE* f) {
    char ch = (char)c;
    return write_bytes(f, &ch, 1) == 1 ? (unsigned char)c : EOF;
}
int putc(int c, FILE* f) {
    return fputc(c, f);
}
int putchar(int c) {
    return fputc(c, stdout);
}

int fputs(const char* __restrict s, FILE* __restrict f) {
    size_t n = strlen(s);
    return write_bytes(f, s, n) == n ? 0 : EOF;
}

int puts(const char* s) {
    return fputs(s, stdout) == EOF || fputc('\n', stdout) == EOF ? EOF : 0;
}

/* ---- reading */

static int start_reading(FILE* f) {
    if (!(f->flags & CAN_READ)) {
        f->flags |= HAD_ERROR;
        errno = EBADF;
        return EOF;
    }
    if (f->mode == WRITING && flush_writes(f)) return EOF;
    f->mode = READING;
    return 0;
}

/* Refills the buffer; EOF at end of file or on an error. */
static int refill(FILE* f) {
    if (f == stdin) fflush(stdout); /* show a prompt before waiting for input */
    long r;
    do r = sys_read(f->fd, f->buf, f->size);
    while (r == -EINTR);
    if (r <= 0) {
        f->flags |= r == 0 ? AT_EOF : HAD_ERROR;
        if (r < 0) __sg_ret(r);
        return EOF;
    }
    f->pos = 0;
    f->end = (size_t)r;
    return 0;
}

int fgetc(FILE* f) {
    if (start_reading(f)) return EOF;
    if (f->pushed_back != EOF) {
        int c = f->pushed_back;
        f->pushed_back = EOF;
        return c;
    }
    if (f->pos == f->end && refill(f)) return EOF;
    return f->buf[f->pos++];
}
int getc(FILE* f) {
    return fgetc(f);
}
int getchar(void) {
    return fgetc(stdin);
}

int ungetc(int c, FILE* f) {
    if (c == EOF || f->pushed_back != EOF || start_reading(f)) return EOF;
    f->pushed_back = (unsigned char)c;
    f->flags &= ~AT_EOF;
    return (unsigned char)c;
}

char* fgets(char* __restrict s, int size, FILE* __restrict f) {
    int n = 0;
    while (n < size - 1) {
        int c = fgetc(f);
        if (c == EOF) break;
        s[n++] = (char)c;
        if (c == '\n') break;
    }
    if (n == 0 || size <= 0) return NULL; /* nothing read: end of file or error */
    s[n] = '\0';
    return s;
}

size_t fread(void* __restrict p, size_t size, size_t count, FILE* __restrict f) {
    size_t total;
    if (size == 0 || count == 0 || __builtin_mul_overflow(size, count, &total)) return 0;
    unsigned char* out = p;
    size_t done = 0;
    while (done < total) {
        int c = fgetc(f); /* the pushed-back byte and refills, one place */
        if (c == EOF) break;
        out[done++] = (unsigned char)c;
        size_t k = f->end - f->pos; /* then whatever else is buffered at once */
        if (k > total - done) k = total - done;
        memcpy(out + done, f->buf + f->pos, k);
        f->pos += k;
        done += k;
    }
    return done / size;
}

/* ---- streams */

int feof(FILE* f) {
    return (f->flags & AT_EOF) != 0;
}
int ferror(FILE* f) {
    return (f->flags & HAD_ERROR) != 0;
}
void clearerr(FILE* f) {
    f->flags &= ~(AT_EOF | HAD_ERROR);
}
int fileno(FILE* f) {
    return f->fd;
}

/* fopen's mode as open() flags, or -1. */
static int mode_flags(const char* mode) {
    int flags;
    switch (*mode++) {
    case 'r':
        flags = O_RDONLY;
        break;
    case 'w':
        flags = O_WRONLY | O_CREAT | O_TRUNC;
        break;
    case 'a':
        flags = O_WRONLY | O_CREAT | O_APPEND;
        break;
    default:
        return -1;
    }
    for (; *mode; mode++) {
        if (*mode == '+')
            flags = (flags & ~O_ACCMODE) | O_RDWR;
        else if (*mode == 'x')
            flags |= O_EXCL;
        else if (*mode == 'e')
            flags |= O_CLOEXEC;
        /* 'b' and anything else: no meaning here */
    }
    return flags;
}

FILE* fdopen(int fd, const char* mode) {
    int flags = mode_flags(mode);
    if (flags < 0) {
        errno = EINVAL;
        return NULL;
    }
    FILE* f = malloc(sizeof(FILE) + BUFSIZ);
    if (!f) return NULL;
    *f = (FILE){.fd = fd, .pushed_back = EOF, .buf = (unsigned char*)(f + 1), .size = BUFSIZ};
    f->flags = ALLOCATED | ((flags & O_ACCMODE) == O_WRONLY ? CAN_WRITE
                            : (flags & O_ACCMODE) == O_RDWR ? CAN_READ | CAN_WRITE
                                                            : CAN_READ);
    f->next = open_streams;
    open_streams = f;
    return f;
}

FILE* fopen(const char* __restrict path, const char* __restrict mode) {
    int flags = mode_flags(mode);
    if (flags < 0) {
        errno = EINVAL;
        return NULL;
    }
    int fd = open(path, flags, 0666);
    if (fd < 0) return NULL;
    FILE* f = fdopen(fd, mode);
    if (!f) close(fd);
    return f;
}

int fclose(FILE* f) {
    int r = fflush(f);
    if (close(f->fd) < 0) r = EOF;
    for (FILE** link = &open_streams; *link; link = &(*link)->next) {
        if (*link == f) {
            *link = f->next;
            break;
        }
    }
    if (f->flags & ALLOCATED) free(f);
    return r;
}

/* ---- formatted output */

static void put_file(void* ctx, const char* s, size_t n) {
    write_bytes(ctx, s, n);
}

int vfprintf(FILE* __restrict f, const char* __restrict fmt, va_list ap) {
    int had_error = ferror(f);
    int r = __sg_format(put_file, f, fmt, ap);
    return !had_error && ferror(f) ? -1 : r; /* this call's own failure */
}

int fprintf(FILE* __restrict f, const char* __restrict fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = vfprintf(f, fmt, ap);
    va_end(ap);
    return r;
}

int vprintf(const char* __restrict fmt, va_list ap) {
    return vfprintf(stdout, fmt, ap);
}

int printf(const char* __restrict fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = vfprintf(stdout, fmt, ap);
    va_end(ap);
    return r;
}

struct fd_out {
    int fd;
    int failed;
};

static void put_fd(void* ctx, const char* s, size_t n) {
    struct fd_out* o = ctx;
    if (!o->failed && __sg_write_all(o->fd, s, n) < 0) o->failed = 1;
}

int vdprintf(int fd, const char* __restrict fmt, va_list ap) {
    struct fd_out o = {fd, 0};
    int r = __sg_format(put_fd, &o, fmt, ap);
    return o.failed ? -1 : r;
}

int dprintf(int fd, const char* __restrict fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = vdprintf(fd, fmt, ap);
    va_end(ap);
    return r;
}

void perror(const char* s) {
    const char* message = strerror(errno);
    if (s && *s)
        fprintf(stderr, "%s: %s\n", s, message);
    else
        fprintf(stderr, "%s\n", message);
}
