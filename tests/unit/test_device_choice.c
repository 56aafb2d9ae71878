// SPDX-License-Identifier: MIT
/*
 * Choosing a device (shiftaccel.h, sa_session_create_on; docs/accel.md,
 * "Choosing a card") on a machine without a card: every documented form
 * parses to what it names, every other string is SA_ERR_INVALID_ARGUMENT
 * quoting it, SHIFTACCEL_DEVICE fills in when the caller leaves the choice
 * open and never overrides an explicit one, and a named card that is not
 * there is SA_ERR_NO_DEVICE naming it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shiftaccel.h"
#include "../../libshiftaccel/src/device_choice.h"
#include "../check.h"
#include "dsm_fixture.h"

static sa_model *model;

static sa_status parse(const char *s, struct sa_device_choice *c)
{
	return sa_device_parse(s, c);
}

TEST(kinds_parse)
{
	struct sa_device_choice c;

	CHECK_EQ_INT(parse("auto", &c), SA_OK);
	CHECK_EQ_INT(c.kind, SA_DEVICE_AUTO);
	CHECK_EQ_INT(parse("cpu", &c), SA_OK);
	CHECK_EQ_INT(c.kind, SA_DEVICE_CPU);
	CHECK_EQ_INT(parse("cpu-float", &c), SA_OK);
	CHECK_EQ_INT(c.kind, SA_DEVICE_CPU_FLOAT);
	CHECK_EQ_INT(parse("accel", &c), SA_OK);
	CHECK_EQ_INT(c.kind, SA_DEVICE_ACCEL);
	CHECK_EQ_INT(c.by, SA_CARD_FIRST_USABLE);
}

TEST(cards_parse)
{
	struct sa_device_choice c;

	CHECK_EQ_INT(parse("accel:0", &c), SA_OK);
	CHECK_EQ_INT(c.kind, SA_DEVICE_ACCEL);
	CHECK_EQ_INT(c.by, SA_CARD_INDEX);
	CHECK_EQ_INT(c.index, 0);
	CHECK_EQ_INT(parse("accel:255", &c), SA_OK);
	CHECK_EQ_INT(c.index, 255);
	CHECK_EQ_INT(parse("accel:/dev/accel/accel1", &c), SA_OK);
	CHECK_EQ_INT(c.by, SA_CARD_NODE);
	CHECK(strcmp(c.name, "/dev/accel/accel1") == 0);
	CHECK_EQ_INT(parse("accel:0000:01:00.0", &c), SA_OK);
	CHECK_EQ_INT(c.by, SA_CARD_PCI);
	CHECK(strcmp(c.name, "0000:01:00.0") == 0);
	/* Upper case hex and the short form both name the canonical address. */
	CHECK_EQ_INT(parse("accel:0000:0A:1f.7", &c), SA_OK);
	CHECK(strcmp(c.name, "0000:0a:1f.7") == 0);
	CHECK_EQ_INT(parse("accel:00:05.0", &c), SA_OK);
	CHECK(strcmp(c.name, "0000:00:05.0") == 0);
}

/* Each hostile string: SA_ERR_INVALID_ARGUMENT, and the message quotes it and says why. */
TEST(hostile_strings_are_refused_by_name)
{
	static const struct {
		const char *s, *why;
	} cases[] = {
		{"", "unknown device"},
		{"ACCEL", "unknown device"},
		{"Cpu", "unknown device"},
		{"gpu", "unknown device"},
		{"accel0", "unknown device"},
		{" accel", "unknown device"},
		{"accel:", "nothing after \"accel:\""},
		{"accel:-1", "decimal digits only"},
		{"accel:+1", "decimal digits only"},
		{"accel:1 ", "decimal digits only"},
		{"accel:0x1", "decimal digits only"},
		{"accel:256", "out of range (0 to 255)"},
		{"accel:99999999999", "out of range (0 to 255)"},
		{"accel:99999999999999999999999999999", "out of range (0 to 255)"},
		{"accel:0000:zz:00.0", "not a PCI address"},
		{"accel:0000:00:20.0", "not a PCI address"},
		{"accel:0000:00:00.8", "not a PCI address"},
		{"accel:0000:00:00", "not a PCI address"},
		{"accel:0000-00:00.0", "not a PCI address"},
		{"accel::", "not a PCI address"},
	};
	struct sa_device_choice c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char quoted[128];

		snprintf(quoted, sizeof(quoted), "device \"%s\"", cases[i].s);
		CHECK_EQ_INT(parse(cases[i].s, &c), SA_ERR_INVALID_ARGUMENT);
		CHECK_STR_CONTAINS(sa_last_error(), quoted);
		CHECK_STR_CONTAINS(sa_last_error(), cases[i].why);
		CHECK_EQ_INT(sa_device_check(cases[i].s), SA_ERR_INVALID_ARGUMENT);
	}
	CHECK_EQ_INT(sa_device_check("accel:3"), SA_OK);
	CHECK_EQ_INT(sa_device_check(NULL), SA_ERR_INVALID_ARGUMENT);
}

TEST(very_long_strings_are_refused)
{
	char s[4096];

	memset(s, 'a', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	memcpy(s, "accel:/", 7);
	CHECK_EQ_INT(sa_device_check(s), SA_ERR_INVALID_ARGUMENT);
	CHECK_STR_CONTAINS(sa_last_error(), "is 4095 bytes long; a device string has at most 63");
	/* The message quotes only the start. */
	CHECK(strlen(sa_last_error()) < 200);
}

TEST(environment_fills_in_an_open_choice)
{
	struct sa_device_choice c;

	setenv(SA_DEVICE_ENV, "accel:1", 1);
	CHECK_EQ_INT(sa_device_choose(NULL, &c), SA_OK);
	CHECK_EQ_INT(c.by, SA_CARD_INDEX);
	CHECK_EQ_INT(c.index, 1);
	CHECK(strcmp(c.asked, "SHIFTACCEL_DEVICE=accel:1") == 0);
	CHECK_EQ_INT(sa_device_choose("", &c), SA_OK);
	CHECK_EQ_INT(c.index, 1);
	CHECK_EQ_INT(sa_device_choose("auto", &c), SA_OK);
	CHECK_EQ_INT(c.index, 1);
	/* An explicit choice wins. */
	CHECK_EQ_INT(sa_device_choose("cpu", &c), SA_OK);
	CHECK_EQ_INT(c.kind, SA_DEVICE_CPU);
	/* An empty variable is no choice. */
	setenv(SA_DEVICE_ENV, "", 1);
	CHECK_EQ_INT(sa_device_choose(NULL, &c), SA_OK);
	CHECK_EQ_INT(c.kind, SA_DEVICE_AUTO);
	/* A bad value names the variable. */
	setenv(SA_DEVICE_ENV, "accel:x", 1);
	CHECK_EQ_INT(sa_device_choose(NULL, &c), SA_ERR_INVALID_ARGUMENT);
	CHECK_STR_CONTAINS(sa_last_error(),
			   "environment variable SHIFTACCEL_DEVICE: device \"accel:x\"");
	/* ... but does not matter when the caller chose. */
	CHECK_EQ_INT(sa_device_choose("cpu-float", &c), SA_OK);
	unsetenv(SA_DEVICE_ENV);
}

TEST(sessions_honour_the_environment)
{
	sa_session *s = NULL;

	setenv(SA_DEVICE_ENV, "cpu-float", 1);
	CHECK_EQ_INT(sa_session_create_on(model, NULL, &s), SA_OK);
	CHECK_EQ_INT(sa_session_device(s), SA_DEVICE_CPU_FLOAT);
	sa_session_destroy(s);
	/* sa_session_create(SA_DEVICE_AUTO) leaves the choice open too. */
	CHECK_EQ_INT(sa_session_create(model, SA_DEVICE_AUTO, &s), SA_OK);
	CHECK_EQ_INT(sa_session_device(s), SA_DEVICE_CPU_FLOAT);
	sa_session_destroy(s);
	CHECK_EQ_INT(sa_session_create(model, SA_DEVICE_CPU, &s), SA_OK);
	CHECK_EQ_INT(sa_session_device(s), SA_DEVICE_CPU);
	sa_session_destroy(s);
	s = NULL;
	setenv(SA_DEVICE_ENV, "ACCEL", 1);
	CHECK_EQ_INT(sa_session_create_on(model, "auto", &s), SA_ERR_INVALID_ARGUMENT);
	CHECK(s == NULL);
	CHECK_STR_CONTAINS(sa_last_error(), "SHIFTACCEL_DEVICE");
	unsetenv(SA_DEVICE_ENV);
}

/* No card on the build host: a named card is SA_ERR_NO_DEVICE naming it; auto falls back. */
TEST(missing_cards_are_named)
{
	static const char *const named[] = {"accel:5", "accel:/dev/accel/accel5",
					    "accel:0000:05:00.0", "accel"};
	struct sa_card_id id;
	sa_session *s = NULL;

	if (sa_session_create_on(model, "accel", &s) == SA_OK) {
		fprintf(stderr, "  a card is usable here: skipping the no-card checks\n");
		sa_session_destroy(s);
		return;
	}
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		CHECK_EQ_INT(sa_session_create_on(model, named[i], &s), SA_ERR_NO_DEVICE);
		CHECK(s == NULL);
		CHECK_STR_CONTAINS(sa_last_error(), named[i]);
		CHECK_STR_CONTAINS(sa_last_error(), "ShiftAccel card");
	}
	setenv(SA_DEVICE_ENV, "accel:2", 1);
	CHECK_EQ_INT(sa_session_create_on(model, NULL, &s), SA_ERR_NO_DEVICE);
	CHECK_STR_CONTAINS(sa_last_error(), "SHIFTACCEL_DEVICE=accel:2: no card accel:2");
	unsetenv(SA_DEVICE_ENV);
	CHECK_EQ_INT(sa_session_create_on(model, "auto", &s), SA_OK);
	CHECK_EQ_INT(sa_session_device(s), SA_DEVICE_CPU);
	CHECK_STR_CONTAINS(sa_session_fallback_reason(s), "ShiftAccel card");
	CHECK_EQ_INT(sa_session_card(s, &id), SA_ERR_INVALID_ARGUMENT);
	sa_session_destroy(s);
}

int main(int argc, char **argv)
{
	struct fx_model fx;
	void *data = NULL;
	size_t size = 0;

	CHECK_MAIN_BEGIN(argc, argv);
	unsetenv(SA_DEVICE_ENV);
	fx_model_init(&fx);
	if (fx_build(&fx, &data, &size) || fx_open(data, size, &model) != SA_OK) {
		printf("cannot build the test model\n0 passed, 1 failed\n");
		return 1;
	}
	RUN(kinds_parse);
	RUN(cards_parse);
	RUN(hostile_strings_are_refused_by_name);
	RUN(very_long_strings_are_refused);
	RUN(environment_fills_in_an_open_choice);
	RUN(sessions_honour_the_environment);
	RUN(missing_cards_are_named);
	sa_model_close(model);
	free(data);
	CHECK_MAIN_END();
}
