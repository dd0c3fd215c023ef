#pragma once
// The file tree: the initramfs unpacked into nodes (read-only, the file
// data stays in the archive), plus the device nodes under /dev and the
// generated tree of /proc (kernel/fs/proc/procfs.h), mounted on /proc.
#include <stddef.h>
#include <stdint.h>

#include "kernel/fs/file.h"
#include "kernel/fs/proc/procfs.h"

namespace vfs {

// Proc marks the directory /proc is mounted on: a path that reaches it
// goes on in procfs.
enum class Device : uint8_t { None, Console, Null, Zero, Proc };

struct Node {
    char* name;
    uint32_t mode; // type and permission bits, as stat reports them
    const uint8_t* data;
    uint64_t size;
    uint64_t ino;
    Device device;
    Node* parent;
    Node* first_child;
    Node* next_sibling;

    bool is_directory() const { return (mode & mode::IFMT) == mode::IFDIR; }
    bool is_regular() const { return (mode & mode::IFMT) == mode::IFREG; }
};

constexpr size_t PATH_MAX = 256;

// Unpacks a cpio newc archive into the tree; returns the number of files,
// or -1 with a message printed.
long mount_initramfs(const uint8_t* archive, size_t size);
Node* root();

// Where a path leads: a node of the tree, a place in /proc, or an open
// file itself (a /proc/PID/fd/N link to a pipe, followed: borrowed from a
// descriptor table, valid until the caller sleeps).
struct Location {
    enum class Kind : uint8_t { Tree, Proc, OpenFile } kind = Kind::Tree;
    Node* node = nullptr;
    procfs::Entry proc;
    File* file = nullptr;
};

// Resolves a path one component at a time from the root or from `cwd`
// (an absolute path), following symbolic links (all of them in /proc) in
// the middle of the path always and at its end if `follow_last`: ".."
// after a link leaves what the link led to, as on Linux. 0, or -ENOENT,
// -ENOTDIR, -ENAMETOOLONG, -ELOOP (more than 40 links).
int resolve(const char* cwd, const char* path, bool follow_last, Location& out);

// resolve() that must end in the tree (links followed): nullptr with
// *error set otherwise (-EACCES for anything of /proc: it holds nothing
// to execute).
Node* lookup(const char* cwd, const char* path, int* error);

bool is_directory(const Location& l);
bool is_link(const Location& l);
bool in_proc(const Location& l);

// Opens a node as a File (the caller owns the reference). -EROFS for
// writes to the read-only tree, -EISDIR for writing a directory.
long open(Node* node, int flags, File** out);
// The same for any place; /proc's rules are procfs::open's. A followed
// fd link to a pipe gives that open file description again.
long open(const Location& l, int flags, File** out);

FileStatus status_of(const Node* node);
int status_of(const Location& l, FileStatus& out);

// The absolute path of a node (for getcwd-like uses and openat's dirfd).
int path_of(const Node* node, char* out, size_t capacity);
int path_of(const Location& l, char* out, size_t capacity);

// readlink: the link's text (not NUL-terminated in user memory, but
// here it is), or -EINVAL for anything that is not a link.
int read_link(const Location& l, char* out, size_t capacity);

// Appends one struct linux_dirent64 (include/linux/dirent.h) to a
// getdents64 buffer at *used: 0 added, 1 it does not fit (stop; -EINVAL
// if nothing was added yet), or -EFAULT.
int put_dirent(UserPtr<void> buf, size_t size, size_t& used, uint64_t ino, uint64_t next_position, uint8_t type,
               const char* name);
constexpr uint8_t DT_CHR = 2, DT_DIR = 4, DT_REG = 8, DT_LNK = 10, DT_FIFO = 1;

} // namespace vfs
