# shiftaccel-export's tests (tests/export/test_export.sh): models built with
# sa_builder by make_export_models, exported, checked by onnx.checker and a
# numpy evaluation of the graph (check_export.py; Debian's python3-onnx,
# test-time only), and converted back byte for byte; test_export_hostile
# feeds the reader of exports damaged files; import_qdq runs the general
# importer on QDQ pairs.  The three programs are test support, built by
# check-build and run by the script.
CHECK_SCRIPTS += tests/export/test_export.sh
DEPS_PACKAGES += python3-onnx python3-numpy
EXPORT_PROGS := $(addprefix $(BUILD)/tests/,make_export_models test_export_hostile import_qdq)

$(EXPORT_PROGS): $(BUILD)/tests/%: $(BUILD)/obj/tests/export/%.o $(LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIB) $(LDLIBS)
$(BUILD)/tests/make_export_models: $(BUILD)/obj/tests/unit/random_tensor.o

check-build: $(EXPORT_PROGS)
