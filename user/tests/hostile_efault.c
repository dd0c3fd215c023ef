/* Hostile user mode, class 6: a read into a bad buffer consumes nothing
 * it did not deliver.
 *
 * A read whose buffer is not (or only partly) writable either fails with
 * EFAULT having taken nothing, or returns the bytes it did copy having
 * taken only those: the data left must come out of the next read, in
 * order, with nothing lost. Linux does the first for pipes (pipe_read
 * leaves a buffer whose copy came up short in the pipe) and the second
 * for files and directories (filemap_read, filldir64 return what was
 * copied). Every read path: pipes, files, /dev/zero, directories
 * (getdents64) and the terminal (only when a boot case types a line:
 * HOSTILE_TTY=1). Built for 64- and 32-bit. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "hostile.h"

#define PAGE 4096

/* A buffer whose last `room` bytes before an unmapped page are writable:
 * a read of more than `room` bytes into it can copy only those. */
static char* edge_buffer(size_t room) {
    char* p = mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    if (p == MAP_FAILED) return 0;
    memset(p, 0, PAGE);
    CHECK_EQ(munmap(p + PAGE, PAGE), 0);
    return p + PAGE - room;
}
static void free_edge_buffer(char* b, size_t room) {
    if (b) munmap(b + room - PAGE, PAGE);
}

/* Everything a non-blocking descriptor still gives, up to `size` bytes. */
static long drain(int fd, char* out, size_t size) {
    size_t got = 0;
    while (got < size) {
        const long n = read(fd, out + got, size - got);
        if (n <= 0) break;
        got += (size_t)n;
    }
    return (long)got;
}

/* ---------------------------------------------------------------- pipes */

static const char message[] = "0123456789abcdefghij";
#define MESSAGE_LENGTH (sizeof message - 1)

static int nonblocking_pipe(int fds[2]) {
    if (pipe(fds) < 0) return -1;
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    return 0;
}

static void pipe_read_into_bad_buffer(void) {
    int fds[2];
    CHECK_EQ(nonblocking_pipe(fds), 0);
    CHECK_EQ(write(fds[1], message, MESSAGE_LENGTH), (long)MESSAGE_LENGTH);
    CHECK_ERRNO(read(fds[0], UNMAPPED_ADDRESS, MESSAGE_LENGTH), EFAULT);
    CHECK_ERRNO(read(fds[0], KERNEL_ADDRESS, MESSAGE_LENGTH), EFAULT);
    char out[64] = {0};
    const long n = drain(fds[0], out, sizeof out);
    if (n != (long)MESSAGE_LENGTH)
        test_note("after two failed reads the pipe gave %ld of %zu bytes", n, MESSAGE_LENGTH);
    CHECK_EQ(n, (long)MESSAGE_LENGTH);
    CHECK(memcmp(out, message, MESSAGE_LENGTH) == 0);
    close(fds[0]);
    close(fds[1]);
}

static void pipe_read_into_partly_bad_buffer(void) {
    int fds[2];
    CHECK_EQ(nonblocking_pipe(fds), 0);
    CHECK_EQ(write(fds[1], message, MESSAGE_LENGTH), (long)MESSAGE_LENGTH);
    char* edge = edge_buffer(4);
    if (!edge) return;
    errno = 0;
    const long r = read(fds[0], edge, MESSAGE_LENGTH);
    const int e = errno;
    char out[64] = {0};
    size_t got = 0;
    if (r < 0) {
        CHECK_EQ(e, EFAULT); /* nothing taken */
    } else {
        CHECK(r > 0 && r <= 4); /* only what fitted */
        if (r > 0 && r <= 4) memcpy(out, edge, (size_t)r), got = (size_t)r;
    }
    got += (size_t)drain(fds[0], out + got, sizeof out - got);
    test_note("read of %zu bytes with 4 writable: %ld%s; then %zu bytes came out in all", MESSAGE_LENGTH, r,
              r < 0 ? " (EFAULT)" : "", got);
    CHECK_EQ(got, MESSAGE_LENGTH);
    CHECK(memcmp(out, message, MESSAGE_LENGTH) == 0);
    free_edge_buffer(edge, 4);
    close(fds[0]);
    close(fds[1]);
}

/* ---------------------------------------------------------------- files */

#define FILE_PATH "/etc/demo.sh"
#define CHUNK 64

static long file_start(char* out) {
    const int fd = open(FILE_PATH, O_RDONLY);
    CHECK(fd >= 0);
    if (fd < 0) return -1;
    const long n = read(fd, out, CHUNK);
    close(fd);
    return n;
}

static void file_read_into_bad_buffer(void) {
    char want[CHUNK];
    CHECK_EQ(file_start(want), CHUNK);
    const int fd = open(FILE_PATH, O_RDONLY);
    CHECK(fd >= 0);
    if (fd < 0) return;
    CHECK_ERRNO(read(fd, UNMAPPED_ADDRESS, CHUNK), EFAULT);
    CHECK_ERRNO(read(fd, KERNEL_ADDRESS, CHUNK), EFAULT);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0); /* the offset did not move */
    char got[CHUNK];
    CHECK_EQ(read(fd, got, CHUNK), CHUNK);
    CHECK(memcmp(got, want, CHUNK) == 0);
    close(fd);
}

static void file_read_into_partly_bad_buffer(void) {
    char want[CHUNK];
    CHECK_EQ(file_start(want), CHUNK);
    const int fd = open(FILE_PATH, O_RDONLY);
    CHECK(fd >= 0);
    char* edge = edge_buffer(4);
    if (fd < 0 || !edge) return;
    errno = 0;
    const long r = read(fd, edge, CHUNK);
    const int e = errno;
    const long offset = lseek(fd, 0, SEEK_CUR);
    test_note("read of %d bytes with 4 writable: %ld%s, offset now %ld", CHUNK, r, r < 0 ? " (EFAULT)" : "", offset);
    if (r < 0) {
        CHECK_EQ(e, EFAULT);
        CHECK_EQ(offset, 0);
    } else {
        CHECK(r > 0 && r <= 4);
        CHECK_EQ(offset, r); /* the offset counts what was delivered, no more */
        if (r > 0 && r <= 4) CHECK(memcmp(edge, want, (size_t)r) == 0);
    }
    free_edge_buffer(edge, 4);
    close(fd);
}

static void dev_zero_into_bad_buffers(void) {
    const int fd = open("/dev/zero", O_RDONLY);
    CHECK(fd >= 0);
    if (fd < 0) return;
    CHECK_ERRNO(read(fd, UNMAPPED_ADDRESS, CHUNK), EFAULT);
    CHECK_ERRNO(read(fd, KERNEL_ADDRESS, CHUNK), EFAULT);
    char* edge = edge_buffer(4);
    if (edge) {
        memset(edge, 'x', 4);
        errno = 0;
        const long r = read(fd, edge, CHUNK);
        if (r < 0)
            CHECK_EQ(errno, EFAULT);
        else
            CHECK(r > 0 && r <= 4 && !memcmp(edge, "\0\0\0\0", (size_t)r));
        free_edge_buffer(edge, 4);
    }
    char out[CHUNK];
    memset(out, 'x', sizeof out);
    CHECK_EQ(read(fd, out, CHUNK), CHUNK);
    CHECK(out[0] == 0 && out[CHUNK - 1] == 0);
    close(fd);
}

/* ---------------------------------------------------------------- directories */

struct listing {
    char names[64][64];
    int count;
};

/* Appends the names of the linux_dirent64 records in buf[0, n). */
static void add_records(struct listing* l, const char* buf, long n) {
    for (long off = 0; off + 19 < n;) {
        unsigned short reclen;
        memcpy(&reclen, buf + off + 16, 2);
        if (reclen < 20 || off + reclen > n) break;
        if (l->count < 64) snprintf(l->names[l->count++], 64, "%s", buf + off + 19);
        off += reclen;
    }
}

static void list_rest(int fd, struct listing* l) {
    char buf[512];
    long n;
    while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) add_records(l, buf, n);
}

static void full_listing(struct listing* l) {
    l->count = 0;
    const int fd = open("/", O_RDONLY | O_DIRECTORY);
    CHECK(fd >= 0);
    if (fd < 0) return;
    list_rest(fd, l);
    close(fd);
}

static void compare_listings(const struct listing* got, const struct listing* want) {
    CHECK_EQ(got->count, want->count);
    for (int i = 0; i < got->count && i < want->count; i++)
        if (strcmp(got->names[i], want->names[i])) {
            test_note("entry %d is \"%s\", expected \"%s\"", i, got->names[i], want->names[i]);
            CHECK(0);
            break;
        }
}

static void getdents_into_bad_buffer(void) {
    struct listing want, got;
    full_listing(&want);
    CHECK(want.count >= 4);
    const int fd = open("/", O_RDONLY | O_DIRECTORY);
    CHECK(fd >= 0);
    if (fd < 0) return;
    errno = 0;
    CHECK_EQ(syscall(SYS_getdents64, fd, UNMAPPED_ADDRESS, 512), -1);
    CHECK_EQ(errno, EFAULT);
    got.count = 0;
    list_rest(fd, &got);
    compare_listings(&got, &want);
    close(fd);
}

static void getdents_into_partly_bad_buffer(void) {
    struct listing want, got;
    full_listing(&want);
    /* Room for the "." record (24 bytes) and a little more, not for "..". */
    char* edge = edge_buffer(30);
    const int fd = open("/", O_RDONLY | O_DIRECTORY);
    CHECK(fd >= 0);
    if (fd < 0 || !edge) return;
    errno = 0;
    const long r = syscall(SYS_getdents64, fd, edge, 512);
    const int e = errno;
    got.count = 0;
    if (r > 0) add_records(&got, edge, r);
    test_note("getdents64 of 512 bytes with 30 writable: %ld%s (%d records); then the rest", r,
              r < 0 ? (e == EFAULT ? " (EFAULT)" : " (error)") : "", got.count);
    if (r < 0) CHECK_EQ(e, EFAULT);
    list_rest(fd, &got);
    compare_listings(&got, &want);
    free_edge_buffer(edge, 30);
    close(fd);
}

/* ---------------------------------------------------------------- the terminal */

static void tty_read_into_bad_buffer(void) {
    if (!getenv("HOSTILE_TTY")) {
        test_skip("no line will be typed (a boot case sets HOSTILE_TTY=1 and types one)");
        return;
    }
    /* The boot case hostile-efault waits for this line, then types
     * "hostile-tty-line". */
    dprintf(1, "    %s: waiting for a line on the console\n", program_path());
    CHECK_ERRNO(read(0, UNMAPPED_ADDRESS, 128), EFAULT); /* waits for the line, then fails */
    /* The line is there now, or it was lost: a read that cannot wait tells. */
    const int flags = fcntl(0, F_GETFL);
    fcntl(0, F_SETFL, flags | O_NONBLOCK);
    char line[128] = {0};
    const long n = read(0, line, sizeof line - 1);
    fcntl(0, F_SETFL, flags);
    test_note("after a read into a bad buffer, the console gave %ld bytes: \"%.*s\"", n, n > 0 ? (int)n - 1 : 0, line);
    CHECK(n > 0 && !strncmp(line, "hostile-tty-line\n", sizeof line));
}

int main(int argc, char** argv) {
    set_program(argv[0]);
    hostile_select(argc, argv);
    hostile_run("a pipe read into a bad buffer loses no data", pipe_read_into_bad_buffer);
    hostile_run("a pipe read into a partly bad buffer loses no data", pipe_read_into_partly_bad_buffer);
    hostile_run("a file read into a bad buffer does not move the offset", file_read_into_bad_buffer);
    hostile_run("a file read into a partly bad buffer moves the offset by what it delivered",
                file_read_into_partly_bad_buffer);
    hostile_run("/dev/zero into bad buffers: EFAULT, then zeros", dev_zero_into_bad_buffers);
    hostile_run("getdents64 into a bad buffer loses no entry", getdents_into_bad_buffer);
    hostile_run("getdents64 into a partly bad buffer loses no entry", getdents_into_partly_bad_buffer);
    hostile_run("a console read into a bad buffer loses no input", tty_read_into_bad_buffer);
    return test_summary(sizeof(void*) == 8 ? "hostile_efault" : "hostile_efault32");
}
