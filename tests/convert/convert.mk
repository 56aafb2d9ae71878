# shiftaccel-convert's tests: models made at test time by PyTorch
# (tests/convert/make_models.py; Debian's python3-torch, a test-time dependency
# only, never the product's), checked against PyTorch's own answers by
# test_convert_import (the library) and test_convert.sh (the tool).
# The Table 3 sweep: torchvision's architectures (make_tv_models.py,
# python3-torchvision) through the tool, and tv_float_logits (the float
# trainer against PyTorch's logits), by test_tv_nets.sh.
CHECK_SCRIPTS += tests/convert/test_convert.sh
DEPS_PACKAGES += python3-torch python3-torchvision
CONVERT_IMPORT_TEST := $(BUILD)/tests/test_convert_import
TV_FLOAT_LOGITS := $(BUILD)/tests/tv_float_logits

$(CONVERT_IMPORT_TEST) $(TV_FLOAT_LOGITS): $(BUILD)/tests/%: $(BUILD)/obj/tests/convert/%.o $(LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

check-build: $(CONVERT_IMPORT_TEST) $(TV_FLOAT_LOGITS)

# Every Table 3 architecture (make test runs it after check): the plain build,
# since the VGGs take minutes each under ASan.
CHECK_SCRIPTS += tests/convert/test_tv_nets.sh
TEST_TIERS += tv-nets-check
.PHONY: tv-nets-check
tv-nets-check: check-build
	@TV_NETS=all SA_BUILD=$(BUILD) tests/run-tier.sh tests/convert/test_tv_nets.sh
