// SPDX-License-Identifier: MIT
/*
 * Convolution by im2col + GEMM, one image at a time: the caller splits the
 * batch across threads, so every GEMM here runs on one core with that
 * thread's packing buffers.  Groups (including depthwise) are separate
 * GEMMs over their slices of channels and weights.
 */
#include <string.h>

#include "layers.h"

/* Rows of the im2col matrix of channels [c0, c0 + cn) of x. */
static void im2col(const struct tr_conv_geom *g, const float *x, int c0, int cn, float *col)
{
	int p = g->oh * g->ow;

	for (int c = 0; c < cn; c++) {
		const float *xc = x + (size_t)(c0 + c) * g->ih * g->iw;

		for (int ki = 0; ki < g->kh; ki++) {
			for (int kj = 0; kj < g->kw; kj++) {
				float *row = col + (size_t)((c * g->kh + ki) * g->kw + kj) * p;

				for (int oy = 0; oy < g->oh; oy++) {
					int iy = oy * g->sh - g->pt + ki * g->dh;
					float *dst = row + oy * g->ow;

					if (iy < 0 || iy >= g->ih) {
						memset(dst, 0, sizeof(float) * (size_t)g->ow);
						continue;
					}
					const float *src = xc + (size_t)iy * g->iw;
					int ix0 = -g->pl + kj * g->dw;

					for (int ox = 0; ox < g->ow; ox++) {
						int ix = ix0 + ox * g->sw;

						dst[ox] = ix >= 0 && ix < g->iw ? src[ix] : 0.0f;
					}
				}
			}
		}
	}
}

/* Adds the im2col-shaped gradient back onto channels [c0, c0 + cn) of dx. */
static void col2im_add(const struct tr_conv_geom *g, const float *col, int c0, int cn, float *dx)
{
	int p = g->oh * g->ow;

	for (int c = 0; c < cn; c++) {
		float *dc = dx + (size_t)(c0 + c) * g->ih * g->iw;

		for (int ki = 0; ki < g->kh; ki++) {
			for (int kj = 0; kj < g->kw; kj++) {
				const float *row = col + (size_t)((c * g->kh + ki) * g->kw + kj) * p;

				for (int oy = 0; oy < g->oh; oy++) {
					int iy = oy * g->sh - g->pt + ki * g->dh;

					if (iy < 0 || iy >= g->ih)
						continue;
					float *dst = dc + (size_t)iy * g->iw;
					const float *src = row + oy * g->ow;
					int ix0 = -g->pl + kj * g->dw;

					for (int ox = 0; ox < g->ow; ox++) {
						int ix = ix0 + ox * g->sw;

						if (ix >= 0 && ix < g->iw)
							dst[ix] += src[ox];
					}
				}
			}
		}
	}
}

void tr_conv_forward_image(const struct tr_conv_geom *g, const float *x, const float *w,
			   const float *bias, float *y, float *col, struct tr_gemm_ws *ws)
{
	int p = g->oh * g->ow;
	int icg = g->ic / g->groups, ocg = g->oc / g->groups;
	int k = tr_conv_col_rows(g);
	int pointwise = tr_conv_is_pointwise(g);

	for (int grp = 0; grp < g->groups; grp++) {
		const float *cols = x + (size_t)grp * icg * p;

		if (!pointwise) {
			im2col(g, x, grp * icg, icg, col);
			cols = col;
		}
		tr_gemm(ocg, p, k, tr_mat_rows(w + (size_t)grp * ocg * k, k), tr_mat_rows(cols, p),
			y + (size_t)grp * ocg * p, p, 1, 0, ws);
	}
	if (bias) {
		for (int o = 0; o < g->oc; o++) {
			float *yo = y + (size_t)o * p;

			for (int i = 0; i < p; i++)
				yo[i] += bias[o];
		}
	}
}

void tr_conv_backward_image(const struct tr_conv_geom *g, const float *x, const float *w,
			    const float *dy, float *dx, float *dw, float *db, float *col,
			    float *dcol, struct tr_gemm_ws *ws)
{
	int p = g->oh * g->ow;
	int icg = g->ic / g->groups, ocg = g->oc / g->groups;
	int k = tr_conv_col_rows(g);
	int pointwise = tr_conv_is_pointwise(g);

	if (db) {
		for (int o = 0; o < g->oc; o++) {
			const float *d = dy + (size_t)o * p;
			float s = 0.0f;

			for (int i = 0; i < p; i++)
				s += d[i];
			db[o] += s;
		}
	}
	if (dx && !pointwise)
		memset(dx, 0, sizeof(float) * (size_t)g->ic * g->ih * g->iw);
	for (int grp = 0; grp < g->groups; grp++) {
		const float *wg = w + (size_t)grp * ocg * k;
		const float *dyg = dy + (size_t)grp * ocg * p;
		const float *cols = x + (size_t)grp * icg * p;

		if (!pointwise) {
			im2col(g, x, grp * icg, icg, col);
			cols = col;
		}
		/* dW_g += dy_g * col_g^T */
		tr_gemm(ocg, k, p, tr_mat_rows(dyg, p), tr_mat_trans(cols, p),
			dw + (size_t)grp * ocg * k, k, 1, 1, ws);
		if (!dx)
			continue;
		/* dcol_g = W_g^T * dy_g, then back onto the image */
		if (pointwise) {
			tr_gemm(k, p, ocg, tr_mat_trans(wg, k), tr_mat_rows(dyg, p),
				dx + (size_t)grp * icg * p, p, 1, 0, ws);
		} else {
			tr_gemm(k, p, ocg, tr_mat_trans(wg, k), tr_mat_rows(dyg, p), dcol, p, 1, 0,
				ws);
			col2im_add(g, dcol, grp * icg, icg, dx);
		}
	}
}
