// SPDX-License-Identifier: MIT
/* Max and average pooling, one image at a time, with the integer kernels' window rules. */
#include <math.h>
#include <string.h>

#include "layers.h"

/*
 * The in-bounds part [*lo, *hi) of the window of output position `o` along one
 * axis: padding taps are left out (max ignores them, avg counts them as zeros).
 */
static inline void clip_window(int o, int stride, int pad, int kernel, int in, int *lo, int *hi)
{
	int start = o * stride - pad;

	*lo = start < 0 ? 0 : start;
	*hi = start + kernel > in ? in : start + kernel;
}

/* The common 2x2, stride 2, unpadded window, without the general window clipping. */
static void maxpool_2x2(const struct tr_pool_geom *g, const float *x, float *y, int32_t *argmax)
{
	for (int c = 0; c < g->c; c++) {
		for (int oy = 0; oy < g->oh; oy++) {
			int row = (c * g->ih + 2 * oy) * g->iw;
			int o = (c * g->oh + oy) * g->ow;

			for (int ox = 0; ox < g->ow; ox++) {
				int i = row + 2 * ox, best = i;

				best = x[i + 1] > x[best] ? i + 1 : best;
				best = x[i + g->iw] > x[best] ? i + g->iw : best;
				best = x[i + g->iw + 1] > x[best] ? i + g->iw + 1 : best;
				y[o + ox] = x[best];
				argmax[o + ox] = best;
			}
		}
	}
}

void tr_maxpool_forward_image(const struct tr_pool_geom *g, const float *x, float *y,
			      int32_t *argmax)
{
	if (g->kh == 2 && g->kw == 2 && g->sh == 2 && g->sw == 2 && g->pt == 0 && g->pl == 0) {
		maxpool_2x2(g, x, y, argmax);
		return;
	}
	for (int c = 0; c < g->c; c++) {
		int base = c * g->ih * g->iw;

		for (int oy = 0; oy < g->oh; oy++) {
			int ya, yb;

			clip_window(oy, g->sh, g->pt, g->kh, g->ih, &ya, &yb);

			for (int ox = 0; ox < g->ow; ox++) {
				int xa, xb;

				clip_window(ox, g->sw, g->pl, g->kw, g->iw, &xa, &xb);
				int best = base + ya * g->iw + xa;

				for (int iy = ya; iy < yb; iy++)
					for (int ix = xa; ix < xb; ix++) {
						int i = base + iy * g->iw + ix;

						if (x[i] > x[best])
							best = i;
					}
				int o = (c * g->oh + oy) * g->ow + ox;

				y[o] = x[best];
				argmax[o] = best;
			}
		}
	}
}

void tr_maxpool_backward_image(const struct tr_pool_geom *g, const float *dy, const int32_t *argmax,
			       float *dx)
{
	int n = g->c * g->oh * g->ow;

	memset(dx, 0, sizeof(float) * (size_t)g->c * g->ih * g->iw);
	for (int o = 0; o < n; o++)
		dx[argmax[o]] += dy[o];
}

/*
 * Window sums over the in-bounds taps (padding counts as zeros), handed to
 * `finish` with the window area; one loop for the float and the rounded mean.
 */
static void avgpool_windows(const struct tr_pool_geom *g, const float *x, float *y,
			    float (*finish)(double sum, int area, float scale), float scale)
{
	int area = g->kh * g->kw;

	for (int c = 0; c < g->c; c++) {
		const float *xc = x + (size_t)c * g->ih * g->iw;

		for (int oy = 0; oy < g->oh; oy++) {
			int ya, yb;

			clip_window(oy, g->sh, g->pt, g->kh, g->ih, &ya, &yb);

			for (int ox = 0; ox < g->ow; ox++) {
				int xa, xb;

				clip_window(ox, g->sw, g->pl, g->kw, g->iw, &xa, &xb);
				double s = 0.0;

				for (int iy = ya; iy < yb; iy++)
					for (int ix = xa; ix < xb; ix++)
						s += xc[iy * g->iw + ix];
				y[(c * g->oh + oy) * g->ow + ox] = finish(s, area, scale);
			}
		}
	}
}

static float float_mean(double sum, int area, float scale)
{
	(void)scale;
	return (float)(sum / area);
}

/*
 * The integer op's rounded mean floor(S / A + 1/2) of the window sum S in
 * units of `scale`, computed exactly as floor((2S + A) / 2A) on integers
 * (S is exact: the inputs are integers times scale, and a double holds their sum).
 */
static float rounded_mean(double sum, int area, float scale)
{
	int64_t s2 = 2 * (int64_t)llround(sum / scale) + area, d = 2 * (int64_t)area;
	int64_t q = s2 / d - (s2 % d != 0 && s2 < 0);

	return (float)q * scale;
}

void tr_avgpool_forward_image(const struct tr_pool_geom *g, const float *x, float *y)
{
	avgpool_windows(g, x, y, float_mean, 1.0f);
}

void tr_avgpool_forward_image_rounded(const struct tr_pool_geom *g, const float *x, float *y,
				      float scale)
{
	avgpool_windows(g, x, y, rounded_mean, scale);
}

void tr_avgpool_backward_image(const struct tr_pool_geom *g, const float *dy, float *dx)
{
	float inv_area = 1.0f / (float)(g->kh * g->kw);

	memset(dx, 0, sizeof(float) * (size_t)g->c * g->ih * g->iw);
	for (int c = 0; c < g->c; c++) {
		float *dc = dx + (size_t)c * g->ih * g->iw;

		for (int oy = 0; oy < g->oh; oy++) {
			int ya, yb;

			clip_window(oy, g->sh, g->pt, g->kh, g->ih, &ya, &yb);

			for (int ox = 0; ox < g->ow; ox++) {
				int xa, xb;

				clip_window(ox, g->sw, g->pl, g->kw, g->iw, &xa, &xb);
				float d = dy[(c * g->oh + oy) * g->ow + ox] * inv_area;

				for (int iy = ya; iy < yb; iy++)
					for (int ix = xa; ix < xb; ix++)
						dc[iy * g->iw + ix] += d;
			}
		}
	}
}
