// SPDX-License-Identifier: MIT
/* The command-line helpers every tool relies on for strict argument parsing and JSON output. */
#include <stdlib.h>

#include "../../tools/cli_text.h"
#include "../../tools/cli_util.h"
#include "../check.h"

TEST(parse_uint_accepts_only_plain_decimals_in_range)
{
	uint64_t v = 77;

	CHECK_EQ_INT(cli_parse_uint("5", 1, 10, &v), 0);
	CHECK_EQ_INT(v, 5);
	CHECK_EQ_INT(cli_parse_uint("18446744073709551615", 0, UINT64_MAX, &v), 0);
	CHECK(v == UINT64_MAX);
	v = 77;
	CHECK_EQ_INT(cli_parse_uint("0", 1, 10, &v), -1);
	CHECK_EQ_INT(cli_parse_uint("11", 1, 10, &v), -1);
	CHECK_EQ_INT(cli_parse_uint("", 1, 10, &v), -1);
	CHECK_EQ_INT(cli_parse_uint("abc", 1, 10, &v), -1);
	CHECK_EQ_INT(cli_parse_uint("3x", 1, 10, &v), -1);
	CHECK_EQ_INT(cli_parse_uint("-3", 0, 10, &v), -1);
	CHECK_EQ_INT(cli_parse_uint("+3", 0, 10, &v), -1);
	CHECK_EQ_INT(cli_parse_uint(" 3", 0, 10, &v), -1);
	CHECK_EQ_INT(cli_parse_uint("18446744073709551616", 0, UINT64_MAX, &v), -1);
	CHECK_EQ_INT(cli_parse_uint(NULL, 0, 10, &v), -1);
	CHECK_EQ_INT(v, 77); /* untouched on failure */
}

TEST(parse_double)
{
	double d = 0;

	CHECK_EQ_INT(cli_parse_double("0.125", 0, 1, &d), 0);
	CHECK(d == 0.125);
	CHECK_EQ_INT(cli_parse_double("1e-3", 0, 1, &d), 0);
	CHECK(d == 1e-3);
	CHECK_EQ_INT(cli_parse_double("-2.5", -3, 0, &d), 0);
	CHECK(d == -2.5);
	CHECK_EQ_INT(cli_parse_double("2", 0, 1, &d), -1);
	CHECK_EQ_INT(cli_parse_double("nan", 0, 1, &d), -1);
	CHECK_EQ_INT(cli_parse_double("inf", 0, 1e308, &d), -1);
	CHECK_EQ_INT(cli_parse_double("0x1p-2", 0, 1, &d), -1);
	CHECK_EQ_INT(cli_parse_double("0.5abc", 0, 1, &d), -1);
	CHECK_EQ_INT(cli_parse_double(" 0.5", 0, 1, &d), -1);
	CHECK_EQ_INT(cli_parse_double("", 0, 1, &d), -1);
	CHECK(d == -2.5);
}

TEST(device_names_round_trip)
{
	static const char *names[] = {"auto", "cpu", "accel", "cpu-float"};
	static const sa_device_kind kinds[] = {SA_DEVICE_AUTO, SA_DEVICE_CPU, SA_DEVICE_ACCEL,
					       SA_DEVICE_CPU_FLOAT};
	const char *d = NULL;
	size_t i;

	for (i = 0; i < 4; i++) {
		CHECK_EQ_INT(cli_parse_device(names[i], &d), 0);
		CHECK(d == names[i]);
		CHECK(strcmp(cli_device_name(kinds[i]), names[i]) == 0);
	}
	CHECK_EQ_INT(cli_parse_device("accel:1", &d), 0);
	CHECK_EQ_INT(cli_parse_device("gpu", &d), -1);
	CHECK_EQ_INT(cli_parse_device("CPU", &d), -1);
	CHECK(strcmp(d, "accel:1") == 0);
}

TEST(exit_codes)
{
	CHECK_EQ_INT(cli_exit_code(SA_OK), CLI_EXIT_OK);
	CHECK_EQ_INT(cli_exit_code(SA_ERR_IO), CLI_EXIT_INPUT);
	CHECK_EQ_INT(cli_exit_code(SA_ERR_CHECKSUM), CLI_EXIT_INPUT);
	CHECK_EQ_INT(cli_exit_code(SA_ERR_BAD_IMAGE), CLI_EXIT_INPUT);
	CHECK_EQ_INT(cli_exit_code(SA_ERR_SHAPE), CLI_EXIT_INPUT);
	CHECK_EQ_INT(cli_exit_code(SA_ERR_NO_DEVICE), CLI_EXIT_DEVICE);
	CHECK_EQ_INT(cli_exit_code(SA_ERR_DEVICE), CLI_EXIT_DEVICE);
	CHECK_EQ_INT(cli_exit_code(SA_ERR_NO_MEMORY), CLI_EXIT_INTERNAL);
}

static char *json_of(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cli_json_string(f, s);
	fclose(f);
	return buf;
}

#define CHECK_JSON(in, want)                                                                       \
	do {                                                                                       \
		char *got_ = json_of(in);                                                          \
		int same_ = strcmp(got_, (want)) == 0;                                             \
		if (!same_)                                                                        \
			fprintf(stderr, "  json of %s: %s, want %s\n", #in, got_, want);           \
		free(got_);                                                                        \
		CHECK(same_);                                                                      \
	} while (0)

TEST(json_string_escaping)
{
	CHECK_JSON("cat", "\"cat\"");
	CHECK_JSON("", "\"\"");
	CHECK_JSON(NULL, "\"\"");
	CHECK_JSON("a\"b\\c", "\"a\\\"b\\\\c\"");
	CHECK_JSON("line\nnext\ttab\r", "\"line\\nnext\\ttab\\r\"");
	CHECK_JSON("\x01\x1f", "\"\\u0001\\u001f\"");
	/* Valid UTF-8 passes through: e-acute, euro sign, an emoji. */
	CHECK_JSON("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x88",
		   "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x88\"");
	/* Invalid UTF-8: lone continuation, overlong, surrogate, cut sequence at the end. */
	CHECK_JSON("a\x80z", "\"a\\ufffdz\"");
	CHECK_JSON("\xc0\xaf", "\"\\ufffd\\ufffd\"");
	CHECK_JSON("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	CHECK_JSON("x\xe2\x82", "\"x\\ufffd\\ufffd\"");
}

/* Every byte a terminal acts on comes out as \xNN; printable UTF-8 stays. */
TEST(text_escaping)
{
	char buf[128];

	CHECK(strcmp(cli_escape_text("cat", buf, sizeof(buf)), "cat") == 0);
	CHECK(strcmp(cli_escape_text("\033[31mred", buf, sizeof(buf)), "\\x1b[31mred") == 0);
	CHECK(strcmp(cli_escape_text("a\rb\nc\td\x7f", buf, sizeof(buf)),
		     "a\\x0db\\x0ac\\x09d\\x7f") == 0);
	CHECK(strcmp(cli_escape_text("caf\xc3\xa9", buf, sizeof(buf)), "caf\xc3\xa9") == 0);
	/* U+009B (CSI) is valid UTF-8 but a control: escaped byte by byte. */
	CHECK(strcmp(cli_escape_text("x\xc2\x9b"
				     "2J",
				     buf, sizeof(buf)),
		     "x\\xc2\\x9b2J") == 0);
	CHECK(strcmp(cli_escape_text("bad\xff\xc3", buf, sizeof(buf)), "bad\\xff\\xc3") == 0);
	CHECK(strcmp(cli_escape_text("back\\slash", buf, sizeof(buf)), "back\\\\slash") == 0);
	CHECK(strcmp(cli_escape_text(NULL, buf, sizeof(buf)), "") == 0);
	/* Truncation never splits an escape or a character. */
	CHECK(strcmp(cli_escape_text("ab\033", buf, 5), "ab") == 0);
	CHECK(strcmp(cli_escape_text("\xc3\xa9\xc3\xa9", buf, 4), "\xc3\xa9") == 0);
}

TEST(median)
{
	double odd[] = {5, 1, 3}, even[] = {4, 1, 3, 2}, one[] = {7.5};

	CHECK(cli_median(odd, 3) == 3);
	CHECK(cli_median(even, 4) == 2.5);
	CHECK(cli_median(one, 1) == 7.5);
}

TEST(monotonic_clock_advances)
{
	double a = cli_now_ms(), b = cli_now_ms();

	CHECK(a > 0 && b >= a);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(parse_uint_accepts_only_plain_decimals_in_range);
	RUN(parse_double);
	RUN(device_names_round_trip);
	RUN(exit_codes);
	RUN(json_string_escaping);
	RUN(text_escaping);
	RUN(median);
	RUN(monotonic_clock_advances);
	CHECK_MAIN_END();
}
