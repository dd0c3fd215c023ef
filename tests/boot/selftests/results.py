"""Reading and judging the results of Linux's x86 selftests, for
tests/boot/selftests/run (Sysgate) and scripts/selftests-linux (Linux).

A boot runs /bin/ktest as init (user/bin/ktest.c), which prints for each
program

    === ktest: run NAME
    ...the program's own output, straight to the console...
    ktest: RESULT NAME STATUS seconds=S.SS

parse_log() finds these blocks in the serial log and counts the program's
lines (count_lines()). Two checked-in files hold what is expected:

    expected.txt  per test and row: what Sysgate gives today, beside what
                  Linux gives, with a reason for every entry that is not a
                  clean pass (see its header, and docs/testing.md)
    linux.txt     what Linux 6.1 gives per test and CPU vendor under the
                  same QEMU, written by scripts/selftests-linux --record
"""
import re
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXPECTED_FILE = HERE / "expected.txt"
LINUX_FILE = HERE / "linux.txt"

# The rows an entry can name (tests/boot/cases.py's MATRIX); kvm only by
# name: without a kvm entry the kvm row is held to qemu-VENDOR's.
ROWS = ("qemu-intel", "qemu-amd", "bochs-intel", "bochs-amd")
ROW_GROUPS = {
    "all": ROWS,
    "intel": ("qemu-intel", "bochs-intel"),
    "amd": ("qemu-amd", "bochs-amd"),
    "qemu": ("qemu-intel", "qemu-amd"),
    "bochs": ("bochs-intel", "bochs-amd"),
}
VENDOR = {"qemu-intel": "intel", "qemu-amd": "amd", "bochs-intel": "intel", "bochs-amd": "amd"}


# ---------------------------------------------------------------- counting
# A marker starts the line, after blanks or the "PROGRAM: " that err() and
# errx() put in front of a message such as "[FAIL]\tcpuid: ...".
_START = r"^\s*(?:[\w.-]+: )?"
OK_RE = re.compile(_START + r"(\[OK\]|\[PASS\]|ok \d+(?!.*# (SKIP|skip)))")
FAIL_RE = re.compile(_START + r"(\[FAIL\]|\[BAD\]|not ok \d+)")
SKIP_RE = re.compile(_START + r"(\[SKIP\]|ok \d+.*# (SKIP|skip))")


def count_lines(lines):
    """(ok, fail, skip) of a program's output lines, each starting (after
    blanks, or "PROGRAM: " as err() prints it) with

        ok    [OK], [PASS], and TAP's "ok N" (kselftest.h's ksft_test_result_pass)
        fail  [FAIL], [BAD], and TAP's "not ok N"
        skip  [SKIP], and TAP's "ok N # SKIP"
    """
    ok = fail = skip = 0
    for line in lines:
        if FAIL_RE.match(line):
            fail += 1
        elif SKIP_RE.match(line):
            skip += 1
        elif OK_RE.match(line):
            ok += 1
    return ok, fail, skip


@dataclass(frozen=True)
class Result:
    status: str  # exit:N, signal:NAME, timeout
    ok: int
    fail: int
    skip: int

    def __str__(self):
        return f"{self.status} ok={self.ok} fail={self.fail} skip={self.skip}"

    def columns(self):
        return f"{self.status:<14} {self.ok:>3} {self.fail:>3} {self.skip:>3}"

    @property
    def clean(self):
        return self.status == "exit:0" and self.fail == 0


@dataclass
class Run:
    """One program's block in a serial log."""

    name: str
    result: Result
    seconds: float
    output: list = field(default_factory=list)


RUN_RE = re.compile(r"^=== ktest: run (\S+)$")
RESULT_RE = re.compile(r"ktest: RESULT (\S+) (\S+) seconds=([\d.]+)$")


def parse_log(lines):
    """{name: Run} for every program whose RESULT line is in the log; a
    program that started but has none (the boot ended) is left out."""
    runs = {}
    current, output = None, []
    for line in lines:
        m = RUN_RE.match(line)
        if m:
            current, output = m.group(1), []
            continue
        m = RESULT_RE.search(line)
        if m and current == m.group(1):
            before = line[:m.start()]
            if before.strip():
                output.append(before)
            runs[current] = Run(current, Result(m.group(2), *count_lines(output)), float(m.group(3)), output)
            current, output = None, []
            continue
        if current:
            output.append(line)
    return runs


def started_without_result(lines):
    """The program that was running when the log ended, if any."""
    current = None
    for line in lines:
        m = RUN_RE.match(line)
        if m:
            current = m.group(1)
        elif (m := RESULT_RE.search(line)) and m.group(1) == current:
            current = None
    return current


# ---------------------------------------------------------------- the files
def parse_result(words, where):
    if len(words) != 4:
        raise ValueError(f"{where}: expected STATUS OK FAIL SKIP, got {' '.join(words)!r}")
    status = words[0]
    if not re.fullmatch(r"exit:\d+|signal:\w+|timeout|notrun|error:\w+", status):
        raise ValueError(f"{where}: bad status {status!r}")
    try:
        return Result(status, *(int(w) for w in words[1:]))
    except ValueError:
        raise ValueError(f"{where}: counts must be numbers: {' '.join(words[1:])!r}") from None


def read_linux(path=LINUX_FILE):
    """{(test, vendor): Result} and the file's header comment lines."""
    results, header = {}, []
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            if line.startswith("#"):
                header.append(raw)
            continue
        words = line.split()
        if len(words) < 6 or words[1] not in ("intel", "amd"):
            raise ValueError(f"{path.name}:{n}: expected TEST VENDOR STATUS OK FAIL SKIP [SECONDS]")
        results[(words[0], words[1])] = parse_result(words[2:6], f"{path.name}:{n}")
    return results, header


@dataclass
class Entry:
    test: str
    rows: tuple  # row ids
    rows_spec: str  # as written
    sysgate: Result
    linux: Result
    reason: str
    line: int


def expand_rows(spec, where):
    rows = []
    for part in spec.split(","):
        if part in ROW_GROUPS:
            rows += ROW_GROUPS[part]
        elif part in ROWS or part == "kvm":
            rows.append(part)
        else:
            raise ValueError(f"{where}: unknown row {part!r} (rows: {', '.join(ROWS)}, kvm; groups: "
                             f"{', '.join(ROW_GROUPS)})")
    return tuple(rows)


def read_expected(path=EXPECTED_FILE):
    """The entries of expected.txt:

        TEST ROWS | STATUS OK FAIL SKIP | STATUS OK FAIL SKIP | REASON
                    (Sysgate, expected)   (Linux)
    """
    entries = []
    for n, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{path.name}:{n}"
        parts = [p.strip() for p in line.split("|", 3)]
        if len(parts) != 4:
            raise ValueError(f"{where}: expected TEST ROWS | SYSGATE | LINUX | REASON")
        head = parts[0].split()
        if len(head) != 2:
            raise ValueError(f"{where}: expected TEST ROWS before the first |")
        entries.append(Entry(head[0], expand_rows(head[1], where), head[1], parse_result(parts[1].split(), where),
                             parse_result(parts[2].split(), where), parts[3], n))
    return entries


def lookup(entries):
    """{(test, row): Entry}; a row named alone beats a group that holds it.
    Raises ValueError when two entries of the same kind claim one row."""
    table, weight = {}, {}
    for e in entries:
        parts = e.rows_spec.split(",")
        w = 0 if e.rows_spec == "all" else (1 if all(p in ROW_GROUPS for p in parts) else 2)
        for row in e.rows:
            key = (e.test, row)
            if key in table and weight[key] == w:
                raise ValueError(f"{EXPECTED_FILE.name}:{e.line}: {e.test} on {row} already has an entry "
                                 f"(line {table[key].line})")
            if key not in table or w > weight[key]:
                table[key], weight[key] = e, w
    return table


def entry_for(table, test, row, host_vendor):
    """The entry a row is held to: kvm without its own falls back on qemu-VENDOR's."""
    if (test, row) in table:
        return table[(test, row)], None
    if row == "kvm" and host_vendor in ("intel", "amd"):
        e = table.get((test, f"qemu-{host_vendor}"))
        return e, (f"qemu-{host_vendor}'s expectation" if e else None)
    return None, None


NEEDS_REASON = "REASON?"


def needs_reason(sysgate, linux):
    """Every entry that is not a clean pass carries a reason: one that is not
    exit 0 with no [FAIL], or does not reach Linux's [OK] count."""
    return not (sysgate.clean and sysgate.ok >= linux.ok and linux.clean)


def check_entries(entries, linux, tests):
    """Problems with the file itself, as a list of strings: Linux's columns
    that disagree with linux.txt, missing reasons, unknown or missing tests."""
    problems = []
    try:
        table = lookup(entries)
    except ValueError as e:
        return [str(e)]
    for e in entries:
        where = f"{EXPECTED_FILE.name}:{e.line}"
        if tests is not None and e.test not in tests:
            problems.append(f"{where}: {e.test} is not a test the upstream Makefile builds")
        for vendor in sorted({VENDOR[r] for r in e.rows if r in VENDOR}):
            ref = linux.get((e.test, vendor))
            if ref is None:
                problems.append(f"{where}: {e.test} has no Linux result for {vendor} in {LINUX_FILE.name}")
            elif ref != e.linux:
                problems.append(f"{where}: {e.test}: Linux's columns say '{e.linux}', {LINUX_FILE.name} says "
                                f"'{ref}' for {vendor}")
        if NEEDS_REASON in e.reason:
            problems.append(f"{where}: {e.test} {e.rows_spec}: the counts changed; write why in place of {NEEDS_REASON}")
        elif needs_reason(e.sysgate, e.linux) and e.reason in ("", "-"):
            problems.append(f"{where}: {e.test} {e.rows_spec} is not a clean pass ({e.sysgate}; Linux {e.linux}): "
                            "it needs a one-line reason")
    for test in sorted(tests or ()):
        for row in ROWS:
            if (test, row) not in table:
                problems.append(f"{EXPECTED_FILE.name}: no entry for {test} on {row}")
    return problems


# ---------------------------------------------------------------- judging
def status_rank(status):
    """Higher is better: exit 0, another exit status, a signal, a timeout."""
    if status == "exit:0":
        return 3
    if status.startswith("exit:"):
        return 2
    if status.startswith("signal:"):
        return 1
    return 0


def compare(got, expected):
    """'same', 'better' or 'worse' (with why): the [OK] count first, then
    [FAIL] lines, then how the program ended."""
    if got == expected:
        return "same", ""
    if got.ok < expected.ok:
        return "worse", f"[OK] {got.ok} < {expected.ok}"
    if status_rank(got.status) < status_rank(expected.status):
        return "worse", f"ended {got.status}, expected {expected.status}"
    if got.ok == expected.ok and got.fail > expected.fail:
        return "worse", f"[FAIL] {got.fail} > {expected.fail}"
    return "better", ""


# ---------------------------------------------------------------- writing expected.txt
EXPECTED_HEADER = """\
# Linux's x86 selftests on Sysgate: `make selftests` (docs/testing.md, "Linux's
# x86 selftests") boots each row once and compares every test with this file.
#
#   TEST ROWS | SYSGATE: STATUS OK FAIL SKIP | LINUX: STATUS OK FAIL SKIP | REASON
#
# TEST is the upstream binary (NAME_64 or NAME_32). ROWS is all, intel, amd,
# qemu, bochs or row ids separated by commas (a row named alone beats a group;
# the kvm row, when it runs, uses qemu-VENDOR's entry unless one names kvm).
# SYSGATE is what the test gives on those rows today: how it ended (exit:N,
# signal:NAME, timeout) and its [OK] / [FAIL] / [SKIP] lines. LINUX is what
# Linux 6.1 gives with the same binary under QEMU with the same CPU vendor
# (linux.txt, from scripts/selftests-linux; checked to agree).
#
# A test passes when it gives what its entry says or better: fewer [OK] lines,
# a worse end (exit 0 > exit N > signal > timeout) or, with as many [OK] lines,
# more [FAIL] lines fail `make check`; a better result passes and says so.
# Exit status 0 is not a pass: a test that passes on Linux passes on Sysgate
# only with Linux's [OK] count.
#
# REASON: "-" for a clean pass (exit 0, no [FAIL], Linux's [OK] count), else
# one line saying why. An entry changes only with its reason: `run --update`
# rewrites the counts and puts REASON? where they changed, which fails until
# someone writes the new reason.
"""


def group_rows(rows):
    """The shortest spelling of a set of rows."""
    rows = tuple(r for r in ROWS if r in rows) + tuple(r for r in rows if r not in ROWS)
    for name, members in ROW_GROUPS.items():
        if set(rows) == set(members):
            return name
    return ",".join(rows)


def format_entry(test, rows, sysgate, linux, reason):
    return f"{test:<27} {group_rows(rows):<22} | {sysgate.columns()} | {linux.columns()} | {reason}"


def write_expected(path, results, linux, old_table, tests):
    """Rewrites the file from this run's results: {(test, row): Result} for
    the rows that ran; other rows keep their entries. Rows with the same
    result, Linux result and reason share one entry."""
    lines = [EXPECTED_HEADER]
    for test in sorted(tests):
        per_row = {}
        for row in ROWS:
            old = old_table.get((test, row))
            got = results.get((test, row))
            ref = linux.get((test, VENDOR[row]))
            if got is None:
                if old is None:
                    continue
                got, ref, reason = old.sysgate, old.linux, old.reason
            elif ref is None:
                raise ValueError(f"{LINUX_FILE.name} has no result for {test} on {VENDOR[row]}")
            elif old is not None and old.sysgate == got and old.linux == ref:
                reason = old.reason
            elif not needs_reason(got, ref):
                reason = "-"
            else:
                reason = NEEDS_REASON + (f" (was: {old.reason})" if old and old.reason not in ("", "-") else "")
            per_row.setdefault((got, ref, reason), []).append(row)
        # all/intel/amd-like groups first, in row order
        for (got, ref, reason), rows in sorted(per_row.items(), key=lambda kv: ROWS.index(kv[1][0])):
            lines.append(format_entry(test, rows, got, ref, reason))
    path.write_text("\n".join(lines) + "\n")
