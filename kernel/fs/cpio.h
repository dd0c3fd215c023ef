#pragma once
// Reading a cpio "newc" archive (the initramfs format): 110-byte ASCII
// headers ("070701" and 13 fields of 8 hex digits), the name padded to a
// multiple of 4 with the header, the data padded to 4, and a final entry
// named "TRAILER!!!". Pure and bounds-checked: a truncated or corrupt
// archive gives an error, never a read past the end.
#include <stddef.h>
#include <stdint.h>

namespace cpio {

struct Entry {
    const char* name; // not NUL-terminated in the archive: use name_length
    size_t name_length;
    uint32_t mode;
    const uint8_t* data;
    size_t size;
};

class Reader {
  public:
    Reader(const uint8_t* archive, size_t size) : base_(archive), size_(size) {}
    enum class Result { Entry, End, Error };
    Result next(Entry& out);
    const char* error() const { return error_; }
    size_t offset() const { return offset_; }

  private:
    const uint8_t* base_;
    size_t size_;
    size_t offset_ = 0;
    const char* error_ = nullptr;
};

} // namespace cpio
