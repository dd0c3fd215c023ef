#include "kernel/fs/file.h"

#include "kernel/proc/process.h"

namespace files {

FileTable* new_table() {
    return new FileTable;
}

FileTable* copy_table(const FileTable& t) {
    FileTable* copy = new FileTable;
    if (!copy) return nullptr;
    for (int fd = 0; fd < FileTable::MAX_FDS; fd++) {
        if (!t.files[fd]) continue;
        copy->files[fd] = t.files[fd];
        copy->close_on_exec[fd] = t.close_on_exec[fd];
        t.files[fd]->get();
    }
    return copy;
}

void put_table(FileTable* t) {
    if (--t->refs) return;
    for (int fd = 0; fd < FileTable::MAX_FDS; fd++)
        if (t->files[fd]) t->files[fd]->put();
    delete t;
}

int install(File* f, int min_fd, bool cloexec) {
    FileTable* t = current_process()->files;
    for (int fd = min_fd < 0 ? 0 : min_fd; fd < FileTable::MAX_FDS; fd++) {
        if (t->files[fd]) continue;
        t->files[fd] = f;
        t->close_on_exec[fd] = cloexec;
        return fd;
    }
    f->put();
    return -err::EMFILE;
}

File* get(int fd) {
    const Process* p = current_process();
    if (!p->files || fd < 0 || fd >= FileTable::MAX_FDS) return nullptr;
    return p->files->files[fd];
}

int close(int fd) {
    FileTable* t = current_process()->files;
    if (fd < 0 || fd >= FileTable::MAX_FDS || !t->files[fd]) return -err::EBADF;
    File* f = t->files[fd];
    t->files[fd] = nullptr;
    t->close_on_exec[fd] = false;
    f->put();
    return 0;
}

void close_on_exec(FileTable& t) {
    for (int fd = 0; fd < FileTable::MAX_FDS; fd++) {
        if (t.files[fd] && t.close_on_exec[fd]) {
            t.files[fd]->put();
            t.files[fd] = nullptr;
            t.close_on_exec[fd] = false;
        }
    }
}

} // namespace files
