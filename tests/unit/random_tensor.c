// SPDX-License-Identifier: MIT
#include "random_tensor.h"

#include <stdlib.h>

static uint64_t rng_state;

void rng_seed(uint64_t seed)
{
	/* Any seed, never the all-zero state xorshift cannot leave. */
	rng_state = (seed * 0x9e3779b97f4a7c15ull) | 1;
}

uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

int64_t rng_range(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next() % (uint64_t)(hi - lo + 1));
}

int rng_percent(int p)
{
	return (int)(rng_next() % 100) < p;
}

size_t dtype_size(uint8_t dtype)
{
	return dtype == SA_DTYPE_I8 ? 1 : 2;
}

int32_t dtype_max(uint8_t dtype)
{
	return dtype == SA_DTYPE_I8 ? INT8_MAX : INT16_MAX;
}

uint8_t random_dtype(void)
{
	return rng_percent(50) ? SA_DTYPE_I8 : SA_DTYPE_I16;
}

void *random_tensor(const struct sa_shape *s)
{
	size_t n = sa_shape_elems(s);
	void *q = malloc(n * dtype_size(s->dtype));
	int32_t max = dtype_max(s->dtype);
	int mode = (int)rng_range(0, 2);

	for (size_t i = 0; q && i < n; i++) {
		int32_t v = mode == 0	? (int32_t)rng_range(-max - 1, max)
			    : mode == 1 ? (int32_t)rng_range(-9, 9)
					: (rng_percent(50) ? -max - 1 : max);

		if (s->dtype == SA_DTYPE_I8)
			((int8_t *)q)[i] = (int8_t)v;
		else
			((int16_t *)q)[i] = (int16_t)v;
	}
	return q;
}
