// SPDX-License-Identifier: MIT
/*
 * Requantisation: the only place where precision is dropped (docs/numerics.md,
 * "Rounding" and "Requantisation").  Everything here is shifts, adds and
 * compares; nothing multiplies.
 */
#include "ref_util.h"

/*
 * floor(v / 2^r) for r in [1, 63].  Written without relying on the
 * implementation-defined right shift of negative numbers, so the result is
 * the same on every compiler and on the card's firmware toolchain.
 */
static int64_t floor_shift(int64_t v, int r)
{
	if (v >= 0)
		return (int64_t)((uint64_t)v >> r);
	/* -v - 1 >= 0 and cannot overflow; floor(v / 2^r) = -(((-v - 1) >> r) + 1). */
	return -(int64_t)((uint64_t)(-(v + 1)) >> r) - 1;
}

int64_t sa_rshift_round(int64_t v, int r)
{
	if (r > 0)
		/* Round half toward +infinity: floor((v + 2^(r-1)) / 2^r). */
		return floor_shift(v + ((int64_t)1 << (r - 1)), r);
	/* Exact: |acc| < 2^54 and -r <= 8 keep the result inside int64. */
	return sa_shl(v, (unsigned)-r);
}

void sa_act_bounds(uint8_t dtype, uint8_t act, int exp_out, int32_t *lo, int32_t *hi)
{
	int32_t l = dtype == SA_DTYPE_I8 ? INT8_MIN : INT16_MIN;
	int32_t h = dtype == SA_DTYPE_I8 ? INT8_MAX : INT16_MAX;

	if (act == SA_ACT_RELU || act == SA_ACT_RELU6)
		l = 0;
	if (act == SA_ACT_RELU6) {
		/*
		 * The real value 6 in output units, 6 * 2^-exp_out: a left shift
		 * for exp_out <= 0, rounded like any result for exp_out > 0.
		 */
		int64_t six = sa_rshift_round(6, exp_out);

		if (six < h)
			h = (int32_t)six;
	}
	*lo = l;
	*hi = h;
}

int32_t sa_requantize(int64_t acc, int r, int32_t lo, int32_t hi)
{
	int64_t v = sa_rshift_round(acc, r);

	if (v < lo)
		return lo;
	if (v > hi)
		return hi;
	return (int32_t)v;
}
