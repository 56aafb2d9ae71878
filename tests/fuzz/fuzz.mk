# libFuzzer target for the .dsm reader (tests/fuzz/fuzz_dsm.c).
#
#   make fuzz [FUZZ_SECONDS=60]   build with clang and fuzz; new inputs go to
#                                 $(BUILD)/fuzz/corpus, seeds come from tests/fuzz/corpus
#   make fuzz-seeds               regenerate the committed seed corpus
#   tests/fuzz/replay.sh          (in `make check`) replay every committed seed
#
# The fuzzer is built straight from the reader's sources with its own flags
# (clang, -fsanitize=fuzzer,address,undefined), independent of SAN and CC.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -std=c11 -g -O1 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_DSM := $(BUILD)/fuzz/fuzz_dsm
FUZZ_DSM_SRCS = tests/fuzz/fuzz_dsm.c $(FORMAT_READ_SRCS) libshiftaccel/src/error.c
FUZZ_SEEDS := $(BUILD)/fuzz/make_seeds

DEPS_PACKAGES += clang libclang-rt-14-dev
CHECK_SCRIPTS += tests/fuzz/replay.sh

FUZZ_DSM_OBJS = $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_DSM_SRCS))

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  FUZZCC  $<"
	@$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_DSM): $(FUZZ_DSM_OBJS)
	@echo "  FUZZLD  $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $^
-include $(shell find $(BUILD)/fuzz/obj -name '*.d' 2>/dev/null)

$(FUZZ_SEEDS): $(BUILD)/obj/tests/fuzz/make_seeds.o $(BUILD)/obj/tests/unit/dsm_fixture.o $(LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

.PHONY: fuzz fuzz-build fuzz-seeds
fuzz-build: $(FUZZ_DSM)

fuzz: $(FUZZ_DSM)
	@mkdir -p $(BUILD)/fuzz/corpus
	$(FUZZ_DSM) -max_total_time=$(FUZZ_SECONDS) -max_len=16384 -print_final_stats=1 \
		$(BUILD)/fuzz/corpus tests/fuzz/corpus

fuzz-seeds: $(FUZZ_SEEDS)
	@mkdir -p tests/fuzz/corpus
	$(FUZZ_SEEDS) tests/fuzz/corpus
