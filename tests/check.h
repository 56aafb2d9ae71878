/* SPDX-License-Identifier: MIT */
/*
 * A minimal test harness for the fast tier.  Each test binary defines
 * test functions with TEST(name) and lists them in main() with RUN(name);
 * CHECK* failures are reported with file:line and fail that test only.
 * The binary ends with the line "N passed, N failed" and exits non-zero on
 * any failure.  Pass a test name as argv[1] to run just that test.
 */
#ifndef SA_CHECK_H
#define SA_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_failed_in_test;
static int check_passed, check_failed;

#define TEST(name) static void test_##name(void)

#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, \
				#cond);                                              \
			check_failed_in_test = 1;                                    \
			return;                                                      \
		}                                                                    \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                           \
	do {                                                                         \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);      \
		if (check_a_ != check_b_) {                                          \
			fprintf(stderr, "  %s:%d: %s == %lld, expected %s == %lld\n",  \
				__FILE__, __LINE__, #a, check_a_, #b, check_b_);      \
			check_failed_in_test = 1;                                    \
			return;                                                      \
		}                                                                    \
	} while (0)

#define CHECK_STR_CONTAINS(haystack, needle)                                         \
	do {                                                                         \
		const char *check_h_ = (haystack);                                   \
		if (!check_h_ || !strstr(check_h_, (needle))) {                      \
			fprintf(stderr, "  %s:%d: \"%s\" does not contain \"%s\"\n",   \
				__FILE__, __LINE__, check_h_ ? check_h_ : "(null)",   \
				(needle));                                           \
			check_failed_in_test = 1;                                    \
			return;                                                      \
		}                                                                    \
	} while (0)

#define RUN(name)                                                                    \
	do {                                                                         \
		if (check_only && strcmp(check_only, #name) != 0)                    \
			break;                                                       \
		check_failed_in_test = 0;                                            \
		test_##name();                                                       \
		if (check_failed_in_test) {                                          \
			check_failed++;                                              \
			printf("not ok - %s\n", #name);                              \
		} else {                                                             \
			check_passed++;                                              \
			printf("ok - %s\n", #name);                                  \
		}                                                                    \
		fflush(stdout);                                                      \
	} while (0)

#define CHECK_MAIN_BEGIN(argc, argv) const char *check_only = (argc) > 1 ? (argv)[1] : NULL

#define CHECK_MAIN_END()                                                             \
	do {                                                                         \
		if (check_passed + check_failed == 0) {                              \
			printf("no test named %s\n", check_only ? check_only : "");  \
			return 1;                                                    \
		}                                                                    \
		printf("%d passed, %d failed\n", check_passed, check_failed);        \
		return check_failed ? 1 : 0;                                         \
	} while (0)

#endif /* SA_CHECK_H */
