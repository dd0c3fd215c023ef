#include "kernel/fs/pipe.h"

#include "arch/x86/cpu/cpu.h"
#include "kernel/fs/file.h"
#include "kernel/proc/process.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/wait_queue.h"

namespace pipes {
namespace {

struct Buffer {
    static constexpr unsigned CAPACITY = 4096;
    char data[CAPACITY];
    unsigned head = 0, count = 0;
    unsigned readers = 1, writers = 1;
    WaitQueue can_read, can_write;
    uint64_t ino;
};

uint64_t next_ino = 1 << 20;

class PipeEnd final : public File {
  public:
    PipeEnd(Buffer* b, bool reading) : buffer_(b), reading_(reading) {}

    long read(UserPtr<void> buf, size_t n) override {
        if (!reading_) return -err::EBADF;
        if (!n) return 0;
        x86::InterruptGuard guard;
        Buffer& b = *buffer_;
        while (!b.count) {
            if (!b.writers) return 0; // end of file
            if (flags & oflag::NONBLOCK) return -err::EAGAIN;
            if (!sleep_on(b.can_read)) return -err::ERESTARTSYS;
        }
        // Straight from the ring to the reader (two pieces if it wraps),
        // and taken out only once delivered: a bad buffer gets -EFAULT and
        // the bytes stay in the pipe, as on Linux.
        const unsigned got = n < b.count ? unsigned(n) : b.count;
        const unsigned first = got < Buffer::CAPACITY - b.head ? got : Buffer::CAPACITY - b.head;
        if (copy_to_user(buf, b.data + b.head, first) || copy_to_user(buf + first, b.data, got - first))
            return -err::EFAULT;
        b.head = (b.head + got) % Buffer::CAPACITY;
        b.count -= got;
        wake_all(b.can_write);
        return got;
    }

    long write(UserPtr<const void> buf, size_t n) override {
        if (reading_) return -err::EBADF;
        x86::InterruptGuard guard;
        Buffer& b = *buffer_;
        size_t done = 0;
        while (done < n) {
            if (!b.readers) {
                signals::send(current_process(), sig::SIGPIPE);
                return done ? long(done) : -err::EPIPE;
            }
            if (b.count == Buffer::CAPACITY) {
                if (flags & oflag::NONBLOCK) return done ? long(done) : -err::EAGAIN;
                if (!sleep_on(b.can_write)) return done ? long(done) : -err::ERESTARTSYS;
                continue;
            }
            char chunk[256];
            size_t part = n - done;
            if (part > sizeof(chunk)) part = sizeof(chunk);
            if (part > Buffer::CAPACITY - b.count) part = Buffer::CAPACITY - b.count;
            if (copy_from_user(chunk, buf + done, part)) return done ? long(done) : -err::EFAULT;
            for (size_t i = 0; i < part; i++) b.data[(b.head + b.count++) % Buffer::CAPACITY] = chunk[i];
            done += part;
            wake_all(b.can_read);
        }
        return long(done);
    }

    int status(FileStatus& out) override {
        out.mode = mode::IFIFO | 0600;
        out.ino = buffer_->ino;
        return 0;
    }

    void last_close() override {
        x86::InterruptGuard guard;
        Buffer* b = buffer_;
        if (reading_)
            b->readers--;
        else
            b->writers--;
        wake_all(b->can_read);
        wake_all(b->can_write);
        if (!b->readers && !b->writers) delete b;
    }

  private:
    Buffer* buffer_;
    bool reading_;
};

} // namespace

bool create(File** read_end, File** write_end) {
    Buffer* b = new Buffer;
    if (!b) return false;
    b->ino = next_ino++;
    PipeEnd* r = new PipeEnd(b, true);
    PipeEnd* w = r ? new PipeEnd(b, false) : nullptr;
    if (!r || !w) {
        delete r;
        delete b;
        return false;
    }
    r->flags = oflag::RDONLY;
    w->flags = oflag::WRONLY;
    *read_end = r;
    *write_end = w;
    return true;
}

} // namespace pipes
