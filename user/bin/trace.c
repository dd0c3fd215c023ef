/* trace PROGRAM ARGS...: a small strace. It runs PROGRAM as a tracee
 * (ptrace(PTRACE_TRACEME), then a SIGSTOP to itself, then execve) and,
 * from outside it, prints every system call it makes, one line each:
 *
 *   trace: PID GATE ABI NAME(ARGS) = RESULT
 *
 * The tracer learns everything from the stopped tracee (docs/ptrace.md):
 * the number, arguments, ABI and instruction pointer from
 * PTRACE_GET_SYSCALL_INFO; the gate from the two bytes before the return
 * address (PTRACE_PEEKTEXT: cd 80 is int $0x80, 0f 05 syscall, 0f 34
 * sysenter, whose return lands right after it on the vDSO's pad) or from
 * the address itself (the legacy vsyscall page); "/vdso" when that
 * instruction is in the tracee's vDSO (its [vdso] line in /proc/PID/maps);
 * strings and buffers with process_vm_readv. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trace_names.h"

enum {
    PTRACE_TRACEME = 0,
    PTRACE_PEEKTEXT = 1,
    PTRACE_CONT = 7,
    PTRACE_SYSCALL = 24,
    PTRACE_SETOPTIONS = 0x4200,
    PTRACE_GET_SYSCALL_INFO = 0x420e,
    PTRACE_O_TRACESYSGOOD = 1,
    PTRACE_O_TRACEEXEC = 0x10,
    PTRACE_O_EXITKILL = 0x100000,
    PTRACE_SYSCALL_INFO_ENTRY = 1,
    PTRACE_SYSCALL_INFO_EXIT = 2,
};
#define AUDIT_ARCH_X86_64 0xc000003eu
#define VSYSCALL_PAGE 0xffffffffff600000ull

struct syscall_info {
    uint8_t op;
    uint8_t pad[3];
    uint32_t arch;
    uint64_t instruction_pointer;
    uint64_t stack_pointer;
    union {
        struct {
            uint64_t nr;
            uint64_t args[6];
        } entry;
        struct {
            int64_t rval;
            uint8_t is_error;
        } exit;
    };
};

struct iovec_ {
    void* base;
    size_t len;
};

static long xptrace(long request, long pid, unsigned long addr, unsigned long data) {
    return syscall(SYS_ptrace, request, pid, addr, data);
}

/* Reads up to n bytes of the tracee's memory; the count read. */
static size_t peek_memory(int pid, uint64_t address, void* buf, size_t n) {
    if (sizeof(void*) == 4 && address + n > 0x100000000ull) return 0; /* beyond a 32-bit tracer's iovec */
    struct iovec_ local = {buf, n}, remote = {(void*)(uintptr_t)address, n};
    const long r = syscall(SYS_process_vm_readv, pid, &local, 1, &remote, 1, 0);
    return r > 0 ? (size_t)r : 0;
}

/* The tracee's vDSO: [start, end) from /proc/PID/maps. */
static uint64_t vdso_start, vdso_end;
static void find_vdso(int pid) {
    char path[32], text[4096];
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    vdso_start = vdso_end = 0;
    const int fd = open(path, O_RDONLY);
    if (fd < 0) return;
    const ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) return;
    text[n] = 0;
    for (char* line = text; line && *line;) {
        char* next = strchr(line, '\n');
        if (next) *next++ = 0;
        if (strstr(line, "[vdso]")) {
            vdso_start = strtoull(line, &line, 16);
            vdso_end = strtoull(line + 1, 0, 16);
        }
        line = next;
    }
}

/* Which gate the call at `ip` (its return address) came through. */
static const char* gate_of(int pid, uint64_t ip, char* buf, size_t size) {
    if (ip >= VSYSCALL_PAGE && ip < VSYSCALL_PAGE + 4096) return "vsyscall";
    const char* gate = "?";
    unsigned long word = 0;
    errno = 0;
    if (sizeof(long) == 8 || ip < 0x100000000ull) {
        long r = xptrace(PTRACE_PEEKTEXT, pid, (unsigned long)(ip - 2), (unsigned long)&word);
        if (r == 0) {
            const unsigned char b0 = (unsigned char)word, b1 = (unsigned char)(word >> 8);
            if (b0 == 0xcd && b1 == 0x80)
                gate = "int80";
            else if (b0 == 0x0f && b1 == 0x05)
                gate = "syscall";
            else if (b0 == 0x0f && b1 == 0x34)
                gate = "sysenter";
        }
    }
    snprintf(buf, size, "%s%s", gate, ip >= vdso_start && ip < vdso_end ? "/vdso" : "");
    return buf;
}

/* How to print the arguments of the calls a reader meets most: d signed,
 * u unsigned, x hex, s a string, b a buffer whose length is the next
 * argument (shown at entry, so a read's contents are not). Others: three
 * arguments in hex. */
static const struct {
    const char* name;
    const char* args;
} formats[] = {
    {"read", "dxu"},        {"write", "dbu"},   {"open", "sxx"},     {"openat", "dsxx"},
    {"close", "d"},         {"execve", "sxx"},  {"exit", "d"},       {"exit_group", "d"},
    {"getpid", ""},         {"getppid", ""},    {"gettid", ""},      {"getuid", ""},
    {"brk", "x"},           {"wait4", "dxxx"},  {"kill", "dd"},      {"fork", ""},
    {"vfork", ""},          {"pause", ""},      {"sched_yield", ""}, {"time", "x"},
    {"gettimeofday", "xx"}, {"getcpu", "xxx"},  {"uname", "x"},      {"munmap", "xu"},
    {"dup", "d"},           {"dup2", "dd"},     {"pipe", "x"},       {"chdir", "s"},
    {"access", "sx"},       {"stat", "sx"},     {"readlink", "sxu"}, {"set_tid_address", "x"},
    {"arch_prctl", "xx"},   {"mmap", "xuxxdx"},
};

static const char* name_of(uint32_t arch, uint64_t nr) {
    const int is64 = arch == AUDIT_ARCH_X86_64;
    const size_t n = is64 ? sizeof trace_names64 / sizeof *trace_names64 : sizeof trace_names32 / sizeof *trace_names32;
    const char* name = nr < n ? (is64 ? trace_names64 : trace_names32)[nr] : 0;
    return name;
}

/* A string (up to its NUL) or a buffer of `max` bytes; "..." when there is more. */
static int put_string(char* out, size_t size, int pid, uint64_t address, size_t max, int nul_terminated, int more) {
    char text[64];
    if (max > sizeof text) max = sizeof text;
    size_t got = address ? peek_memory(pid, address, text, max) : 0;
    if (!address) return snprintf(out, size, "NULL");
    if (!got) return snprintf(out, size, "%#llx", (unsigned long long)address);
    size_t len = 0, used = 0;
    while (len < got && (!nul_terminated || text[len])) len++;
    used += (size_t)snprintf(out + used, size - used, "\"");
    for (size_t i = 0; i < len && used + 5 < size; i++) {
        const unsigned char c = (unsigned char)text[i];
        if (c == '\n')
            used += (size_t)snprintf(out + used, size - used, "\\n");
        else if (c == '"' || c == '\\')
            used += (size_t)snprintf(out + used, size - used, "\\%c", c);
        else if (c < 32 || c > 126)
            used += (size_t)snprintf(out + used, size - used, "\\x%02x", c);
        else
            out[used++] = (char)c, out[used] = 0;
    }
    const int cut = nul_terminated ? len == got : more;
    used += (size_t)snprintf(out + used, size - used, "\"%s", cut ? "..." : "");
    return (int)used;
}

static void format_args(char* out, size_t size, int pid, const struct syscall_info* info, const char* name) {
    const char* spec = "xxx";
    for (size_t i = 0; name && i < sizeof formats / sizeof *formats; i++)
        if (strcmp(formats[i].name, name) == 0) spec = formats[i].args;
    const int is64 = info->arch == AUDIT_ARCH_X86_64;
    size_t used = 0;
    out[0] = 0;
    for (int i = 0; spec[i] && used < size; i++) {
        if (i) used += (size_t)snprintf(out + used, size - used, ", ");
        const uint64_t v = info->entry.args[i];
        switch (spec[i]) {
        case 'd':
            used += (size_t)snprintf(out + used, size - used, "%lld", is64 ? (long long)v : (long long)(int32_t)v);
            break;
        case 'u':
            used += (size_t)snprintf(out + used, size - used, "%llu", (unsigned long long)v);
            break;
        case 's':
            used += (size_t)put_string(out + used, size - used, pid, v, 48, 1, 0);
            break;
        case 'b': {
            const uint64_t len = info->entry.args[i + 1];
            used += (size_t)put_string(out + used, size - used, pid, v, len < 32 ? (size_t)len : 32, 0, len > 32);
            break;
        }
        default:
            used += (size_t)snprintf(out + used, size - used, v ? "%#llx" : "0", (unsigned long long)v);
            break;
        }
    }
}

static const char* errno_name(long e) {
    switch (e) {
    case EPERM:
        return "EPERM";
    case ENOENT:
        return "ENOENT";
    case ESRCH:
        return "ESRCH";
    case EINTR:
        return "EINTR";
    case EBADF:
        return "EBADF";
    case ECHILD:
        return "ECHILD";
    case EAGAIN:
        return "EAGAIN";
    case ENOMEM:
        return "ENOMEM";
    case EFAULT:
        return "EFAULT";
    case EINVAL:
        return "EINVAL";
    case ENOSYS:
        return "ENOSYS";
    case 512:
        return "ERESTARTSYS";
    default:
        return "";
    }
}

int main(int argc, char** argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: trace PROGRAM [ARGS...]\n");
        return 2;
    }
    /* stdout is line-buffered: each line is out before the tracee runs on */
    const int pid = fork();
    if (pid < 0) {
        perror("trace: fork");
        return 1;
    }
    if (pid == 0) {
        if (xptrace(PTRACE_TRACEME, 0, 0, 0) != 0) {
            perror("trace: PTRACE_TRACEME");
            _exit(127);
        }
        kill(getpid(), SIGSTOP); /* the tracer sets its options, then sees the execve */
        execv(argv[1], argv + 1);
        perror("trace: execv");
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
        fprintf(stderr, "trace: the child did not stop (status %#x)\n", status);
        return 1;
    }
    xptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL);
    find_vdso(pid);
    int signal = 0;
    char line[512], args[320], gate[32];
    for (;;) {
        if (xptrace(PTRACE_SYSCALL, pid, 0, (unsigned long)signal) != 0) {
            perror("trace: PTRACE_SYSCALL");
            return 1;
        }
        signal = 0;
        if (waitpid(pid, &status, 0) != pid) {
            perror("trace: waitpid");
            return 1;
        }
        if (WIFEXITED(status)) {
            printf("trace: %d +++ exited with %d +++\n", pid, WEXITSTATUS(status));
            return WEXITSTATUS(status);
        }
        if (WIFSIGNALED(status)) {
            printf("trace: %d +++ killed by signal %d +++\n", pid, WTERMSIG(status));
            return 128 + WTERMSIG(status);
        }
        const int stop = WSTOPSIG(status);
        if (status >> 16) { /* an event stop: the exec is done, its vDSO is new */
            find_vdso(pid);
            continue;
        }
        if (stop != (SIGTRAP | 0x80)) { /* a signal for the tracee: pass it on */
            printf("trace: %d --- signal %d ---\n", pid, stop);
            signal = stop;
            continue;
        }
        struct syscall_info info;
        memset(&info, 0, sizeof info);
        if (xptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof info, (unsigned long)&info) <= 0) continue;
        if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
            const char* name = name_of(info.arch, info.entry.nr);
            char unknown[24];
            if (!name)
                snprintf(unknown, sizeof unknown, "syscall_%llu", (unsigned long long)info.entry.nr), name = unknown;
            format_args(args, sizeof args, pid, &info, name);
            snprintf(line, sizeof line, "trace: %d %s %s %s(%s)", pid,
                     gate_of(pid, info.instruction_pointer, gate, sizeof gate),
                     info.arch == AUDIT_ARCH_X86_64 ? "x86_64" : "i386", name, args);
            /* exit and exit_group never return: their line ends now */
            if (strcmp(name, "exit") == 0 || strcmp(name, "exit_group") == 0) printf("%s = ?\n", line);
        } else if (info.op == PTRACE_SYSCALL_INFO_EXIT) {
            const long long r = info.exit.rval;
            if (info.exit.is_error)
                printf("%s = -1 %s (errno %lld)\n", line, errno_name((long)-r), -r);
            else
                printf(r >= 0 && r < 4096 ? "%s = %lld\n" : "%s = %#llx\n", line, r);
        }
    }
}
