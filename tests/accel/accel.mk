# The accel backend in the VM (issue 7): card outputs byte-identical to the
# CPU's for a set of models, shiftaccel-run on the card, card errors.
#   make module driver-firmware accel-vm-tools
#   tools/vmrun --debug-card -- bash tests/accel/test_accel_vm.sh
ACCEL_VM_TOOLS := $(BUILD)/tests/accel_models $(BUILD)/tests/accel_check

$(BUILD)/tests/accel_models: $(BUILD)/obj/tests/accel/accel_models.o \
		$(BUILD)/obj/tests/accel/test_models.o $(LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/accel_check: $(BUILD)/obj/tests/accel/accel_check.o $(LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

.PHONY: accel-vm-tools
# make_fixture is spelled out: tests/cli/cli.mk (CLI_FIXTURE) is read after this file.
accel-vm-tools: $(ACCEL_VM_TOOLS) $(BUILD)/tests/make_fixture
check-build: $(ACCEL_VM_TOOLS)

VM_TESTS += tests/accel/test_accel_vm.sh
test_accel_vm_VMFLAGS := --debug-card
# Choosing a card among two (docs/accel.md, "Choosing a card").
VM_TESTS += tests/accel/test_cards_vm.sh
test_cards_vm_VMFLAGS := --cards 2
vmcheck: accel-vm-tools module driver-firmware

# Fast tier: the compiler's descriptors run on the reference kernels, bit-exact.
UNIT_TESTS += test_accel_compile
test_accel_compile_SRCS = tests/accel/test_accel_compile.c tests/accel/test_models.c \
	tests/unit/dsm_fixture.c

# make bench: accel figures in a guest (tests/accel/bench_accel.sh).
$(BUILD)/tests/bench_accel: $(BUILD)/obj/tests/accel/bench_accel.o $(LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/obj/tests/accel/bench_accel.o: CPPFLAGS += $(shell pkg-config --cflags libdrm 2>/dev/null || echo -I/usr/include/libdrm)
.PHONY: accel-bench
accel-bench: $(BUILD)/tests/bench_accel $(BUILD)/tests/accel_models
BENCH_SCRIPTS += tests/accel/bench_accel.sh
bench: accel-bench module driver-firmware qemu vm-prepare
