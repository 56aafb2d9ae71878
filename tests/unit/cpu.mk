# Every op against the exact relation of docs/numerics.md (test_ops), and
# whole models through sessions on the CPU integer and float paths
# (test_session).  exact_ref.c is the tests' own double-precision reference.
UNIT_TESTS += test_ops
test_ops_SRCS := tests/unit/test_ops.c tests/unit/exact_ref.c tests/unit/random_tensor.c
UNIT_TESTS += test_session
test_session_SRCS := tests/unit/test_session.c tests/unit/exact_ref.c
# test_session reads the DRM wrapper's card list, whose header includes libdrm's drm.h.
$(BUILD)/obj/tests/unit/test_session.o: CPPFLAGS += $(shell pkg-config --cflags libdrm 2>/dev/null || echo -I/usr/include/libdrm)
