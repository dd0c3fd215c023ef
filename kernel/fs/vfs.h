#pragma once
// The file tree: the initramfs unpacked into nodes (read-only, the file
// data stays in the archive), plus the device nodes under /dev.
#include <stddef.h>
#include <stdint.h>

#include "kernel/fs/file.h"

namespace vfs {

enum class Device : uint8_t { None, Console, Null, Zero };

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

// The canonical absolute form of `path` seen from `cwd` (".", ".." and
// repeated slashes resolved lexically). Pure: unit-tested on the host.
// Returns 0, -ENAMETOOLONG or -ENOENT (empty path).
int normalize(const char* cwd, const char* path, char* out, size_t capacity);

// Resolves a path; on failure returns nullptr with *error = -ENOENT,
// -ENOTDIR or -ENAMETOOLONG.
Node* lookup(const char* cwd, const char* path, int* error);

// Opens a node as a File (the caller owns the reference). -EROFS for
// writes to the read-only tree, -EISDIR for writing a directory.
long open(Node* node, int flags, File** out);

FileStatus status_of(const Node* node);

// The absolute path of a node (for getcwd-like uses and openat's dirfd).
int path_of(const Node* node, char* out, size_t capacity);

} // namespace vfs
