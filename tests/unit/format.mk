# Tests of the .dsm format, the op checks and the weight packing.
UNIT_TESTS += test_dsm
test_dsm_SRCS := tests/unit/test_dsm.c tests/unit/dsm_fixture.c
UNIT_TESTS += test_dsm_invalid
test_dsm_invalid_SRCS := tests/unit/test_dsm_invalid.c tests/unit/dsm_fixture.c
UNIT_TESTS += test_sa_check
test_sa_check_SRCS := tests/unit/test_sa_check.c
UNIT_TESTS += test_builder
test_builder_SRCS := tests/unit/test_builder.c tests/unit/dsm_fixture.c
