# Training (libshiftaccel/src/train): gradient checks of every layer, a tiny
# overfitting run, data sets and architectures, export round trips, and the
# shiftaccel-train / shiftaccel-eval command lines.
UNIT_TESTS += test_train_grad
test_train_grad_SRCS := tests/unit/test_train_grad.c
UNIT_TESTS += test_train_run
test_train_run_SRCS := tests/unit/test_train_run.c
UNIT_TESTS += test_train_data
test_train_data_SRCS := tests/unit/test_train_data.c
CHECK_SCRIPTS += tests/unit/test_train_cli.sh
