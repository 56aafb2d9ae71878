// SPDX-License-Identifier: MIT
/*
 * Concatenation along channels and the standalone activation (clip)
 * (docs/numerics.md, "Concat" and "Clip"): every element is requantised
 * from its input's scale to the output's with one rounded shift (a left
 * shift when the output's exponent is lower), then clamped with the act's
 * bounds.  With equal dtypes and exponents and no act this is a copy.
 */
#include "ref_util.h"

/* Requantises all of `in` into y[y0 ...]: shift r = exp_out - exp_in, |r| <= 16. */
static void requant_copy(const struct sa_shape *in, const void *x, const struct sa_shape *out,
			 int32_t lo, int32_t hi, void *y, size_t y0)
{
	int r = out->exp - in->exp;
	size_t n = sa_shape_elems(in);

	for (size_t i = 0; i < n; i++)
		sa_store(y, out->dtype, y0 + i, sa_requantize(sa_load(x, in->dtype, i), r, lo, hi));
}

void sa_ref_concat(const struct sa_shape *a, const void *xa, const struct sa_shape *b,
		   const void *xb, const struct sa_concat_params *p, const struct sa_shape *out,
		   void *y)
{
	int32_t lo, hi;

	sa_act_bounds(out->dtype, p->act, out->exp, &lo, &hi);
	/* [C][H][W]: a's channels are the first a->c * H * W elements, b's follow. */
	requant_copy(a, xa, out, lo, hi, y, 0);
	requant_copy(b, xb, out, lo, hi, y, sa_shape_elems(a));
}

void sa_ref_clip(const struct sa_shape *in, const void *x, const struct sa_clip_params *p,
		 const struct sa_shape *out, void *y)
{
	int32_t lo, hi;

	sa_act_bounds(out->dtype, p->act, out->exp, &lo, &hi);
	requant_copy(in, x, out, lo, hi, y, 0);
}
