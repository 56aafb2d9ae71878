# shiftaccel-export's tests: models built with sa_builder by
# make_export_models, exported, checked by onnx.checker and a numpy
# evaluation of the graph (tests/export/check_export.py; Debian's
# python3-onnx, test-time only), and converted back byte for byte;
# test_export_hostile feeds the reader of exports damaged files.
CHECK_SCRIPTS += tests/export/test_export.sh
DEPS_PACKAGES += python3-onnx python3-numpy
EXPORT_FIXTURE := $(BUILD)/tests/make_export_models

$(EXPORT_FIXTURE): $(BUILD)/obj/tests/export/make_export_models.o \
		$(BUILD)/obj/tests/unit/random_tensor.o $(LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

EXPORT_HOSTILE := $(BUILD)/tests/test_export_hostile

$(EXPORT_HOSTILE): $(BUILD)/obj/tests/export/test_export_hostile.o $(LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

check-build: $(EXPORT_FIXTURE) $(EXPORT_HOSTILE)
