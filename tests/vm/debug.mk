# The debug VM tier (issue 11, docs/vm-testing.md):
#
#   make vmcheck-debug        every VM test of `make vmcheck` on the debug kernel
#   make debug-kernel         only build (or find in the cache) the debug kernel
#   make report-test-module   the scanner test's module, against the debug kernel
#
# The debug kernel (tests/vm/debug-kernel/build.sh: Debian's linux-source-6.12
# with KASAN, lockdep, kmemleak, UBSAN, fault injection) is cached outside the
# clone.  vmcheck-debug runs `make vmcheck` itself, with everything it builds
# in $(VM_DEBUG_BUILD): shiftaccel.ko against the debug kernel's tree (the
# module rule of driver/driver.mk, W=1, warnings as errors), and the tools,
# firmware and selftests as usual.  SA_GUEST_KERNEL=debug makes each tools/vmrun
# boot the debug kernel and check its log: a KASAN, lockdep, kmemleak, UBSAN,
# BUG or WARNING report fails the test whose guest printed it.  Each guest's
# whole kernel log is kept in $(VM_DEBUG_BUILD)/kernel-logs/ (vmrun prints
# its name).  First, the checker is checked: tests/vm/debug-kernel/test-scanner.sh.

VM_DEBUG_BUILD := build/debug
DEBUG_KERNEL_BUILD := tests/vm/debug-kernel/build.sh
REPORT_TEST_KO := $(BUILD)/debug-kernel/report-test/sa_report_test.ko
REPORT_TEST_KBUILD := $(abspath $(BUILD)/debug-kernel/report-test/kbuild)
REPORT_TEST_FILES := tests/vm/debug-kernel/report-test/Kbuild \
	tests/vm/debug-kernel/report-test/sa_report_test.c

TEST_TIERS += vmcheck-debug
# Building a kernel.
DEPS_PACKAGES += bc bison flex libelf-dev

.PHONY: vmcheck-debug vmcheck-debug-run debug-kernel report-test-module
debug-kernel: ensure-deps
	@bash $(DEBUG_KERNEL_BUILD)

# The kernel is built first, outside any make variable: its directory is known
# only afterwards, and names the tree the module is built against.
vmcheck-debug: ensure-deps
	@kdir=$$(bash $(DEBUG_KERNEL_BUILD)) && \
	SA_GUEST_KERNEL=debug SA_VMRUN_LOG_DIR=$(VM_DEBUG_BUILD)/kernel-logs \
	$(MAKE) --no-print-directory BUILD=$(VM_DEBUG_BUILD) \
		SA_KDIR="$$kdir/src" SA_KVER="$$(cat "$$kdir/kernelrelease")" vmcheck-debug-run

vmcheck-debug-run: qemu report-test-module
	@rm -rf $(BUILD)/kernel-logs
	@SA_BUILD=$(BUILD) tests/run-tier.sh tests/vm/debug-kernel/test-scanner.sh
	@$(MAKE) --no-print-directory vmcheck

# Like the driver (driver/driver.mk), built in a shadow tree of symlinks, and
# always against the debug kernel (the one whose reports it makes).
report-test-module: $(REPORT_TEST_KO)
$(REPORT_TEST_KO): $(REPORT_TEST_FILES) $(DEBUG_KERNEL_BUILD) tests/vm/debug-kernel/debug.config
	@mkdir -p $(REPORT_TEST_KBUILD)
	@for f in $(REPORT_TEST_FILES); do ln -sf $(CURDIR)/$$f $(REPORT_TEST_KBUILD)/; done
	@kdir=$$(bash $(DEBUG_KERNEL_BUILD)) && \
		echo "  KBUILD  $@ (kernel $$(cat "$$kdir/kernelrelease"))" && \
		MAKEFLAGS= $(MAKE) --no-print-directory -C "$$kdir/src" M=$(REPORT_TEST_KBUILD) modules
	@cp $(REPORT_TEST_KBUILD)/sa_report_test.ko $@

# A module is built for one kernel: a new debug kernel (a new cache directory)
# rebuilds it.
ifeq ($(BUILD),$(VM_DEBUG_BUILD))
$(DRIVER_KO): $(SA_KDIR)/Module.symvers
endif

# The scanner on a recorded log of test-scanner.sh's guest, in the fast tier.
CHECK_SCRIPTS += tests/vm/debug-kernel/check-scanner.sh
