# Firmware tests.  The native ones build the firmware's logic
# (FW_LOGIC_SRCS, firmware/firmware.mk) for the host against a fake hardware
# access layer (fake_hal.c); sa_check and crc32c come from libshiftaccel.a.
FW_NATIVE_SRCS = tests/firmware/fake_hal.c tests/firmware/fw_test.c $(FW_LOGIC_SRCS)

UNIT_TESTS += test_fw_validate
test_fw_validate_SRCS = tests/firmware/test_fw_validate.c $(FW_NATIVE_SRCS)
UNIT_TESTS += test_fw_mailbox
test_fw_mailbox_SRCS = tests/firmware/test_fw_mailbox.c $(FW_NATIVE_SRCS)
UNIT_TESTS += test_fw_sched
test_fw_sched_SRCS = tests/firmware/test_fw_sched.c $(FW_NATIVE_SRCS)
UNIT_TESTS += test_fw_queue
test_fw_queue_SRCS = tests/firmware/test_fw_queue.c $(FW_NATIVE_SRCS)
UNIT_TESTS += test_fw_image
test_fw_image_SRCS = tests/firmware/test_fw_image.c tools/fwimage.c

# The real image on the card model, the host playing the driver.  It loads
# $SA_BUILD/firmware/shiftaccel-fw.bin at run time and fails if it is missing.
UNIT_TESTS += test_fw_card
test_fw_card_SRCS = tests/firmware/test_fw_card.c tests/firmware/fw_host.c \
	tests/firmware/fw_lower.c tests/emulator/card_harness.c tools/fwimage.c \
	$(EMU_SRCS) $(EMU_KERNEL_SRCS)
$(BUILD)/tests/test_fw_card: | $(FW_IMAGE)

# Same bytes from two builds, and mkfwimage --info refusing damaged images.
CHECK_SCRIPTS += tests/firmware/reproducible.sh

# bench/firmware.sh runs fw_bench (not a test: it prints figures).
FW_BENCH := $(BUILD)/tests/fw_bench
fw_bench_SRCS = tests/firmware/fw_bench.c tests/firmware/fw_host.c tests/firmware/fw_lower.c \
	tests/emulator/card_harness.c tools/fwimage.c $(EMU_SRCS) $(EMU_KERNEL_SRCS)
# (The top-level `program` template is defined after the fragments, so spelled out.)
$(FW_BENCH): $(patsubst %.c,$(BUILD)/obj/%.o,$(fw_bench_SRCS)) $(LIB) | $(FW_IMAGE)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
BENCH_SCRIPTS += bench/firmware.sh
bench: $(FW_IMAGE) $(FW_BENCH)
