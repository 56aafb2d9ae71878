# The ONNX reader's tests: fixture models made by tests/onnx/make_models.py
# (python3-onnx, test time only) and checked by test_onnx_read, which takes
# the fixture directory as its argument, so the script runs it, not the tier.
CHECK_SCRIPTS += tests/onnx/test_onnx_read.sh
DEPS_PACKAGES += python3-onnx
ONNX_READ_TEST := $(BUILD)/tests/test_onnx_read

$(ONNX_READ_TEST): $(BUILD)/obj/tests/unit/test_onnx_read.o $(LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

check-build: $(ONNX_READ_TEST)
