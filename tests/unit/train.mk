# Training (libshiftaccel/src/train): gradient checks of every layer, a tiny
# overfitting run, data sets and architectures, export round trips, and the
# training plan (phases, defaults, the hold-out split) and the
# shiftaccel-train / shiftaccel-eval command lines.
UNIT_TESTS += test_train_grad
test_train_grad_SRCS := tests/unit/test_train_grad.c
UNIT_TESTS += test_train_run
test_train_run_SRCS := tests/unit/test_train_run.c
UNIT_TESTS += test_train_data
test_train_data_SRCS := tests/unit/test_train_data.c
UNIT_TESTS += test_train_plan
test_train_plan_SRCS := tests/unit/test_train_plan.c
CHECK_SCRIPTS += tests/unit/test_train_cli.sh
# Output files under a full filesystem and a killed writer, data of another
# size than the model, --epochs 0 and unusable output paths.
CHECK_SCRIPTS += tests/unit/test_train_outputs.sh
OUTPUT_WRITER := $(BUILD)/tests/output_writer
$(OUTPUT_WRITER): $(BUILD)/obj/tests/unit/output_writer.o $(LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
check-build: $(OUTPUT_WRITER)
