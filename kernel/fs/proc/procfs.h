#pragma once
// /proc: a read-only tree generated on demand from the process table, as
// Linux has it (Documentation/filesystems/proc.rst): /proc/PID for every
// process (and for every task, though only processes are listed),
// /proc/PID/task/TID, the links self, thread-self, exe, cwd, root and
// fd/N, and the files cmdline, comm, maps, stat, statm, status, cpuinfo,
// meminfo, uptime. Nothing is stored: an Entry names a place by value,
// and every use looks the process up again (gone: ENOENT or ESRCH). The
// text comes from kernel/fs/proc/render.h.
#include <stddef.h>
#include <stdint.h>

#include "kernel/fs/file.h"

struct Process;

namespace vfs {
struct Node;
}

namespace procfs {

enum class Kind : uint8_t {
    Root,       // /proc
    Self,       // /proc/self -> PID
    ThreadSelf, // /proc/thread-self -> PID/task/TID
    Cpuinfo,
    Meminfo,
    Uptime,
    Process, // /proc/PID
    Tasks,   // /proc/PID/task
    Task,    // /proc/PID/task/TID
    Fds,     // .../fd
    Fd,      // .../fd/N -> the open file
    Cmdline,
    Comm,
    Maps,
    Stat,
    Statm,
    Status,
    Exe,  // -> the executable
    Cwd,  // -> the working directory
    Link, // .../root -> /
};

struct Entry {
    Kind kind = Kind::Root;
    int pid = 0; // the PID of /proc/PID
    int tid = 0; // the TID of /proc/PID/task/TID; 0 for /proc/PID's own entries
    int fd = 0;  // the N of fd/N
};

// st_dev of everything in /proc (an anonymous device, as Linux's proc
// has): 0:4.
constexpr uint64_t DEVICE = 4;

bool is_directory(const Entry& e);
bool is_link(const Entry& e);

// The entry called `name` in the directory `dir`: 0 or -ENOENT.
int lookup(const Entry& dir, const char* name, size_t length, Entry& out);
// The directory that holds e; false for /proc itself.
bool parent(const Entry& e, Entry& out);

// A link's target: a path (absolute, or relative to the link's
// directory), which is also what readlink returns. For /proc/PID/fd/N of
// a file that has no path (a pipe), the text is pipe:[INODE] and *file is
// that open file description: following the link reaches it directly.
// *file is borrowed from the process's table: use it before sleeping.
int read_link(const Entry& e, char* out, size_t capacity, File** file);

int status(const Entry& e, FileStatus& out);
int path_of(const Entry& e, char* out, size_t capacity);

// Opens a directory or a file: -EACCES for writing (the files are 0444),
// -EISDIR for writing a directory, -ENOTDIR for O_DIRECTORY on a file.
long open(const Entry& e, int flags, File** out);

// What /proc/PID/fd/N says of an open file: its path, or pipe:[INODE],
// or /dev/console for the terminal.
int describe(File* f, char* out, size_t capacity);

// execve: records the program's path and arguments for exe and cmdline.
void record_exec(Process& p, const vfs::Node* executable, const char* const* argv, size_t argc);

} // namespace procfs
