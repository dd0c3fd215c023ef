#include "kernel/fs/tty.h"

#include "arch/x86/cpu/cpu.h"
#include "arch/x86/desc/idt.h"
#include "arch/x86/dev/pic.h"
#include "arch/x86/dev/serial.h"
#include "arch/x86/entry/interrupts.h"
#include "kernel/console.h"
#include "kernel/fs/file.h"
#include "kernel/proc/process.h"
#include "kernel/proc/wait_queue.h"

namespace tty {
namespace {

// struct termios as TCGETS copies it (include/uapi/asm-generic/termbits.h).
struct Termios {
    uint32_t iflag, oflag, cflag, lflag;
    uint8_t line;
    uint8_t cc[19];
};
static_assert(sizeof(Termios) == 36);

constexpr uint32_t ICRNL = 0000400;
constexpr uint32_t OPOST = 0000001, ONLCR = 0000004;
constexpr uint32_t B115200 = 0010002, CS8 = 0000060, CREAD = 0000200;
constexpr uint32_t ISIG = 0000001, ICANON = 0000002, ECHO = 0000010, ECHOE = 0000020, ECHOK = 0000040;
constexpr unsigned VINTR = 0, VERASE = 2, VKILL = 3, VEOF = 4, VMIN = 6;

constexpr unsigned TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404, TIOCGPGRP = 0x540f,
                   TIOCSPGRP = 0x5410, TIOCGWINSZ = 0x5413;

Termios termios = {ICRNL,
                   OPOST | ONLCR,
                   B115200 | CS8 | CREAD,
                   ISIG | ICANON | ECHO | ECHOE | ECHOK,
                   0,
                   {3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0, 0, 0}};

// Bytes ready for read(): whole lines in canonical mode.
constexpr unsigned READY_CAPACITY = 8192;
char ready[READY_CAPACITY];
unsigned ready_head, ready_count;
bool end_of_file_pending; // Ctrl-D on an empty line
// The line being edited: at most LINE_MAX bytes and its newline, as with
// Linux's canonical mode (4096 bytes with the newline, termios(3)).
constexpr unsigned LINE_MAX = 4095;
char line[LINE_MAX + 1];
unsigned line_length;
unsigned dropped; // bytes of this line that did not fit: reported at its end
WaitQueue readers;

void echo(char c) {
    if (!(termios.lflag & ECHO)) return;
    if (c == '\n') {
        console::write("\n", 1);
    } else if (uint8_t(c) < 32 && c != '\t') {
        const char caret[2] = {'^', char(c + 64)};
        console::write(caret, 2);
    } else {
        console::write(&c, 1);
    }
}

// Input is taken only while it fits (the line and its newline in the
// ready buffer); the rest of a line is refused with a bell (IMAXBEL) and
// counted, never cut silently.
bool room_for(unsigned bytes) {
    return ready_count + bytes <= READY_CAPACITY;
}

void push_ready(const char* s, unsigned n) {
    for (unsigned i = 0; i < n && ready_count < READY_CAPACITY; i++)
        ready[(ready_head + ready_count++) % READY_CAPACITY] = s[i];
}

// At the end of a line that lost bytes: say so on the console.
void report_dropped() {
    if (!dropped) return;
    static RateLimit messages("[tty]");
    if (messages.allow())
        kprintln("[tty] input line too long: {} bytes beyond the {}-byte limit were dropped", dropped, LINE_MAX);
    dropped = 0;
}

// Ctrl-C: SIGINT to every program on the console except init. Sysgate
// has no job control; the shell ignores SIGINT, so this stops what it runs.
void interrupt_programs() {
    for (Process* p = proc::first(); p; p = p->next_in_table)
        if (p->is_group_leader() && p->tgid > 1 && p->group->live) signals::send(p, sig::SIGINT);
}

void on_serial_interrupt(x86::RegisterFrame&) {
    uint8_t byte;
    while (x86::serial::receive(byte)) receive(byte);
    x86::pic::end_of_interrupt(4);
}

class ConsoleFile final : public File {
  public:
    long read(UserPtr<void> buf, size_t n) override {
        if (!n) return 0;
        x86::InterruptGuard guard;
        while (!ready_count && !end_of_file_pending) {
            if (flags & oflag::NONBLOCK) return -err::EAGAIN;
            if (!sleep_on(readers)) return -err::ERESTARTSYS;
        }
        if (!ready_count) { // Ctrl-D on an empty line: end of file, once
            end_of_file_pending = false;
            return 0;
        }
        // How much: up to n bytes, and one line at most in canonical mode.
        unsigned got = 0;
        while (got < n && got < ready_count) {
            const char c = ready[(ready_head + got) % READY_CAPACITY];
            got++;
            if ((termios.lflag & ICANON) && c == '\n') break;
        }
        // Copied straight from the ring (two pieces if it wraps), and taken
        // out only once delivered: a bad buffer loses no input.
        const unsigned first = got < READY_CAPACITY - ready_head ? got : READY_CAPACITY - ready_head;
        if (copy_to_user(buf, ready + ready_head, first) || copy_to_user(buf + first, ready, got - first))
            return -err::EFAULT;
        ready_head = (ready_head + got) % READY_CAPACITY;
        ready_count -= got;
        return got;
    }
    long write(UserPtr<const void> buf, size_t n) override {
        char chunk[256];
        size_t done = 0;
        while (done < n) {
            const size_t part = n - done < sizeof(chunk) ? n - done : sizeof(chunk);
            if (copy_from_user(chunk, buf + done, part)) return done ? long(done) : -err::EFAULT;
            console::write(chunk, part);
            done += part;
        }
        return long(n);
    }
    int status(FileStatus& out) override {
        out.mode = mode::IFCHR | 0620;
        out.rdev = 5 << 8 | 1;
        out.ino = 2;
        return 0;
    }
    bool is_terminal() const override { return true; }
    long ioctl(unsigned cmd, uint64_t arg) override {
        switch (cmd) {
        case TCGETS:
            return copy_to_user(UserPtr<void>(arg), &termios, sizeof(termios));
        case TCSETS:
        case TCSETSW:
        case TCSETSF: {
            Termios t;
            if (copy_from_user(&t, UserPtr<const void>(arg), sizeof(t))) return -err::EFAULT;
            x86::InterruptGuard guard;
            termios = t;
            if (cmd == TCSETSF) ready_count = line_length = dropped = 0;
            return 0;
        }
        case TIOCGWINSZ: {
            const uint16_t winsize[4] = {25, 80, 0, 0}; // rows, columns: the VGA screen
            return copy_to_user(UserPtr<void>(arg), winsize, sizeof(winsize));
        }
        case TIOCGPGRP: {
            const int pgrp = current_process()->pid;
            return copy_to_user(UserPtr<void>(arg), &pgrp, sizeof(pgrp));
        }
        case TIOCSPGRP:
            return 0; // no job control: accepted and ignored
        default:
            return -err::ENOTTY;
        }
    }
};

} // namespace

void init() {
    x86::interrupts::set_handler(x86::idt::IRQ_BASE + 4, on_serial_interrupt);
    x86::pic::unmask(4);
    x86::serial::enable_receive_interrupt();
    // Bytes that arrived before the interrupt was on raised none: take them now.
    x86::InterruptGuard guard;
    uint8_t byte;
    while (x86::serial::receive(byte)) receive(byte);
}

File* open_console() {
    return new ConsoleFile;
}

void receive(uint8_t byte) {
    char c = char(byte);
    if (c == '\r' && (termios.iflag & ICRNL)) c = '\n';
    if ((termios.lflag & ISIG) && uint8_t(c) == termios.cc[VINTR]) {
        echo(c);
        echo('\n');
        line_length = dropped = 0;
        interrupt_programs();
        return;
    }
    if (!(termios.lflag & ICANON)) {
        if (!room_for(1)) return console::write("\a", 1);
        push_ready(&c, 1);
        echo(c);
        wake_all(readers);
        return;
    }
    if (uint8_t(c) == termios.cc[VERASE] || c == '\b') {
        if (line_length) {
            line_length--;
            if (termios.lflag & ECHOE) console::write("\b \b", 3);
        }
        return;
    }
    if (uint8_t(c) == termios.cc[VKILL]) {
        while (line_length) {
            line_length--;
            if (termios.lflag & ECHOE) console::write("\b \b", 3);
        }
        return;
    }
    if (uint8_t(c) == termios.cc[VEOF]) {
        if (line_length)
            push_ready(line, line_length);
        else
            end_of_file_pending = true;
        line_length = 0;
        report_dropped();
        wake_all(readers);
        return;
    }
    if (c == '\n') {
        if (!room_for(line_length + 1)) { // earlier lines fill the buffer: this one is lost
            dropped += line_length + 1;
            line_length = 0;
            console::write("\a", 1);
            report_dropped();
            return;
        }
        line[line_length++] = c;
        echo(c);
        push_ready(line, line_length);
        line_length = 0;
        report_dropped();
        wake_all(readers);
        return;
    }
    if (line_length >= LINE_MAX || !room_for(line_length + 2)) {
        if (!dropped++) console::write("\a", 1);
        return;
    }
    line[line_length++] = c;
    echo(c);
}

} // namespace tty
