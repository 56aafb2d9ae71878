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

# libFuzzer target for the ONNX reader (tests/fuzz/fuzz_onnx.c), built like the
# others (tests/fuzz/fuzz.mk: clang, ASan/UBSan); its seeds are the fixture
# models and exports (shiftaccel-export) of the valid .dsm seeds of
# tests/fuzz/corpus, made at run time rather than committed.  `make fuzz-onnx
# [FUZZ_SECONDS=60]` fuzzes, and `make fuzz` runs it with the other targets;
# test_onnx_read.sh replays the fixtures through it in `make check`.  Its
# memory limit is higher than FUZZ_RSS_MB: protobuf-c alone takes about
# 400 MB on the largest inputs libFuzzer builds.
FUZZ_ONNX := $(BUILD)/fuzz/fuzz_onnx
# The reader of exports (in ONNX_SRCS) rebuilds models with the builder.
FUZZ_ONNX_SRCS = tests/fuzz/fuzz_onnx.c $(ONNX_SRCS) $(ONNX_PB_C) $(FUZZ_COMMON_SRCS) \
	$(FORMAT_READ_SRCS) $(FORMAT_WRITE_SRCS)
FUZZ_ONNX_OBJS = $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_ONNX_SRCS))

$(FUZZ_ONNX_OBJS): CPPFLAGS += -I$(ONNX_GEN)
$(FUZZ_ONNX_OBJS): | $(ONNX_PB_H)
$(FUZZ_ONNX): $(FUZZ_ONNX_OBJS)
	@echo "  FUZZLD  $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^ -lprotobuf-c

.PHONY: fuzz-onnx fuzz-onnx-build
fuzz-onnx-build: $(FUZZ_ONNX)
fuzz: fuzz-onnx
fuzz-onnx: $(FUZZ_ONNX) $(BUILD)/bin/shiftaccel-export
	@mkdir -p $(BUILD)/fuzz/onnx-corpus $(BUILD)/fuzz/onnx-seeds
	@/usr/bin/python3 tests/onnx/make_models.py $(BUILD)/fuzz/onnx-seeds
	@for d in tests/fuzz/corpus/valid-*.dsm; do \
		$(BUILD)/bin/shiftaccel-export $$d -q \
			-o $(BUILD)/fuzz/onnx-seeds/export-$$(basename $$d .dsm).onnx || exit 1; done
	$(FUZZ_ONNX) -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
		-print_final_stats=1 $(BUILD)/fuzz/onnx-corpus $(BUILD)/fuzz/onnx-seeds
