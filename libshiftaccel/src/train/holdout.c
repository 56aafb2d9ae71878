// SPDX-License-Identifier: MIT
/*
 * The held-out test set of a data set without a test part.  One definition,
 * used by the trainer to split and by shiftaccel-eval to rebuild the same
 * test set from the fraction and seed the model records.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../include/shiftaccel_train.h"
#include "../error.h"

sa_status sa_dataset_holdout(const sa_dataset *all, double fraction, uint64_t seed,
			     sa_dataset **train, sa_dataset **test)
{
	struct sa_dataset_info info;
	sa_status st;

	*train = *test = NULL;
	sa_dataset_get_info(all, &info);
	if (!(fraction > 0 && fraction < 1))
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "hold-out fraction %g is not in (0, 1)",
			       fraction);
	uint32_t n = info.count, hold = (uint32_t)(n * fraction);

	if (hold < 1 || hold >= n)
		return sa_fail(SA_ERR_SHAPE,
			       "%u images are too few to hold out %.0f%% as a test set", n,
			       fraction * 100);
	uint32_t *idx = malloc(sizeof(uint32_t) * n);

	if (!idx)
		return sa_fail(SA_ERR_NO_MEMORY, "out of memory");
	for (uint32_t i = 0; i < n; i++)
		idx[i] = i;
	/* Fisher-Yates with a small LCG on the seed: only the split depends on it. */
	uint64_t x = seed * 6364136223846793005ull + 1442695040888963407ull;

	for (uint32_t i = n - 1; i > 0; i--) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		uint32_t j = (uint32_t)((x >> 33) % (i + 1));
		uint32_t tmp = idx[i];

		idx[i] = idx[j];
		idx[j] = tmp;
	}
	st = sa_dataset_take(all, idx, n - hold, train);
	if (!st)
		st = sa_dataset_take(all, idx + (n - hold), hold, test);
	free(idx);
	if (st) {
		sa_dataset_close(*train);
		*train = NULL;
	}
	return st;
}

sa_status sa_holdout_parse(const char *value, double *fraction, uint64_t *seed)
{
	char tail;
	double f;
	uint64_t s;

	if (!value || sscanf(value, "fraction=%lf seed=%" SCNu64 "%c", &f, &s, &tail) != 2 ||
	    !(f > 0 && f < 1))
		return sa_fail(SA_ERR_BAD_MODEL,
			       "hold-out metadata '%s' is not 'fraction=F seed=N'",
			       value ? value : "");
	*fraction = f;
	*seed = s;
	return SA_OK;
}
