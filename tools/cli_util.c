// SPDX-License-Identifier: MIT
#include "cli_util.h"

#include "cli_text.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *program_name = "shiftaccel";

void cli_set_program(const char *name)
{
	program_name = name;
}

const char *cli_program(void)
{
	return program_name;
}

void cli_error(const char *fmt, ...)
{
	char msg[1024], safe[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Names from files and argv must not reach the terminal as control characters. */
	cli_escape_text(msg, safe, sizeof(safe));
	/* One write, so messages from parallel runs do not interleave mid-line. */
	fprintf(stderr, "%s: %s\n", program_name, safe);
}

int cli_exit_code(sa_status status)
{
	switch (status) {
	case SA_OK: return CLI_EXIT_OK;
	case SA_ERR_IO:
	case SA_ERR_BAD_MODEL:
	case SA_ERR_VERSION:
	case SA_ERR_CHECKSUM:
	case SA_ERR_BAD_IMAGE:
	case SA_ERR_SHAPE:
	case SA_ERR_BAD_DATA: return CLI_EXIT_INPUT;
	case SA_ERR_NO_DEVICE:
	case SA_ERR_DEVICE:
	case SA_ERR_UNSUPPORTED: return CLI_EXIT_DEVICE;
	case SA_ERR_INVALID_ARGUMENT:
	case SA_ERR_NO_MEMORY: return CLI_EXIT_INTERNAL;
	}
	return CLI_EXIT_INTERNAL;
}

int cli_fail(sa_status status, const char *what)
{
	if (what)
		cli_error("%s: %s", what, sa_last_error());
	else
		cli_error("%s", sa_last_error());
	return cli_exit_code(status);
}

void cli_print_version(void)
{
	printf("%s %d.%d.%d\n", program_name, SA_LIB_VERSION_MAJOR, SA_LIB_VERSION_MINOR,
	       SA_LIB_VERSION_PATCH);
}

int cli_option_error(int c, char *const argv[])
{
	const char *word = argv[optind - 1];
	const char *eq = strchr(word, '=');

	if (c == ':')
		cli_error("%s needs an argument (see --help)", word);
	else if (optopt > 0 && optopt < 128 && word[0] == '-' && word[1] != '-')
		cli_error("unknown option '-%c' (see --help)", optopt);
	else if (optopt != 0 && eq) /* a known long option given "=VALUE" it does not take */
		cli_error("option '%.*s' takes no value (see --help)", (int)(eq - word), word);
	else
		cli_error("unknown option '%s' (see --help)", word);
	return -1;
}

int cli_bad_value(char *const argv[])
{
	/* "--opt VALUE" leaves optarg as its own argument; "--opt=VALUE" points inside one. */
	const char *opt =
		argv[optind - 1] == optarg && optind >= 2 ? argv[optind - 2] : argv[optind - 1];

	cli_error("%s: bad value '%s' (see --help)", opt, optarg);
	return -1;
}

int cli_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (!s || !*s)
		return -1;
	for (p = s; *p; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (*p < '0' || *p > '9')
			return -1;
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int cli_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	/* strtod also takes hex, "inf", "nan" and leading spaces; a CLI number should not. */
	if (!s || !*s || strpbrk(s, "xXnN \t\n") || strchr("+-.0123456789", *s) == NULL)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int cli_parse_floats(const char *s, float *v, int max)
{
	char buf[256], *tok, *save = NULL;
	int n = 0;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		double d;

		if (n == max || cli_parse_double(tok, -1e6, 1e6, &d))
			return -1;
		v[n++] = (float)d;
	}
	return n > 0 ? n : -1;
}

int cli_parse_device(const char *s, const char **out)
{
	if (sa_device_check(s) != SA_OK) {
		cli_error("--device: %s", sa_last_error());
		return -1;
	}
	*out = s;
	return 0;
}

int cli_check_device_env(void)
{
	const char *env = getenv(SA_DEVICE_ENV);

	if (env && *env && sa_device_check(env) != SA_OK) {
		cli_error("environment variable " SA_DEVICE_ENV ": %s", sa_last_error());
		return -1;
	}
	return 0;
}

const char *cli_device_name(sa_device_kind device)
{
	const char *name = sa_device_kind_name(device);

	return name ? name : "unknown";
}

void cli_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', f);
	while (*p) {
		size_t n;

		if (*p == '"' || *p == '\\') {
			fputc('\\', f);
			fputc(*p++, f);
		} else if (*p == '\n') {
			fputs("\\n", f);
			p++;
		} else if (*p == '\t') {
			fputs("\\t", f);
			p++;
		} else if (*p == '\r') {
			fputs("\\r", f);
			p++;
		} else if (*p < 0x20) {
			fprintf(f, "\\u%04x", *p++);
		} else if (*p < 0x80) {
			fputc(*p++, f);
		} else if ((n = cli_utf8_sequence_length(p)) != 0) {
			fwrite(p, 1, n, f);
			p += n;
		} else {
			fputs("\\ufffd", f);
			p++;
		}
	}
	fputc('"', f);
}

double cli_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double cli_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), compare_doubles);
	if (n % 2)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}
