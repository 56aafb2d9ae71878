// SPDX-License-Identifier: MIT
/*
 * Textbook double-precision definitions of the ops (see exact_ref.h).  No
 * code is shared with the kernels: loops are written in the most direct
 * order, padding is tested per tap, weights are real numbers from ldexp.
 */
#include "exact_ref.h"

#include <math.h>
#include <stdlib.h>

double xr_round_half_up(double v)
{
	double f = floor(v);

	/* v - floor(v) is exact in binary floating point. */
	return v - f >= 0.5 ? f + 1.0 : f;
}

double xr_weight(int8_t k, int weight_base)
{
	if (k == 0)
		return 0.0;
	return (k < 0 ? -1.0 : 1.0) * ldexp(1.0, weight_base + abs(k) - 1);
}

void xr_bounds(uint8_t dtype, uint8_t act, int exp_out, double *lo, double *hi)
{
	*lo = dtype == SA_DTYPE_I8 ? -128.0 : -32768.0;
	*hi = dtype == SA_DTYPE_I8 ? 127.0 : 32767.0;
	if (act != SA_ACT_NONE)
		*lo = 0.0;
	if (act == SA_ACT_RELU6) {
		/* Six in output units, rounded like any other result. */
		double six = xr_round_half_up(ldexp(6.0, -exp_out));

		if (six < *hi)
			*hi = six;
	}
}

int32_t xr_expect(double real, uint8_t dtype, uint8_t act, int exp_out)
{
	double lo, hi, v = xr_round_half_up(ldexp(real, -exp_out));

	xr_bounds(dtype, act, exp_out, &lo, &hi);
	if (v < lo)
		v = lo;
	if (v > hi)
		v = hi;
	return (int32_t)v;
}

void xr_dequantize(const struct sa_shape *s, const void *q, double *real)
{
	size_t n = (size_t)s->c * s->h * s->w, i;

	for (i = 0; i < n; i++) {
		int v = s->dtype == SA_DTYPE_I8 ? ((const int8_t *)q)[i] : ((const int16_t *)q)[i];

		real[i] = ldexp((double)v, s->exp);
	}
}

double xr_act(double v, uint8_t act)
{
	if (act != SA_ACT_NONE && v < 0.0)
		v = 0.0;
	if (act == SA_ACT_RELU6 && v > 6.0)
		v = 6.0;
	return v;
}

void xr_conv(const struct sa_shape *in, const double *x, const struct sa_conv_params *p,
	     const int8_t *w, const int32_t *bias, const struct sa_shape *out, double *y)
{
	long icg = (long)(in->c / p->groups), ocg = (long)(out->c / p->groups);

	for (long oc = 0; oc < (long)out->c; oc++) {
		long g = oc / ocg;

		for (long oy = 0; oy < (long)out->h; oy++) {
			for (long ox = 0; ox < (long)out->w; ox++) {
				double s = bias ? ldexp((double)bias[oc], in->exp + p->weight_base)
						: 0.0;

				for (long i = 0; i < icg; i++) {
					for (long ky = 0; ky < p->kernel_h; ky++) {
						for (long kx = 0; kx < p->kernel_w; kx++) {
							long iy = oy * p->stride_h - p->pad_top +
								  ky * p->dilation_h;
							long ix = ox * p->stride_w - p->pad_left +
								  kx * p->dilation_w;
							long c = g * icg + i;
							int8_t k = w[((oc * icg + i) * p->kernel_h +
								      ky) * p->kernel_w +
								     kx];

							if (iy < 0 || iy >= (long)in->h || ix < 0 ||
							    ix >= (long)in->w)
								continue; /* zero padding */
							s += x[(c * (long)in->h + iy) *
								       (long)in->w +
							       ix] *
							     xr_weight(k, p->weight_base);
						}
					}
				}
				y[(oc * (long)out->h + oy) * (long)out->w + ox] = s;
			}
		}
	}
}

void xr_fc(const struct sa_shape *in, const double *x, const struct sa_fc_params *p,
	   const int8_t *w, const int32_t *bias, const struct sa_shape *out, double *y)
{
	size_t n = (size_t)in->c * in->h * in->w;

	for (size_t o = 0; o < out->c; o++) {
		double s = bias ? ldexp((double)bias[o], in->exp + p->weight_base) : 0.0;

		for (size_t i = 0; i < n; i++)
			s += x[i] * xr_weight(w[o * n + i], p->weight_base);
		y[o] = s;
	}
}

/* Max (is_max) or sum over a pooling window; returns the number of in-bounds taps. */
static double pool_window(const struct sa_shape *in, const double *x,
			  const struct sa_pool_params *p, long c, long oy, long ox, int is_max)
{
	double r = is_max ? -INFINITY : 0.0;

	for (long ky = 0; ky < p->kernel_h; ky++) {
		for (long kx = 0; kx < p->kernel_w; kx++) {
			long iy = oy * p->stride_h - p->pad_top + ky;
			long ix = ox * p->stride_w - p->pad_left + kx;
			double v;

			if (iy < 0 || iy >= (long)in->h || ix < 0 || ix >= (long)in->w)
				continue; /* max ignores padding; the sum counts it as 0 */
			v = x[(c * (long)in->h + iy) * (long)in->w + ix];
			if (is_max)
				r = v > r ? v : r;
			else
				r += v;
		}
	}
	return r;
}

void xr_maxpool(const struct sa_shape *in, const double *x, const struct sa_pool_params *p,
		const struct sa_shape *out, double *y)
{
	size_t i = 0;

	for (long c = 0; c < (long)out->c; c++)
		for (long oy = 0; oy < (long)out->h; oy++)
			for (long ox = 0; ox < (long)out->w; ox++)
				y[i++] = pool_window(in, x, p, c, oy, ox, 1);
}

void xr_avgpool(const struct sa_shape *in, const double *x, const struct sa_pool_params *p,
		const struct sa_shape *out, double *y)
{
	double area = (double)p->kernel_h * p->kernel_w;
	size_t i = 0;

	for (long c = 0; c < (long)out->c; c++)
		for (long oy = 0; oy < (long)out->h; oy++)
			for (long ox = 0; ox < (long)out->w; ox++)
				y[i++] = pool_window(in, x, p, c, oy, ox, 0) / area;
}

void xr_global_avgpool(const struct sa_shape *in, const double *x, double *y)
{
	size_t area = (size_t)in->h * in->w;

	for (size_t c = 0; c < in->c; c++) {
		double s = 0.0;

		for (size_t i = 0; i < area; i++)
			s += x[c * area + i];
		y[c] = s / (double)area;
	}
}

void xr_add(size_t n, const double *a, const double *b, double *y)
{
	for (size_t i = 0; i < n; i++)
		y[i] = a[i] + b[i];
}

void xr_concat(size_t na, const double *a, size_t nb, const double *b, double *y)
{
	for (size_t i = 0; i < na; i++)
		y[i] = a[i];
	for (size_t i = 0; i < nb; i++)
		y[na + i] = b[i];
}
