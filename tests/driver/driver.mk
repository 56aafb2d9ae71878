# Driver selftests (issue 6): kselftest-harness programs built on the host and
# run inside the VM guest by tests/driver/run_selftests.sh (make vmcheck), which
# loads build/driver/shiftaccel.ko, runs them, and adds the firmware-failure and
# reload checks.  One selftest by hand:
#   make module driver-firmware driver-selftests
#   tools/vmrun -- bash tests/driver/run_selftests.sh sa_selftest_exec
DRIVER_SELFTESTS := sa_selftest_basic sa_selftest_exec sa_selftest_attack sa_selftest_lifecycle
DRIVER_SELFTEST_BINS := $(addprefix $(BUILD)/tests/driver/,$(DRIVER_SELFTESTS))
DRIVER_SELFTEST_COMMON := tests/driver/sa_selftest.c
# Recursive: SA_KSRC_CACHE comes from driver/driver.mk, included after this file.
DRIVER_SELFTEST_CFLAGS = -std=gnu11 -g -O2 -Wall -Wextra -Werror -Wstrict-prototypes \
	-Wno-unused-parameter -Wno-sign-compare -Wno-misleading-indentation -Wno-clobbered \
	-D_GNU_SOURCE -I$(SA_KSRC_CACHE)/tools/testing/selftests -Iuapi -I/usr/include/libdrm \
	-Ilibshiftaccel/kernels

VM_TESTS += tests/driver/run_selftests.sh tests/driver/run_suspend.sh
run_selftests_VMFLAGS := --debug-card --timeout 900
run_suspend_VMFLAGS := --timeout 300

.PHONY: driver-selftests
driver-selftests: $(DRIVER_SELFTEST_BINS)
vmcheck: driver-selftests

$(BUILD)/tests/driver/%: tests/driver/%.c $(DRIVER_SELFTEST_COMMON) tests/driver/sa_selftest.h \
		$(LIB)
	@bash tests/driver/kernel-src.sh >/dev/null
	@mkdir -p $(@D)
	@echo "  CC      $@"
	@$(CC) $(DRIVER_SELFTEST_CFLAGS) -o $@ $< $(DRIVER_SELFTEST_COMMON) $(LIB) -lm -lpthread
