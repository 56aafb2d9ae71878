# PNG decoding of every colour type and bit depth, corrupt files, preprocessing.
UNIT_TESTS += test_image
test_image_SRCS := tests/unit/test_image.c
