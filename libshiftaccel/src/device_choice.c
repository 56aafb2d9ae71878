// SPDX-License-Identifier: MIT
/*
 * Device strings (device_choice.h).  Strict: a string that is not exactly
 * one of the documented forms is refused, never guessed at, so a typo in
 * --device or SHIFTACCEL_DEVICE cannot silently run somewhere else.
 */
#include "device_choice.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

#define ACCEL_PREFIX "accel:"
/* Longer strings are refused before any parsing. */
#define DEVICE_STRING_MAX 63

static const struct {
	const char *name;
	sa_device_kind kind;
} kinds[] = {
	{"auto", SA_DEVICE_AUTO},
	{"cpu", SA_DEVICE_CPU},
	{"cpu-float", SA_DEVICE_CPU_FLOAT},
	{"accel", SA_DEVICE_ACCEL},
};

const char *sa_device_kind_name(sa_device_kind kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].kind == kind)
			return kinds[i].name;
	return NULL;
}

static sa_status bad(const struct sa_device_choice *c, const char *why)
{
	return sa_fail(SA_ERR_INVALID_ARGUMENT,
		       "device \"%s\": %s (use auto, cpu, cpu-float, accel, accel:N, "
		       "accel:/dev/accel/accelN or accel:DDDD:BB:DD.F)",
		       c->asked, why);
}

/* "N": decimal digits only, 0..SA_MAX_CARD_INDEX. */
static sa_status parse_index(const char *s, struct sa_device_choice *c)
{
	unsigned long v = 0;

	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return bad(c, "a card index is decimal digits only");
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > SA_MAX_CARD_INDEX)
			return sa_fail(SA_ERR_INVALID_ARGUMENT,
				       "device \"%s\": card index out of range (0 to %d)", c->asked,
				       SA_MAX_CARD_INDEX);
	}
	c->by = SA_CARD_INDEX;
	c->index = (uint32_t)v;
	return SA_OK;
}

static int hex_run(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* "DDDD:BB:DD.F" or "BB:DD.F" (domain 0000), hex, device <= 1f, function <= 7. */
static sa_status parse_pci(const char *s, struct sa_device_choice *c)
{
	char addr[16];
	size_t len = strlen(s);

	if (len == 7)
		snprintf(addr, sizeof(addr), "0000:%s", s);
	else if (len == 12)
		snprintf(addr, sizeof(addr), "%s", s);
	else
		return bad(c, "not a PCI address (DDDD:BB:DD.F)");
	if (!hex_run(addr, 4) || addr[4] != ':' || !hex_run(addr + 5, 2) || addr[7] != ':' ||
	    !hex_run(addr + 8, 2) || addr[10] != '.' || addr[11] < '0' || addr[11] > '7' ||
	    strtoul(addr + 8, NULL, 16) > 0x1f)
		return bad(c, "not a PCI address (DDDD:BB:DD.F)");
	for (char *p = addr; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	c->by = SA_CARD_PCI;
	snprintf(c->name, sizeof(c->name), "%s", addr);
	return SA_OK;
}

/* What follows "accel:". */
static sa_status parse_card(const char *s, struct sa_device_choice *c)
{
	if (!*s)
		return bad(c, "nothing after \"accel:\"");
	if (s[0] == '/') {
		c->by = SA_CARD_NODE;
		snprintf(c->name, sizeof(c->name), "%s", s);
		return SA_OK;
	}
	if (strchr(s, ':'))
		return parse_pci(s, c);
	return parse_index(s, c);
}

sa_status sa_device_parse(const char *device, struct sa_device_choice *c)
{
	size_t len = device ? strlen(device) : 0;

	memset(c, 0, sizeof(*c));
	if (!device)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "device string is NULL");
	if (len > DEVICE_STRING_MAX)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "device \"%.32s...\" is %zu bytes long; a device string has at most "
			       "%d",
			       device, len, DEVICE_STRING_MAX);
	snprintf(c->asked, sizeof(c->asked), "%s", device);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(device, kinds[i].name) == 0) {
			c->kind = kinds[i].kind;
			return SA_OK;
		}
	}
	if (strncmp(device, ACCEL_PREFIX, strlen(ACCEL_PREFIX)) != 0)
		return bad(c, "unknown device");
	c->kind = SA_DEVICE_ACCEL;
	return parse_card(device + strlen(ACCEL_PREFIX), c);
}

sa_status sa_device_choose(const char *device, struct sa_device_choice *c)
{
	const char *env;
	sa_status st;

	if (device && *device && strcmp(device, "auto") != 0)
		return sa_device_parse(device, c);
	env = getenv(SA_DEVICE_ENV);
	if (!env || !*env)
		return sa_device_parse("auto", c);
	st = sa_device_parse(env, c);
	if (st != SA_OK) {
		char why[512];

		snprintf(why, sizeof(why), "%s", sa_last_error());
		return sa_fail(st, "environment variable " SA_DEVICE_ENV ": %s", why);
	}
	/* Messages about the card then say where the choice came from. */
	snprintf(c->asked, sizeof(c->asked), SA_DEVICE_ENV "=%s", env);
	return SA_OK;
}

sa_status sa_device_check(const char *device)
{
	struct sa_device_choice c;
	sa_status st = sa_device_parse(device, &c);

	if (st == SA_OK)
		sa_clear_error();
	return st;
}
