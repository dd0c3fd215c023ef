/* fuzz: random system calls through every gate the CPU offers, from
 * workers that are replaced when they die, while signals arrive; at the
 * end the kernel must still be standing, with every frame and heap byte
 * back where they were and every worker accounted for.
 *
 *   fuzz [--seed S] [--calls N] [--workers W] [--per-worker K] [--bits 64|32|mix]
 *        [--hang-ms MS] [--timer-hz HZ] [--signal-rate PERCENT] [--avoid LIST] [--list]
 *
 * Without --timer-hz the timer rate changes every two seconds (100, 250,
 * 1000 or 2000 Hz).
 *
 * Worker k (k = 0, 1, ...) gets the seed S for k = 0 and one derived from
 * S and k otherwise, and prints it when it starts; a worker's calls
 * depend on its seed only, so `fuzz --seed S --calls M` (one worker, as
 * M <= K) replays the first M calls of the worker that printed seed S, and
 * `--list` prints them without making them. 64-bit workers also carry the
 * seed and the call's index in r14 and r15 at every call, where a kernel
 * fault dump of the caller's registers shows them; 32-bit workers get them
 * too, through the 64-bit code segment. See docs/testing.md.
 *
 * The last line says what happened:
 *   fuzz: seed S, N calls through int80/syscall/sysenter/vdso/vsyscall (a/b/c/d/e), W workers (x replaced),
 *   0 kernel faults, memory balanced
 * and the exit status is 0 only if every check held. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysgate.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

#define MAX_WORKERS 16

struct options {
    uint64_t seed;
    int have_seed;
    uint64_t calls;
    uint32_t workers, per_worker;
    int bits; /* 64, 32, or 0: mix */
    uint32_t hang_ms;
    uint32_t timer_hz;
    uint32_t signal_rate;
    uint32_t avoid;
    int list;
};

struct worker {
    int used, pid, bits, hung;
    int zombie, status;
    uint32_t index, quota, reported;
    uint64_t seed, last_beat_ns;
    uint32_t last_index; /* the call index of its last beat */
    int ready, done;
};

static struct worker workers[MAX_WORKERS];
static struct options opt;

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void usage(void) {
    fprintf(stderr,
            "usage: fuzz [--seed S] [--calls N] [--workers W] [--per-worker K] [--bits 64|32|mix]\n"
            "            [--hang-ms MS] [--timer-hz HZ] [--signal-rate PERCENT] [--avoid LIST] [--list]\n"
            "  --avoid: a comma-separated list of %s\n",
            fz_avoid_names);
    exit(2);
}

static uint64_t number(const char* s) {
    char* end;
    const unsigned long long v = strtoull(s, &end, 0);
    if (!*s || *end) usage();
    return v;
}

/* ---------------------------------------------------------------- paths */

static char self_path[120], other_path[128];

static void find_paths(const char* argv0) {
    if (strchr(argv0, '/'))
        snprintf(self_path, sizeof self_path, "%.100s", argv0);
    else
        snprintf(self_path, sizeof self_path, "/bin/%.100s", argv0);
    const size_t n = strlen(self_path);
    if (n > 2 && !strcmp(self_path + n - 2, "32"))
        snprintf(other_path, sizeof other_path, "%.*s", (int)(n - 2), self_path);
    else
        snprintf(other_path, sizeof other_path, "%s32", self_path);
    if (access(other_path, X_OK) != 0) other_path[0] = 0;
}

/* ---------------------------------------------------------------- memory */

struct balance {
    uint64_t free_frames, heap_bytes, processes;
};

static struct balance measure(void) {
    struct sysgate_stats s;
    memset(&s, 0, sizeof s);
    sysgate_stats(&s, sizeof s);
    return (struct balance){s.free_frames, s.heap_bytes, s.processes};
}

/* The kernel heap grows and never shrinks, and the frames it grows by are
 * not free any more: so that a run does not count growth as a loss, grow
 * it first beyond what a run needs (many processes with many pipes),
 * the way user/tests/stress.c warms up before it measures. */
static void warm_up(void) {
    int release[2];
    if (pipe2(release, O_CLOEXEC) != 0) return;
    int children = 0;
    for (int i = 0; i < 16; i++) {
        const pid_t pid = fork();
        if (pid == 0) {
            close(release[1]);
            int fds[2];
            for (int p = 0; p < 28 && pipe(fds) == 0; p++) {
            }
            char c;
            read(release[0], &c, 1);
            _exit(0);
        }
        if (pid > 0) children++;
    }
    close(release[0]);
    close(release[1]);
    while (children > 0 && wait(0) > 0) children--;
    /* Our own stack and stdio, as deep as they will go. */
    volatile char stack[32768];
    memset((char*)stack, 0, sizeof stack);
}

/* ---------------------------------------------------------------- workers */

static int hb_read = -1, hb_write = -1;
static int master_pid;
static uint32_t next_index;
static struct rng master_rng;

struct totals {
    uint64_t calls, gate[G_COUNT], signals_received, recovered;
    uint32_t started, finished, ended, killed, hung, failed_starts, orphans;
    uint32_t no_memory; /* workers that could not start for want of memory while others ran */
    uint32_t failures;
    uint64_t signals_sent;
    uint64_t outstanding; /* calls given to live workers and not reported yet */
};
static struct totals t;

static uint64_t start_after_ns; /* no worker starts before then (memory ran out) */

static int live_workers(void) {
    int n = 0;
    for (int i = 0; i < MAX_WORKERS; i++) n += workers[i].used;
    return n;
}

static int start_worker(uint32_t quota) {
    struct worker* w = 0;
    for (int i = 0; i < MAX_WORKERS && !w; i++)
        if (!workers[i].used) w = &workers[i];
    if (!w) return -1;
    const uint32_t index = next_index++;
    const uint64_t seed = fz_worker_seed(opt.seed, index);
    int bits = opt.bits ? opt.bits : (index % 2 && other_path[0] ? (FZ_BITS == 64 ? 32 : 64) : FZ_BITS);
    const char* path = bits == FZ_BITS ? self_path : other_path;
    if (!path[0]) path = self_path, bits = FZ_BITS;
    char s_index[16], s_seed[24], s_calls[16], s_master[16], s_avoid[16];
    snprintf(s_index, sizeof s_index, "%u", (unsigned)index);
    snprintf(s_seed, sizeof s_seed, "%#llx", (unsigned long long)seed);
    snprintf(s_calls, sizeof s_calls, "%u", (unsigned)quota);
    snprintf(s_master, sizeof s_master, "%d", master_pid);
    snprintf(s_avoid, sizeof s_avoid, "%#x", (unsigned)opt.avoid);
    char* const argv[] = {(char*)path, "--worker", s_index, s_seed, s_calls, s_master, s_avoid, 0};
    fflush(stdout);
    const pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        dup2(1, FD_LOG);
        dup2(hb_write, FD_BEAT);
        if (bits == FZ_BITS) { /* no exec needed (an exec costs as much as hundreds of calls) */
            struct worker_args a = {index, seed, quota, master_pid, opt.avoid, 0};
            _exit(worker_main(&a));
        }
        execve(path, argv, environ);
        _exit(errno == ENOMEM ? WORKER_NO_MEMORY : 127);
    }
    memset(w, 0, sizeof *w);
    w->used = 1;
    w->pid = pid;
    w->bits = bits;
    w->index = index;
    w->seed = seed;
    w->quota = quota;
    w->last_beat_ns = now_ns();
    t.started++;
    t.outstanding += quota;
    return 0;
}

static struct worker* by_pid(int pid) {
    for (int i = 0; i < MAX_WORKERS; i++)
        if (workers[i].used && workers[i].pid == pid) return &workers[i];
    return 0;
}

static void on_beat(const struct beat* b) {
    struct worker* w = 0;
    for (int i = 0; i < MAX_WORKERS && !w; i++)
        if (workers[i].used && (uint8_t)workers[i].index == b->slot) w = &workers[i];
    if (!w) return;
    w->last_beat_ns = now_ns();
    w->last_index = b->index;
    if (b->kind == BEAT_READY) w->ready = 1;
    w->reported += b->calls;
    t.calls += b->calls;
    t.outstanding -= b->calls < t.outstanding ? b->calls : t.outstanding;
    for (int g = 0; g < G_COUNT; g++) t.gate[g] += b->gates[g];
    t.signals_received += b->signals;
    t.recovered += b->recovered;
    t.failures += b->failures;
    if (b->kind == BEAT_DONE) w->done = 1;
}

static void drain(void) {
    static uint8_t buf[4096];
    static size_t have;
    for (;;) {
        const long n = read(hb_read, buf + have, sizeof buf - have);
        if (n <= 0) break;
        have += (size_t)n;
        size_t used = 0;
        for (; have - used >= sizeof(struct beat); used += sizeof(struct beat)) {
            struct beat b;
            memcpy(&b, buf + used, sizeof b);
            on_beat(&b);
        }
        memmove(buf, buf + used, have - used);
        have -= used;
    }
}

/* A worker is gone: say how, and free its slot. */
static void retire(struct worker* w) {
    const int st = w->status;
    const char* how;
    char detail[64] = "";
    if (WIFEXITED(st) && WEXITSTATUS(st) == WORKER_DONE && w->done) {
        t.finished++;
        how = 0;
    } else if (WIFEXITED(st)) {
        t.ended++;
        how = "ended";
        snprintf(detail, sizeof detail, "exit status %d", WEXITSTATUS(st));
        if ((WEXITSTATUS(st) == 127 || WEXITSTATUS(st) == WORKER_SETUP_FAILED) && !w->reported) t.failed_starts++;
        /* Out of memory at the start: the other workers hold it (their
         * mappings), and give it back when they end; with none left, it is
         * gone for good (a leak), and the start failed. */
        if (WEXITSTATUS(st) == WORKER_NO_MEMORY && !w->reported) {
            if (live_workers() > 1) {
                t.no_memory++;
                start_after_ns = now_ns() + 50000000ull;
            } else {
                t.failed_starts++;
            }
        }
    } else if (w->hung) {
        t.hung++;
        how = "replaced (hung)";
        snprintf(detail, sizeof detail, "no progress for %u ms", (unsigned)opt.hang_ms);
    } else {
        t.killed++;
        how = "killed";
        snprintf(detail, sizeof detail, "signal %d", WTERMSIG(st));
    }
    if (how)
        printf("fuzz: worker %u pid %d seed %#llx %s after call #%u: %s\n", (unsigned)w->index, w->pid,
               (unsigned long long)w->seed, how, (unsigned)w->last_index, detail);
    t.outstanding -= (w->quota - w->reported) < t.outstanding ? (w->quota - w->reported) : t.outstanding;
    w->used = 0;
}

static void reap_all(int block) {
    for (;;) {
        int st = 0;
        const pid_t pid = waitpid(-1, &st, block ? 0 : WNOHANG);
        if (pid <= 0) break;
        struct worker* w = by_pid(pid);
        if (!w) {
            t.orphans++; /* a worker's child whose parent died first */
            continue;
        }
        w->zombie = 1;
        w->status = st;
        if (block) break;
    }
}

static const int signals_to_send[] = {SIGUSR1,  SIGUSR1, SIGUSR1, SIGUSR2, SIGUSR2, SIGALRM, SIGALRM, SIGCHLD, SIGCHLD,
                                      SIGWINCH, SIGURG,  SIGCONT, SIGPIPE, SIGHUP,  SIGINT,  SIGTERM, SIGQUIT, SIGIO,
                                      SIGPROF,  34,      40,      64,      SIGSTOP, SIGTSTP, SIGSEGV, SIGTRAP, SIGABRT};

static void send_signals(void) {
    if (opt.avoid & AV_SIGNALS) return;
    for (int i = 0; i < MAX_WORKERS; i++) {
        if (!workers[i].used || workers[i].zombie || !workers[i].ready || !rng_pct(&master_rng, opt.signal_rate))
            continue;
        const int sig =
            rng_below(&master_rng, 400) == 0
                ? SIGKILL
                : signals_to_send[rng_below(&master_rng, sizeof signals_to_send / sizeof signals_to_send[0])];
        kill(workers[i].pid, sig);
        t.signals_sent++;
    }
}

static void sleep_ms(unsigned ms) {
    struct timespec ts = {0, (long)ms * 1000000l};
    nanosleep(&ts, 0);
}

/* ---------------------------------------------------------------- main */

int main(int argc, char** argv) {
    if (argc >= 7 && !strcmp(argv[1], "--worker")) {
        struct worker_args a = {(uint32_t)number(argv[2]), number(argv[3]),           (uint32_t)number(argv[4]),
                                (int)number(argv[5]),      (uint32_t)number(argv[6]), 0};
        return worker_main(&a);
    }
    opt.calls = 100000;
    opt.workers = 4;
    opt.per_worker = 4000;
    opt.hang_ms = 4000;
    opt.signal_rate = 30;
    for (int i = 1; i < argc; i++) {
        const char* a = argv[i];
        const char* v = i + 1 < argc ? argv[i + 1] : 0;
        if (!strcmp(a, "--list")) {
            opt.list = 1;
            continue;
        }
        if (!v) usage();
        i++;
        if (!strcmp(a, "--seed"))
            opt.seed = number(v), opt.have_seed = 1;
        else if (!strcmp(a, "--calls"))
            opt.calls = number(v);
        else if (!strcmp(a, "--workers"))
            opt.workers = (uint32_t)number(v);
        else if (!strcmp(a, "--per-worker"))
            opt.per_worker = (uint32_t)number(v);
        else if (!strcmp(a, "--hang-ms"))
            opt.hang_ms = (uint32_t)number(v);
        else if (!strcmp(a, "--timer-hz"))
            opt.timer_hz = (uint32_t)number(v);
        else if (!strcmp(a, "--signal-rate"))
            opt.signal_rate = (uint32_t)number(v);
        else if (!strcmp(a, "--bits"))
            opt.bits = !strcmp(v, "mix") ? 0 : (int)number(v);
        else if (!strcmp(a, "--avoid")) {
            const long bits = fz_parse_avoid(v);
            if (bits < 0) usage();
            opt.avoid = (uint32_t)bits;
        } else
            usage();
    }
    if (opt.workers < 1 || opt.workers > MAX_WORKERS || opt.per_worker < 1 || opt.per_worker > 60000 ||
        (opt.bits && opt.bits != 32 && opt.bits != 64) || opt.signal_rate > 100)
        usage();
    if (!opt.have_seed) {
        uint32_t lo, hi;
        __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
        uint64_t s = (uint64_t)hi << 32 | lo;
        opt.seed = fz_splitmix(&s);
    }
    if (opt.list) {
        struct worker_args a = {0, opt.seed, (uint32_t)opt.calls, getpid(), opt.avoid, 1};
        return worker_main(&a);
    }

    master_pid = getpid();
    find_paths(argv[0]);
    if (opt.bits && opt.bits != FZ_BITS && !other_path[0]) {
        fprintf(stderr, "fuzz: no %d-bit fuzz next to %s\n", opt.bits, self_path);
        return 2;
    }
    rng_seed(&master_rng, opt.seed ^ 0x3a57e5u);
    struct sysgate_stats s0;
    memset(&s0, 0, sizeof s0);
    if (sysgate_stats(&s0, sizeof s0) < 0) {
        fprintf(stderr, "fuzz: sysgate_stats failed: not on Sysgate?\n");
        return 2;
    }
    const char* emulator = getenv("SYSGATE_EMULATOR");
    printf("fuzz: seed %#llx, %llu calls, %u workers of %s bits, %u calls each, hang timeout %u ms, %s CPU%s%s\n",
           (unsigned long long)opt.seed, (unsigned long long)opt.calls, (unsigned)opt.workers,
           opt.bits == 64   ? "64"
           : opt.bits == 32 ? "32"
           : other_path[0]  ? "32 and 64"
                            : (FZ_BITS == 64 ? "64" : "32"),
           (unsigned)opt.per_worker, (unsigned)opt.hang_ms, s0.cpu_vendor == SYSGATE_VENDOR_INTEL ? "Intel" : "AMD",
           emulator ? " under " : "", emulator ? emulator : "");
    if (opt.avoid) printf("fuzz: avoiding %#x (not a full run)\n", (unsigned)opt.avoid);
    fflush(stdout);

    int hb[2];
    if (pipe2(hb, O_CLOEXEC) != 0) {
        perror("fuzz: pipe2");
        return 1;
    }
    hb_read = hb[0], hb_write = hb[1];
    fcntl(hb_read, F_SETFL, O_NONBLOCK);
    signal(SIGPIPE, SIG_IGN);
    /* The timer rate: fixed with --timer-hz, else changed every two
     * seconds, so that interrupts and pre-emption land everywhere (a fast
     * timer pre-empts a worker in the middle of a single step, say). */
    const long old_hz = (long)s0.timer_hz;
    static const uint32_t rates[] = {100, 250, 1000, 2000};
    uint32_t wanted_hz = opt.timer_hz ? opt.timer_hz : s0.timer_hz;
    sysgate_ctl(SYSGATE_CTL_SET_TIMER_HZ, wanted_hz);

    warm_up();
    const struct balance before = measure();
    const uint64_t start = now_ns();
    uint64_t last_progress = start, last_timer = start, last_rate = start;

    for (;;) {
        reap_all(0);
        drain(); /* after reaping: a dead worker's last beats are in the pipe */
        for (int i = 0; i < MAX_WORKERS; i++)
            if (workers[i].used && workers[i].zombie) retire(&workers[i]);
        if (t.failed_starts >= 3) {
            printf("fuzz: workers cannot start (%s): giving up\n", self_path);
            break;
        }
        const uint64_t now = now_ns();
        for (int i = 0; i < MAX_WORKERS; i++) {
            struct worker* w = &workers[i];
            if (w->used && !w->zombie && !w->hung && now - w->last_beat_ns > (uint64_t)opt.hang_ms * 1000000ull) {
                w->hung = 1;
                kill(w->pid, SIGKILL);
            }
        }
        send_signals();
        while ((uint32_t)live_workers() < opt.workers && t.calls + t.outstanding < opt.calls && now >= start_after_ns) {
            uint64_t quota = opt.calls - t.calls - t.outstanding;
            if (quota > opt.per_worker) quota = opt.per_worker;
            if (start_worker((uint32_t)quota) < 0) break;
        }
        if (!live_workers() && t.calls + t.outstanding >= opt.calls) break;
        if (!opt.timer_hz && now - last_rate > 2000000000ull) {
            wanted_hz = rates[rng_below(&master_rng, sizeof rates / sizeof rates[0])];
            last_rate = now;
            last_timer = 0;
        }
        if (now - last_timer > 100000000ull) { /* workers may change the timer rate: put it back */
            sysgate_ctl(SYSGATE_CTL_SET_TIMER_HZ, wanted_hz);
            last_timer = now;
        }
        if (now - last_progress > 10000000000ull) {
            printf("fuzz: %llu calls so far, %u workers started\n", (unsigned long long)t.calls, (unsigned)t.started);
            fflush(stdout);
            last_progress = now;
        }
        sleep_ms(5);
    }
    /* Everything is reaped; orphans (children of workers that died first)
     * may still be on their way to us. */
    for (int i = 0; i < MAX_WORKERS; i++)
        if (workers[i].used) kill(workers[i].pid, SIGKILL);
    for (int i = 0; i < MAX_WORKERS; i++) {
        while (workers[i].used && !workers[i].zombie) reap_all(1);
        if (workers[i].used) retire(&workers[i]);
    }
    drain();
    sysgate_ctl(SYSGATE_CTL_SET_TIMER_HZ, old_hz);
    struct balance after = measure();
    for (int tries = 0; tries < 300 && after.processes != before.processes; tries++) {
        reap_all(0);
        sleep_ms(10);
        after = measure();
    }
    const double seconds = (double)(now_ns() - start) / 1e9;
    printf("\n"); /* after whatever a worker's last write left unfinished on the console */

    const int balanced = after.free_frames == before.free_frames && after.heap_bytes == before.heap_bytes &&
                         after.processes == before.processes;
    const uint32_t accounted = t.finished + t.ended + t.killed + t.hung;
    const uint32_t replaced = t.ended + t.killed + t.hung;
    printf("fuzz: %.1f s, %.0f calls/s; signals: %llu sent, %llu handled; %llu faults resumed; %u orphans reaped\n",
           seconds, seconds > 0 ? (double)t.calls / seconds : 0.0, (unsigned long long)t.signals_sent,
           (unsigned long long)t.signals_received, (unsigned long long)t.recovered, (unsigned)t.orphans);
    printf("fuzz: workers: %u started, %u finished, %u ended early (%u for want of memory), %u killed by signals, "
           "%u hung\n",
           (unsigned)t.started, (unsigned)t.finished, (unsigned)t.ended, (unsigned)t.no_memory, (unsigned)t.killed,
           (unsigned)t.hung);
    printf("fuzz: memory: free frames %llu -> %llu, kernel heap %llu -> %llu bytes, processes %llu -> %llu\n",
           (unsigned long long)before.free_frames, (unsigned long long)after.free_frames,
           (unsigned long long)before.heap_bytes, (unsigned long long)after.heap_bytes,
           (unsigned long long)before.processes, (unsigned long long)after.processes);
    if (t.failures) printf("fuzz: %u checks failed (FUZZ-CHECK lines above)\n", (unsigned)t.failures);
    const int ok = balanced && accounted == t.started && t.calls >= opt.calls && !t.failures && t.failed_starts < 3;
    printf("fuzz: seed %#llx, %llu calls through int80/syscall/sysenter/vdso/vsyscall (%llu/%llu/%llu/%llu/%llu), %u "
           "workers (%u replaced), 0 kernel faults, memory %s%s\n",
           (unsigned long long)opt.seed, (unsigned long long)t.calls, (unsigned long long)t.gate[G_INT80],
           (unsigned long long)t.gate[G_SYSCALL], (unsigned long long)t.gate[G_SYSENTER],
           (unsigned long long)t.gate[G_VDSO], (unsigned long long)t.gate[G_VSYSCALL], (unsigned)t.started,
           (unsigned)replaced, balanced ? "balanced" : "NOT balanced", ok ? "" : ": FAILED");
    fflush(stdout);
    close(hb_read);
    close(hb_write);
    return ok ? 0 : 1;
}
