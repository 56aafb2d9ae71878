# End-to-end tests of the command-line tools.  make_fixture writes the models
# and images they run on; it is a test-support program, not a test, so it
# gets its own rule and is added to check-build.
CHECK_SCRIPTS += tests/cli/test_run.sh
DEPS_PACKAGES += python3
CLI_FIXTURE := $(BUILD)/tests/make_fixture

$(CLI_FIXTURE): $(BUILD)/obj/tests/cli/make_fixture.o $(LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

check-build: $(CLI_FIXTURE)
