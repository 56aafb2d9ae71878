// SPDX-License-Identifier: MIT
/*
 * MNIST's framing (LeCun et al.: "the images were centered in a 28x28 image
 * by computing the center of mass of the pixels, and translating the image
 * so as to position this point at the center"; the digit first
 * size-normalised to fit a 20x20 box, preserving its aspect ratio, with
 * anti-aliasing).  Area averaging stands in for the anti-aliasing: each
 * output pixel is the mean of the source area it covers.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "prep.h"

/*
 * Bounding box of the pixels at half ink or more; 0 when there are none.
 * Half, not any: faint speckle and uneven light left after the levels
 * stretch must not stretch the box, and a stroke's core is always above it.
 */
static int ink_box(const uint8_t *g, uint32_t w, uint32_t h, uint32_t *x0, uint32_t *y0,
		   uint32_t *x1, uint32_t *y1)
{
	*x0 = w, *y0 = h, *x1 = 0, *y1 = 0;
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			if (g[(size_t)y * w + x] >= PREP_INK_HALF) {
				*x0 = x < *x0 ? x : *x0;
				*x1 = x + 1 > *x1 ? x + 1 : *x1;
				*y0 = y < *y0 ? y : *y0;
				*y1 = y + 1 > *y1 ? y + 1 : *y1;
			}
	return *x1 > *x0;
}

/*
 * One axis of area resampling: output k (of n_out) is the mean of source
 * [k * step, (k + 1) * step), step = n_in / n_out, read with `stride_in`
 * between samples.
 */
static void area_1d(const float *src, size_t stride_in, uint32_t n_in, float *dst,
		    size_t stride_out, uint32_t n_out)
{
	double step = (double)n_in / n_out;

	for (uint32_t k = 0; k < n_out; k++) {
		double a = k * step, b = a + step, sum = 0;

		/* i < n_in also guards against b rounding just past the end. */
		for (int64_t i = (int64_t)floor(a); (double)i < b && i < (int64_t)n_in; i++) {
			double lo = fmax(a, (double)i), hi = fmin(b, (double)i + 1);

			if (hi > lo)
				sum += src[(size_t)i * stride_in] * (hi - lo);
		}
		dst[k * stride_out] = (float)(sum / step);
	}
}

/* Copies patch (pw x ph) into out (ow x oh) so its centre of mass lands at index side / 2. */
static int place_by_mass(const float *patch, uint32_t pw, uint32_t ph, uint8_t *out, uint32_t ow,
			 uint32_t oh)
{
	double mass = 0, cx = 0, cy = 0;

	for (uint32_t y = 0; y < ph; y++)
		for (uint32_t x = 0; x < pw; x++) {
			double v = patch[(size_t)y * pw + x];

			mass += v;
			cx += v * x;
			cy += v * y;
		}
	if (!(mass > 0))
		return -1;
	/* Index 14 of 28 is where MNIST's digits have their centre of mass on average. */
	long ox = lround(ow / 2.0 - cx / mass), oy = lround(oh / 2.0 - cy / mass);

	for (uint32_t y = 0; y < ph; y++)
		for (uint32_t x = 0; x < pw; x++) {
			long tx = (long)x + ox, ty = (long)y + oy;
			long v = lround(patch[(size_t)y * pw + x]);

			if (tx >= 0 && ty >= 0 && tx < (long)ow && ty < (long)oh)
				out[(size_t)ty * ow + (size_t)tx] = (uint8_t)(v > 255 ? 255 : v);
		}
	return 0;
}

int prep_frame_digit(const uint8_t *g, uint32_t w, uint32_t h, uint32_t out_w, uint32_t out_h,
		     uint8_t *out)
{
	uint32_t x0, y0, x1, y1, bw, bh, nw, nh;
	double box, scale;
	float *src, *mid, *patch;
	int ok = -1;

	memset(out, 0, (size_t)out_w * out_h);
	if (!ink_box(g, w, h, &x0, &y0, &x1, &y1))
		return -1;
	bw = x1 - x0, bh = y1 - y0;
	box = (double)PREP_FRAME_BOX / PREP_FRAME_SIDE * (out_w < out_h ? out_w : out_h);
	scale = box / (bw > bh ? bw : bh);
	nw = (uint32_t)lround(bw * scale), nh = (uint32_t)lround(bh * scale);
	nw = nw < 1 ? 1 : nw > out_w ? out_w : nw;
	nh = nh < 1 ? 1 : nh > out_h ? out_h : nh;
	src = malloc(sizeof(float) * bw * bh);
	mid = malloc(sizeof(float) * (size_t)nw * bh);
	patch = malloc(sizeof(float) * (size_t)nw * nh);
	if (src && mid && patch) {
		for (uint32_t y = 0; y < bh; y++)
			for (uint32_t x = 0; x < bw; x++)
				src[(size_t)y * bw + x] = g[(size_t)(y0 + y) * w + x0 + x];
		/* Separable: rows to the new width, then columns to the new height. */
		for (uint32_t y = 0; y < bh; y++)
			area_1d(src + (size_t)y * bw, 1, bw, mid + (size_t)y * nw, 1, nw);
		for (uint32_t x = 0; x < nw; x++)
			area_1d(mid + x, nw, bh, patch + x, nw, nh);
		ok = place_by_mass(patch, nw, nh, out, out_w, out_h);
	}
	free(src);
	free(mid);
	free(patch);
	return ok;
}
