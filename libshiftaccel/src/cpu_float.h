/* SPDX-License-Identifier: MIT */
/*
 * The float path (SA_DEVICE_CPU_FLOAT): the real-valued definition of every
 * op in double, with no rounding and no clamping except the fused ReLU /
 * ReLU6 (docs/numerics.md, "The float path").  Weights and biases are the
 * exact reals the integer codes stand for, precomputed by the caller.
 */
#ifndef SA_CPU_FLOAT_H
#define SA_CPU_FLOAT_H

#include "../kernels/sa_kernels.h"

/* The real value of signed weight code k in a layer with this weight_base. */
double sa_float_weight(int8_t k, int weight_base);

void sa_float_conv(const struct sa_shape *in, const double *x, const struct sa_conv_params *p,
		   const double *w, const double *bias, const struct sa_shape *out, double *y);
void sa_float_fc(const struct sa_shape *in, const double *x, const struct sa_fc_params *p,
		 const double *w, const double *bias, const struct sa_shape *out, double *y);
void sa_float_maxpool(const struct sa_shape *in, const double *x, const struct sa_pool_params *p,
		      const struct sa_shape *out, double *y);
void sa_float_avgpool(const struct sa_shape *in, const double *x, const struct sa_pool_params *p,
		      const struct sa_shape *out, double *y);
void sa_float_global_avgpool(const struct sa_shape *in, const double *x, double *y);
void sa_float_add(size_t n, const double *a, const double *b, const struct sa_add_params *p,
		  double *y);
/*
 * Concat (a's na values, then b's nb) and clip (nb = 0): the values
 * themselves with the act applied; the integer path's requantisation is
 * what the float path leaves out.
 */
void sa_float_concat(size_t na, const double *a, size_t nb, const double *b, uint8_t act,
		     double *y);

#endif /* SA_CPU_FLOAT_H */
