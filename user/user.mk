# User programs, built for both bitnesses and packed into the initramfs.
#
#   user/bin/NAME.c or NAME.cpp    -> /bin/NAME (64-bit) and /bin/NAME32 (32-bit)
#   user/bin/NAME/*.c|*.cpp        -> the same, from several files (and *64.asm / *32.asm)
#   user/tests/NAME.c|.cpp         -> /test/NAME and /test/NAME32 (the in-guest suite)
#   user/tests/lib/*.c|*.asm       -> linked into every test (gate helpers, checks)
#
# Drop a file into user/bin/ and it is in the initramfs at the next `make run`.
# NASM files ending in 64.asm / 32.asm are built only for that bitness.

USER_BUILD := $(BUILD)/user
USER_WARNINGS := -Wall -Wextra -Werror
user_name = $(basename $(notdir $(1)))

USER_BIN_SOURCES := $(wildcard user/bin/*.c user/bin/*.cpp)
USER_BIN_DIRS := $(patsubst %/,%,$(sort $(dir $(wildcard user/bin/*/*.c user/bin/*/*.cpp))))
USER_TEST_SOURCES := $(wildcard user/tests/*.c user/tests/*.cpp)
USER_TEST_LIB_C := $(wildcard user/tests/lib/*.c)

USER_BIN_NAMES := $(foreach s,$(USER_BIN_SOURCES),$(call user_name,$(s))) $(notdir $(USER_BIN_DIRS))
USER_TEST_NAMES := $(foreach s,$(USER_TEST_SOURCES),$(call user_name,$(s)))

# $(1) = 64|32, $(2) = source -> object path
user_obj = $(USER_BUILD)/obj$(1)/$(basename $(2)).o

define user_compile_rules
$(USER_BUILD)/obj$(1)/%.o: %.c | $$(LIBC_GENERATED)
	@mkdir -p $$(@D)
	@echo "  CC$(1)    $$<"
	$$(Q)$$(CC) $$(USER_CFLAGS_$(1)) $$(USER_WARNINGS) -Iuser/tests/lib -MD -MP -c $$< -o $$@
$(USER_BUILD)/obj$(1)/%.o: %.cpp | $$(LIBC_GENERATED)
	@mkdir -p $$(@D)
	@echo "  CXX$(1)   $$<"
	$$(Q)$$(CXX) $$(USER_CXXFLAGS_$(1)) $$(USER_WARNINGS) -Iuser/tests/lib -MD -MP -c $$< -o $$@
$(USER_BUILD)/obj$(1)/%.o: %$(1).asm
	@mkdir -p $$(@D)
	@echo "  NASM$(1)  $$<"
	$$(Q)$$(NASM) -f $(if $(filter 64,$(1)),elf64,elf32) -Werror $$< -o $$@
endef
$(eval $(call user_compile_rules,64))
$(eval $(call user_compile_rules,32))

# Test helpers: C files for both bitnesses, asm files per bitness.
user_test_lib_objs = $(foreach s,$(USER_TEST_LIB_C),$(call user_obj,$(1),$(s))) \
	$(patsubst user/tests/lib/%$(1).asm,$(USER_BUILD)/obj$(1)/user/tests/lib/%.o,$(wildcard user/tests/lib/*$(1).asm))

# $(1) = bitness, $(2) = output, $(3) = objects
define user_link
	@mkdir -p $(dir $(2))
	@echo "  LD$(1)    $(2)"
	$(Q)$(CC) $(USER_LDFLAGS_$(1)) -o $(2) $(CRT0_$(1)) $(3) $(USER_LDLIBS_$(1))
endef

# /bin programs (a program's directory may hold NAME64.asm / NAME32.asm for one bitness)
define user_bin_rules
$(USER_BUILD)/bin$(1)/$(2): $(foreach s,$(filter user/bin/$(2).% ,$(USER_BIN_SOURCES)) $(wildcard user/bin/$(2)/*.c user/bin/$(2)/*.cpp),$(call user_obj,$(1),$(s))) $(patsubst %$(1).asm,$(USER_BUILD)/obj$(1)/%.o,$(wildcard user/bin/$(2)/*$(1).asm)) $$(CRT0_$(1)) $$(LIBC_$(1))
	$$(call user_link,$(1),$$@,$$(filter %.o,$$(filter-out $$(CRT0_$(1)),$$^)))
endef
$(foreach n,$(USER_BIN_NAMES),$(eval $(call user_bin_rules,64,$(n))))
$(foreach n,$(USER_BIN_NAMES),$(eval $(call user_bin_rules,32,$(n))))

# /test programs
define user_test_rules
$(USER_BUILD)/test$(1)/$(2): $(foreach s,$(filter user/tests/$(2).%,$(USER_TEST_SOURCES)),$(call user_obj,$(1),$(s))) $(call user_test_lib_objs,$(1)) $$(CRT0_$(1)) $$(LIBC_$(1))
	$$(call user_link,$(1),$$@,$$(filter %.o,$$(filter-out $$(CRT0_$(1)),$$^)))
endef
$(foreach n,$(USER_TEST_NAMES),$(eval $(call user_test_rules,64,$(n))))
$(foreach n,$(USER_TEST_NAMES),$(eval $(call user_test_rules,32,$(n))))

# Raw tests (no libc, their own _start): user/tests/raw/NAME64.asm and NAME32.asm.
USER_RAW_NAMES := $(patsubst user/tests/raw/%64.asm,%,$(wildcard user/tests/raw/*64.asm))
$(USER_BUILD)/raw64/%: user/tests/raw/%64.asm
	@mkdir -p $(@D)
	@echo "  RAW64   $@"
	$(Q)$(NASM) -f elf64 -Werror $< -o $@.o && $(LD) -m elf_x86_64 -static -z noexecstack $@.o -o $@
$(USER_BUILD)/raw32/%: user/tests/raw/%32.asm
	@mkdir -p $(@D)
	@echo "  RAW32   $@"
	$(Q)$(NASM) -f elf32 -Werror $< -o $@.o && $(LD) -m elf_i386 -static -z noexecstack $@.o -o $@

USER_PROGRAMS := $(USER_RAW_NAMES:%=$(USER_BUILD)/raw64/%) $(USER_RAW_NAMES:%=$(USER_BUILD)/raw32/%) \
	$(USER_BIN_NAMES:%=$(USER_BUILD)/bin64/%) $(USER_BIN_NAMES:%=$(USER_BUILD)/bin32/%) \
	$(USER_TEST_NAMES:%=$(USER_BUILD)/test64/%) $(USER_TEST_NAMES:%=$(USER_BUILD)/test32/%)
# host path:guest path pairs for scripts/mkinitramfs
USER_INITRAMFS_ENTRIES := \
	$(foreach n,$(USER_BIN_NAMES),$(USER_BUILD)/bin64/$(n):/bin/$(n) $(USER_BUILD)/bin32/$(n):/bin/$(n)32) \
	$(foreach n,$(USER_TEST_NAMES),$(USER_BUILD)/test64/$(n):/test/$(n) $(USER_BUILD)/test32/$(n):/test/$(n)32) \
	$(foreach n,$(USER_RAW_NAMES),$(USER_BUILD)/raw64/$(n):/test/$(n) $(USER_BUILD)/raw32/$(n):/test/$(n)32) \
	$(foreach f,$(wildcard user/etc/*),$(f):/etc/$(notdir $(f)))

.PHONY: user print-initramfs-entries
user: $(USER_PROGRAMS)
print-initramfs-entries:
	@echo $(USER_INITRAMFS_ENTRIES)

-include $(shell find $(USER_BUILD) -name '*.d' 2>/dev/null)

# /bin/trace names the calls it sees: both tables, generated from the .tbl files.
TRACE_NAMES_H := $(USER_BUILD)/gen/trace_names.h
$(TRACE_NAMES_H): arch/x86/entry/syscalls/syscall_64.tbl arch/x86/entry/syscalls/syscall_32.tbl user/user.mk
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	$(Q){ for t in 64 32; do echo "static const char* const trace_names$$t[] = {"; \
	  awk '/^[0-9]/ { printf "    [%s] = \"%s\",\n", $$1, $$3 }' arch/x86/entry/syscalls/syscall_$$t.tbl; echo "};"; \
	  done; } > $@
$(call user_obj,64,user/bin/trace.c) $(call user_obj,32,user/bin/trace.c): $(TRACE_NAMES_H)
$(call user_obj,64,user/bin/trace.c) $(call user_obj,32,user/bin/trace.c): USER_WARNINGS += -I$(USER_BUILD)/gen
