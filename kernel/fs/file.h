#pragma once
// Open files. A File is an open file description (offset, flags), shared
// by dup() and fork(); a FileTable maps a process's descriptors to them.
#include <stddef.h>
#include <stdint.h>

#include "kernel/errno.h"
#include "kernel/uaccess.h"

namespace vfs {
struct Node;
}

// open() flags and modes (Linux's x86 values).
namespace oflag {
constexpr int ACCMODE = 3, RDONLY = 0, WRONLY = 1, RDWR = 2, CREAT = 0100, EXCL = 0200, NOCTTY = 0400, TRUNC = 01000,
              APPEND = 02000, NONBLOCK = 04000, DIRECTORY = 0200000, NOFOLLOW = 0400000, CLOEXEC = 02000000,
              LARGEFILE = 0100000;
} // namespace oflag
namespace mode {
constexpr uint32_t IFMT = 0170000, IFDIR = 0040000, IFCHR = 0020000, IFREG = 0100000, IFIFO = 0010000, IFLNK = 0120000;
} // namespace mode

// What fstat reports, before it is laid out for one ABI.
struct FileStatus {
    uint64_t dev = 1, ino = 0, nlink = 1, size = 0, rdev = 0, blocks = 0;
    uint32_t mode = 0;
    uint64_t mtime_sec = 0;
};

class File {
  public:
    virtual ~File() = default;
    virtual long read(UserPtr<void>, size_t) { return -err::EINVAL; }
    virtual long write(UserPtr<const void>, size_t) { return -err::EINVAL; }
    virtual long seek(int64_t, int) { return -err::ESPIPE; }
    virtual int status(FileStatus& out) = 0;
    virtual long read_directory(UserPtr<void>, size_t) { return -err::ENOTDIR; }
    virtual long ioctl(unsigned, uint64_t) { return -err::ENOTTY; }
    // Called when the last descriptor referring to this description closes.
    virtual void last_close() {}
    virtual bool is_terminal() const { return false; }
    // For a directory: its node in the tree (openat's dirfd), else nullptr.
    virtual vfs::Node* directory() { return nullptr; }
    // The absolute path it was opened by (openat's dirfd, /proc/PID/fd/N);
    // -ENOENT for a file that has none (a pipe, the terminal).
    virtual int path(char*, size_t) { return -err::ENOENT; }

    void get() { refs_++; }
    void put() {
        if (--refs_ == 0) {
            last_close();
            delete this;
        }
    }
    int flags = 0; // O_ACCMODE | O_APPEND | O_NONBLOCK

  private:
    unsigned refs_ = 1;
};

struct FileTable {
    static constexpr int MAX_FDS = 64;
    File* files[MAX_FDS] = {};
    bool close_on_exec[MAX_FDS] = {};
    unsigned refs = 1;
};

namespace files {

FileTable* new_table();
FileTable* copy_table(const FileTable& t); // fork: every description gains a reference
void put_table(FileTable* t);

// The lowest free descriptor >= min_fd; takes over the caller's reference.
int install(File* f, int min_fd = 0, bool cloexec = false);
File* get(int fd); // borrowed, or nullptr
int close(int fd);
void close_on_exec(FileTable& t);

} // namespace files
