// SPDX-License-Identifier: MIT
/*
 * Residual add (docs/numerics.md, "Add"): both inputs are aligned to the
 * finer of their two scales by left shifts, summed exactly, then requantised
 * with the fused activation like any accumulator.
 */
#include "ref_util.h"

void sa_ref_add(const struct sa_shape *a, const void *xa, const struct sa_shape *b, const void *xb,
		const struct sa_add_params *p, const struct sa_shape *out, void *y)
{
	int m = a->exp < b->exp ? a->exp : b->exp;
	/* Shifts of at most SA_ADD_MAX_EXP_DIFF: |a|, |b| <= 2^31, |sum| <= 2^32. */
	unsigned sa = (unsigned)(a->exp - m), sb = (unsigned)(b->exp - m);
	int r = out->exp - m;
	size_t n = sa_shape_elems(out), i;
	int32_t lo, hi;

	sa_act_bounds(out->dtype, p->act, out->exp, &lo, &hi);
	for (i = 0; i < n; i++) {
		int64_t acc =
			sa_shl(sa_load(xa, a->dtype, i), sa) + sa_shl(sa_load(xb, b->dtype, i), sb);

		sa_store(y, out->dtype, i, sa_requantize(acc, r, lo, hi));
	}
}
