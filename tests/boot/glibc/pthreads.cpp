// A static glibc program with threads, built for both bitnesses by
// tests/boot/glibc/glibc.mk and booted on every row (tests/boot/cases.py:
// glibc-pthreads): what a real program needs of clone, futex, TLS, robust
// lists and thread-directed signals works on Sysgate as on Linux. It prints
// the in-guest suite's [RUN]/[OK]/[FAIL] lines and a RESULT line, so
// /bin/runtests counts it like the suite's own programs.
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

namespace {

int passed, failed;
bool case_ok;

void check(bool ok, const char* what, int line) {
    if (!ok) {
        std::printf("    %s:%d: CHECK(%s) failed\n", __FILE__, line, what);
        case_ok = false;
    }
}
#define CHECK(x) check((x), #x, __LINE__)

void run(const char* name, void (*fn)()) {
    std::printf("[RUN] %s\n", name);
    case_ok = true;
    fn();
    std::printf("%s %s\n", case_ok ? "[OK]" : "[FAIL]", name);
    (case_ok ? passed : failed)++;
    std::fflush(stdout);
}

thread_local int per_thread = 1;

void threads_count_with_a_mutex() {
    std::mutex m;
    long total = 0;
    std::vector<std::thread> workers;
    for (int t = 0; t < 4; t++)
        workers.emplace_back([&] {
            for (int i = 0; i < 10000; i++) {
                std::lock_guard<std::mutex> hold(m);
                total++;
            }
        });
    for (auto& w : workers) w.join();
    CHECK(total == 40000);
}

void condition_variable_hands_over() {
    std::mutex m;
    std::condition_variable cv;
    int stage = 0;
    std::thread other([&] {
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [&] { return stage == 1; });
        stage = 2;
        cv.notify_one();
    });
    {
        std::unique_lock<std::mutex> lock(m);
        stage = 1;
        cv.notify_one();
        cv.wait(lock, [&] { return stage == 2; });
    }
    other.join();
    CHECK(stage == 2);
}

void thread_local_storage_is_per_thread() {
    per_thread = 10;
    int seen_there = 0;
    std::thread other([&] {
        seen_there = per_thread; // a fresh copy: 1
        per_thread = 20;
    });
    other.join();
    CHECK(seen_there == 1);
    CHECK(per_thread == 10);
}

void thread_ids_and_the_process_id() {
    const pid_t pid = getpid();
    long tid_there = 0;
    pid_t pid_there = 0;
    std::thread other([&] {
        tid_there = syscall(SYS_gettid);
        pid_there = getpid();
    });
    other.join();
    CHECK(pid_there == pid);
    CHECK(tid_there != pid && tid_there > 0);
}

std::atomic<long> signalled_tid{0};
void on_usr1(int) {
    signalled_tid = syscall(SYS_gettid);
}

void pthread_kill_reaches_that_thread() {
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, nullptr);
    std::atomic<bool> ready{false}, done{false};
    std::atomic<long> its_tid{0};
    std::thread other([&] {
        its_tid = syscall(SYS_gettid);
        ready = true;
        while (!done) std::this_thread::yield();
    });
    while (!ready) std::this_thread::yield();
    pthread_kill(other.native_handle(), SIGUSR1);
    for (int i = 0; i < 100000 && !signalled_tid; i++) std::this_thread::yield();
    done = true;
    other.join();
    CHECK(signalled_tid == its_tid);
    raise(SIGUSR1); // raise(): the calling thread (tgkill)
    CHECK(signalled_tid == syscall(SYS_gettid));
}

void many_threads_come_and_go() {
    std::atomic<int> ran{0};
    for (int round = 0; round < 20; round++) {
        std::vector<std::thread> batch;
        for (int t = 0; t < 8; t++) batch.emplace_back([&] { ran++; });
        for (auto& t : batch) t.join();
    }
    CHECK(ran == 160);
}

void hardware_concurrency_is_known() {
    CHECK(std::thread::hardware_concurrency() >= 1); // sched_getaffinity
}

} // namespace

int main() {
    run("std::thread and std::mutex count together", threads_count_with_a_mutex);
    run("std::condition_variable hands over", condition_variable_hands_over);
    run("thread_local is per thread", thread_local_storage_is_per_thread);
    run("threads share the pid, not the tid", thread_ids_and_the_process_id);
    run("pthread_kill and raise reach their thread", pthread_kill_reaches_that_thread);
    run("threads come and go", many_threads_come_and_go);
    run("std::thread::hardware_concurrency", hardware_concurrency_is_known);
    std::printf("RESULT glibc-pthreads%s: %d passed, %d failed, 0 skipped\n", sizeof(void*) == 8 ? "" : "32", passed,
                failed);
    return failed ? 1 : 0;
}
