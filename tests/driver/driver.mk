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
	-Ilibshiftaccel/kernels -Ilibshiftaccel/drm

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

# The ioctl and ring fuzzer (issue 11, part 3) and the fault campaign (part 4):
# programs run in the guest through run_fuzz.sh and run_fault_campaign.sh; a
# short run of each in vmcheck, longer ones in bench (bench/driver_fuzz.sh).
#   tools/vmrun --smp 2 -- bash tests/driver/run_fuzz.sh [SECONDS]
#   tools/vmrun --debug-card -- bash tests/driver/run_fault_campaign.sh [SECONDS-PER-ROUND]
SA_FUZZ_SRCS := tests/driver/sa_fuzz.c tests/driver/sa_fuzz_ops.c tests/driver/sa_fuzz_values.c \
	tests/driver/sa_fuzz_check.c
SA_FC_SRCS := tests/driver/sa_fault_campaign.c tests/driver/sa_fault_campaign_load.c \
	tests/driver/sa_fault_campaign_inject.c
DRIVER_FUZZ_BINS := $(BUILD)/tests/driver/sa_fuzz $(BUILD)/tests/driver/sa_fault_campaign
VM_TESTS += tests/driver/run_fuzz.sh tests/driver/run_fault_campaign.sh
run_fuzz_VMFLAGS := --smp 2 --timeout 300
run_fault_campaign_VMFLAGS := --debug-card --timeout 900
BENCH_SCRIPTS += bench/driver_fuzz.sh
.PHONY: driver-fuzz
driver-fuzz: $(DRIVER_FUZZ_BINS)
driver-selftests: driver-fuzz
bench: driver-fuzz module driver-firmware qemu vm-prepare

# fuzz_link NAME, SOURCES, HEADER: one program from several files plus the selftest helpers.
define fuzz_link
$(BUILD)/tests/driver/$(1): $(2) $(3) $$(DRIVER_SELFTEST_COMMON) tests/driver/sa_selftest.h $$(LIB)
	@bash tests/driver/kernel-src.sh >/dev/null
	@mkdir -p $$(@D)
	@echo "  CC      $$@"
	@$$(CC) $$(DRIVER_SELFTEST_CFLAGS) -o $$@ $(2) $$(DRIVER_SELFTEST_COMMON) $$(LIB) -lm -lpthread
endef
$(eval $(call fuzz_link,sa_fuzz,$(SA_FUZZ_SRCS),tests/driver/sa_fuzz.h))
$(eval $(call fuzz_link,sa_fault_campaign,$(SA_FC_SRCS),tests/driver/sa_fault_campaign.h))
