# The command-line helpers shared by the tools (tools/cli_util.c tools/cli_text.c).
UNIT_TESTS += test_cli_util
test_cli_util_SRCS := tests/unit/test_cli_util.c tools/cli_util.c tools/cli_text.c
