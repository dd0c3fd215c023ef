# Static glibc programs for the boot tests: what a real Linux binary needs
# of Sysgate (threads, futexes, TLS, thread-directed signals). Built with
# the host's g++ and glibc for both bitnesses, like any program a user
# would copy from a Linux machine, and put into the initramfs as
# /bin/glibc-NAME and /bin/glibc-NAME32 (tests/boot/cases.py runs them).

GLIBC_TEST_DIR := $(BUILD)/glibc
GLIBC_TEST_NAMES := $(basename $(notdir $(wildcard tests/boot/glibc/*.cpp)))
GLIBC_TEST_FLAGS := -static -s -pthread -O2 -std=c++17 -Wall -Wextra -Werror
GLIBC_TEST_PROGRAMS := $(GLIBC_TEST_NAMES:%=$(GLIBC_TEST_DIR)/64/%) $(GLIBC_TEST_NAMES:%=$(GLIBC_TEST_DIR)/32/%)

$(GLIBC_TEST_DIR)/64/%: tests/boot/glibc/%.cpp
	@mkdir -p $(@D)
	@echo "  GLIBC64 $@"
	$(Q)$(CXX) -m64 $(GLIBC_TEST_FLAGS) -o $@ $<
$(GLIBC_TEST_DIR)/32/%: tests/boot/glibc/%.cpp
	@mkdir -p $(@D)
	@echo "  GLIBC32 $@"
	$(Q)$(CXX) -m32 $(GLIBC_TEST_FLAGS) -o $@ $<

GLIBC_INITRAMFS_ENTRIES := $(foreach n,$(GLIBC_TEST_NAMES),$(GLIBC_TEST_DIR)/64/$(n):/bin/glibc-$(n) \
	$(GLIBC_TEST_DIR)/32/$(n):/bin/glibc-$(n)32)
