/* SPDX-License-Identifier: MIT */
/*
 * Small helpers shared by the reference kernels (conv.c, pool.c, add.c):
 * element access for the two activation types and the in-bounds part of a
 * sliding window.  Private to the kernels.
 */
#ifndef SA_REF_UTIL_H
#define SA_REF_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "sa_kernels.h"

/*
 * v * 2^s, s >= 0.  Shifted as the two's complement bit pattern because a
 * left shift of a negative signed value is undefined in C; the numerics
 * limits guarantee the result fits (docs/numerics.md, "Accumulator").
 */
static inline int64_t sa_shl(int64_t v, unsigned s)
{
	return (int64_t)((uint64_t)v << s);
}

static inline int32_t sa_load(const void *x, uint8_t dtype, size_t i)
{
	if (dtype == SA_DTYPE_I8)
		return ((const int8_t *)x)[i];
	return ((const int16_t *)x)[i];
}

/* v is already clamped to the dtype's range by sa_requantize. */
static inline void sa_store(void *y, uint8_t dtype, size_t i, int32_t v)
{
	if (dtype == SA_DTYPE_I8)
		((int8_t *)y)[i] = (int8_t)v;
	else
		((int16_t *)y)[i] = (int16_t)v;
}

/*
 * Taps of a window along one axis: the window starts at input position
 * `start` (negative inside the leading padding) and tap t reads position
 * start + t * dilation.  [*lo, *hi) are the taps that land inside [0, in);
 * the others read padding.  *hi <= *lo when none does.
 */
static inline void sa_tap_range(int64_t start, uint32_t in, uint32_t kernel, uint32_t dilation,
				uint32_t *lo, uint32_t *hi)
{
	int64_t first = 0, end = kernel;

	if (start < 0)
		first = (-start + dilation - 1) / dilation;
	if (start + (end - 1) * (int64_t)dilation > (int64_t)in - 1)
		end = start > (int64_t)in - 1 ? 0 : ((int64_t)in - 1 - start) / dilation + 1;
	*lo = (uint32_t)first;
	*hi = (uint32_t)(end > first ? end : first);
}

/* log2 of a pooling area that sa_check_* verified to be a power of two. */
static inline int sa_log2_area(uint32_t area)
{
	int n = 0;

	while (area > 1) {
		area >>= 1;
		n++;
	}
	return n;
}

#endif /* SA_REF_UTIL_H */
