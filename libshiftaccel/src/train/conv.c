// SPDX-License-Identifier: MIT
/*
 * Convolution by im2col + GEMM.  Several images share one GEMM (their
 * im2col matrices side by side), so the weights are packed once per group
 * of images and the GEMM's N dimension stays large even for small feature
 * maps.  The group size is bounded by TR_CONV_WS_FLOATS of scratch.  The
 * outputs and output gradients of those images are used where they are,
 * as a matrix whose columns come in one block per image (tr_mat_blocks), not
 * copied side by side.
 * Groups (including depthwise) are separate GEMMs over their channel slices.
 */
#include <string.h>

#include "layers.h"

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

static int min_int(int a, int b)
{
	return a < b ? a : b;
}

int tr_conv_images_per_gemm(const struct tr_conv_geom *g)
{
	size_t per = (size_t)tr_conv_col_rows(g) * g->oh * g->ow;
	size_t out = (size_t)(g->oc / g->groups) * g->oh * g->ow;
	size_t biggest = per > out ? per : out;
	size_t s = TR_CONV_WS_FLOATS / (biggest ? biggest : 1);

	return s < 1 ? 1 : s > 256 ? 256 : (int)s;
}

/* Output columns ox whose input column ox * sw + off lies in [0, iw): [*lo, *hi). */
static void valid_range(int off, int sw, int iw, int ow, int *lo, int *hi)
{
	/* smallest ox with ox * sw + off >= 0, largest with ox * sw + off <= iw - 1 */
	int a = off >= 0 ? 0 : (-off + sw - 1) / sw;
	int b = iw - 1 - off < 0 ? -1 : (iw - 1 - off) / sw;

	*lo = min_int(max_int(a, 0), ow);
	*hi = max_int(min_int(b + 1, ow), *lo);
}

/*
 * Rows of the im2col matrix of channels [c0, c0 + cn) of one image, written
 * to columns [0, oh*ow) of `col` whose rows are `ld` floats apart.
 */
static void im2col(const struct tr_conv_geom *g, const float *x, int c0, int cn, float *col,
		   size_t ld)
{
	for (int c = 0; c < cn; c++) {
		const float *xc = x + (size_t)(c0 + c) * g->ih * g->iw;

		for (int ki = 0; ki < g->kh; ki++) {
			for (int kj = 0; kj < g->kw; kj++) {
				float *row = col + (size_t)((c * g->kh + ki) * g->kw + kj) * ld;
				int off = kj * g->dw - g->pl, lo, hi;

				valid_range(off, g->sw, g->iw, g->ow, &lo, &hi);
				for (int oy = 0; oy < g->oh; oy++) {
					int iy = oy * g->sh - g->pt + ki * g->dh;
					float *dst = row + (size_t)oy * g->ow;

					if (iy < 0 || iy >= g->ih) {
						memset(dst, 0, sizeof(float) * (size_t)g->ow);
						continue;
					}
					const float *src = xc + (size_t)iy * g->iw + off;

					for (int ox = 0; ox < lo; ox++)
						dst[ox] = 0.0f;
					if (g->sw == 1)
						memcpy(dst + lo, src + lo,
						       sizeof(float) * (size_t)(hi - lo));
					else
						for (int ox = lo; ox < hi; ox++)
							dst[ox] = src[ox * g->sw];
					for (int ox = hi; ox < g->ow; ox++)
						dst[ox] = 0.0f;
				}
			}
		}
	}
}

/* Adds an im2col-shaped gradient (rows `ld` apart) onto channels [c0, c0 + cn) of dx. */
static void col2im_add(const struct tr_conv_geom *g, const float *col, size_t ld, int c0, int cn,
		       float *dx)
{
	for (int c = 0; c < cn; c++) {
		float *dc = dx + (size_t)(c0 + c) * g->ih * g->iw;

		for (int ki = 0; ki < g->kh; ki++) {
			for (int kj = 0; kj < g->kw; kj++) {
				const float *row =
					col + (size_t)((c * g->kh + ki) * g->kw + kj) * ld;
				int off = kj * g->dw - g->pl, lo, hi;

				valid_range(off, g->sw, g->iw, g->ow, &lo, &hi);
				for (int oy = 0; oy < g->oh; oy++) {
					int iy = oy * g->sh - g->pt + ki * g->dh;

					if (iy < 0 || iy >= g->ih)
						continue;
					float *restrict dst = dc + (size_t)iy * g->iw + off;
					const float *restrict src = row + (size_t)oy * g->ow;

					if (g->sw == 1)
						for (int ox = lo; ox < hi; ox++)
							dst[ox] += src[ox];
					else
						for (int ox = lo; ox < hi; ox++)
							dst[ox * g->sw] += src[ox];
				}
			}
		}
	}
}

/* Row sums of an m x n matrix (rows ld apart) added to out[0..m). */
static void add_row_sums(const float *a, int m, int n, size_t ld, float *out)
{
	for (int i = 0; i < m; i++) {
		const float *r = a + (size_t)i * ld;
		float s[8] = {0};
		int j = 0;

		/* eight partial sums: vectorisable without reassociating one chain */
		for (; j + 8 <= n; j += 8)
			for (int k = 0; k < 8; k++)
				s[k] += r[j + k];
		for (; j < n; j++)
			s[0] += r[j];
		out[i] += ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
	}
}

void tr_conv_forward(const struct tr_conv_geom *g, int n, const float *x, size_t xs, const float *w,
		     const float *bias, float *y, size_t ys, float *col, struct tr_gemm_ws *ws)
{
	int p = g->oh * g->ow;
	int icg = g->ic / g->groups, ocg = g->oc / g->groups;
	int k = tr_conv_col_rows(g);
	int per = tr_conv_images_per_gemm(g);

	for (int i0 = 0; i0 < n; i0 += per) {
		int s = min_int(per, n - i0);
		size_t ld = (size_t)s * p;

		for (int grp = 0; grp < g->groups; grp++) {
			const float *wg = w + (size_t)grp * ocg * k;

			/* the group's output channels of each image: a block of p columns */
			struct tr_out out = {y + (size_t)i0 * ys + (size_t)grp * ocg * p, p, 1, p,
					     (ptrdiff_t)ys};

			for (int i = 0; i < s; i++)
				im2col(g, x + (size_t)(i0 + i) * xs, grp * icg, icg,
				       col + (size_t)i * p, ld);
			tr_gemm_views(ocg, (int)ld, k, tr_mat_rows(wg, k),
				      tr_mat_rows(col, (ptrdiff_t)ld), out, 0, ws);
		}
	}
	if (!bias)
		return;
	for (int i = 0; i < n; i++) {
		for (int o = 0; o < g->oc; o++) {
			float *yo = y + (size_t)i * ys + (size_t)o * p, b = bias[o];

			for (int j = 0; j < p; j++)
				yo[j] += b;
		}
	}
}

void tr_conv_backward(const struct tr_conv_geom *g, int n, const float *x, size_t xs,
		      const float *w, const float *dy, size_t dys, float *dx, size_t dxs,
		      int accumulate_dx, float *dw, float *db, float *col, struct tr_gemm_ws *ws)
{
	int p = g->oh * g->ow;
	int icg = g->ic / g->groups, ocg = g->oc / g->groups;
	int k = tr_conv_col_rows(g);
	int per = tr_conv_images_per_gemm(g);

	if (dx && !accumulate_dx)
		for (int i = 0; i < n; i++)
			memset(dx + (size_t)i * dxs, 0,
			       sizeof(float) * (size_t)g->ic * g->ih * g->iw);
	for (int i0 = 0; i0 < n; i0 += per) {
		int s = min_int(per, n - i0);
		size_t ld = (size_t)s * p;

		for (int grp = 0; grp < g->groups; grp++) {
			const float *wg = w + (size_t)grp * ocg * k;
			/* dy of the group's channels for s images: blocks of p columns */
			const float *dy0 = dy + (size_t)i0 * dys + (size_t)grp * ocg * p;
			struct tr_mat dyg = tr_mat_blocks(dy0, p, p, (ptrdiff_t)dys);

			if (db)
				for (int i = 0; i < s; i++)
					add_row_sums(dy0 + (size_t)i * dys, ocg, p, (size_t)p,
						     db + (size_t)grp * ocg);
			for (int i = 0; i < s; i++)
				im2col(g, x + (size_t)(i0 + i) * xs, grp * icg, icg,
				       col + (size_t)i * p, ld);
			/* dW_g += dy_g * col^T */
			tr_gemm(ocg, k, (int)ld, dyg, tr_mat_trans(col, (ptrdiff_t)ld),
				dw + (size_t)grp * ocg * k, k, 1, 1, ws);
			if (!dx)
				continue;
			/* dcol = W_g^T * dy_g (into col, no longer needed), then onto the images */
			tr_gemm(k, (int)ld, ocg, tr_mat_trans(wg, k), dyg, col, (ptrdiff_t)ld, 1, 0,
				ws);
			for (int i = 0; i < s; i++)
				col2im_add(g, col + (size_t)i * p, ld, grp * icg, icg,
					   dx + (size_t)(i0 + i) * dxs);
		}
	}
}
