# shiftaccel-convert's tests: models made at test time by PyTorch
# (tests/convert/make_models.py; Debian's python3-torch, a test-time dependency
# only, never the product's), checked against PyTorch's own answers by
# test_convert_import (the library) and test_convert.sh (the tool).
CHECK_SCRIPTS += tests/convert/test_convert.sh
DEPS_PACKAGES += python3-torch
CONVERT_IMPORT_TEST := $(BUILD)/tests/test_convert_import

$(CONVERT_IMPORT_TEST): $(BUILD)/obj/tests/convert/test_convert_import.o $(LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

check-build: $(CONVERT_IMPORT_TEST)
