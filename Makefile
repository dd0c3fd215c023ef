# Sysgate build. `make` builds the kernel, the ISO and the user programs;
# `make run` boots in QEMU; `make check` runs every test. See README.md.

BUILD      := build
GEN        := $(BUILD)/gen

CXX        ?= g++
NASM       ?= nasm
LD         ?= ld
OBJCOPY    ?= objcopy
PYTHON     ?= python3
# V=1 shows every command.
Q          := $(if $(V),,@)

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
	-not -path 'arch/x86/vdso/*' -not -name asm_offsets.cpp))
KERNEL_ASM_SRCS := $(sort $(shell find arch -name '*.asm' -not -path 'arch/x86/vdso/*'))
KERNEL_OBJS := $(KERNEL_CXX_SRCS:%.cpp=$(BUILD)/kernel-obj/%.o) \
	$(KERNEL_ASM_SRCS:%.asm=$(BUILD)/kernel-obj/%.o)

KERNEL_ELF   := $(BUILD)/sysgate.elf
KERNEL_ELF32 := $(BUILD)/sysgate32.elf
ISO          := $(BUILD)/sysgate.iso

.PHONY: all kernel iso clean run check unit boot-tests compile_commands.json
all: kernel iso compile_commands.json

kernel: $(KERNEL_ELF) $(KERNEL_ELF32)

$(GEN)/asm_offsets.inc: arch/x86/entry/asm_offsets.cpp arch/x86/entry/frame.h \
		arch/x86/cpu/percpu.h arch/x86/desc/layout.h arch/x86/desc/descriptors.h
	@mkdir -p $(@D) $(BUILD)/host
	$(CXX) $(HOST_CXXFLAGS) -o $(BUILD)/host/asm_offsets $<
	$(BUILD)/host/asm_offsets > $@

$(BUILD)/kernel-obj/%.o: %.cpp
	@mkdir -p $(@D)
	@echo "  CXX     $<"
	$(Q)$(CXX) $(KERNEL_CXXFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/kernel-obj/%.o: %.asm $(GEN)/asm_offsets.inc
	@mkdir -p $(@D)
	@echo "  NASM    $<"
	$(Q)$(NASM) $(KERNEL_NASMFLAGS) -MD $(@:.o=.d) -MP $< -o $@

# Two links: the second carries the symbol table of the first (for backtraces).
$(BUILD)/kernel-obj/symbols-empty.o: scripts/gen-symbols
	@mkdir -p $(@D)
	$(PYTHON) scripts/gen-symbols - $(GEN)/symbols-empty.asm
	$(NASM) -f elf64 $(GEN)/symbols-empty.asm -o $@

$(BUILD)/sysgate.pass1.elf: $(KERNEL_OBJS) $(BUILD)/kernel-obj/symbols-empty.o linker.ld
	$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel-obj/symbols-empty.o

$(BUILD)/kernel-obj/symbols.o: $(BUILD)/sysgate.pass1.elf scripts/gen-symbols
	nm -n -C $< > $(GEN)/symbols.nm
	$(PYTHON) scripts/gen-symbols $(GEN)/symbols.nm $(GEN)/symbols.asm
	$(NASM) -f elf64 $(GEN)/symbols.asm -o $@

$(KERNEL_ELF): $(KERNEL_OBJS) $(BUILD)/kernel-obj/symbols.o linker.ld
	$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/kernel-obj/symbols.o
	@nm $@ | grep -q ' kernel_main$$'

# QEMU's -kernel only loads 32-bit multiboot ELF files.
$(KERNEL_ELF32): $(KERNEL_ELF)
	$(OBJCOPY) -O elf32-i386 $< $@

-include $(KERNEL_OBJS:.o=.d)

# ---------------------------------------------------------------- misc
clean:
	rm -rf $(BUILD) compile_commands.json
