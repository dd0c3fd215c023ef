"""Sysgate's boot tests: the test matrix (docs/testing.md) and the cases
that tests/boot/run boots on it.

Each Case boots the kernel once per matrix row it names (all rows unless
told otherwise) through scripts/boot, then checks the serial log and the
status the guest powered off with. Patterns are Python regular expressions
searched in the whole log with re.MULTILINE, so ^ and $ anchor at the ends
of a line (the log has LF line ends).

A value that differs between rows is written with by_vendor() or by_row();
it resolves to None ("nothing to check here") where no value applies. For
example (VDSO_GATE_32 below):

    by_vendor(intel=r"uses sysenter", amd=r"uses syscall")

Files from the build can be put into the initramfs of one case with
add=("build/user/foo:/bin/foo",) (paths relative to the repository root,
as scripts/boot --add takes them), and a case can type into the guest's
serial port with stdin="...".
"""
import re
from dataclasses import dataclass
from typing import Any, Callable


# ---------------------------------------------------------------- the matrix
@dataclass(frozen=True)
class Row:
    id: str
    emu: str  # scripts/boot --emu
    cpu: str | None  # scripts/boot --cpu; None: the host's CPU (kvm)
    vendor: str  # "intel" or "amd"; for kvm the host's (see host_vendor)


def host_vendor():
    """The vendor of the machine we run on, which KVM passes through."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("vendor_id"):
                    return {"GenuineIntel": "intel", "AuthenticAMD": "amd"}.get(line.split(":")[1].strip(), "unknown")
    except OSError:
        pass
    return "unknown"


MATRIX = (
    Row("qemu-intel", "qemu", "intel", "intel"),
    Row("qemu-amd", "qemu", "amd", "amd"),
    Row("kvm", "kvm", None, host_vendor()),
    Row("bochs-intel", "bochs", "intel", "intel"),
    Row("bochs-amd", "bochs", "amd", "amd"),
)
ALL_ROWS = tuple(row.id for row in MATRIX)


# ---------------------------------------------------------------- per-row values
@dataclass(frozen=True)
class PerRow:
    """A value chosen per row; see by_vendor() and by_row()."""

    choose: Callable[[Row], Any]

    def resolve(self, row):
        return self.choose(row)


def by_vendor(intel=None, amd=None):
    """The value for the row's CPU vendor (for kvm: the host's vendor)."""
    return PerRow(lambda row: {"intel": intel, "amd": amd}.get(row.vendor))


def by_row(values, default=None):
    """The value for the row's id, e.g. by_row({"bochs-amd": 0}, default=1):
    for the rows whose emulator is known to differ from hardware."""
    return PerRow(lambda row: values.get(row.id, default))


def resolve(value, row):
    return value.resolve(row) if isinstance(value, PerRow) else value


# ---------------------------------------------------------------- cases
@dataclass(frozen=True)
class Await:
    """In a Case's stdin script: wait until a serial line (after the one
    the previous Await matched) matches this pattern, then type on."""

    pattern: str


ANY_STATUS = None  # any status the guest powers off with (not a timeout or emulator failure)


@dataclass(frozen=True)
class Case:
    name: str
    cmdline: Any = ""  # may be per row; {emu} and {vendor} become the row's
    rows: tuple = ALL_ROWS
    expect: tuple = ()  # patterns that must appear
    reject: tuple = ()  # patterns that must not appear
    status: Any = 0  # the power-off status, or ANY_STATUS
    add: tuple = ()  # scripts/boot --add HOSTFILE[:/PATH] (relative to the repository root)
    stdin: Any = None  # typed into the guest's serial port: a string, or a tuple of strings and Awaits
    timeout: Any = None  # seconds; None: scripts/boot's default for the emulator
    summary: Any = None  # a pattern: its last match in the log is shown after PASS (may be per row)
    note: Any = None  # text shown after the summary (may be per row)



# A transcript in the docs that a case checks: the code block after
# `<!-- checked by tests/boot/cases.py: NAME -->` in DOC. Its lines (all
# but the `$ command` line) must appear in the boot's output in that order,
# other lines in between allowed; "..." stands for anything within a line.
def documented_transcript(doc, name):
    import pathlib
    text = (pathlib.Path(__file__).resolve().parents[2] / doc).read_text()
    marker = f"<!-- checked by tests/boot/cases.py: {name} -->"
    block = text.split(marker, 1)[1].split("```", 2)[1]
    lines = [l.strip() for l in block.splitlines()[1:] if l.strip() and not l.startswith("$ ")]
    as_pattern = lambda l: "^" + ".*".join(re.escape(part) for part in l.split("...")) + "$"
    return r"(?:\n.*)*?\n".join(as_pattern(l) for l in lines)

# Every boot that is not about faults must show none.
NO_KERNEL_FAULT = (r"^KERNEL (FAULT|PANIC)",)
# The matrix's "expected 32-bit vDSO gate" (docs/testing.md), printed at
# every boot: sysenter on Intel, syscall on AMD (compatibility mode).
VDSO_GATE_32 = by_vendor(intel=r"^\[vdso\] 32-bit __kernel_vsyscall uses sysenter\b",
                         amd=r"^\[vdso\] 32-bit __kernel_vsyscall uses syscall\b")

# The FPU state each row's CPU model offers and Sysgate enables (the boot
# line of arch/x86/cpu/context.cpp:init_xstate), its area size and the
# AT_MINSIGSTKSZ that follows (user/tests/xstate.c prints it). docs/
# writing-programs.md's table has the same numbers (tests/unit/docs_test.cpp).
#   row: (XCR0, what CPUID.0Dh.0 offers, area bytes, AT_MINSIGSTKSZ)
XSTATE = {
    "qemu-intel": ("0x21f", "0x21f", 2696, 3344),
    "qemu-amd": ("0x21f", "0x21f", 2696, 3344),
    "bochs-intel": ("0xe7", "0xe7", 2688, 3328),
    "bochs-amd": ("0x7", "0x7", 832, 1472),
}
XSTATE_BOOT = by_row({row: rf"^\[cpu\] XSAVE: XCR0 {x} \(the CPU has {o}\), {n}-byte area"
                      for row, (x, o, n, _) in XSTATE.items()})
XSTATE_MINSIGSTKSZ = by_row({row: rf"^    AT_MINSIGSTKSZ {m}$" for row, (_, _, _, m) in XSTATE.items()})

CASES = (
    Case(
        "selftest",
        cmdline="selftest=1",
        expect=(r"^\[selftest\] .+ \.\.\. ok$", r"^selftest: [1-9]\d* passed, 0 failed$", VDSO_GATE_32),
        # Every [selftest] line says ok: a line that does not is named in the failure.
        reject=(r"^\[selftest\] (?!.* \.\.\. ok$).*$",) + NO_KERNEL_FAULT,
        status=0,
    ),
    Case(
        # The in-guest suite: every program in /test, 32- and 64-bit, on
        # every row; SYSGATE_EMULATOR lets the gate tests accept the known
        # emulator deviations and nothing else.
        "suite",
        cmdline="SYSGATE_EMULATOR={emu} init=/bin/runtests",
        expect=(r"^runtests: \d+ programs, 0 failed; cases: [1-9]\d* passed, 0 failed", VDSO_GATE_32,
                r"^RESULT gates: \d+ passed, 0 failed", r"^RESULT gates32: \d+ passed, 0 failed",
                XSTATE_BOOT, XSTATE_MINSIGSTKSZ),
        reject=(r"^\[FAIL\]",) + NO_KERNEL_FAULT,
        status=0,
        timeout=by_row({"bochs-intel": 600, "bochs-amd": 600}, default=300),
    ),
    Case(
        # Static glibc programs (tests/boot/glibc/), built on the host as
        # any Linux binary would be: std::thread, mutexes, condition
        # variables, thread_local, pthread_kill and raise, 32- and 64-bit.
        "glibc-pthreads",
        cmdline="init=/bin/runtests /bin/glibc-pthreads /bin/glibc-pthreads32",
        expect=(r"^runtests: 2 programs, 0 failed; cases: [1-9]\d* passed, 0 failed",
                r"^RESULT glibc-pthreads: \d+ passed, 0 failed", r"^RESULT glibc-pthreads32: \d+ passed, 0 failed"),
        reject=(r"^\[FAIL\]",) + NO_KERNEL_FAULT,
        status=0,
        timeout=by_row({"bochs-intel": 300, "bochs-amd": 300}, default=120),
    ),
    Case(
        # A static glibc program (tests/boot/glibc/vdso.cpp) meeting
        # Sysgate's vDSO and signal frames with glibc's own code: the time
        # through the vDSO, dl_iterate_phdr, handlers without a restorer
        # (i386), glibc's ucontext_t and sigcontext, and libgcc's unwinder
        # through __kernel_vsyscall (i386).
        "glibc-vdso",
        cmdline="init=/bin/runtests /bin/glibc-vdso /bin/glibc-vdso32",
        expect=(r"^runtests: 2 programs, 0 failed; cases: [1-9]\d* passed, 0 failed",
                r"^RESULT glibc-vdso: \d+ passed, 0 failed", r"^RESULT glibc-vdso32: 6 passed, 0 failed"),
        reject=(r"^\[FAIL\]",) + NO_KERNEL_FAULT,
        status=0,
        timeout=by_row({"bochs-intel": 300, "bochs-amd": 300}, default=120),
    ),
    Case(
        # The legacy vsyscall page's other modes (the suite runs the
        # default, xonly): emulate maps it readable, none leaves it out;
        # strace=1 shows an emulated call as the fourth way in.
        "vsyscall-emulate",
        cmdline="strace=1 vsyscall=emulate init=/bin/runtests vsyscall",
        expect=(r"^\[vsyscall\] legacy page at 0xffffffffff600000: emulate", r"^\[vsyscall\] \d+ gettimeofday\(0x",
                r"^\[vsyscall\] \d+ time\(0x[0-9a-f]+\) = 0x", r"^\[vsyscall\] \d+ getcpu\(", r"mode emulate",
                r"^RESULT vsyscall: 2 passed, 0 failed"),
        reject=(r"^\[FAIL\]",) + NO_KERNEL_FAULT,
        status=0,
    ),
    Case(
        "vsyscall-none",
        cmdline="vsyscall=none init=/bin/runtests vsyscall",
        expect=(r"^\[vsyscall\] legacy page at 0xffffffffff600000: none", r"mode none",
                r"^RESULT vsyscall: 1 passed, 0 failed, 1 skipped"),
        reject=(r"^\[FAIL\]",) + NO_KERNEL_FAULT,
        status=0,
    ),
    Case(
        # strace=1 shows each gate: the same getppid arriving through int80,
        # sysenter (Intel) or syscall (AMD) from 32-bit code, and syscall
        # from 64-bit code, via /bin/bench's first row of calls.
        "strace",
        cmdline="SYSGATE_EMULATOR={emu} strace=1 init=/bin/runtests gates32",
        rows=("qemu-intel", "qemu-amd"),
        expect=(r"^\[int80\] \d+ getppid\(\) = \d+$",
                by_vendor(intel=r"^\[sysenter\] \d+ getppid\(\) = \d+$", amd=r"^\[syscall\] \d+ getppid\(\) = \d+$"),
                r"^\[syscall\] \d+ wait4\(",),
        reject=NO_KERNEL_FAULT,
        status=0,
    ),
    Case(
        # ptrace from outside: /bin/trace (64- and 32-bit) prints each call
        # of `ptrace gates`, one getppid() per gate the CPU offers
        # (docs/ptrace.md, whose transcript the Intel rows must reproduce).
        "trace",
        cmdline="init=/bin/sh /etc/trace-gates.sh",
        expect=(r"^trace: \d+ int80 i386 getppid\(\) = \d+$", r"^trace: \d+ syscall x86_64 getppid\(\) = \d+$",
                r"^trace: \d+ syscall/vdso x86_64 getppid\(\) = \d+$", r"^trace: \d+ vsyscall x86_64 time\(0\) = 0x",
                by_vendor(intel=r"^trace: \d+ sysenter/vdso x86_64 getppid\(\) = \d+$",
                          amd=r"^trace: \d+ syscall i386 getppid\(\) = \d+$"),
                by_vendor(intel=r"^trace: \d+ sysenter/vdso i386 getppid\(\) = \d+$",
                          amd=r"^trace: \d+ syscall/vdso i386 getppid\(\) = \d+$"),
                by_vendor(intel=documented_transcript("docs/ptrace.md", "trace")),
                r"(^trace: \d+ \+\+\+ exited with 0 \+\+\+$(?:\n.*)*?){3}"),
        reject=(r"^trace: \d+ \? ", r"^trace: .* syscall_\d+\(", r"^\[fault\]") + NO_KERNEL_FAULT,
        status=0,
    ),
    # bench runs in a boot test for correctness only (figures come from the
    # program, never from a timed test): every gate the CPU
    # offers produces a row of figures, the others say why they cannot.
    Case(
        "bench",
        cmdline="init=/bin/bench -n 2000 -r 3",
        expect=(r"^syscall\s+\d+\.\d\s+\d+\.\d", r"^int \$0x80 \(i386 numbers\)\s+\d+\.\d",
                by_vendor(intel=r"^sysenter \(64-bit, Intel only\)\s+\d+\.\d", amd=r"^sysenter .*AMD CPUs raise #UD"),
                r"^__vdso_clock_gettime \(no entry\)\s+\d+\.\d", r"^bench: done$"),
        reject=NO_KERNEL_FAULT,
        status=0,
    ),
    Case(
        "bench32",
        cmdline="init=/bin/bench32 -n 2000 -r 3",
        expect=(r"^int \$0x80\s+\d+\.\d",
                by_vendor(intel=r"^sysenter\s+\d+\.\d", amd=r"^syscall \(compat, AMD only\)\s+\d+\.\d"),
                by_vendor(intel=r"^vdso __kernel_vsyscall \(sysenter\)\s+\d+\.\d",
                          amd=r"^vdso __kernel_vsyscall \(syscall\)\s+\d+\.\d"),
                r"^bench: done$"),
        reject=NO_KERNEL_FAULT,
        status=0,
    ),
    Case(
        "kernel-fault",
        cmdline="crash=pagefault",
        rows=("qemu-intel", "bochs-intel"),
        expect=(r"^KERNEL FAULT: page fault", r"^backtrace:"),
        status=254,
    ),
    Case(
        "stack-overflow",
        cmdline="crash=overflow",
        rows=("qemu-intel",),
        expect=(r"double fault", r"kernel stack overflow"),
        status=254,
    ),
    Case(
        # /bin/init and /bin/sh, driven through the serial port. The kernel
        # echoes typed text when it arrives (mostly before the shell runs),
        # so the patterns match what commands print, never what was typed
        # (`echo hel""lo-sh` prints hello-sh, which its echo does not
        # contain), and are not anchored at the start of a line, where a
        # prompt or echoed text may come first.
        # The first byte is a newline because a byte that reaches the UART
        # before the kernel has set it up is lost.
        "shell-session",
        stdin="\n"
              "echo hel\"\"lo-sh\n"
              "ls /bin | cat\n"
              "ps\n"
              "hello\n"
              "hello32\n"
              "hello_cpp\n"
              "crash segv\n"
              "echo \"after crash: status $?\"\n"
              "false; echo \"after false: status $?\"\n"
              "exit 7\n",
        expect=(by_vendor(intel=r"vDSO gates: 32-bit programs enter the kernel with sysenter, 64-bit programs with syscall\.",
                          amd=r"vDSO gates: 32-bit programs enter the kernel with syscall, 64-bit programs with syscall\."),
                r"hello-sh$",
                r"hello_cpp32$",
                r"\s1 +0 +S +64 +syscall +init$",
                r"\s\d+ +1 +[RS] +64 +syscall +sh$",
                r"\s\d+ +\d+ +R +64 +syscall +ps$",
                r"hello, world from a 64-bit program, pid \d+$",
                r"hello, world from a 32-bit program, pid \d+$",
                r"hello, world from C\+\+, 64-bit$",
                r"static constructor: ran before main$",
                r"\[fault\] pid \d+ \(crash\): page fault at 0x0 ",
                r"Segmentation fault$",  # no "(core dumped)": Sysgate writes no core file
                r"after crash: status 139$",
                r"after false: status 1$",
                r"init: /bin/sh exited with status 7: powering off$"),
        reject=(r"sh: .*not found", r"syntax error", r"core dumped") + NO_KERNEL_FAULT,
        status=7,
    ),
    Case(
        # An interactive shell stays responsive while CPU hogs run: two
        # `spin &` loops never give up the CPU by themselves, yet each typed
        # command answers (a woken reader and a new command run first; the
        # hogs share what is left). Ctrl-C then ends both hogs, also one
        # started just before it (the shell keeps SIGINT pending across
        # fork). Without pre-emption on wake-up this boot times out.
        "shell-hogs",
        # Each Await matches what a command prints, never the kernel's echo
        # of what was typed (`echo sl""ept` prints slept; the typed line
        # has the quotes).
        stdin=("\n", Await(r"Type help"),
               "spin &\n", Await(r"\[\d+\]$"),
               # One hog alone for a while: its slice ends with nobody else
               # to run, and it must still be pre-empted later.
               "sleep 1; echo sl\"\"ept\n", Await(r"slept$"),
               "spin &\n", Await(r"\[\d+\]$"),
               "sleep 1; echo sl\"\"ept again\n", Await(r"slept again$"),
               "ps\n", Await(r"\s\d+ +2 +R +64 +syscall +ps$"),
               "echo while\"\" hogs run\n", Await(r"while hogs run$"),
               "ls /etc | cat32 | cat\n", Await(r"demo\.sh$"),
               "hello32\n", Await(r"hello, world from a 32-bit program"),
               "spin &\n", Await(r"\[\d+\]$"),
               "\x03",
               "sleep 1; echo after\"\" ctrl-c\n", Await(r"after ctrl-c$"),
               "kill -0 $!; echo third hog \"\"alive: $?\n", Await(r"third hog alive: \d$"),
               "exit 5\n"),
        expect=(r"\s\d+ +2 +R +64 +syscall +spin$(?s:.*)\s\d+ +2 +R +64 +syscall +spin$", r"while hogs run$",
                r"demo\.sh$", r"hello, world from a 32-bit program, pid \d+$",
                r"(?s)after ctrl-c$.*\[\d+\] Interrupt$.*\[\d+\] Interrupt$.*\[\d+\] Interrupt$.*third hog alive: 1$",
                r"init: /bin/sh exited with status 5: powering off$"),
        reject=NO_KERNEL_FAULT,
        status=5,
        timeout=by_row({"bochs-intel": 240, "bochs-amd": 240}, default=90),
    ),
    Case(
        # Long lines: a terminal line takes 4095 bytes (as on Linux); a
        # 3000-byte command runs whole, a 5000-byte one is refused with a
        # message from the tty and from the shell, never cut and run.
        "shell-long-line",
        stdin=("\n", Await(r"Type help"),
               "echo " + "a" * 2990 + " en\"\"d-of-3000\n", Await(r"a end-of-3000$"),
               "echo " + "b" * 4990 + " en\"\"d-of-5000\n", Await(r"nothing was run$"),
               "echo status \"\"$?\n", Await(r"status \d+$"),
               "exit 6\n"),
        expect=(r"^a{2990} end-of-3000$", r"\[tty\] input line too long: 914 bytes beyond the 4095-byte limit",
                r"sh: input line too long \(4095 bytes; the terminal cuts lines at 4095\): nothing was run$",
                r"status 2$"),
        reject=(r"end-of-5000$",) + NO_KERNEL_FAULT,
        status=6,
        timeout=by_row({"bochs-intel": 240, "bochs-amd": 240}, default=90),
    ),
    Case(
        # A pipeline's status is its last command's, here 3, which the
        # shell (pid 1) exits with; cat32 is a 32-bit program in the middle.
        "shell-pipeline",
        cmdline="init=/bin/sh -c \"echo abc | cat32 | cat; true | sh -c 'exit 3'\"",
        expect=(r"^abc$",),
        reject=NO_KERNEL_FAULT,
        status=3,
    ),
    Case(
        # A script (sh FILE): user/etc/demo.sh, the tour for newcomers.
        "shell-script",
        cmdline="init=/bin/sh /etc/demo.sh",
        expect=(r"^crash segv: status 139$", r"^== End of the tour$"),
        reject=(r"^sh: ",) + NO_KERNEL_FAULT,
        status=0,
    ),
)

# ---------------------------------------------------------------- hostile user mode
# The programs of user/tests/hostile_*.c also run in `suite`; these cases
# run each class alone, so that a kernel fault in one class (the log's
# "KERNEL FAULT", status 254) cannot hide the others.
def hostile(name, program, expect=(), reject=(), cmdline="", **kw):
    return Case(
        "hostile-" + name,
        cmdline=f"SYSGATE_EMULATOR={{emu}} {cmdline}init=/bin/runtests -t 240 {program} {program}32",
        expect=(r"^runtests: 2 programs, 0 failed; cases: [1-9]\d* passed, 0 failed",
                rf"^RESULT {program}: [1-9]\d* passed, 0 failed", rf"^RESULT {program}32: [1-9]\d* passed, 0 failed")
               + expect,
        reject=(r"^\[FAIL\]",) + reject + NO_KERNEL_FAULT,
        status=0,
        timeout=by_row({"bochs-intel": 400, "bochs-amd": 400}, default=120),
        **kw,
    )


def at_least(count, line):
    """A pattern that matches if `count` or more lines match `line` (a
    pattern for the start of a line); the match is the first such line."""
    return rf"^(?=(?:{line}[^\n]*\n(?:(?!{line})[^\n]*\n)*){{{count}}}){line}[^\n]*"


HOSTILE_CASES = (
    # 1: the return-to-user work (schedule, signals) never runs on an IST
    # stack: several processes single-step at once under a fast timer.
    hostile("ist", "hostile_ist"),
    # 2: iretq to an SS whose descriptor is gone is the program's fault.
    hostile("iret", "hostile_iret"),
    # 3: DS/ES/FS/GS whose descriptor is gone read 0 after a switch; DS and
    # ES are per process.
    hostile("segments", "hostile_segments"),
    # 4: no kernel stack bytes or addresses in signal frames or copy-outs.
    hostile("leaks", "hostile_leaks"),
    # 5: fault details belong to the process and the signal they came with.
    hostile("faultinfo", "hostile_faultinfo"),
    # 6: a read into a bad buffer loses nothing; here with a line typed for
    # each program's console read.
    hostile("efault", "hostile_efault", cmdline="HOSTILE_TTY=1 ",
            stdin=(Await(r"/test/hostile_efault: waiting for a line on the console"), "hostile-tty-line\n",
                   Await(r"/test/hostile_efault32: waiting for a line on the console"), "hostile-tty-line\n")),
    # 7: ranges whose end wraps get Linux's errors.
    hostile("ranges", "hostile_ranges"),
    # 8: 2000 user faults in a few seconds, under a fast timer: the kernel
    # prints at most 10 [fault] lines a second, then one line ending "N more
    # messages suppressed"; so does any other per-event message (on Bochs,
    # a flood of spurious IRQ 7s: "[trap] unexpected interrupt").
    hostile("flood", "hostile_flood",
            expect=(r"^\[fault\] .*\b[1-9]\d* more messages suppressed",),
            reject=(at_least(201, r"\[fault\] pid \d+ \(hostile_flood"),
                    at_least(201, r"\[trap\] unexpected interrupt"))),
)
CASES += HOSTILE_CASES

# The system-call fuzzer (user/bin/fuzz, issue "Hostile user mode cannot
# hurt the kernel"): random calls through every gate from 32- and 64-bit
# workers under signals, run as init by the 64-bit and by the 32-bit
# build, until the given number of calls is made; the kernel must not fault
# and must end with its frames, heap and processes as before. The calls are
# spread over the rows so that one make check makes FUZZ_CALLS_PER_RUN of
# them: most on the TCG rows, where a call costs several times less than
# under Bochs.
# The kvm row runs only where KVM works, so its calls are not counted.
FUZZ_CALLS = {"qemu-intel": 240000, "qemu-amd": 240000, "bochs-intel": 10000, "bochs-amd": 10000, "kvm": 100000}
# Bochs' clock runs ahead of the host's (clock: sync=none): its guest seconds
# hold fewer calls, so a worker gets longer before it counts as hung, and
# fewer signals per guest second.
FUZZ_ROW_OPTIONS = {"bochs-intel": " --hang-ms 20000 --signal-rate 5", "bochs-amd": " --hang-ms 20000 --signal-rate 5"}
FUZZ_COUNTED_ROWS = ("qemu-intel", "qemu-amd", "bochs-intel", "bochs-amd")
FUZZ_CALLS_PER_RUN = 2 * sum(FUZZ_CALLS[r] for r in FUZZ_COUNTED_ROWS)  # two cases: fuzz and fuzz32
assert FUZZ_CALLS_PER_RUN >= 10**6, "make check must make at least a million fuzzed calls"


def fuzz_case(program):
    return Case(
        program,
        cmdline=by_row({r: f"SYSGATE_EMULATOR={{emu}} init=/bin/{program} --calls {n}{FUZZ_ROW_OPTIONS.get(r, '')}"
                        for r, n in FUZZ_CALLS.items()}),
        expect=(by_row({r: rf"^fuzz: seed 0x[0-9a-f]+, {n} calls through int80/syscall/sysenter/vdso/vsyscall "
                          rf"\(\d+/\d+/\d+/\d+/\d+\), \d+ workers \(\d+ replaced\), 0 kernel faults, memory balanced$"
                        for r, n in FUZZ_CALLS.items()}),),
        reject=(r"^fuzz: FUZZ-CHECK .*", r"^fuzz: .*FAILED$") + NO_KERNEL_FAULT,
        status=0,
        # Measured on a loaded 2-core host: 75-150 s a case on a TCG row,
        # about 50 s on a Bochs row; the timeout leaves room for a slower one.
        timeout=900,
        summary=by_row({r: rf"^fuzz: seed 0x[0-9a-f]+, {n} calls .*$" for r, n in FUZZ_CALLS.items()}),
        note=by_row({r: f"[{n} of the {FUZZ_CALLS_PER_RUN} fuzzed calls of a make check]" if r in FUZZ_COUNTED_ROWS
                     else f"[{n} calls, beyond the {FUZZ_CALLS_PER_RUN} of the other rows]"
                     for r, n in FUZZ_CALLS.items()}),
    )


CASES = CASES + (fuzz_case("fuzz"), fuzz_case("fuzz32"))

# KVM on some hosts is a nested flavour ("PVM") that boots a kernel but
# faults on ring transitions, so /dev/kvm opening is not enough: the kvm
# row runs only if this boot passes on it: the gate tests make ring-3
# round trips through every gate, bare and through the vDSO, 32- and 64-bit.
KVM_PROBE = Case(
    "kvm-probe",
    cmdline="SYSGATE_EMULATOR=kvm init=/bin/runtests gates gates32",
    rows=("kvm",),
    expect=(r"^runtests: 2 programs, 0 failed",),
    status=0,
    timeout=30,
)

# Linux's own x86 selftests (tests/boot/selftests/, `make selftests`): one
# boot per row with /bin/ktest as init, which runs every program of
# /selftests under a time limit in guest seconds (Bochs' clock counts
# instructions; the same work takes about 5 times as many guest seconds as
# under QEMU, and a guest second about 1.5 s of the host's). Not in CASES:
# tests/boot/selftests/run boots it from its own initramfs and judges each
# test against tests/boot/selftests/expected.txt.
SELFTESTS = Case(
    "selftests",
    cmdline=by_row({"bochs-intel": "init=/bin/ktest -t 60", "bochs-amd": "init=/bin/ktest -t 60"},
                   default="init=/bin/ktest -t 30"),
    status=0,
    timeout=by_row({"bochs-intel": 900, "bochs-amd": 900}, default=600),
)
