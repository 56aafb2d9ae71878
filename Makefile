# ShiftAccel top-level build.
#
#   make            library and tools into build/
#   make check      fast tier: unit tests, emulator tests, fuzz corpus replay,
#                   built with ASan/UBSan into build/san/
#   make test       every tier (the README's test command)
#   make deps       install the Debian packages the build and tests need
#
# Each part of the tree adds to the lists below from its own *.mk fragment:
#   LIB_SRCS        C files of libshiftaccel.a
#   TOOLS           programs in $(BUILD)/bin; <tool>_SRCS lists their C files
#   UNIT_TESTS      test programs in $(BUILD)/tests, linked with the library;
#                   <test>_SRCS lists their C files; each prints "N passed, N failed"
#   CHECK_SCRIPTS   shell scripts run by `make check` (they print the same line);
#                   they find the binaries through $SA_BUILD
#   BENCH_SCRIPTS   scripts run by `make bench` (figures, never pass/fail)
#   TEST_TIERS      make targets `make test` runs after `check` (e.g. vmcheck)
#   DEPS_PACKAGES   Debian packages for `make deps`

BUILD ?= build
CC ?= cc
SAN ?= 0

CPPFLAGS += -Ilibshiftaccel/include -D_GNU_SOURCE
CFLAGS += -std=c11 -g -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -MMD -MP
LDLIBS += -lpng -lm -lpthread
ifeq ($(SAN),1)
CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif

LIB := $(BUILD)/lib/libshiftaccel.a
LIB_SRCS :=
TOOLS :=
UNIT_TESTS :=
CHECK_SCRIPTS :=
BENCH_SCRIPTS :=
TEST_TIERS :=
DEPS_PACKAGES := build-essential clang libclang-rt-14-dev pkg-config libpng-dev

.PHONY: all check test bench deps ensure-deps clean
all:

include $(sort $(wildcard libshiftaccel/*.mk tools/*.mk tests/*.mk tests/*/*.mk \
	emulator/*.mk firmware/*.mk driver/*.mk))

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB): $(call obj,$(LIB_SRCS))
	@mkdir -p $(@D)
	@echo "  AR      $@"
	@rm -f $@ && $(AR) rcs $@ $^

define program
$(2)/$(1): $$(call obj,$$($(1)_SRCS)) $$(LIB)
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	@$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call program,$(t),$(BUILD)/bin)))
$(foreach t,$(UNIT_TESTS),$(eval $(call program,$(t),$(BUILD)/tests)))

all: $(LIB) $(addprefix $(BUILD)/bin/,$(TOOLS))

# The fast tier always runs sanitized, in its own build directory.
check: ensure-deps
	@$(MAKE) --no-print-directory BUILD=build/san SAN=1 check-run

.PHONY: check-run check-build
check-build: $(LIB) $(addprefix $(BUILD)/bin/,$(TOOLS)) $(addprefix $(BUILD)/tests/,$(UNIT_TESTS))
check-run: check-build
	@SA_BUILD=$(BUILD) tests/run-tier.sh $(addprefix $(BUILD)/tests/,$(UNIT_TESTS)) $(CHECK_SCRIPTS)

test: check
	@for t in $(TEST_TIERS); do $(MAKE) --no-print-directory $$t || exit 1; done

bench: all
	@for b in $(BENCH_SCRIPTS); do SA_BUILD=$(BUILD) bash $$b || exit 1; done

deps:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(sort $(DEPS_PACKAGES))

# Installs only what is missing; the README's commands depend on it.
ensure-deps:
	@tools/ensure-deps.sh $(sort $(DEPS_PACKAGES))

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
