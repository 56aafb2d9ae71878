/* SPDX-License-Identifier: MIT */
/*
 * The float definition of every op, in double, written independently of
 * the integer kernels: the tests' side of the exact relation of
 * docs/numerics.md ("Exact relation").
 *
 * Each xr_* op takes real-valued inputs (dequantised q * 2^exp, or any float
 * for the float path) and the real weights sign * 2^(weight_base + k - 1),
 * and writes the real output before any rounding.  xr_expect() turns such a
 * value into the integer the kernels must produce:
 *     clamp(floor(real * 2^-exp_out + 0.5), lo, hi).
 * All test sizes keep every sum an exact double (|sum| < 2^53 units of the
 * finest scale involved), so "exact" is literal.
 */
#ifndef EXACT_REF_H
#define EXACT_REF_H

#include <stddef.h>
#include <stdint.h>

#include "../../libshiftaccel/kernels/sa_kernels.h"

/* floor(v + 0.5) without the double rounding of computing v + 0.5. */
double xr_round_half_up(double v);
/* The real weight of signed code k in a layer with this weight_base. */
double xr_weight(int8_t k, int weight_base);
/* The clamp bounds, derived from the prose (not from sa_act_bounds). */
void xr_bounds(uint8_t dtype, uint8_t act, int exp_out, double *lo, double *hi);
/* The integer an exact real output value must become. */
int32_t xr_expect(double real, uint8_t dtype, uint8_t act, int exp_out);
/* The real value of every element of an int8/int16 tensor. */
void xr_dequantize(const struct sa_shape *s, const void *q, double *real);
/* ReLU / ReLU6 on real values (the float path's only non-linearity). */
double xr_act(double v, uint8_t act);

/* Ops: real in, real out (no rounding, no clamping, no activation). */
void xr_conv(const struct sa_shape *in, const double *x, const struct sa_conv_params *p,
	     const int8_t *w, const int32_t *bias, const struct sa_shape *out, double *y);
void xr_fc(const struct sa_shape *in, const double *x, const struct sa_fc_params *p,
	   const int8_t *w, const int32_t *bias, const struct sa_shape *out, double *y);
void xr_maxpool(const struct sa_shape *in, const double *x, const struct sa_pool_params *p,
		const struct sa_shape *out, double *y);
void xr_avgpool(const struct sa_shape *in, const double *x, const struct sa_pool_params *p,
		const struct sa_shape *out, double *y);
void xr_global_avgpool(const struct sa_shape *in, const double *x, double *y);
void xr_add(size_t n, const double *a, const double *b, double *y);
/* Channels of a (na values in [C][H][W] order), then of b: the values themselves. */
void xr_concat(size_t na, const double *a, size_t nb, const double *b, double *y);

#endif /* EXACT_REF_H */
