// SPDX-License-Identifier: MIT
/*
 * Convolution and fully connected layers (docs/numerics.md, "Convolution"
 * and "Fully connected").  Both are sums of shift products into an int64
 * accumulator followed by one requantisation, and both form every product
 * with shift_mac(), the one definition of the shift-MAC.
 */
#include "ref_util.h"

/*
 * acc + product(x, k): the product of activation x and the weight with
 * signed code k is sign(k) * (x << (|k| - 1)), or 0 for k == 0, at the
 * accumulator scale 2^(exp_in + weight_base).  |x| <= 2^15 and
 * |k| - 1 <= 14, so |product| <= 2^29.
 *
 * Branch-free, because weight signs are as good as random and a
 * mispredicted branch per product would dominate the run time: zero is
 * masked away and the negation is (p ^ -1) + 1.  When k is the same for a
 * whole loop (the convolution below) the compiler hoists everything but the
 * shift and the add out of it.
 */
static inline int64_t shift_mac(int64_t acc, int32_t x, int8_t k)
{
	int64_t nonzero = -(int64_t)(k != 0), negative = -(int64_t)(k < 0);
	unsigned magnitude = (unsigned)(k < 0 ? -k : k);
	int64_t p = sa_shl(x, magnitude - (k != 0)) & nonzero;

	return acc + ((p ^ negative) - negative);
}

/* Outputs of one convolution row accumulated at a time (2 KiB of stack). */
#define CONV_TILE 256

/*
 * One weight tap applied to a run of outputs of one row: for each output
 * ox0 + j (j < n) whose tap lands inside the input row, acc[j] += product.
 * The tap of output ox reads input column ox * stride_w + kx * dilation_w -
 * pad_left; taps in the padding read q = 0 and add nothing.
 */
static void conv_tap(int64_t *acc, uint32_t ox0, uint32_t n, const void *xrow, uint8_t dtype,
		     uint32_t in_w, const struct sa_conv_params *p, uint32_t kx, int8_t k)
{
	int64_t first = (int64_t)ox0 * p->stride_w + (int64_t)kx * p->dilation_w - p->pad_left;
	uint32_t lo, hi, j;

	if (k == 0)
		return;
	/* The outputs j whose column first + j * stride_w is in [0, in_w). */
	sa_tap_range(first, in_w, n, p->stride_w, &lo, &hi);
	if (dtype == SA_DTYPE_I8) {
		const int8_t *x = (const int8_t *)xrow + first;

		for (j = lo; j < hi; j++)
			acc[j] = shift_mac(acc[j], x[(int64_t)j * p->stride_w], k);
	} else {
		const int16_t *x = (const int16_t *)xrow + first;

		for (j = lo; j < hi; j++)
			acc[j] = shift_mac(acc[j], x[(int64_t)j * p->stride_w], k);
	}
}

/*
 * Loop order: weights outside, output positions inside, so each weight's
 * shift and sign are decoded once per run of outputs instead of once per
 * product.  The result does not depend on the order: integer sums are exact.
 */
void sa_ref_conv(const struct sa_shape *in, const void *x, const struct sa_conv_params *p,
		 const int8_t *w, const int32_t *bias, const struct sa_shape *out, void *y)
{
	uint32_t ic_per_group = in->c / p->groups, oc_per_group = out->c / p->groups;
	size_t taps = (size_t)p->kernel_h * p->kernel_w, esize = in->dtype == SA_DTYPE_I8 ? 1 : 2;
	int r = out->exp - (in->exp + p->weight_base);
	int64_t acc[CONV_TILE];
	int32_t lo, hi;

	sa_act_bounds(out->dtype, p->act, out->exp, &lo, &hi);
	for (uint32_t oc = 0; oc < out->c; oc++) {
		uint32_t ic0 = oc / oc_per_group * ic_per_group;
		const int8_t *woc = w + oc * ic_per_group * taps;

		for (uint32_t oy = 0; oy < out->h; oy++) {
			int64_t iy0 = (int64_t)oy * p->stride_h - p->pad_top;
			uint32_t ky_lo, ky_hi;

			/* Rows of the window inside the input; the others are padding. */
			sa_tap_range(iy0, in->h, p->kernel_h, p->dilation_h, &ky_lo, &ky_hi);
			for (uint32_t ox0 = 0; ox0 < out->w; ox0 += CONV_TILE) {
				size_t yi = ((size_t)oc * out->h + oy) * out->w + ox0;
				uint32_t n = out->w - ox0; /* >= 1: ox0 < out->w */

				if (n > CONV_TILE)
					n = CONV_TILE;
				for (uint32_t j = 0; j < n; j++)
					acc[j] = bias ? bias[oc] : 0;
				for (uint32_t ic = 0; ic < ic_per_group; ic++) {
					for (uint32_t ky = ky_lo; ky < ky_hi; ky++) {
						size_t iy =
							(size_t)(iy0 + (int64_t)ky * p->dilation_h);
						const char *xrow =
							(const char *)x +
							((ic0 + ic) * in->h + iy) * in->w * esize;
						const int8_t *wrow =
							woc + ic * taps + ky * p->kernel_w;

						for (uint32_t kx = 0; kx < p->kernel_w; kx++)
							conv_tap(acc, ox0, n, xrow, in->dtype,
								 in->w, p, kx, wrow[kx]);
					}
				}
				for (uint32_t j = 0; j < n; j++)
					sa_store(y, out->dtype, yi + j,
						 sa_requantize(acc[j], r, lo, hi));
			}
		}
	}
}

void sa_ref_fc(const struct sa_shape *in, const void *x, const struct sa_fc_params *p,
	       const int8_t *w, const int32_t *bias, const struct sa_shape *out, void *y)
{
	size_t n = sa_shape_elems(in);
	int r = out->exp - (in->exp + p->weight_base);
	int32_t lo, hi;

	sa_act_bounds(out->dtype, p->act, out->exp, &lo, &hi);
	for (uint32_t o = 0; o < p->out_features; o++) {
		const int8_t *wo = w + o * n;
		int64_t acc = bias ? bias[o] : 0;

		for (size_t i = 0; i < n; i++)
			acc = shift_mac(acc, sa_load(x, in->dtype, i), wo[i]);
		sa_store(y, out->dtype, o, sa_requantize(acc, r, lo, hi));
	}
}
