#pragma once
// Every system-call handler the .tbl files name. Each is an ordinary
// typed function; kernel/syscall/adapt.h adapts it to the registers of
// either ABI. User memory comes in as UserPtr<T>, never as T*.
//
// To add a call: one line in arch/x86/entry/syscalls/syscall_*.tbl, the
// function (in the kernel/syscall/sys_*.cpp file of its subject) and its
// declaration here. See docs/adding-a-syscall.md.
#include <stddef.h>
#include <stdint.h>

#include "kernel/uaccess.h"

// ---- processes (sys_process.cpp)
int64_t sys_exit(int status);
int64_t sys_exit_group(int status);
int64_t sys_getpid();
int64_t sys_getppid();
int64_t sys_gettid();
int64_t sys_getuid();
int64_t sys_geteuid();
int64_t sys_getgid();
int64_t sys_getegid();
int64_t sys_fork();
int64_t sys_vfork();
int64_t sys_clone(uint64_t flags, uint64_t stack, UserPtr<int> parent_tid, UserPtr<int> child_tid, uint64_t tls);
int64_t sys_clone32(uint32_t flags, uint32_t stack, UserPtr<int> parent_tid, uint32_t tls, UserPtr<int> child_tid);
int64_t sys_execve(UserPtr<const char> path, UserPtr<const uint64_t> argv, UserPtr<const uint64_t> envp);
int64_t sys_execve32(UserPtr<const char> path, UserPtr<const uint32_t> argv, UserPtr<const uint32_t> envp);
int64_t sys_wait4(int pid, UserPtr<int> status, int options, UserPtr<void> rusage);
int64_t sys_wait4_32(int pid, UserPtr<int> status, int options, UserPtr<void> rusage);
int64_t sys_waitpid(int pid, UserPtr<int> status, int options);
int64_t sys_kill(int pid, int signal);
int64_t sys_set_tid_address(UserPtr<int> tid);
int64_t sys_sched_yield();
int64_t sys_uname(UserPtr<void> buf);
int64_t sys_arch_prctl(int code, uint64_t address);
int64_t sys_set_thread_area(UserPtr<void> user_desc);
int64_t sys_get_thread_area(UserPtr<void> user_desc);
int64_t sys_rt_sigaction(int signal, UserPtr<const void> act, UserPtr<void> old, size_t sigset_size);
int64_t sys_rt_sigaction32(int signal, UserPtr<const void> act, UserPtr<void> old, uint32_t sigset_size);
int64_t sys_rt_sigprocmask(int how, UserPtr<const uint64_t> set, UserPtr<uint64_t> old, size_t sigset_size);
int64_t sys_sigaltstack(UserPtr<const void> stack, UserPtr<void> old);
int64_t sys_sigaltstack32(UserPtr<const void> stack, UserPtr<void> old);
int64_t sys_rt_sigreturn();
int64_t sys_rt_sigreturn32();
int64_t sys_sigreturn32();
int64_t sys_sigaction32(int signal, UserPtr<const void> act, UserPtr<void> old);
int64_t sys_tgkill(int tgid, int tid, int signal);
int64_t sys_tkill(int tid, int signal);

// ---- segments and ports (sys_segments.cpp)
int64_t sys_modify_ldt(int func, UserPtr<void> ptr, uint64_t bytecount);
int64_t sys_ioperm(uint64_t from, uint64_t num, int turn_on);
int64_t sys_iopl(uint32_t level);

// ---- credentials (sys_credentials.cpp)
int64_t sys_setresuid(uint32_t ruid, uint32_t euid, uint32_t suid);
int64_t sys_getresuid(UserPtr<uint32_t> ruid, UserPtr<uint32_t> euid, UserPtr<uint32_t> suid);

// ---- threads (sys_process.cpp)
int64_t sys_futex(UserPtr<uint32_t> word, int op, uint32_t value, uint64_t timeout, UserPtr<uint32_t> word2,
                  uint32_t value3);
int64_t sys_futex32(UserPtr<uint32_t> word, int op, uint32_t value, uint32_t timeout, UserPtr<uint32_t> word2,
                    uint32_t value3);
int64_t sys_futex_time64(UserPtr<uint32_t> word, int op, uint32_t value, uint32_t timeout, UserPtr<uint32_t> word2,
                         uint32_t value3);
int64_t sys_set_robust_list(UserPtr<void> head, size_t length);
int64_t sys_get_robust_list(int pid, UserPtr<uint64_t> head, UserPtr<uint64_t> length);

// ---- resources (sys_resource.cpp)
int64_t sys_sched_getaffinity(int pid, uint32_t length, UserPtr<void> mask);
int64_t sys_sched_getaffinity32(int pid, uint32_t length, UserPtr<void> mask);
int64_t sys_sched_setaffinity(int pid, uint32_t length, UserPtr<const void> mask);
int64_t sys_prlimit64(int pid, uint32_t resource, UserPtr<const void> new_limit, UserPtr<void> old_limit);
int64_t sys_getrlimit(uint32_t resource, UserPtr<void> limit);
int64_t sys_setrlimit(uint32_t resource, UserPtr<const void> limit);
int64_t sys_ugetrlimit32(uint32_t resource, UserPtr<void> limit);
int64_t sys_old_getrlimit32(uint32_t resource, UserPtr<void> limit);
int64_t sys_setrlimit32(uint32_t resource, UserPtr<const void> limit);
int64_t sys_getrandom(UserPtr<void> buf, size_t length, uint32_t flags);
int64_t sys_prctl(int option, uint64_t arg2, uint64_t arg3, uint64_t arg4, uint64_t arg5);

// ---- files (sys_file.cpp)
int64_t sys_read(int fd, UserPtr<void> buf, size_t count);
int64_t sys_write(int fd, UserPtr<const void> buf, size_t count);
int64_t sys_writev(int fd, UserPtr<const void> iov, int count);
int64_t sys_writev32(int fd, UserPtr<const void> iov, int count);
int64_t sys_open(UserPtr<const char> path, int flags, uint32_t mode);
int64_t sys_openat(int dirfd, UserPtr<const char> path, int flags, uint32_t mode);
int64_t sys_close(int fd);
int64_t sys_lseek(int fd, int64_t offset, int whence);
int64_t sys_llseek(int fd, uint32_t offset_high, uint32_t offset_low, UserPtr<int64_t> result, int whence);
int64_t sys_stat(UserPtr<const char> path, UserPtr<void> buf);
int64_t sys_lstat(UserPtr<const char> path, UserPtr<void> buf);
int64_t sys_fstat(int fd, UserPtr<void> buf);
int64_t sys_newfstatat(int dirfd, UserPtr<const char> path, UserPtr<void> buf, int flags);
int64_t sys_stat64_32(UserPtr<const char> path, UserPtr<void> buf);
int64_t sys_lstat64_32(UserPtr<const char> path, UserPtr<void> buf);
int64_t sys_fstat64_32(int fd, UserPtr<void> buf);
int64_t sys_fstatat64_32(int dirfd, UserPtr<const char> path, UserPtr<void> buf, int flags);
int64_t sys_getdents64(int fd, UserPtr<void> buf, uint32_t count);
int64_t sys_dup(int fd);
int64_t sys_dup2(int fd, int new_fd);
int64_t sys_dup3(int fd, int new_fd, int flags);
int64_t sys_fcntl(int fd, int command, uint64_t arg);
int64_t sys_pipe(UserPtr<int> fds);
int64_t sys_pipe2(UserPtr<int> fds, int flags);
int64_t sys_ioctl(int fd, uint32_t command, uint64_t arg);
int64_t sys_getcwd(UserPtr<char> buf, size_t size);
int64_t sys_chdir(UserPtr<const char> path);
int64_t sys_access(UserPtr<const char> path, int mode);
int64_t sys_readlink(UserPtr<const char> path, UserPtr<char> buf, size_t size);
int64_t sys_readlinkat(int dirfd, UserPtr<const char> path, UserPtr<char> buf, size_t size);
int64_t sys_statx(int dirfd, UserPtr<const char> path, int flags, uint32_t mask, UserPtr<void> buf);

// ---- memory (sys_memory.cpp)
int64_t sys_brk(uint64_t address);
int64_t sys_mmap(uint64_t address, uint64_t length, uint64_t prot, uint64_t flags, int fd, uint64_t offset);
int64_t sys_mmap2(uint32_t address, uint32_t length, uint32_t prot, uint32_t flags, int fd, uint32_t page_offset);
int64_t sys_old_mmap32(UserPtr<const void> args);
int64_t sys_munmap(uint64_t address, uint64_t length);
int64_t sys_mprotect(uint64_t address, uint64_t length, uint64_t prot);
int64_t sys_mremap(uint64_t address, uint64_t old_length, uint64_t new_length, uint64_t flags, uint64_t new_address);
int64_t sys_mremap32(uint32_t address, uint32_t old_length, uint32_t new_length, uint32_t flags, uint32_t new_address);
int64_t sys_madvise(uint64_t address, uint64_t length, int advice);
int64_t sys_msync(uint64_t address, uint64_t length, int flags);
int64_t sys_mincore(uint64_t address, uint64_t length, UserPtr<uint8_t> vec);
int64_t sys_mlock(uint64_t address, uint64_t length);
int64_t sys_mlock2(uint64_t address, uint64_t length, int flags);
int64_t sys_munlock(uint64_t address, uint64_t length);
int64_t sys_mlockall(int flags);
int64_t sys_munlockall();

// ---- time (sys_time.cpp)
int64_t sys_clock_gettime(int clock, UserPtr<void> ts);
int64_t sys_clock_gettime32(int clock, UserPtr<void> ts);
int64_t sys_gettimeofday(UserPtr<void> tv, UserPtr<void> tz);
int64_t sys_gettimeofday32(UserPtr<void> tv, UserPtr<void> tz);
int64_t sys_time(UserPtr<int64_t> t);
int64_t sys_time32(UserPtr<int32_t> t);
int64_t sys_nanosleep(UserPtr<const void> request, UserPtr<void> remaining);
int64_t sys_nanosleep32(UserPtr<const void> request, UserPtr<void> remaining);
int64_t sys_getcpu(UserPtr<uint32_t> cpu, UserPtr<uint32_t> node, UserPtr<void> cache);
int64_t sys_clock_nanosleep(int clock, int flags, UserPtr<const void> request, UserPtr<void> remaining);
int64_t sys_clock_nanosleep32(int clock, int flags, UserPtr<const void> request, UserPtr<void> remaining);
int64_t sys_clock_nanosleep_time64(int clock, int flags, UserPtr<const void> request, UserPtr<void> remaining);

// ---- Sysgate's own (sys_sysgate.cpp)
int64_t sys_sysgate_stats(UserPtr<void> buf, size_t size);
int64_t sys_sysgate_ctl(int op, int64_t arg);
int64_t sys_sysgate_procs(UserPtr<void> buf, size_t count);

// ---- ptrace and friends (sys_ptrace.cpp)
int64_t sys_ptrace(long request, long pid, uint64_t addr, uint64_t data);
int64_t sys_ptrace32(int32_t request, int32_t pid, uint32_t addr, uint32_t data);
int64_t sys_process_vm_readv(int pid, UserPtr<const void> local, uint64_t liovcnt, UserPtr<const void> remote,
                             uint64_t riovcnt, uint64_t flags);
int64_t sys_process_vm_writev(int pid, UserPtr<const void> local, uint64_t liovcnt, UserPtr<const void> remote,
                              uint64_t riovcnt, uint64_t flags);
int64_t sys_process_vm_readv32(int pid, UserPtr<const void> local, uint32_t liovcnt, UserPtr<const void> remote,
                               uint32_t riovcnt, uint32_t flags);
int64_t sys_process_vm_writev32(int pid, UserPtr<const void> local, uint32_t liovcnt, UserPtr<const void> remote,
                                uint32_t riovcnt, uint32_t flags);
int64_t sys_waitid(int which, int pid, UserPtr<void> infop, int options, UserPtr<void> rusage);
int64_t sys_waitid32(int which, int pid, UserPtr<void> infop, int options, UserPtr<void> rusage);
int64_t sys_pause();
