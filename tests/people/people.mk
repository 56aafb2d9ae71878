# Digits as people make them (tests/people/): real MNIST digits drawn on
# white, photographed on grey paper, small and off-centre, transparent, in
# alpha only, as a grey palette, each classified through the library and
# checked against MNIST's label.  people_accuracy is test support (its
# script runs it), so it is built by check-build, not listed as a unit test.
CHECK_SCRIPTS += tests/people/test_people.sh
PEOPLE_ACCURACY := $(BUILD)/tests/people_accuracy

$(PEOPLE_ACCURACY): $(BUILD)/obj/tests/people/people_accuracy.o \
		$(BUILD)/obj/tests/people/people_images.o $(LIB)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

check-build: $(PEOPLE_ACCURACY)
