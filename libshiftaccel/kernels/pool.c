// SPDX-License-Identifier: MIT
/*
 * Pooling (docs/numerics.md, "Pooling").  Max pooling compares; average
 * pooling sums and takes the rounded mean with sa_div_round (a rounded shift
 * for power-of-two areas, shift-and-subtract division otherwise), so the card
 * needs no divider.  Outputs keep the input's dtype and exponent.
 */
#include "ref_util.h"

void sa_ref_maxpool(const struct sa_shape *in, const void *x, const struct sa_pool_params *p,
		    const struct sa_shape *out, void *y)
{
	uint32_t c, oy, ox, ky, kx, ky_lo, ky_hi, kx_lo, kx_hi;
	size_t yi = 0;

	for (c = 0; c < out->c; c++) {
		for (oy = 0; oy < out->h; oy++) {
			int64_t iy0 = (int64_t)oy * p->stride_h - p->pad_top;

			sa_tap_range(iy0, in->h, p->kernel_h, 1, &ky_lo, &ky_hi);
			for (ox = 0; ox < out->w; ox++) {
				int64_t ix0 = (int64_t)ox * p->stride_w - p->pad_left;
				/* Padding < kernel guarantees at least one in-bounds tap. */
				int32_t m = INT32_MIN;

				sa_tap_range(ix0, in->w, p->kernel_w, 1, &kx_lo, &kx_hi);
				for (ky = ky_lo; ky < ky_hi; ky++) {
					size_t row =
						((size_t)c * in->h + (size_t)(iy0 + ky)) * in->w;

					for (kx = kx_lo; kx < kx_hi; kx++) {
						int32_t v = sa_load(x, in->dtype,
								    row + (size_t)(ix0 + kx));

						if (v > m)
							m = v;
					}
				}
				sa_store(y, out->dtype, yi++, m);
			}
		}
	}
}

void sa_ref_avgpool(const struct sa_shape *in, const void *x, const struct sa_pool_params *p,
		    const struct sa_shape *out, void *y)
{
	uint32_t area = (uint32_t)p->kernel_h * p->kernel_w;
	uint32_t c, oy, ox, ky, kx, ky_lo, ky_hi, kx_lo, kx_hi;
	int32_t lo, hi;
	size_t yi = 0;

	sa_act_bounds(out->dtype, SA_ACT_NONE, out->exp, &lo, &hi);
	for (c = 0; c < out->c; c++) {
		for (oy = 0; oy < out->h; oy++) {
			int64_t iy0 = (int64_t)oy * p->stride_h - p->pad_top;

			sa_tap_range(iy0, in->h, p->kernel_h, 1, &ky_lo, &ky_hi);
			for (ox = 0; ox < out->w; ox++) {
				int64_t ix0 = (int64_t)ox * p->stride_w - p->pad_left;
				/* Padding taps count in the area as zeros. */
				int64_t sum = 0;

				sa_tap_range(ix0, in->w, p->kernel_w, 1, &kx_lo, &kx_hi);
				for (ky = ky_lo; ky < ky_hi; ky++) {
					size_t row =
						((size_t)c * in->h + (size_t)(iy0 + ky)) * in->w;

					for (kx = kx_lo; kx < kx_hi; kx++)
						sum += sa_load(x, in->dtype,
							       row + (size_t)(ix0 + kx));
				}
				sa_store(y, out->dtype, yi++,
					 sa_clamp(sa_div_round(sum, area), lo, hi));
			}
		}
	}
}

void sa_ref_global_avgpool(const struct sa_shape *in, const void *x, const struct sa_shape *out,
			   void *y)
{
	size_t area = (size_t)in->h * in->w, i;
	int32_t lo, hi;
	uint32_t c;

	sa_act_bounds(out->dtype, SA_ACT_NONE, out->exp, &lo, &hi);
	for (c = 0; c < in->c; c++) {
		int64_t sum = 0;

		for (i = 0; i < area; i++)
			sum += sa_load(x, in->dtype, c * area + i);
		sa_store(y, out->dtype, c, sa_clamp(sa_div_round(sum, (uint32_t)area), lo, hi));
	}
}
