// SPDX-License-Identifier: MIT
/*
 * Float path ops (cpu_float.h).  They follow the integer kernels' loop
 * structure so the two are easy to compare, but every value is a double:
 * what the network computes before any activation rounding.
 */
#include "cpu_float.h"

#include <math.h>

#include "../kernels/ref_util.h"

double sa_float_weight(int8_t k, int weight_base)
{
	if (k == 0)
		return 0.0;
	return ldexp(k < 0 ? -1.0 : 1.0, weight_base + (k < 0 ? -k : k) - 1);
}

static double activate(double v, uint8_t act)
{
	if (act == SA_ACT_NONE)
		return v;
	if (v < 0.0)
		return 0.0;
	return act == SA_ACT_RELU6 && v > 6.0 ? 6.0 : v;
}

void sa_float_conv(const struct sa_shape *in, const double *x, const struct sa_conv_params *p,
		   const double *w, const double *bias, const struct sa_shape *out, double *y)
{
	uint32_t icg = in->c / p->groups, ocg = out->c / p->groups;
	size_t taps = (size_t)icg * p->kernel_h * p->kernel_w, yi = 0;

	for (uint32_t oc = 0; oc < out->c; oc++) {
		uint32_t ic0 = oc / ocg * icg;

		for (uint32_t oy = 0; oy < out->h; oy++) {
			int64_t iy0 = (int64_t)oy * p->stride_h - p->pad_top;
			uint32_t ky_lo, ky_hi;

			sa_tap_range(iy0, in->h, p->kernel_h, p->dilation_h, &ky_lo, &ky_hi);
			for (uint32_t ox = 0; ox < out->w; ox++) {
				int64_t ix0 = (int64_t)ox * p->stride_w - p->pad_left;
				double s = bias ? bias[oc] : 0.0;
				uint32_t kx_lo, kx_hi;

				sa_tap_range(ix0, in->w, p->kernel_w, p->dilation_w, &kx_lo,
					     &kx_hi);
				for (uint32_t ic = 0; ic < icg; ic++) {
					for (uint32_t ky = ky_lo; ky < ky_hi; ky++) {
						size_t iy =
							(size_t)(iy0 + (int64_t)ky * p->dilation_h);
						const double *xrow =
							x +
							((size_t)(ic0 + ic) * in->h + iy) * in->w;
						const double *wrow = w + oc * taps +
								     ((size_t)ic * p->kernel_h +
								      ky) * p->kernel_w;

						for (uint32_t kx = kx_lo; kx < kx_hi; kx++)
							s += xrow[ix0 +
								  (int64_t)kx * p->dilation_w] *
							     wrow[kx];
					}
				}
				y[yi++] = activate(s, p->act);
			}
		}
	}
}

void sa_float_fc(const struct sa_shape *in, const double *x, const struct sa_fc_params *p,
		 const double *w, const double *bias, const struct sa_shape *out, double *y)
{
	size_t n = sa_shape_elems(in);

	for (uint32_t o = 0; o < out->c; o++) {
		double s = bias ? bias[o] : 0.0;

		for (size_t i = 0; i < n; i++)
			s += x[i] * w[o * n + i];
		y[o] = activate(s, p->act);
	}
}

/* Max or mean of one pooling window (the mean counts padding as zeros). */
static double pool_window(const struct sa_shape *in, const double *x,
			  const struct sa_pool_params *p, uint32_t c, uint32_t oy, uint32_t ox,
			  int is_max)
{
	int64_t iy0 = (int64_t)oy * p->stride_h - p->pad_top;
	int64_t ix0 = (int64_t)ox * p->stride_w - p->pad_left;
	uint32_t ky_lo, ky_hi, kx_lo, kx_hi;
	double r = is_max ? -INFINITY : 0.0;

	sa_tap_range(iy0, in->h, p->kernel_h, 1, &ky_lo, &ky_hi);
	sa_tap_range(ix0, in->w, p->kernel_w, 1, &kx_lo, &kx_hi);
	for (uint32_t ky = ky_lo; ky < ky_hi; ky++) {
		const double *row = x + ((size_t)c * in->h + (size_t)(iy0 + ky)) * in->w;

		for (uint32_t kx = kx_lo; kx < kx_hi; kx++) {
			double v = row[ix0 + kx];

			if (!is_max)
				r += v;
			else if (v > r)
				r = v;
		}
	}
	return is_max ? r : r / ((double)p->kernel_h * p->kernel_w);
}

static void pool(const struct sa_shape *in, const double *x, const struct sa_pool_params *p,
		 const struct sa_shape *out, double *y, int is_max)
{
	size_t yi = 0;

	for (uint32_t c = 0; c < out->c; c++)
		for (uint32_t oy = 0; oy < out->h; oy++)
			for (uint32_t ox = 0; ox < out->w; ox++)
				y[yi++] = pool_window(in, x, p, c, oy, ox, is_max);
}

void sa_float_maxpool(const struct sa_shape *in, const double *x, const struct sa_pool_params *p,
		      const struct sa_shape *out, double *y)
{
	pool(in, x, p, out, y, 1);
}

void sa_float_avgpool(const struct sa_shape *in, const double *x, const struct sa_pool_params *p,
		      const struct sa_shape *out, double *y)
{
	pool(in, x, p, out, y, 0);
}

void sa_float_global_avgpool(const struct sa_shape *in, const double *x, double *y)
{
	size_t area = (size_t)in->h * in->w;

	for (uint32_t c = 0; c < in->c; c++) {
		double s = 0.0;

		for (size_t i = 0; i < area; i++)
			s += x[c * area + i];
		y[c] = s / (double)area;
	}
}

void sa_float_add(size_t n, const double *a, const double *b, const struct sa_add_params *p,
		  double *y)
{
	for (size_t i = 0; i < n; i++)
		y[i] = activate(a[i] + b[i], p->act);
}

void sa_float_concat(size_t na, const double *a, size_t nb, const double *b, uint8_t act, double *y)
{
	for (size_t i = 0; i < na; i++)
		y[i] = activate(a[i], act);
	for (size_t i = 0; i < nb; i++)
		y[na + i] = activate(b[i], act);
}
