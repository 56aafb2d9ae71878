/* SPDX-License-Identifier: MIT */
/*
 * Forward and backward kernels of the training layers, as plain functions
 * on float arrays.  Activations are [C][H][W] per image, like the integer
 * kernels.  The network code (net.c) splits a batch across threads and calls
 * these on its share; the unit tests call them directly for the
 * finite-difference gradient checks.  Backward functions that produce dx
 * overwrite it; those that produce parameter gradients add to them.
 */
#ifndef TR_LAYERS_H
#define TR_LAYERS_H

#include <stddef.h>
#include <stdint.h>

#include "../../include/shiftaccel_train.h"
#include "gemm.h"
#include "rng.h"

/* ------------------------------------------------------------ convolution */

struct tr_conv_geom {
	int ic, ih, iw;
	int oc, oh, ow;
	int kh, kw, sh, sw, dh, dw;
	int pt, pl; /* top and left padding (bottom/right only shape oh/ow) */
	int groups;
};

/* Rows of the im2col matrix of one group: (ic / groups) * kh * kw. */
static inline int tr_conv_col_rows(const struct tr_conv_geom *g)
{
	return g->ic / g->groups * g->kh * g->kw;
}

/*
 * Scratch floats (per thread) that bound how many images share one GEMM:
 * 512 KiB, so the im2col matrix is still in L2 when the GEMM packs it (4 MiB
 * went out to memory and back: ResNet-20 trained about 8% slower).
 */
#define TR_CONV_WS_FLOATS (1u << 17)

/* Images per GEMM: as many as TR_CONV_WS_FLOATS of im2col matrix allows (1..256). */
int tr_conv_images_per_gemm(const struct tr_conv_geom *g);

/*
 * Floats of the `col` scratch the functions below take (outputs and
 * gradients are read and written in place, so they need no other).
 */
static inline size_t tr_conv_col_size(const struct tr_conv_geom *g)
{
	return (size_t)tr_conv_col_rows(g) * g->oh * g->ow * tr_conv_images_per_gemm(g);
}

/*
 * n images x [ic][ih][iw] (image i at x + i * xs) -> y [oc][oh][ow] (at
 * y + i * ys) = W * x + bias (bias may be NULL).
 */
void tr_conv_forward(const struct tr_conv_geom *g, int n, const float *x, size_t xs, const float *w,
		     const float *bias, float *y, size_t ys, float *col, struct tr_gemm_ws *ws);
/*
 * dx = dL/dx of each image (skipped when dx is NULL; added to dx when
 * accumulate_dx is set), dw += dL/dW, db += dL/db (db may be NULL).
 */
void tr_conv_backward(const struct tr_conv_geom *g, int n, const float *x, size_t xs,
		      const float *w, const float *dy, size_t dys, float *dx, size_t dxs,
		      int accumulate_dx, float *dw, float *db, float *col, struct tr_gemm_ws *ws);

/* --------------------------------------------------------- fully connected */

/* y[n][out] columns [o0, o1) = x[n][in] * W[o0:o1]^T + bias. */
void tr_fc_forward_rows(int n, int in, int out, int o0, int o1, const float *x, const float *w,
			const float *bias, float *y, struct tr_gemm_ws *ws);
/* dx[n][in] columns [i0, i1) = dy[n][out] * W[:, i0:i1]. */
void tr_fc_backward_dx_cols(int n, int in, int out, int i0, int i1, const float *dy, const float *w,
			    float *dx, struct tr_gemm_ws *ws);
/* dW rows [o0, o1) += dy^T x; db[o0:o1] += column sums of dy (db may be NULL). */
void tr_fc_backward_dw_rows(int n, int in, int out, int o0, int o1, const float *dy, const float *x,
			    float *dw, float *db, struct tr_gemm_ws *ws);

/* ----------------------------------------------------------------- pooling */

struct tr_pool_geom {
	int c, ih, iw, oh, ow;
	int kh, kw, sh, sw, pt, pl;
};

/* Max over the in-bounds part of each window; argmax[i] is the input index chosen. */
void tr_maxpool_forward_image(const struct tr_pool_geom *g, const float *x, float *y,
			      int32_t *argmax);
void tr_maxpool_backward_image(const struct tr_pool_geom *g, const float *dy, const int32_t *argmax,
			       float *dx);
/* Sum over the window (padding counts as zeros) divided by kh * kw. */
void tr_avgpool_forward_image(const struct tr_pool_geom *g, const float *x, float *y);
/*
 * The integer op's average (docs/numerics.md) for inputs that are integers
 * times `scale`: the rounded mean floor(S / A + 1/2) of each window sum S,
 * times `scale`, for any area A = kh * kw.
 */
void tr_avgpool_forward_image_rounded(const struct tr_pool_geom *g, const float *x, float *y,
				      float scale);
void tr_avgpool_backward_image(const struct tr_pool_geom *g, const float *dy, float *dx);

/* -------------------------------------------------------------- batch norm */

/*
 * One channel over a batch: n images, p elements each, image i's elements at
 * x + i * stride.  Training uses the batch mean and biased variance and
 * returns them (mean, invstd = 1 / sqrt(var + eps)) for the backward.
 */
void tr_bn_forward_train(const float *x, float *y, int n, int p, ptrdiff_t stride, float gamma,
			 float beta, float eps, float *mean, float *var, float *invstd);
void tr_bn_backward(const float *x, const float *dy, float *dx, int n, int p, ptrdiff_t stride,
		    float gamma, float mean, float invstd, float *dgamma, float *dbeta);

/* ------------------------------------------ activation and fake quantisation */

/*
 * The elementwise tail of a producing op: optional ReLU/ReLU6, then
 * optional fake quantisation exactly as the integer requantisation does it:
 * q = clamp(floor(v * 2^-exp + 0.5), lo, hi), output q * 2^exp, where lo/hi
 * are the dtype range narrowed by the activation (sa_act_bounds).
 * Gradients pass straight through where v lies inside [lo, hi] * 2^exp
 * (and, without quantisation, where the activation is not saturated).
 */
struct tr_actq {
	int act;		/* SA_ACT_* */
	int quant;		/* 0: float */
	float scale, inv_scale; /* 2^exp, 2^-exp */
	float qlo, qhi;		/* bounds in units of 2^exp */
};

void tr_actq_init(struct tr_actq *a, int act, int quant, int dtype, int exp);
void tr_actq_forward(const struct tr_actq *a, const float *v, float *y, size_t n);
/* dv = dy where the gradient passes, else 0 (dv may equal dy). */
void tr_actq_backward(const struct tr_actq *a, const float *v, const float *dy, float *dv,
		      size_t n);
/* Largest |v| (for range calibration). */
float tr_max_abs(const float *v, size_t n);

/* ----------------------------------------------------------------- dropout */

/* Inverted dropout: keep with probability 1 - p and scale by 1 / (1 - p). */
void tr_dropout_mask(struct tr_rng *rng, float p, uint8_t *mask, size_t n);
void tr_dropout_apply(const uint8_t *mask, float p, const float *x, float *y, size_t n);

/* ------------------------------------------------------------------- loss */

/*
 * Softmax cross-entropy of n rows of `classes` logits: returns the summed
 * loss, writes dlogits = (softmax - onehot) * grad_scale (if not NULL) and
 * adds the number of rows whose argmax equals the label to *correct.
 */
double tr_softmax_xent(const float *logits, const sa_label *labels, int n, int classes,
		       float grad_scale, float *dlogits, int *correct);
/* Index of the largest value (lowest index on ties). */
int tr_argmax(const float *v, int n);

#endif /* TR_LAYERS_H */
