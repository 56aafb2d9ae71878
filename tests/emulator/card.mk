# Unit tests of the card model (docs/hardware.md), no QEMU: each test drives
# emulator/card.h with the harness's fake host memory (card_harness.c).
# Control-processor test programs (tests/emulator/cp/cp_*.c, not firmware)
# are cross-compiled into $(BUILD)/cptests/*.bin, which the tests load from
# $SA_BUILD/cptests.
DEPS_PACKAGES += gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf

CARD_TESTS := test_card_regs test_card_cp test_card_mmu test_card_te test_card_engine_cp \
	test_card_dma \
	test_card_irq test_card_fi test_card_reset test_card_hostile
UNIT_TESTS += $(CARD_TESTS)
# Recursive: EMU_SRCS and EMU_KERNEL_SRCS come from emulator/*.mk.
CARD_TEST_SRCS = tests/emulator/card_harness.c tests/emulator/te_cases.c $(EMU_SRCS) \
	$(EMU_KERNEL_SRCS)
$(foreach t,$(CARD_TESTS),$(eval $(t)_SRCS = tests/emulator/$(t).c $$(CARD_TEST_SRCS)))

CPTEST_CROSS := riscv64-unknown-elf-
CPTEST_FLAGS := -march=rv32im_zicsr -mabi=ilp32 -Os -std=c11 -ffreestanding -fno-builtin \
	-fno-tree-loop-distribute-patterns -nostdlib -nostartfiles -static \
	-Wall -Wextra -Werror -Wl,--no-relax -Wl,--build-id=none \
	-Iuapi -T tests/emulator/cp/link.ld
CPTEST_BINS := $(patsubst tests/emulator/cp/%.c,$(BUILD)/cptests/%.bin, \
	$(wildcard tests/emulator/cp/cp_*.c))

$(BUILD)/cptests/%.bin: tests/emulator/cp/%.c tests/emulator/cp/start.S tests/emulator/cp/cp.h \
		tests/emulator/cp/link.ld uapi/shiftaccel_hw.h uapi/shiftaccel_numerics.h
	@mkdir -p $(@D)
	@echo "  CPCC    $<"
	@$(CPTEST_CROSS)gcc $(CPTEST_FLAGS) -o $(@:.bin=.elf) tests/emulator/cp/start.S $<
	@$(CPTEST_CROSS)objcopy -O binary $(@:.bin=.elf) $@

.PHONY: cptests
cptests: $(CPTEST_BINS)
$(addprefix $(BUILD)/tests/,$(CARD_TESTS)): | $(CPTEST_BINS)
check-build: $(CPTEST_BINS)
