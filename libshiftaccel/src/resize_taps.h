/* SPDX-License-Identifier: MIT */
/*
 * Bilinear resize with half-pixel centres (OpenCV INTER_LINEAR, PyTorch
 * align_corners=False, no antialiasing): output pixel d reads source
 * coordinate s = (d + 0.5) * in / out - 0.5, clamped to [0, in - 1], and
 * interpolates between floor(s) and the next pixel.  One definition for
 * sa_preprocess and the data-set resize, so both give the same pixels.
 */
#ifndef SA_RESIZE_TAPS_H
#define SA_RESIZE_TAPS_H

#include <stdint.h>

#include "../include/shiftaccel.h"

/* One resize axis: per output index, the two source indices and the weight of the second. */
struct resize_taps {
	uint32_t *i0, *i1;
	double *frac;
};

sa_status resize_taps_init(struct resize_taps *t, uint32_t in, uint32_t out);
void resize_taps_free(struct resize_taps *t);

/* The bilinear value at output (x, y) of one channel of interleaved `src` (`stride` per pixel). */
static inline double resize_sample(const uint8_t *src, uint32_t src_w, uint32_t stride,
				   const struct resize_taps *xt, const struct resize_taps *yt,
				   uint32_t x, uint32_t y)
{
	const uint8_t *r0 = src + (size_t)yt->i0[y] * src_w * stride;
	const uint8_t *r1 = src + (size_t)yt->i1[y] * src_w * stride;
	size_t a = (size_t)xt->i0[x] * stride, b = (size_t)xt->i1[x] * stride;
	double fx = xt->frac[x], fy = yt->frac[y];
	double top = r0[a] + (r0[b] - r0[a]) * fx;
	double bottom = r1[a] + (r1[b] - r1[a]) * fx;

	return top + (bottom - top) * fy;
}

#endif /* SA_RESIZE_TAPS_H */
