// SPDX-License-Identifier: MIT
/*
 * Convolution and fully connected layers (docs/numerics.md, "Convolution"
 * and "Fully connected").  Both are sums of shift-MAC products into an int64
 * accumulator followed by one requantisation; shift_dot() below is the one
 * place where products are formed.
 */
#include "ref_util.h"

/*
 * The product of activation x and the weight with signed code k:
 * sign(k) * (x << (|k| - 1)), at accumulator scale 2^(exp_in + weight_base).
 * |x| <= 2^15 and |k| - 1 <= 14, so |product| <= 2^29.
 */
static inline int64_t shift_product(int32_t x, int8_t k)
{
	/*
	 * Branch-free, because weight signs are as good as random and a
	 * mispredicted branch per product would dominate the run time:
	 * zero is masked away and the negation is (p ^ -1) + 1.
	 */
	int64_t nonzero = -(int64_t)(k != 0), negative = -(int64_t)(k < 0);
	unsigned magnitude = (unsigned)(k < 0 ? -k : k);
	int64_t p = sa_shl(x, magnitude - (k != 0)) & nonzero;

	return (p ^ negative) - negative;
}

/*
 * Sum of n products x[i * step] * w[i].  Every conv row and every fully
 * connected output goes through here.  The sum of at most SA_MAX_FAN_IN
 * products of magnitude <= 2^29 stays below 2^53.
 */
static int64_t shift_dot(const void *x, uint8_t dtype, size_t step, const int8_t *w, size_t n)
{
	int64_t acc = 0;
	size_t i;

	if (dtype == SA_DTYPE_I8) {
		const int8_t *x8 = x;

		for (i = 0; i < n; i++)
			acc += shift_product(x8[i * step], w[i]);
	} else {
		const int16_t *x16 = x;

		for (i = 0; i < n; i++)
			acc += shift_product(x16[i * step], w[i]);
	}
	return acc;
}

static const void *element_at(const void *x, uint8_t dtype, size_t i)
{
	return (const char *)x + i * (dtype == SA_DTYPE_I8 ? 1 : 2);
}

/*
 * One output element of a convolution: bias plus every in-bounds tap of the
 * window whose top-left corner is input position (iy0, ix0).  Taps that
 * land in the padding read q = 0 and add nothing, so they are skipped.
 */
static int64_t conv_window(const struct sa_shape *in, const void *x, const struct sa_conv_params *p,
			   uint32_t ic0, uint32_t ic_count, int64_t iy0, int64_t ix0,
			   const int8_t *w)
{
	size_t taps = (size_t)p->kernel_h * p->kernel_w;
	uint32_t ky_lo, ky_hi, kx_lo, kx_hi, ic, ky;
	int64_t acc = 0;

	sa_tap_range(iy0, in->h, p->kernel_h, p->dilation_h, &ky_lo, &ky_hi);
	sa_tap_range(ix0, in->w, p->kernel_w, p->dilation_w, &kx_lo, &kx_hi);
	if (kx_hi <= kx_lo)
		return 0;
	for (ic = 0; ic < ic_count; ic++) {
		for (ky = ky_lo; ky < ky_hi; ky++) {
			size_t iy = (size_t)(iy0 + (int64_t)ky * p->dilation_h);
			size_t ix = (size_t)(ix0 + (int64_t)kx_lo * p->dilation_w);
			size_t xi = ((size_t)(ic0 + ic) * in->h + iy) * in->w + ix;
			const int8_t *wrow = w + ic * taps + (size_t)ky * p->kernel_w + kx_lo;

			acc += shift_dot(element_at(x, in->dtype, xi), in->dtype, p->dilation_w,
					 wrow, kx_hi - kx_lo);
		}
	}
	return acc;
}

void sa_ref_conv(const struct sa_shape *in, const void *x, const struct sa_conv_params *p,
		 const int8_t *w, const int32_t *bias, const struct sa_shape *out, void *y)
{
	uint32_t ic_per_group = in->c / p->groups, oc_per_group = out->c / p->groups;
	size_t taps = (size_t)ic_per_group * p->kernel_h * p->kernel_w;
	int r = out->exp - (in->exp + p->weight_base);
	uint32_t oc, oy, ox;
	int32_t lo, hi;
	size_t yi = 0;

	sa_act_bounds(out->dtype, p->act, out->exp, &lo, &hi);
	for (oc = 0; oc < out->c; oc++) {
		uint32_t ic0 = oc / oc_per_group * ic_per_group;
		const int8_t *woc = w + oc * taps;
		int64_t b = bias ? bias[oc] : 0;

		for (oy = 0; oy < out->h; oy++) {
			int64_t iy0 = (int64_t)oy * p->stride_h - p->pad_top;

			for (ox = 0; ox < out->w; ox++) {
				int64_t ix0 = (int64_t)ox * p->stride_w - p->pad_left;
				int64_t acc =
					b + conv_window(in, x, p, ic0, ic_per_group, iy0, ix0, woc);

				sa_store(y, out->dtype, yi++, sa_requantize(acc, r, lo, hi));
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
	uint32_t o;

	sa_act_bounds(out->dtype, p->act, out->exp, &lo, &hi);
	for (o = 0; o < p->out_features; o++) {
		int64_t acc = (bias ? bias[o] : 0) + shift_dot(x, in->dtype, 1, w + o * n, n);

		sa_store(y, out->dtype, o, sa_requantize(acc, r, lo, hi));
	}
}
