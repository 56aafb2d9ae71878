# libFuzzer targets for every parser of files users hand the tools:
#   fuzz_dsm      the .dsm reader (tests/fuzz/corpus/)
#   fuzz_png      the PNG reader (tests/fuzz/corpus-png/)
#   fuzz_dataset  the idx and PNG-folder data-set readers (tests/fuzz/corpus-dataset/)
#
#   make fuzz [FUZZ_SECONDS=60]   build with clang and fuzz each target for
#                                 FUZZ_SECONDS; new inputs go to $(BUILD)/fuzz/<target>/
#   make fuzz-seeds               regenerate the committed seed corpora
#   tests/fuzz/replay.sh          (in `make check`) replay every committed seed
#
# Every run has a memory limit (FUZZ_RSS_MB): an allocation a small input
# cannot justify is a failure, not just slowness.  The fuzzers are built
# straight from the readers' sources with their own flags (clang,
# -fsanitize=fuzzer,address,undefined), independent of SAN and CC.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_RSS_MB ?= 512
FUZZ_CFLAGS := -std=c11 -g -O1 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_LIMITS = -rss_limit_mb=$(FUZZ_RSS_MB) -malloc_limit_mb=$(FUZZ_RSS_MB)
FUZZ_TARGETS := fuzz_dsm fuzz_png fuzz_dataset
FUZZ_COMMON_SRCS = libshiftaccel/src/error.c libshiftaccel/src/file_in.c \
	libshiftaccel/src/file_out.c
fuzz_dsm_SRCS = tests/fuzz/fuzz_dsm.c $(FORMAT_READ_SRCS) $(FUZZ_COMMON_SRCS)
fuzz_dsm_CORPUS := tests/fuzz/corpus
fuzz_dsm_LIBS :=
fuzz_png_SRCS = tests/fuzz/fuzz_png.c $(IMAGE_READ_SRCS) $(FUZZ_COMMON_SRCS)
fuzz_png_CORPUS := tests/fuzz/corpus-png
fuzz_png_LIBS := -lpng -lz -lm
fuzz_dataset_SRCS = tests/fuzz/fuzz_dataset.c $(IMAGE_READ_SRCS) $(FUZZ_COMMON_SRCS) \
	$(addprefix libshiftaccel/src/train/,dataset.c dataset_idx.c dataset_png.c)
fuzz_dataset_CORPUS := tests/fuzz/corpus-dataset
fuzz_dataset_LIBS := -lpng -lz -lm
FUZZ_BINS := $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))
FUZZ_SEEDS := $(BUILD)/fuzz/make_seeds
FUZZ_INPUT_SEEDS := $(BUILD)/fuzz/make_input_seeds

DEPS_PACKAGES += clang libclang-rt-14-dev zlib1g-dev
CHECK_SCRIPTS += tests/fuzz/replay.sh

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  FUZZCC  $<"
	@$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

define fuzz_target
$(BUILD)/fuzz/$(1): $$(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$$($(1)_SRCS))
	@echo "  FUZZLD  $$@"
	@$$(FUZZ_CC) $$(FUZZ_CFLAGS) -o $$@ $$^ $$($(1)_LIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_target,$(t))))
-include $(shell find $(BUILD)/fuzz/obj -name '*.d' 2>/dev/null)

$(FUZZ_SEEDS): $(BUILD)/obj/tests/fuzz/make_seeds.o $(BUILD)/obj/tests/unit/dsm_fixture.o $(LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(FUZZ_INPUT_SEEDS): $(BUILD)/obj/tests/fuzz/make_input_seeds.o $(LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lz

.PHONY: fuzz fuzz-build fuzz-seeds
fuzz-build: $(FUZZ_BINS)

# One run per target, each on its committed seeds plus what it found before.
define fuzz_run
.PHONY: fuzz-run-$(1)
fuzz-run-$(1): $(BUILD)/fuzz/$(1)
	@mkdir -p $(BUILD)/fuzz/$(1).corpus
	$(BUILD)/fuzz/$(1) -max_total_time=$(FUZZ_SECONDS) -max_len=16384 $(FUZZ_LIMITS) \
		-print_final_stats=1 $(BUILD)/fuzz/$(1).corpus $($(1)_CORPUS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_run,$(t))))

fuzz: $(addprefix fuzz-run-,$(FUZZ_TARGETS))

fuzz-seeds: $(FUZZ_SEEDS) $(FUZZ_INPUT_SEEDS)
	@mkdir -p tests/fuzz/corpus
	$(FUZZ_SEEDS) tests/fuzz/corpus
	$(FUZZ_INPUT_SEEDS) tests/fuzz
