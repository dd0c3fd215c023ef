# The trace boot case (tests/boot/cases.py) and docs/ptrace.md: /bin/trace
# watching one getppid() per gate, from a 64-bit and a 32-bit tracee, and a
# 32-bit tracer (its i386 view of the same calls).
trace /test/ptrace gates
trace /test/ptrace32 gates
trace32 /test/ptrace32 gates
