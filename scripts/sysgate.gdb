# gdb commands for a kernel started with `scripts/boot --gdb`:
#   gdb -x scripts/sysgate.gdb
# QEMU's gdb stub always speaks x86-64, so load the ELF64 kernel (not the
# ELF32 copy QEMU boots) for symbols; use hardware breakpoints for code that
# runs before paging is set up the way the symbols say.
set confirm off
set pagination off
file build/sysgate.elf
target remote localhost:1234
# The vDSO, where a 64-bit program maps it (arch/x86/vdso/layout.h: CODE64):
add-symbol-file build/vdso/vdso64-syscall.so.dbg -o 0x7fffffffd000
hbreak kernel_main
echo \n sysgate.gdb: stopped before boot; `continue` runs to kernel_main.\n
echo  add a program's symbols with: add-symbol-file build/user/bin64/NAME\n
