// SPDX-License-Identifier: MIT
#include "image_alpha.h"

/* BT.601 luma in 1/1000ths, the weights preprocess.c converts RGB with. */
static uint32_t luma_milli(const uint8_t *p, uint32_t colors)
{
	return colors == 1 ? 1000u * p[0] : 299u * p[0] + 587u * p[1] + 114u * p[2];
}

void sa_image_flatten_alpha(uint8_t *pixels, size_t n, uint32_t colors)
{
	uint32_t stride = colors + 1;
	uint64_t weight = 0, weighted_luma = 0;
	uint8_t bg;
	size_t i;

	for (i = 0; i < n; i++) {
		const uint8_t *p = pixels + i * stride;

		weight += p[colors];
		weighted_luma += (uint64_t)p[colors] * luma_milli(p, colors);
	}
	/* Fully transparent: nothing visible, any background; black keeps it 0. */
	bg = weight && weighted_luma < weight * 127500u ? 255 : 0;
	for (i = 0; i < n; i++) {
		const uint8_t *p = pixels + i * stride;
		uint8_t *q = pixels + i * colors;
		uint32_t a = p[colors];

		/* In place: q never runs ahead of p (colors < stride). */
		for (uint32_t c = 0; c < colors; c++)
			q[c] = (uint8_t)((p[c] * a + bg * (255u - a) + 127u) / 255u);
	}
}
