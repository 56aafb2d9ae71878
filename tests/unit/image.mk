# PNG decoding of every colour type and bit depth, corrupt files, preprocessing.
UNIT_TESTS += test_image
test_image_SRCS := tests/unit/test_image.c
# sa_preprocess_image's rules, the data-set style the trainer stores, sa_output.
UNIT_TESTS += test_prep
test_prep_SRCS := tests/unit/test_prep.c
