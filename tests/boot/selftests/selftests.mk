# Linux's own x86 selftests (tools/testing/selftests/x86 of Linux 6.1), run
# on Sysgate by `make selftests` (docs/testing.md, "Linux's x86 selftests").
#
# The sources are a dependency, not part of the repository: Debian's
# linux-source-6.1 package (scripts/install-deps installs it) ships the
# kernel tree as one tarball. Only the selftests' folder and the few files
# it includes are extracted, once, into $(SELFTESTS_SRC); xz still
# decompresses the whole stream for that (about 25 s), hence the cache.
#
# The binaries are built by the upstream Makefile itself, with CC set to
# "gcc -static": every target it builds (TARGETS_C_BOTHBITS 64- and 32-bit,
# TARGETS_C_32BIT_ONLY, TARGETS_C_64BIT_ONLY, TARGETS_C_32BIT_NEEDED), with
# its own flags and libraries, fully static against Debian's glibc.
#
#   $(SELFTESTS_BIN)/NAME_32|_64     as built (with debug info)
#   $(SELFTESTS_ROOT)/NAME_32|_64    stripped, for the initramfs
#   $(SELFTESTS_BOOT)/               a build directory for scripts/boot
#                                    --build-dir: the kernel and an initramfs
#                                    holding the usual files plus /selftests/

SELFTESTS_TARBALL := /usr/src/linux-source-6.1.tar.xz
SELFTESTS_DIR := $(BUILD)/selftests
SELFTESTS_SRC := $(SELFTESTS_DIR)/src
SELFTESTS_X86 := $(SELFTESTS_SRC)/tools/testing/selftests/x86
SELFTESTS_BIN := $(SELFTESTS_DIR)/bin
SELFTESTS_ROOT := $(SELFTESTS_DIR)/root
SELFTESTS_BOOT := $(SELFTESTS_DIR)/boot
# What the tests include from the kernel tree besides their own folder.
SELFTESTS_MEMBERS := tools/testing/selftests/x86 tools/testing/selftests/kselftest.h \
	tools/testing/selftests/lib.mk arch/x86/include/asm/desc_defs.h

.PHONY: selftests selftests-build
selftests-build: $(SELFTESTS_BOOT)/initramfs.cpio $(SELFTESTS_BOOT)/sysgate.elf $(SELFTESTS_BOOT)/sysgate32.elf

# Extract once; the stamp records the package version the tree came from.
$(SELFTESTS_SRC)/.extracted: $(SELFTESTS_TARBALL)
	@test -f $< || { echo "selftests: $< is missing (scripts/install-deps installs linux-source-6.1)" >&2; exit 1; }
	@echo "  UNTAR   $(SELFTESTS_MEMBERS) from $<"
	$(Q)rm -rf $(SELFTESTS_SRC) && mkdir -p $(SELFTESTS_SRC)
	$(Q)start=$$(date +%s%N); \
	tar -xJf $< -C $(SELFTESTS_SRC) --strip-components=1 $(SELFTESTS_MEMBERS:%=linux-source-6.1/%) && \
	echo "  UNTAR   took $$(( ($$(date +%s%N) - start) / 1000000 )) ms"
	$(Q)dpkg-query -W -f='$${Package} $${Version}\n' linux-source-6.1 > $(SELFTESTS_SRC)/VERSION 2>/dev/null || \
		echo "linux-source-6.1 unknown" > $(SELFTESTS_SRC)/VERSION
	$(Q)touch $@

# The upstream Makefile, with our compiler. It finds out itself (check_cc.sh)
# whether -m32 builds link, here statically; a build without 32-bit tests
# would miss half of them, so that is an error.
$(SELFTESTS_BIN)/.built: $(SELFTESTS_SRC)/.extracted tests/boot/selftests/selftests.mk
	@echo "  MAKE    $(SELFTESTS_X86) (CC=\"$(CC) -static\")"
	$(Q)rm -rf $(SELFTESTS_BIN) && mkdir -p $(SELFTESTS_BIN)
	$(Q)$(MAKE) --no-print-directory -s -C $(SELFTESTS_X86) OUTPUT=$(abspath $(SELFTESTS_BIN)) \
		CC="$(CC) -static" all > $(SELFTESTS_DIR)/build.log 2>&1 || \
		{ cat $(SELFTESTS_DIR)/build.log >&2; echo "selftests: the upstream build failed" >&2; exit 1; }
	$(Q)ls $(SELFTESTS_BIN) | grep -q '_32$$' || { echo "selftests: no 32-bit test was built (static -m32 linking fails?)" >&2; exit 1; }
	$(Q)for f in $(SELFTESTS_BIN)/*_32 $(SELFTESTS_BIN)/*_64; do \
		if readelf -lW $$f | grep -q 'Requesting program interpreter'; then \
			echo "selftests: $$f is not static" >&2; exit 1; fi; done
	$(Q)touch $@

$(SELFTESTS_DIR)/.stripped: $(SELFTESTS_BIN)/.built
	$(Q)rm -rf $(SELFTESTS_ROOT) && mkdir -p $(SELFTESTS_ROOT)
	$(Q)for f in $(SELFTESTS_BIN)/*_32 $(SELFTESTS_BIN)/*_64; do strip -o $(SELFTESTS_ROOT)/$${f##*/} $$f; done
	$(Q)touch $@

$(SELFTESTS_BOOT)/initramfs.cpio: $(SELFTESTS_DIR)/.stripped $(USER_PROGRAMS) $(wildcard user/etc/*) scripts/mkinitramfs
	@mkdir -p $(@D)
	@echo "  CPIO    $@"
	$(Q)$(PYTHON) scripts/mkinitramfs $@ $(USER_INITRAMFS_ENTRIES) --dir $(SELFTESTS_ROOT):/selftests
$(SELFTESTS_BOOT)/sysgate.elf: $(KERNEL_ELF)
	@mkdir -p $(@D)
	$(Q)ln -sf $(abspath $<) $@
$(SELFTESTS_BOOT)/sysgate32.elf: $(KERNEL_ELF32)
	@mkdir -p $(@D)
	$(Q)ln -sf $(abspath $<) $@

# Every row of the matrix, one boot each; the last line is
# "selftests: N passed, N failed, N skipped" (scripts/check counts it).
selftests: selftests-build
	@tests/boot/selftests/run $(SELFTESTS_ARGS)
