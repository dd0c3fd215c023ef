"""Sysgate's boot tests: the test matrix (SPEC.md section 4) and the cases
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
    stdin: str | None = None  # typed into the guest's serial port
    timeout: Any = None  # seconds; None: scripts/boot's default for the emulator


# Every boot that is not about faults must show none.
NO_KERNEL_FAULT = (r"^KERNEL (FAULT|PANIC)",)
# The matrix's "expected 32-bit vDSO gate" (SPEC.md section 4), printed at
# every boot: sysenter on Intel, syscall on AMD (compatibility mode).
VDSO_GATE_32 = by_vendor(intel=r"^\[vdso\] 32-bit __kernel_vsyscall uses sysenter\b",
                         amd=r"^\[vdso\] 32-bit __kernel_vsyscall uses syscall\b")

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
                r"^RESULT gates: \d+ passed, 0 failed", r"^RESULT gates32: \d+ passed, 0 failed"),
        reject=(r"^\[FAIL\]",) + NO_KERNEL_FAULT,
        status=0,
        timeout=by_row({"bochs-intel": 600, "bochs-amd": 600}, default=300),
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
)

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
