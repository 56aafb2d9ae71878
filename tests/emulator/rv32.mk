# RV32IM interpreter: the conformance programs tests/emulator/rv32/*.S,
# assembled into $(BUILD)/rv32tests/*.bin, and tests/emulator/test_rv32.c,
# which runs them (from $SA_BUILD/rv32tests/) and tests the decoder and the
# decode cache directly.  See docs/rv32im.md.
DEPS_PACKAGES += gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf

UNIT_TESTS += test_rv32
test_rv32_SRCS := tests/emulator/test_rv32.c tests/emulator/rv32_machine.c $(RV32_SRCS)

RV32_CROSS := riscv64-unknown-elf-
# binutils >= 2.38 needs Zicsr and Zifencei named for the CSR and fence.i instructions.
RV32_TEST_FLAGS := -march=rv32im_zicsr_zifencei -mabi=ilp32 -nostdlib -nostartfiles \
	-Wl,--no-relax -Wl,--build-id=none -T tests/emulator/rv32/link.ld
RV32_TEST_BINS := $(patsubst tests/emulator/rv32/%.S,$(BUILD)/rv32tests/%.bin, \
	$(wildcard tests/emulator/rv32/*.S))

$(BUILD)/rv32tests/%.bin: tests/emulator/rv32/%.S tests/emulator/rv32/rv32test.h \
		tests/emulator/rv32/link.ld
	@mkdir -p $(@D)
	@echo "  AS      $<"
	@$(RV32_CROSS)gcc $(RV32_TEST_FLAGS) -o $(@:.bin=.elf) $<
	@$(RV32_CROSS)objcopy -O binary $(@:.bin=.elf) $@

.PHONY: rv32tests
rv32tests: $(RV32_TEST_BINS)
$(BUILD)/tests/test_rv32: | $(RV32_TEST_BINS)
check-build: $(RV32_TEST_BINS)
