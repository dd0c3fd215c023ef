#include "kernel/fs/cpio.h"

namespace cpio {
namespace {

constexpr size_t HEADER_SIZE = 110;

bool hex_field(const uint8_t* p, uint32_t& out) {
    uint32_t v = 0;
    for (int i = 0; i < 8; i++) {
        const uint8_t c = p[i];
        uint32_t d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return false;
        v = v << 4 | d;
    }
    out = v;
    return true;
}

constexpr size_t align4(size_t v) {
    return (v + 3) & ~size_t(3);
}

} // namespace

Reader::Result Reader::next(Entry& out) {
    if (error_) return Result::Error;
    if (size_ - offset_ < HEADER_SIZE || offset_ > size_) {
        error_ = "truncated header";
        return Result::Error;
    }
    const uint8_t* h = base_ + offset_;
    static const char magic[] = "070701";
    for (int i = 0; i < 6; i++) {
        if (h[i] != uint8_t(magic[i])) {
            error_ = "bad magic (not a newc archive)";
            return Result::Error;
        }
    }
    // Fields after the magic: ino mode uid gid nlink mtime filesize
    // devmajor devminor rdevmajor rdevminor namesize check.
    uint32_t fields[13];
    for (int i = 0; i < 13; i++) {
        if (!hex_field(h + 6 + i * 8, fields[i])) {
            error_ = "bad hex digit in header";
            return Result::Error;
        }
    }
    const uint32_t mode = fields[1], file_size = fields[6], name_size = fields[11];
    if (name_size == 0) {
        error_ = "empty name";
        return Result::Error;
    }
    const size_t name_start = offset_ + HEADER_SIZE;
    if (name_size > size_ - name_start) {
        error_ = "name runs past the end";
        return Result::Error;
    }
    const size_t data_start = align4(name_start + name_size);
    if (data_start > size_ || file_size > size_ - data_start) {
        error_ = "data runs past the end";
        return Result::Error;
    }
    out.name = reinterpret_cast<const char*>(base_ + name_start);
    out.name_length = name_size - 1; // the stored size counts the NUL
    if (out.name[out.name_length] != 0) {
        error_ = "name not NUL-terminated";
        return Result::Error;
    }
    out.mode = mode;
    out.data = base_ + data_start;
    out.size = file_size;
    offset_ = align4(data_start + file_size);
    static const char trailer[] = "TRAILER!!!";
    if (out.name_length == 10) {
        bool is_trailer = true;
        for (int i = 0; i < 10; i++) is_trailer &= out.name[i] == trailer[i];
        if (is_trailer) return Result::End;
    }
    return Result::Entry;
}

} // namespace cpio
