# Host unit tests (GoogleTest). Every tests/unit/*_test.cpp is compiled
# together with the pure kernel sources below (logic that needs no
# hardware) and with the libc's host-testable objects (libc/libc.mk:
# UNIT_LIBC_OBJS, symbols prefixed sg_ so they do not clash with glibc).

UNIT_KERNEL_SRCS := kernel/format.cpp kernel/cmdline.cpp kernel/mm/frames.cpp kernel/mm/heap.cpp \
	kernel/mm/regions.cpp kernel/mm/shared_memory.cpp kernel/mm/page_range.cpp \
	arch/x86/cpu/cpuid.cpp arch/x86/mm/paging.cpp arch/x86/boot/multiboot.cpp \
	kernel/proc/sigframe.cpp kernel/proc/ptrace_abi.cpp arch/x86/cpu/xstate.cpp kernel/exec/elf.cpp kernel/fs/proc/render.cpp \
	$(UNIT_KERNEL_EXTRA_SRCS)
UNIT_TEST_SRCS := $(sort $(wildcard tests/unit/*_test.cpp))
UNIT_OBJS := $(UNIT_TEST_SRCS:%.cpp=$(BUILD)/unit/%.o) $(UNIT_KERNEL_SRCS:%.cpp=$(BUILD)/unit/%.o)
UNIT_BIN := $(BUILD)/unit/unit_tests
# SYSGATE_SOURCE_DIR: where the script tests find scripts/ and the .tbl files.
UNIT_CXXFLAGS := -std=c++20 -O1 -g -Wall -Wextra -Werror -I. -I$(GEN) -Itests/unit \
	-DSYSGATE_HOST_TEST -fno-omit-frame-pointer -DSYSGATE_SOURCE_DIR='"$(CURDIR)"'

.PHONY: unit
unit: $(UNIT_BIN)

$(BUILD)/unit/%.o: %.cpp | $(SYSCALL_GENERATED)
	@mkdir -p $(@D)
	@echo "  HOSTCXX $<"
	$(Q)$(CXX) $(UNIT_CXXFLAGS) -MMD -MP -c $< -o $@

# The real vDSO images, for vdso_test.cpp.
UNIT_VDSO_OBJ := $(BUILD)/unit/vdso_images.o
$(UNIT_VDSO_OBJ): tests/unit/vdso_images.S $(VDSO_IMAGES)
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(CC) -m64 -c -Wa,-I$(VDSO_DIR) $< -o $@

$(UNIT_BIN): $(UNIT_OBJS) $(UNIT_LIBC_OBJS) $(UNIT_VDSO_OBJ)
	@echo "  LINK    $@"
	$(Q)$(CXX) -o $@ $^ -lgtest -lgtest_main -pthread

-include $(UNIT_OBJS:.o=.d)
