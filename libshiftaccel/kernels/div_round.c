// SPDX-License-Identifier: MIT
/*
 * The rounded mean of average pooling (docs/numerics.md, "Average pooling"):
 * floor(sum / area + 1/2) by restoring division, one quotient bit per step
 * from a compare and a subtract, which is how the card divides without a
 * multiplier or a divider.
 */
#include "ref_util.h"

/* floor(n / d) for d >= 1, d < 2^62: shift-and-subtract, high bit first. */
static uint64_t restoring_div(uint64_t n, uint64_t d)
{
	uint64_t q = 0, rem = 0;

	for (int bit = 63; bit >= 0; bit--) {
		/* rem < d, so the shift cannot overflow. */
		rem = rem << 1 | (n >> bit & 1);
		if (rem >= d) {
			rem -= d;
			q |= (uint64_t)1 << bit;
		}
	}
	return q;
}

int64_t sa_div_round(int64_t sum, uint32_t area)
{
	/* A power of two: the rounded shift, equal to the division below (numerics.md). */
	if ((area & (area - 1)) == 0)
		return sa_rshift_round(sum, sa_log2_area(area));
	/*
	 * floor(sum / A + 1/2) = floor((2 sum + A) / 2A), and |2 sum + A| < 2^33
	 * for |sum| <= 2^31, A <= SA_MAX_POOL_AREA.
	 */
	int64_t n = sa_shl(sum, 1) + area;
	uint64_t d = (uint64_t)area << 1;

	if (n >= 0)
		return (int64_t)restoring_div((uint64_t)n, d);
	/* floor(n / d) = -ceil(-n / d) = -floor((-n + d - 1) / d) for n < 0. */
	return -(int64_t)restoring_div((uint64_t)-n + d - 1, d);
}
