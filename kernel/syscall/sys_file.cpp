// File system calls: descriptors, reading and writing, the tree, pipes,
// the terminal.
#include "arch/x86/cpu/cpu.h"
#include "kernel/errno.h"
#include "kernel/fs/file.h"
#include "kernel/fs/pipe.h"
#include "kernel/fs/vfs.h"
#include "kernel/proc/process.h"
#include "kernel/syscall/handlers.h"

namespace {

constexpr int AT_FDCWD = -100;
constexpr int AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000;
constexpr int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_DUPFD_CLOEXEC = 1030;
constexpr int FD_CLOEXEC = 1;

// The directory a relative path starts from: the cwd, or an open directory.
long base_directory(int dirfd, const char* path, char* out, size_t capacity) {
    if (path[0] == '/' || dirfd == AT_FDCWD) {
        const char* cwd = current_process()->cwd();
        size_t i = 0;
        for (; cwd[i] && i + 1 < capacity; i++) out[i] = cwd[i];
        out[i] = 0;
        return 0;
    }
    File* f = files::get(dirfd);
    if (!f) return -err::EBADF;
    FileStatus s;
    f->status(s);
    if ((s.mode & mode::IFMT) != mode::IFDIR) return -err::ENOTDIR;
    return f->path(out, capacity);
}

// Copies a path in and resolves it relative to dirfd, following a link at
// its end if `follow`.
long resolve(int dirfd, UserPtr<const char> user_path, bool follow, vfs::Location& out, char* path = nullptr) {
    char own[vfs::PATH_MAX], base[vfs::PATH_MAX];
    if (!path) path = own;
    const long n = copy_string_from_user(path, vfs::PATH_MAX, user_path);
    if (n <= 0) return n ? n : -err::ENOENT; // an empty path names nothing, whatever dirfd is (Linux checks this first)
    if (const long e = base_directory(dirfd, path, base, sizeof(base))) return e;
    return vfs::resolve(base, path, follow, out);
}

// Whether a path that does not exist would be created in /proc (its
// directory is there): creating fails with EACCES there, EROFS elsewhere.
bool parent_in_proc(int dirfd, const char* path) {
    char base[vfs::PATH_MAX], dir[vfs::PATH_MAX];
    if (base_directory(dirfd, path, base, sizeof(base))) return false;
    size_t n = 0, slash = 0;
    bool any = false;
    for (; path[n]; n++)
        if (path[n] == '/') slash = n, any = true;
    if (!any) {
        dir[0] = '.', dir[1] = 0;
    } else {
        const size_t len = slash ? slash : 1;
        __builtin_memcpy(dir, path, len);
        dir[len] = 0;
    }
    vfs::Location l;
    return !vfs::resolve(base, dir, true, l) && vfs::in_proc(l);
}

long do_open(int dirfd, UserPtr<const char> user_path, int flags) {
    char path[vfs::PATH_MAX];
    vfs::Location where;
    const bool follow = !(flags & oflag::NOFOLLOW);
    if (const long e = resolve(dirfd, user_path, follow, where, path)) {
        if (e == -err::ENOENT && (flags & oflag::CREAT))
            return parent_in_proc(dirfd, path) ? -err::EACCES : -err::EROFS;
        return e;
    }
    if ((flags & oflag::CREAT) && (flags & oflag::EXCL)) return -err::EEXIST;
    if (vfs::is_link(where)) return -err::ELOOP; // O_NOFOLLOW on a link
    File* f = nullptr;
    if (const long e = vfs::open(where, flags, &f)) return e;
    return files::install(f, 0, flags & oflag::CLOEXEC);
}

// struct stat, x86_64 (arch/x86/include/uapi/asm/stat.h).
struct Stat64Abi {
    uint64_t dev, ino, nlink;
    uint32_t mode, uid, gid, pad0;
    uint64_t rdev;
    int64_t size, blksize, blocks;
    uint64_t atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
    int64_t unused[3];
};
static_assert(sizeof(Stat64Abi) == 144);

// struct stat64, i386 (same header, the __i386__ part).
struct [[gnu::packed]] Stat64I386 {
    uint64_t dev;
    uint8_t pad0[4];
    uint32_t short_ino;
    uint32_t mode, nlink, uid, gid;
    uint64_t rdev;
    uint8_t pad3[4];
    int64_t size;
    uint32_t blksize;
    uint64_t blocks;
    uint32_t atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
    uint64_t ino;
};
static_assert(sizeof(Stat64I386) == 96);

long put_stat(const FileStatus& s, UserPtr<void> buf, bool i386) {
    if (i386) {
        Stat64I386 out{};
        out.dev = s.dev, out.short_ino = uint32_t(s.ino), out.mode = s.mode, out.nlink = uint32_t(s.nlink);
        out.rdev = s.rdev, out.size = int64_t(s.size), out.blksize = 4096, out.blocks = s.blocks, out.ino = s.ino;
        return copy_to_user(buf, &out, sizeof(out));
    }
    Stat64Abi out{};
    out.dev = s.dev, out.ino = s.ino, out.nlink = s.nlink, out.mode = s.mode, out.rdev = s.rdev;
    out.size = int64_t(s.size), out.blksize = 4096, out.blocks = int64_t(s.blocks);
    return copy_to_user(buf, &out, sizeof(out));
}

// What fstatat and statx report for (dirfd, path, flags).
long status_at(int dirfd, UserPtr<const char> path, int flags, FileStatus& out) {
    if (flags & AT_EMPTY_PATH) { // fstatat(fd, "", ...): the descriptor itself
        char first = 0;
        if (copy_from_user(&first, path, 1)) return -err::EFAULT;
        if (!first) {
            File* f = files::get(dirfd);
            if (!f) return -err::EBADF;
            f->status(out);
            return 0;
        }
    }
    vfs::Location where;
    if (const long e = resolve(dirfd, path, !(flags & AT_SYMLINK_NOFOLLOW), where)) return e;
    return vfs::status_of(where, out);
}

long stat_path(int dirfd, UserPtr<const char> path, UserPtr<void> buf, int flags, bool i386) {
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -err::EINVAL;
    FileStatus s;
    if (const long e = status_at(dirfd, path, flags, s)) return e;
    return put_stat(s, buf, i386);
}

// struct statx (include/uapi/linux/stat.h), the same for both ABIs.
struct StatxTimestamp {
    int64_t sec;
    uint32_t nsec;
    int32_t reserved;
};
struct Statx {
    uint32_t mask, blksize;
    uint64_t attributes;
    uint32_t nlink, uid, gid;
    uint16_t mode, spare0;
    uint64_t ino, size, blocks, attributes_mask;
    StatxTimestamp atime, btime, ctime, mtime;
    uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
    uint64_t mnt_id;
    uint32_t dio_mem_align, dio_offset_align;
    uint64_t spare3[12];
};
static_assert(sizeof(Statx) == 256);

// Linux's dev_t: major in bits 8-19 (and 32+), minor in 0-7 and 20-31.
uint32_t major_of(uint64_t dev) {
    return uint32_t((dev >> 8 & 0xfff) | (dev >> 32 & 0xfffff000u));
}
uint32_t minor_of(uint64_t dev) {
    return uint32_t((dev & 0xff) | (dev >> 12 & 0xffffff00u));
}

long stat_fd(int fd, UserPtr<void> buf, bool i386) {
    File* f = files::get(fd);
    if (!f) return -err::EBADF;
    FileStatus s;
    f->status(s);
    return put_stat(s, buf, i386);
}

long do_writev(int fd, UserPtr<const void> iov, int count, bool i386) {
    File* f = files::get(fd);
    if (!f) return -err::EBADF;
    if ((f->flags & oflag::ACCMODE) == oflag::RDONLY) return -err::EBADF;
    if (count < 0 || count > 1024) return -err::EINVAL; // UIO_MAXIOV
    // The whole vector is read and checked before anything is written
    // (Linux's import_iovec): a negative length is -EINVAL, a buffer
    // outside the caller's space -EFAULT.
    struct Piece {
        uint64_t base, length;
    };
    Piece pieces[64];
    long total = 0;
    for (int first = 0; first < count; first += 64) {
        const int n = count - first < 64 ? count - first : 64;
        for (int i = 0; i < n; i++) {
            if (i386) {
                uint32_t v[2];
                if (copy_from_user(v, iov + size_t(first + i) * 8, 8)) return -err::EFAULT;
                pieces[i] = {v[0], v[1]};
                if (int32_t(v[1]) < 0) return -err::EINVAL;
            } else {
                uint64_t v[2];
                if (copy_from_user(v, iov + size_t(first + i) * 16, 16)) return -err::EFAULT;
                pieces[i] = {v[0], v[1]};
                if (int64_t(v[1]) < 0) return -err::EINVAL;
            }
            if (!user_range_ok(pieces[i].base, pieces[i].length)) return -err::EFAULT;
        }
        for (int i = 0; i < n; i++) {
            const uint64_t base = pieces[i].base, length = pieces[i].length;
            if (!length) continue;
            const long written = f->write(UserPtr<const void>(base), length);
            if (written < 0) return total ? total : written;
            total += written;
            if (uint64_t(written) < length) return total;
        }
    }
    return total;
}

long install_pipe(UserPtr<int> fds, int flags) {
    if (flags & ~(oflag::CLOEXEC | oflag::NONBLOCK)) return -err::EINVAL;
    File *r, *w;
    if (!pipes::create(&r, &w)) return -err::ENOMEM;
    r->flags |= flags & oflag::NONBLOCK;
    w->flags |= flags & oflag::NONBLOCK;
    const int rfd = files::install(r, 0, flags & oflag::CLOEXEC);
    if (rfd < 0) {
        w->put();
        return rfd;
    }
    const int wfd = files::install(w, 0, flags & oflag::CLOEXEC);
    if (wfd < 0) {
        files::close(rfd);
        return wfd;
    }
    const int pair[2] = {rfd, wfd};
    if (copy_to_user(fds, pair, sizeof(pair))) {
        files::close(rfd);
        files::close(wfd);
        return -err::EFAULT;
    }
    return 0;
}

long duplicate_to(int fd, int new_fd, bool cloexec) {
    File* f = files::get(fd);
    if (!f) return -err::EBADF;
    if (new_fd < 0 || new_fd >= FileTable::MAX_FDS) return -err::EBADF;
    if (fd == new_fd) return new_fd;
    FileTable* t = current_process()->files;
    f->get();
    if (t->files[new_fd]) files::close(new_fd);
    t->files[new_fd] = f;
    t->close_on_exec[new_fd] = cloexec;
    return new_fd;
}

} // namespace

// read and write check the whole buffer first, as Linux's access_ok does,
// then cut the count to MAX_RW_COUNT.
int64_t sys_read(int fd, UserPtr<void> buf, size_t count) {
    File* f = files::get(fd);
    if (!f || (f->flags & oflag::ACCMODE) == oflag::WRONLY) return -err::EBADF;
    if (!user_range_ok(buf.address(), count)) return -err::EFAULT;
    if (count > 0x7ffff000) count = 0x7ffff000; // Linux's MAX_RW_COUNT
    return f->read(buf, count);
}

int64_t sys_write(int fd, UserPtr<const void> buf, size_t count) {
    File* f = files::get(fd);
    if (!f || (f->flags & oflag::ACCMODE) == oflag::RDONLY) return -err::EBADF;
    if (!user_range_ok(buf.address(), count)) return -err::EFAULT;
    if (count > 0x7ffff000) count = 0x7ffff000;
    return f->write(buf, count);
}

int64_t sys_writev(int fd, UserPtr<const void> iov, int count) {
    return do_writev(fd, iov, count, false);
}
int64_t sys_writev32(int fd, UserPtr<const void> iov, int count) {
    return do_writev(fd, iov, count, true);
}

int64_t sys_open(UserPtr<const char> path, int flags, uint32_t) {
    return do_open(AT_FDCWD, path, flags);
}
int64_t sys_openat(int dirfd, UserPtr<const char> path, int flags, uint32_t) {
    return do_open(dirfd, path, flags);
}
int64_t sys_close(int fd) {
    return files::close(fd);
}

int64_t sys_lseek(int fd, int64_t offset, int whence) {
    File* f = files::get(fd);
    if (!f) return -err::EBADF;
    if (whence < 0 || whence > 2) return -err::EINVAL;
    return f->seek(offset, whence);
}

int64_t sys_llseek(int fd, uint32_t high, uint32_t low, UserPtr<int64_t> result, int whence) {
    const int64_t position = sys_lseek(fd, int64_t(uint64_t(high) << 32 | low), whence);
    if (position < 0) return position;
    return write_user(result, position) ? -err::EFAULT : 0;
}

int64_t sys_stat(UserPtr<const char> path, UserPtr<void> buf) {
    return stat_path(AT_FDCWD, path, buf, 0, false);
}
int64_t sys_lstat(UserPtr<const char> path, UserPtr<void> buf) {
    return stat_path(AT_FDCWD, path, buf, AT_SYMLINK_NOFOLLOW, false);
}
int64_t sys_fstat(int fd, UserPtr<void> buf) {
    return stat_fd(fd, buf, false);
}
int64_t sys_newfstatat(int dirfd, UserPtr<const char> path, UserPtr<void> buf, int flags) {
    return stat_path(dirfd, path, buf, flags, false);
}
int64_t sys_stat64_32(UserPtr<const char> path, UserPtr<void> buf) {
    return stat_path(AT_FDCWD, path, buf, 0, true);
}
int64_t sys_lstat64_32(UserPtr<const char> path, UserPtr<void> buf) {
    return stat_path(AT_FDCWD, path, buf, AT_SYMLINK_NOFOLLOW, true);
}
int64_t sys_fstat64_32(int fd, UserPtr<void> buf) {
    return stat_fd(fd, buf, true);
}
int64_t sys_fstatat64_32(int dirfd, UserPtr<const char> path, UserPtr<void> buf, int flags) {
    return stat_path(dirfd, path, buf, flags, true);
}

int64_t sys_getdents64(int fd, UserPtr<void> buf, uint32_t count) {
    File* f = files::get(fd);
    if (!f) return -err::EBADF;
    return f->read_directory(buf, count);
}

int64_t sys_dup(int fd) {
    File* f = files::get(fd);
    if (!f) return -err::EBADF;
    f->get();
    return files::install(f);
}

int64_t sys_dup2(int fd, int new_fd) {
    return duplicate_to(fd, new_fd, false);
}

int64_t sys_dup3(int fd, int new_fd, int flags) {
    if (flags & ~oflag::CLOEXEC) return -err::EINVAL;
    if (fd == new_fd) return -err::EINVAL;
    return duplicate_to(fd, new_fd, flags & oflag::CLOEXEC);
}

int64_t sys_fcntl(int fd, int command, uint64_t arg) {
    File* f = files::get(fd);
    if (!f) return -err::EBADF;
    FileTable* t = current_process()->files;
    switch (command) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        if (int64_t(arg) < 0 || arg >= uint64_t(FileTable::MAX_FDS)) return -err::EINVAL;
        f->get();
        return files::install(f, int(arg), command == F_DUPFD_CLOEXEC);
    case F_GETFD:
        return t->close_on_exec[fd] ? FD_CLOEXEC : 0;
    case F_SETFD:
        t->close_on_exec[fd] = arg & FD_CLOEXEC;
        return 0;
    case F_GETFL:
        return f->flags;
    case F_SETFL: // only these two can change after open
        f->flags = (f->flags & ~(oflag::APPEND | oflag::NONBLOCK)) | (int(arg) & (oflag::APPEND | oflag::NONBLOCK));
        return 0;
    default:
        return -err::EINVAL;
    }
}

int64_t sys_pipe(UserPtr<int> fds) {
    return install_pipe(fds, 0);
}
int64_t sys_pipe2(UserPtr<int> fds, int flags) {
    return install_pipe(fds, flags);
}

int64_t sys_ioctl(int fd, uint32_t command, uint64_t arg) {
    File* f = files::get(fd);
    if (!f) return -err::EBADF;
    return f->ioctl(command, arg);
}

int64_t sys_getcwd(UserPtr<char> buf, size_t size) {
    const char* cwd = current_process()->cwd();
    size_t n = 0;
    while (cwd[n]) n++;
    if (size < n + 1) return -err::ERANGE;
    if (copy_to_user(buf, cwd, n + 1)) return -err::EFAULT;
    return long(n + 1);
}

int64_t sys_chdir(UserPtr<const char> user_path) {
    vfs::Location where;
    if (const long e = resolve(AT_FDCWD, user_path, true, where)) return e;
    if (!vfs::is_directory(where)) return -err::ENOTDIR;
    // The place reached, links resolved (getcwd in /proc/self gives /proc/PID, as on Linux).
    char canonical[vfs::PATH_MAX];
    if (const int e = vfs::path_of(where, canonical, sizeof(canonical))) return e;
    Process* p = current_process();
    __builtin_memcpy(p->fs->cwd, canonical, sizeof(p->fs->cwd));
    return 0;
}

int64_t sys_access(UserPtr<const char> path, int mode) {
    vfs::Location where;
    if (const long e = resolve(AT_FDCWD, path, true, where)) return e;
    FileStatus s;
    if (const int e = vfs::status_of(where, s)) return e;
    if (mode & 2) {                                   // W_OK
        if (vfs::in_proc(where)) return -err::EACCES; // read-only files, not a read-only file system
        const bool device = where.kind == vfs::Location::Kind::Tree && where.node->device != vfs::Device::None &&
                            where.node->device != vfs::Device::Proc;
        if (where.kind != vfs::Location::Kind::OpenFile && !device && (s.mode & mode::IFMT) != mode::IFDIR)
            return -err::EROFS;
    }
    if ((mode & 1) && !(s.mode & 0111)) return -err::EACCES; // X_OK
    return 0;
}

namespace {

long do_readlink(int dirfd, UserPtr<const char> path, UserPtr<char> buf, int64_t size) {
    if (size <= 0) return -err::EINVAL;
    vfs::Location where;
    if (const long e = resolve(dirfd, path, false, where)) return e;
    char target[vfs::PATH_MAX];
    if (const int e = vfs::read_link(where, target, sizeof(target))) return e;
    size_t n = 0;
    while (target[n]) n++;
    if (uint64_t(size) < n) n = size_t(size); // truncated silently, no NUL: readlink(2)
    return copy_to_user(buf, target, n) ? -err::EFAULT : long(n);
}

} // namespace

int64_t sys_readlink(UserPtr<const char> path, UserPtr<char> buf, size_t size) {
    return do_readlink(AT_FDCWD, path, buf, int64_t(int(size)));
}
int64_t sys_readlinkat(int dirfd, UserPtr<const char> path, UserPtr<char> buf, size_t size) {
    return do_readlink(dirfd, path, buf, int64_t(int(size)));
}

int64_t sys_statx(int dirfd, UserPtr<const char> path, int flags, uint32_t mask, UserPtr<void> buf) {
    constexpr int AT_NO_AUTOMOUNT = 0x800, AT_STATX_SYNC_TYPE = 0x6000;
    constexpr uint32_t STATX_BASIC_STATS = 0x7ff, STATX_RESERVED = 0x80000000;
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE)) return -err::EINVAL;
    if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || (mask & STATX_RESERVED)) return -err::EINVAL;
    FileStatus s;
    if (const long e = status_at(dirfd, path, flags, s)) return e;
    Statx out;
    __builtin_memset(&out, 0, sizeof(out));
    out.mask = STATX_BASIC_STATS; // what is filled in, whatever was asked
    out.blksize = 4096;
    out.nlink = uint32_t(s.nlink);
    out.mode = uint16_t(s.mode);
    out.ino = s.ino;
    out.size = s.size;
    out.blocks = s.blocks;
    out.atime.sec = out.ctime.sec = out.mtime.sec = int64_t(s.mtime_sec);
    out.rdev_major = major_of(s.rdev), out.rdev_minor = minor_of(s.rdev);
    out.dev_major = major_of(s.dev), out.dev_minor = minor_of(s.dev);
    return copy_to_user(buf, &out, sizeof(out)) ? -err::EFAULT : 0;
}
