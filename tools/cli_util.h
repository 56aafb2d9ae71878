/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the command-line tools: exit codes, one-line error
 * messages, strict number parsing, device names, JSON strings, timing and
 * medians.  Nothing here knows about a particular tool.
 */
#ifndef SA_CLI_UTIL_H
#define SA_CLI_UTIL_H

#include <stdint.h>
#include <stdio.h>

#include "shiftaccel.h"

/* Exit codes every tool uses (documented in each tool's --help). */
#define CLI_EXIT_OK 0
#define CLI_EXIT_USAGE 1    /* bad command line */
#define CLI_EXIT_INPUT 2    /* a model, image or data file is missing, corrupt or unsuitable */
#define CLI_EXIT_DEVICE 3   /* no usable card, or the card failed */
#define CLI_EXIT_INTERNAL 4 /* out of memory or another unexpected failure */

/* Sets the name cli_error() prefixes ("shiftaccel-run"). */
void cli_set_program(const char *name);
const char *cli_program(void);
/* Prints "<program>: <message>\n" to stderr as one line. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The exit code for a library status (CLI_EXIT_INPUT, CLI_EXIT_DEVICE, ...). */
int cli_exit_code(sa_status status);
/*
 * Reports a failed library call as "<what>: <sa_last_error()>" (just the library's
 * message when `what` is NULL) and returns cli_exit_code(status).
 */
int cli_fail(sa_status status, const char *what);

/* --version: prints "<program> MAJOR.MINOR.PATCH" (the library's version) to stdout. */
void cli_print_version(void);
/*
 * The getopt_long() results a tool has no case for: ':' (an option without its
 * argument) and anything else (an unknown option), reported as one error line
 * naming the option.  Returns -1 (a usage error).
 */
int cli_option_error(int c, char *const argv[]);
/* The option getopt_long() just returned has an unusable value: says so, returns -1. */
int cli_bad_value(char *const argv[]);

/*
 * Parses a decimal integer in [min, max]: digits only, no sign, no spaces,
 * no trailing characters.  Returns 0, or -1 with *out unchanged.
 */
int cli_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* Parses a finite decimal or exponent float in [min, max]; 0 or -1. */
int cli_parse_double(const char *s, double min, double max, double *out);
/* Parses "a,b,c" (1 to max numbers in [-1e6, 1e6]) into v; the count, or -1. */
int cli_parse_floats(const char *s, float *v, int max);

/*
 * A --device value (shiftaccel.h, sa_session_create_on: auto, cpu, cpu-float,
 * accel, accel:N, accel:/dev/accel/accelN, accel:DDDD:BB:DD.F): 0 with *out
 * set, or -1 after saying what is wrong with it.
 */
int cli_parse_device(const char *s, const char **out);
/*
 * Without --device, SHIFTACCEL_DEVICE chooses: 0 when it is unset, empty or
 * valid, else -1 after saying what is wrong with it (a usage error, caught
 * before any work).
 */
int cli_check_device_env(void);
/* "auto", "cpu", "accel", "cpu-float" for a sa_device_kind. */
const char *cli_device_name(sa_device_kind device);

/*
 * Writes `s` as a JSON string literal, quotes included: escapes quotes,
 * backslashes and control characters, passes valid UTF-8 through and
 * replaces invalid bytes with U+FFFD, so the output is always valid JSON.
 */
void cli_json_string(FILE *f, const char *s);

/* Milliseconds on CLOCK_MONOTONIC (for latency differences only). */
double cli_now_ms(void);
/* Median of v[0..n) (mean of the two middle values for even n); sorts v. n >= 1. */
double cli_median(double *v, size_t n);

#endif /* SA_CLI_UTIL_H */
