# Sysgate build. `make` builds the kernel, the ISO and the user programs;
# `make run` boots in QEMU; `make check` runs every test. See README.md.

BUILD      := build
GEN        := $(BUILD)/gen

CC         ?= gcc
CXX        ?= g++
NASM       ?= nasm
LD         ?= ld
OBJCOPY    ?= objcopy
PYTHON     ?= python3
# V=1 shows every command.
Q          := $(if $(V),,@)

# `make` alone builds everything: the kernel, the libc, the programs, the
# initramfs and the ISO.
.DEFAULT_GOAL := all

# ---------------------------------------------------------------- kernel
KERNEL_CXXFLAGS := -std=c++20 -m64 -mno-red-zone -mcmodel=kernel -ffreestanding \
	-fno-exceptions -fno-rtti -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-threadsafe-statics -fno-use-cxa-atexit \
	-mgeneral-regs-only -nostdlib -fno-omit-frame-pointer -fcheck-new \
	-O2 -g -Wall -Wextra -Werror -I. -I$(GEN)
KERNEL_NASMFLAGS := -f elf64 -g -F dwarf -Werror \
	-Iarch/x86/entry/ -I$(GEN)/
KERNEL_LDFLAGS := -m elf_x86_64 -z max-page-size=0x1000 -nostdlib -T linker.ld --no-warn-rwx-segments

# Host-side helpers compiled and run during the build.
HOST_CXXFLAGS := -std=c++20 -O2 -Wall -Wextra -Werror -I.

KERNEL_CXX_SRCS := $(sort $(shell find arch kernel -name '*.cpp' \
	-not -path 'arch/x86/vdso/*' -not -name asm_offsets.cpp)) \
	$(GEN)/kernel/syscall_table_32.cpp $(GEN)/kernel/syscall_table_64.cpp
KERNEL_ASM_SRCS := $(sort $(shell find arch -name '*.asm' -not -path 'arch/x86/vdso/*'))
KERNEL_OBJS := $(KERNEL_CXX_SRCS:%.cpp=$(BUILD)/kernel-obj/%.o) \
	$(KERNEL_ASM_SRCS:%.asm=$(BUILD)/kernel-obj/%.o)

# ---------------------------------------------------------------- vDSO
# Five real shared objects, linked at 0 with no relocations: the 32-bit
# vDSO once per gate (__kernel_vsyscall, the signal trampolines, the time
# functions), the 64-bit one per gate plus the time functions. The time
# functions are one C file compiled for each bitness. The kernel embeds
# them all and maps the one chosen at boot.
VDSO_DIR := $(BUILD)/vdso
VDSO32_GATES := int80 sysenter syscall
VDSO64_GATES := syscall sysenter
VDSO_IMAGES := $(VDSO32_GATES:%=$(VDSO_DIR)/vdso32-%.so) $(VDSO64_GATES:%=$(VDSO_DIR)/vdso64-%.so)
VDSO_NR_H := $(GEN)/libc/include/sysgate/syscall_nr.h
# --eh-frame-hdr: the sorted unwind index and PT_GNU_EH_FRAME.
VDSO_LDFLAGS := -shared --hash-style=both -T arch/x86/vdso/vdso.lds --no-undefined --eh-frame-hdr \
	-z max-page-size=4096 -z noexecstack --build-id=none
VDSO_CPPFLAGS := -I. -I$(GEN)/libc/include
# -fasynchronous-unwind-tables: unwind information for every instruction.
# No alignment padding: the 32-bit image then fits one page.
VDSO_CFLAGS := -std=gnu11 -O2 -fPIC -ffreestanding -fno-stack-protector -fasynchronous-unwind-tables \
	-falign-functions=1 -falign-jumps=1 -falign-loops=1 -falign-labels=1 \
	-fno-builtin -mgeneral-regs-only -Wall -Wextra -Werror $(VDSO_CPPFLAGS)
gate_define = -DGATE_$(shell echo $(1) | tr a-z A-Z)
# A vDSO must be position-independent with nothing to relocate.
check_vdso = readelf -r $(1) | grep -q 'There are no relocations' || \
	{ echo "$(1): the vDSO must have no relocations" >&2; rm -f $(1); exit 1; }

$(VDSO32_GATES:%=$(VDSO_DIR)/vdso32/gate-%.o): $(VDSO_DIR)/vdso32/gate-%.o: arch/x86/vdso/vdso32.S | $(VDSO_NR_H)
	@mkdir -p $(@D)
	@echo "  AS32    $< ($*)"
	$(Q)$(CC) -m32 $(VDSO_CPPFLAGS) $(call gate_define,$*) -MMD -MP -c $< -o $@
$(VDSO_DIR)/vdso32/sigreturn.o: arch/x86/vdso/vdso32_sigreturn.S | $(VDSO_NR_H)
	@mkdir -p $(@D)
	@echo "  AS32    $<"
	$(Q)$(CC) -m32 $(VDSO_CPPFLAGS) -MMD -MP -c $< -o $@
$(VDSO_DIR)/vdso32/time-asm.o: arch/x86/vdso/vdso32_time.S | $(VDSO_NR_H)
	@mkdir -p $(@D)
	@echo "  AS32    $<"
	$(Q)$(CC) -m32 $(VDSO_CPPFLAGS) -MMD -MP -c $< -o $@
$(VDSO_DIR)/vdso32/time.o: arch/x86/vdso/vdso_time.c | $(VDSO_NR_H)
	@mkdir -p $(@D)
	@echo "  CC32    $<"
	$(Q)$(CC) -m32 $(VDSO_CFLAGS) -MMD -MP -c $< -o $@
$(VDSO32_GATES:%=$(VDSO_DIR)/vdso32-%.so.dbg): $(VDSO_DIR)/vdso32-%.so.dbg: $(VDSO_DIR)/vdso32/gate-%.o $(VDSO_DIR)/vdso32/sigreturn.o $(VDSO_DIR)/vdso32/time.o \
		$(VDSO_DIR)/vdso32/time-asm.o \
		arch/x86/vdso/vdso.lds arch/x86/vdso/vdso32.map
	@echo "  VDSO    $@"
	$(Q)$(LD) -m elf_i386 $(VDSO_LDFLAGS) --version-script=arch/x86/vdso/vdso32.map -e __kernel_vsyscall \
		-soname linux-gate.so.1 $(filter %.o,$^) -o $@
	$(Q)$(call check_vdso,$@)

$(VDSO64_GATES:%=$(VDSO_DIR)/vdso64/gate-%.o): $(VDSO_DIR)/vdso64/gate-%.o: arch/x86/vdso/vdso64.S | $(VDSO_NR_H)
	@mkdir -p $(@D)
	@echo "  AS      $< ($*)"
	$(Q)$(CC) -m64 $(VDSO_CPPFLAGS) $(call gate_define,$*) -MMD -MP -c $< -o $@
$(VDSO_DIR)/vdso64/time.o: arch/x86/vdso/vdso_time.c | $(VDSO_NR_H)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) -m64 -mno-red-zone $(VDSO_CFLAGS) -MMD -MP -c $< -o $@
$(VDSO64_GATES:%=$(VDSO_DIR)/vdso64-%.so.dbg): $(VDSO_DIR)/vdso64-%.so.dbg: $(VDSO_DIR)/vdso64/gate-%.o $(VDSO_DIR)/vdso64/time.o \
		arch/x86/vdso/vdso.lds arch/x86/vdso/vdso64.map
	@echo "  VDSO    $@"
	$(Q)$(LD) -m elf_x86_64 $(VDSO_LDFLAGS) --version-script=arch/x86/vdso/vdso64.map \
		-soname linux-vdso.so.1 $(filter %.o,$^) -o $@
	$(Q)$(call check_vdso,$@)
# The images the kernel embeds, without the static symbol table (as Linux's
# vdso2c takes them); the .so.dbg files keep it, for gdb.
$(VDSO_IMAGES): %.so: %.so.dbg
	$(Q)$(OBJCOPY) -S $< $@
# Keep the objects (make would delete them as intermediates, noisily).
.SECONDARY: $(VDSO32_GATES:%=$(VDSO_DIR)/vdso32/gate-%.o) $(VDSO64_GATES:%=$(VDSO_DIR)/vdso64/gate-%.o) \
	$(VDSO_IMAGES:%=%.dbg)
-include $(VDSO32_GATES:%=$(VDSO_DIR)/vdso32/gate-%.d) $(VDSO64_GATES:%=$(VDSO_DIR)/vdso64/gate-%.d) \
	$(VDSO_DIR)/vdso32/sigreturn.d $(VDSO_DIR)/vdso32/time.d $(VDSO_DIR)/vdso32/time-asm.d $(VDSO_DIR)/vdso64/time.d

VDSO_EMBED := $(BUILD)/kernel-obj/arch/x86/vdso/images.o
$(VDSO_EMBED): arch/x86/vdso/images.asm $(VDSO_IMAGES)
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	$(Q)$(NASM) -f elf64 -Werror $< -o $@
KERNEL_OBJS += $(VDSO_EMBED)

KERNEL_ELF   := $(BUILD)/sysgate.elf
KERNEL_ELF32 := $(BUILD)/sysgate32.elf
ISO          := $(BUILD)/sysgate.iso

.PHONY: all kernel iso initramfs clean run check
all: kernel iso compile_commands.json

# ---------------------------------------------------------------- generated
SYSCALL_TBLS := arch/x86/entry/syscalls/syscall_32.tbl arch/x86/entry/syscalls/syscall_64.tbl
SYSCALL_GENERATED := $(GEN)/kernel/syscall_table_32.cpp $(GEN)/kernel/syscall_table_64.cpp \
	$(GEN)/libc/include/sysgate/syscall_nr.h $(GEN)/libc/include/sysgate/syscalls.h
$(SYSCALL_GENERATED) &: $(SYSCALL_TBLS) scripts/gen-syscalls
	@echo "  GEN     system-call tables"
	$(Q)$(PYTHON) scripts/gen-syscalls $(SYSCALL_TBLS) $(GEN)
	$(Q)touch $(SYSCALL_GENERATED)

kernel: $(KERNEL_ELF) $(KERNEL_ELF32)

$(GEN)/asm_offsets.inc: arch/x86/entry/asm_offsets.cpp arch/x86/entry/frame.h arch/x86/entry/entry.h \
		arch/x86/cpu/cpu.h arch/x86/cpu/percpu.h arch/x86/desc/layout.h arch/x86/desc/descriptors.h \
		kernel/syscall/uapi/sysgate/abi.h kernel/syscall/handler_slots.h $(GEN)/libc/include/sysgate/syscall_nr.h
	@mkdir -p $(@D) $(BUILD)/host
	@echo "  GEN     $@"
	$(Q)$(CXX) $(HOST_CXXFLAGS) -I$(GEN)/libc/include -o $(BUILD)/host/asm_offsets $<
	$(Q)$(BUILD)/host/asm_offsets > $@

$(BUILD)/kernel-obj/$(GEN)/%.o: $(GEN)/%.cpp
	@mkdir -p $(@D)
	@echo "  CXX     $<"
	$(Q)$(CXX) $(KERNEL_CXXFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/kernel-obj/%.o: %.cpp | $(SYSCALL_GENERATED)
	@mkdir -p $(@D)
	@echo "  CXX     $<"
	$(Q)$(CXX) $(KERNEL_CXXFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/kernel-obj/%.o: %.asm $(GEN)/asm_offsets.inc
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	$(Q)$(NASM) $(KERNEL_NASMFLAGS) -MD $(@:.o=.d) -MP $< -o $@

# Two links: the second carries the symbol table of the first (for backtraces).
$(BUILD)/kernel-obj/symbols-empty.o: scripts/gen-symbols
	@mkdir -p $(@D) $(GEN)
	@echo "  GEN     $@ (empty symbol table)"
	$(Q)$(PYTHON) scripts/gen-symbols - $(GEN)/symbols-empty.asm
	$(Q)$(NASM) -f elf64 $(GEN)/symbols-empty.asm -o $@

$(BUILD)/sysgate.pass1.elf: $(KERNEL_OBJS) $(BUILD)/kernel-obj/symbols-empty.o linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel-obj/symbols-empty.o

$(BUILD)/kernel-obj/symbols.o: $(BUILD)/sysgate.pass1.elf scripts/gen-symbols
	@echo "  GEN     $@ (symbol table of $<)"
	$(Q)nm -n -C $< > $(GEN)/symbols.nm
	$(Q)$(PYTHON) scripts/gen-symbols $(GEN)/symbols.nm $(GEN)/symbols.asm
	$(Q)$(NASM) -f elf64 $(GEN)/symbols.asm -o $@

$(KERNEL_ELF): $(KERNEL_OBJS) $(BUILD)/kernel-obj/symbols.o linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel-obj/symbols.o
	$(Q)nm $@ | grep -q ' kernel_main$$'

# QEMU's -kernel only loads 32-bit multiboot ELF files.
$(KERNEL_ELF32): $(KERNEL_ELF)
	@echo "  OBJCOPY $@"
	$(Q)$(OBJCOPY) -O elf32-i386 $< $@

-include $(KERNEL_OBJS:.o=.d)

# ---------------------------------------------------------------- areas
# Each area's rules live beside its sources.
include libc/libc.mk
include user/user.mk
include tests/unit/unit.mk
include tests/boot/selftests/selftests.mk
include tests/boot/glibc/glibc.mk

# ---------------------------------------------------------------- images
INITRAMFS := $(BUILD)/initramfs.cpio
initramfs: $(INITRAMFS)
$(INITRAMFS): $(USER_PROGRAMS) $(GLIBC_TEST_PROGRAMS) $(wildcard user/etc/*) scripts/mkinitramfs user/user.mk \
		tests/boot/glibc/glibc.mk
	@echo "  CPIO    $@"
	$(Q)$(PYTHON) scripts/mkinitramfs $@ $(USER_INITRAMFS_ENTRIES) $(GLIBC_INITRAMFS_ENTRIES)

iso: $(ISO)
$(ISO): $(KERNEL_ELF) $(INITRAMFS) scripts/mkiso
	@echo "  ISO     $@"
	$(Q)scripts/mkiso $@ $(KERNEL_ELF) $(INITRAMFS) ""

# ---------------------------------------------------------------- the two commands
# Both install missing Debian packages first (scripts/install-deps says what).
run:
	@scripts/install-deps
	@$(MAKE) --no-print-directory all
	@scripts/boot --interactive $(if $(EMU),--emu $(EMU)) $(if $(CPU),--cpu $(CPU)) $(if $(CMDLINE),--cmdline "$(CMDLINE)")

check:
	@scripts/check

# ---------------------------------------------------------------- editors
compile_commands.json: $(KERNEL_CXX_SRCS)
	@echo "  GEN     $@"
	$(Q)$(PYTHON) scripts/gen-compile-commands "$(CXX) $(KERNEL_CXXFLAGS)" $(KERNEL_CXX_SRCS) > $@

clean:
	rm -rf $(BUILD) compile_commands.json
