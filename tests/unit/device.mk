# Choosing a device: device strings, SHIFTACCEL_DEVICE, missing cards named
# (docs/accel.md, "Choosing a card").
UNIT_TESTS += test_device_choice
test_device_choice_SRCS := tests/unit/test_device_choice.c tests/unit/dsm_fixture.c
