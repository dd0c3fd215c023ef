#include "kernel/fs/vfs.h"

#include "kernel/console.h"
#include "kernel/fs/cpio.h"
#include "kernel/fs/tty.h"

namespace vfs {
namespace {

Node* root_node;
uint64_t next_ino = 1;

char* copy_name(const char* s, size_t n) {
    char* out = new char[n + 1];
    if (!out) return nullptr;
    __builtin_memcpy(out, s, n);
    out[n] = 0;
    return out;
}

bool name_equals(const Node* n, const char* s, size_t len) {
    size_t i = 0;
    for (; i < len && n->name[i] == s[i]; i++) {
    }
    return i == len && n->name[len] == 0;
}

Node* new_node(Node* parent, const char* name, size_t len, uint32_t mode_bits) {
    Node* n = new Node{copy_name(name, len), mode_bits, nullptr, 0, next_ino++, Device::None, parent, nullptr, nullptr};
    if (!n || !n->name) return nullptr;
    if (parent) { // keep children sorted by name, so ls is stable
        Node** link = &parent->first_child;
        while (*link) {
            const char* a = (*link)->name;
            size_t i = 0;
            while (a[i] && i < len && a[i] == name[i]) i++;
            const int cmp = i == len ? (a[i] ? 1 : 0) : (a[i] ? (unsigned char)a[i] - (unsigned char)name[i] : -1);
            if (cmp > 0) break;
            link = &(*link)->next_sibling;
        }
        n->next_sibling = *link;
        *link = n;
    }
    return n;
}

Node* child(Node* dir, const char* name, size_t len) {
    for (Node* c = dir->first_child; c; c = c->next_sibling)
        if (name_equals(c, name, len)) return c;
    return nullptr;
}

// Finds or creates the directory chain for an archive path; returns the
// parent directory of the last component.
Node* ensure_parents(const char* path, size_t len, const char** last, size_t* last_len) {
    Node* dir = root_node;
    size_t i = 0;
    for (;;) {
        while (i < len && path[i] == '/') i++;
        size_t j = i;
        while (j < len && path[j] != '/') j++;
        if (j == len) {
            *last = path + i;
            *last_len = j - i;
            return dir;
        }
        Node* next = child(dir, path + i, j - i);
        if (!next) next = new_node(dir, path + i, j - i, mode::IFDIR | 0755);
        if (!next || !next->is_directory()) return nullptr;
        dir = next;
        i = j;
    }
}

void add_device(Node* dev, const char* name, Device kind) {
    size_t len = 0;
    while (name[len]) len++;
    Node* n = new_node(dev, name, len, mode::IFCHR | 0666);
    if (n) n->device = kind;
}

// ---- open files on the tree

class RegularFile final : public File {
  public:
    explicit RegularFile(Node* n) : node_(n) {}
    long read(UserPtr<void> buf, size_t n) override {
        if (offset_ >= node_->size) return 0;
        if (n > node_->size - offset_) n = node_->size - offset_;
        if (copy_to_user(buf, node_->data + offset_, n)) return -err::EFAULT;
        offset_ += n;
        return long(n);
    }
    long seek(int64_t off, int whence) override {
        int64_t base = whence == 0 ? 0 : whence == 1 ? int64_t(offset_) : whence == 2 ? int64_t(node_->size) : -1;
        if (base < 0 || (off < 0 && -off > base)) return -err::EINVAL;
        offset_ = uint64_t(base + off);
        return long(offset_);
    }
    int status(FileStatus& out) override {
        out = status_of(node_);
        return 0;
    }
    int path(char* out, size_t capacity) override { return path_of(node_, out, capacity); }

  private:
    Node* node_;
    uint64_t offset_ = 0;
};

class Directory final : public File {
  public:
    explicit Directory(Node* n) : node_(n) {}
    Node* directory() override { return node_; }
    long read(UserPtr<void>, size_t) override { return -err::EISDIR; } // getdents64 reads directories
    int status(FileStatus& out) override {
        out = status_of(node_);
        return 0;
    }
    int path(char* out, size_t capacity) override { return path_of(node_, out, capacity); }
    long seek(int64_t off, int whence) override {
        if (whence != 0 || off < 0) return -err::EINVAL;
        position_ = uint64_t(off);
        return off;
    }
    // "." and ".." first, then the children in name order.
    long read_directory(UserPtr<void> buf, size_t size) override {
        size_t used = 0;
        for (;;) {
            const Node* n = nullptr;
            const char* name = nullptr;
            if (position_ == 0) {
                n = node_;
                name = ".";
            } else if (position_ == 1) {
                n = node_->parent ? node_->parent : node_;
                name = "..";
            } else {
                uint64_t i = 2;
                for (n = node_->first_child; n && i < position_; n = n->next_sibling) i++;
                if (!n) break;
                name = n->name;
            }
            const uint8_t type = n->is_directory() ? DT_DIR : n->is_regular() ? DT_REG : DT_CHR;
            const int r = put_dirent(buf, size, used, n->ino, position_ + 1, type, name);
            if (r < 0) return used ? long(used) : r; // a bad buffer: what was delivered counts
            if (r > 0) return used ? long(used) : -err::EINVAL;
            position_++;
        }
        return long(used);
    }

  private:
    Node* node_;
    uint64_t position_ = 0;
};

class NullDevice final : public File {
  public:
    explicit NullDevice(Node* n, bool zero) : node_(n), zero_(zero) {}
    long read(UserPtr<void> buf, size_t n) override {
        if (!zero_) return 0;
        return clear_user(buf, n) ? -err::EFAULT : long(n);
    }
    long write(UserPtr<const void>, size_t n) override { return long(n); }
    long seek(int64_t, int) override { return 0; }
    int status(FileStatus& out) override {
        out = status_of(node_);
        return 0;
    }
    int path(char* out, size_t capacity) override { return path_of(node_, out, capacity); }

  private:
    Node* node_;
    bool zero_;
};

} // namespace

Node* root() {
    return root_node;
}

FileStatus status_of(const Node* n) {
    FileStatus s;
    s.ino = n->ino;
    s.mode = n->mode;
    s.size = n->size;
    s.nlink = n->is_directory() ? 2 : 1;
    s.blocks = (n->size + 511) / 512;
    // Linux's device numbers: console 5:1, null 1:3, zero 1:5.
    if (n->device == Device::Console)
        s.rdev = 5 << 8 | 1;
    else if (n->device == Device::Null)
        s.rdev = 1 << 8 | 3;
    else if (n->device == Device::Zero)
        s.rdev = 1 << 8 | 5;
    return s;
}

long mount_initramfs(const uint8_t* archive, size_t size) {
    root_node = new_node(nullptr, "", 0, mode::IFDIR | 0755);
    long files = 0;
    if (archive) {
        cpio::Reader reader(archive, size);
        cpio::Entry e;
        cpio::Reader::Result r;
        while ((r = reader.next(e)) == cpio::Reader::Result::Entry) {
            const char* last;
            size_t last_len;
            Node* dir = ensure_parents(e.name, e.name_length, &last, &last_len);
            if (!dir) {
                kprintln("[initramfs] {}: a path component is not a directory; skipped",
                         fmt::StringView(e.name, e.name_length));
                continue;
            }
            if (last_len == 0 || (last_len == 1 && last[0] == '.')) continue; // the root itself
            Node* existing = child(dir, last, last_len);
            const uint32_t type = e.mode & mode::IFMT;
            if (type == mode::IFDIR) {
                if (!existing) new_node(dir, last, last_len, e.mode);
            } else if (type == mode::IFREG) {
                Node* n = existing ? existing : new_node(dir, last, last_len, e.mode);
                if (!n) break;
                n->mode = e.mode;
                n->data = e.data;
                n->size = e.size;
                files++;
            } // other types (symlinks, devices) are not used by Sysgate's archives
        }
        if (r == cpio::Reader::Result::Error)
            kprintln("[initramfs] corrupt archive at byte {}: {}; using what came before", reader.offset(),
                     reader.error());
    }
    const char* last;
    size_t last_len;
    Node* parent = ensure_parents("dev/x", 5, &last, &last_len);
    if (parent) {
        add_device(parent, "console", Device::Console);
        add_device(parent, "tty", Device::Console);
        add_device(parent, "null", Device::Null);
        add_device(parent, "zero", Device::Zero);
    }
    // /proc: a directory of the archive (Linux's initramfs often has one)
    // or a new one; what the archive put in it is hidden by the mount.
    Node* proc = child(root_node, "proc", 4);
    if (!proc) proc = new_node(root_node, "proc", 4, mode::IFDIR | 0555);
    if (proc && proc->is_directory()) proc->device = Device::Proc;
    return files;
}

namespace {

constexpr int MAX_LINKS = 40;  // Linux's MAXSYMLINKS
constexpr int MAX_NESTING = 8; // links inside a link's target (each level costs kernel stack)

struct Links {
    int followed = 0, nesting = 0;
};
constexpr size_t NAME_MAX = 255;

Location tree(Node* n) {
    Location l;
    l.node = n;
    return l;
}

Location proc_location(const procfs::Entry& e) {
    Location l;
    l.kind = Location::Kind::Proc;
    l.proc = e;
    return l;
}

Node* proc_mount() {
    Node* n = child(root_node, "proc", 4);
    return n && n->device == Device::Proc ? n : nullptr;
}

Location parent_of(const Location& l) {
    switch (l.kind) {
    case Location::Kind::Tree:
        return tree(l.node->parent ? l.node->parent : root_node);
    case Location::Kind::Proc: {
        procfs::Entry up;
        if (procfs::parent(l.proc, up)) return proc_location(up);
        Node* mount = proc_mount();
        return tree(mount && mount->parent ? mount->parent : root_node);
    }
    case Location::Kind::OpenFile:
        break;
    }
    return tree(root_node);
}

int walk(Location at, const char* path, bool follow_last, Location& out, Links& links);

// Follows the link at `link` (in /proc) to where it leads.
int follow(Location link, Location& out, Links& links) { // link by value: out may be the same object
    if (++links.followed > MAX_LINKS || links.nesting >= MAX_NESTING) return -err::ELOOP;
    char target[PATH_MAX];
    File* file = nullptr;
    if (const int e = procfs::read_link(link.proc, target, sizeof(target), &file)) return e;
    if (file) {
        out = Location{};
        out.kind = Location::Kind::OpenFile;
        out.file = file;
        return 0;
    }
    links.nesting++;
    const int e = walk(parent_of(link), target, true, out, links);
    links.nesting--;
    return e;
}

// The child `name` of the directory `dir`.
int step(const Location& dir, const char* name, size_t len, Location& out) {
    if (dir.kind == Location::Kind::Proc) {
        procfs::Entry e;
        if (const int r = procfs::lookup(dir.proc, name, len, e)) return r;
        out = proc_location(e);
        return 0;
    }
    Node* c = child(dir.node, name, len);
    if (!c) return -err::ENOENT;
    out = c->device == Device::Proc ? proc_location(procfs::Entry{}) : tree(c);
    return 0;
}

int walk(Location at, const char* path, bool follow_last, Location& out, Links& links) {
    if (!path[0]) return -err::ENOENT;
    if (path[0] == '/') at = tree(root_node);
    size_t plen = 0;
    while (path[plen]) plen++;
    const bool trailing_slash = path[plen - 1] == '/';
    size_t i = 0;
    for (;;) {
        while (path[i] == '/') i++;
        if (!path[i]) break;
        size_t j = i;
        while (path[j] && path[j] != '/') j++;
        size_t k = j;
        while (path[k] == '/') k++;
        const bool last = !path[k];
        const size_t n = j - i;
        if (n > NAME_MAX) return -err::ENAMETOOLONG;
        if (!is_directory(at)) return -err::ENOTDIR;
        if (n == 1 && path[i] == '.') {
            // stays
        } else if (n == 2 && path[i] == '.' && path[i + 1] == '.') {
            at = parent_of(at);
        } else {
            Location next;
            if (const int e = step(at, path + i, n, next)) return e;
            if (is_link(next) && (!last || follow_last || trailing_slash)) {
                if (const int e = follow(next, next, links)) return e;
            }
            at = next;
        }
        i = j;
    }
    // A trailing slash demands a directory ("ls /bin/sh/" fails).
    if (trailing_slash && plen > 1 && !is_directory(at)) return -err::ENOTDIR;
    out = at;
    return 0;
}

} // namespace

int resolve(const char* cwd, const char* path, bool follow_last, Location& out) {
    Links links;
    Location start = tree(root_node);
    if (path[0] && path[0] != '/') {
        // The working directory is kept as a path; it may have gone (a
        // /proc/PID of a process that ended).
        if (const int e = walk(start, cwd, true, start, links)) return e;
        if (!is_directory(start)) return -err::ENOTDIR;
    }
    return walk(start, path, follow_last, out, links);
}

Node* lookup(const char* cwd, const char* path, int* error) {
    Location l;
    if (const int e = resolve(cwd, path, true, l)) {
        *error = e;
        return nullptr;
    }
    if (l.kind != Location::Kind::Tree) {
        *error = -err::EACCES;
        return nullptr;
    }
    return l.node;
}

bool is_directory(const Location& l) {
    switch (l.kind) {
    case Location::Kind::Tree:
        return l.node->is_directory();
    case Location::Kind::Proc:
        return procfs::is_directory(l.proc);
    case Location::Kind::OpenFile: {
        FileStatus s;
        l.file->status(s);
        return (s.mode & mode::IFMT) == mode::IFDIR;
    }
    }
    return false;
}

bool is_link(const Location& l) {
    return l.kind == Location::Kind::Proc && procfs::is_link(l.proc);
}

bool in_proc(const Location& l) {
    return l.kind == Location::Kind::Proc;
}

long open(const Location& l, int flags, File** out) {
    switch (l.kind) {
    case Location::Kind::Tree:
        return open(l.node, flags, out);
    case Location::Kind::Proc:
        return procfs::open(l.proc, flags, out);
    case Location::Kind::OpenFile:
        // Linux opens the pipe anew; here it is the same description.
        l.file->get();
        *out = l.file;
        return 0;
    }
    return -err::ENOENT;
}

int status_of(const Location& l, FileStatus& out) {
    switch (l.kind) {
    case Location::Kind::Tree:
        out = status_of(l.node);
        return 0;
    case Location::Kind::Proc:
        return procfs::status(l.proc, out);
    case Location::Kind::OpenFile:
        return l.file->status(out);
    }
    return -err::ENOENT;
}

int path_of(const Location& l, char* out, size_t capacity) {
    switch (l.kind) {
    case Location::Kind::Tree:
        return path_of(l.node, out, capacity);
    case Location::Kind::Proc:
        return procfs::path_of(l.proc, out, capacity);
    case Location::Kind::OpenFile:
        return l.file->path(out, capacity);
    }
    return -err::ENOENT;
}

int read_link(const Location& l, char* out, size_t capacity) {
    if (!is_link(l)) return -err::EINVAL;
    File* file = nullptr;
    return procfs::read_link(l.proc, out, capacity, &file);
}

int put_dirent(UserPtr<void> buf, size_t size, size_t& used, uint64_t ino, uint64_t next_position, uint8_t type,
               const char* name) {
    size_t name_len = 0;
    while (name[name_len] && name_len < NAME_MAX) name_len++;
    const size_t reclen = (19 + name_len + 1 + 7) & ~size_t(7);
    if (used + reclen > size) return 1;
    uint8_t record[19 + NAME_MAX + 1 + 8] = {};
    const int64_t next_off = int64_t(next_position);
    const uint16_t rl = uint16_t(reclen);
    __builtin_memcpy(record, &ino, 8);
    __builtin_memcpy(record + 8, &next_off, 8);
    __builtin_memcpy(record + 16, &rl, 2);
    record[18] = type;
    __builtin_memcpy(record + 19, name, name_len);
    record[19 + name_len] = 0;
    if (copy_to_user(buf + used, record, reclen)) return -err::EFAULT;
    used += reclen;
    return 0;
}

int path_of(const Node* node, char* out, size_t capacity) {
    // Collect the chain up to the root, then write it top-down.
    const Node* chain[64];
    size_t depth = 0;
    for (const Node* n = node; n && n->parent && depth < 64; n = n->parent) chain[depth++] = n;
    size_t len = 0;
    if (!depth) {
        if (capacity < 2) return -err::ENAMETOOLONG;
        out[len++] = '/';
    }
    while (depth--) {
        const char* name = chain[depth]->name;
        size_t n = 0;
        while (name[n]) n++;
        if (len + n + 2 > capacity) return -err::ENAMETOOLONG;
        out[len++] = '/';
        __builtin_memcpy(out + len, name, n);
        len += n;
    }
    out[len] = 0;
    return 0;
}

long open(Node* node, int flags, File** out) {
    const int access = flags & oflag::ACCMODE;
    const bool wants_write = access == oflag::WRONLY || access == oflag::RDWR || (flags & oflag::TRUNC);
    File* f = nullptr;
    if (node->is_directory()) {
        if (wants_write) return -err::EISDIR;
        f = new Directory(node);
    } else if ((flags & oflag::DIRECTORY)) {
        return -err::ENOTDIR;
    } else if (node->device == Device::Console) {
        f = tty::open_console();
    } else if (node->device == Device::Null || node->device == Device::Zero) {
        f = new NullDevice(node, node->device == Device::Zero);
    } else {
        if (wants_write) return -err::EROFS; // the initramfs is mounted read-only
        f = new RegularFile(node);
    }
    if (!f) return -err::ENOMEM;
    f->flags = flags & (oflag::ACCMODE | oflag::APPEND | oflag::NONBLOCK);
    *out = f;
    return 0;
}

} // namespace vfs
