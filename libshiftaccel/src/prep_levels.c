// SPDX-License-Identifier: MIT
/*
 * Polarity and levels of a gray image.  The background is what the border
 * shows (people frame a drawing or a photographed digit with margin), the
 * ink is the far end of the histogram from it: whichever of the darkest and
 * the brightest pixels lies further from the background.  Percentiles, not
 * the extremes, so a few noise pixels decide nothing.
 */
#include "prep.h"

/* Share of pixels ignored at each end of the histogram when finding the ink. */
#define INK_PERCENTILE_DIV 1000u /* 0.1% */

/* The value of rank `rank` (from 0) in the histogram. */
static uint8_t percentile(const uint64_t *hist, uint64_t rank)
{
	uint64_t seen = 0;

	for (int v = 0; v < 256; v++) {
		seen += hist[v];
		if (seen > rank)
			return (uint8_t)v;
	}
	return 255;
}

void prep_measure(const uint8_t *g, uint32_t w, uint32_t h, struct prep_levels *out)
{
	uint64_t border[256] = {0}, all[256] = {0}, nb = 0, n = (uint64_t)w * h;
	uint32_t ring = (w < h ? w : h) / 16;
	uint8_t lo, hi, bg;

	if (ring < 1)
		ring = 1;
	for (uint32_t y = 0; y < h; y++) {
		for (uint32_t x = 0; x < w; x++) {
			uint8_t v = g[(size_t)y * w + x];

			all[v]++;
			if (y < ring || y >= h - ring || x < ring || x >= w - ring) {
				border[v]++;
				nb++;
			}
		}
	}
	bg = percentile(border, nb / 2);
	lo = percentile(all, n / INK_PERCENTILE_DIV);
	hi = percentile(all, n - 1 - n / INK_PERCENTILE_DIV);
	out->background = bg;
	out->dark_on_light = bg - lo > hi - bg;
	out->ink = out->dark_on_light ? lo : hi;
}

/* The median of nine values (insertion sort: nine elements, no call overhead). */
static uint8_t median9(uint8_t *v)
{
	for (int i = 1; i < 9; i++) {
		uint8_t x = v[i];
		int j = i - 1;

		for (; j >= 0 && v[j] > x; j--)
			v[j + 1] = v[j];
		v[j + 1] = x;
	}
	return v[4];
}

static uint32_t clamp_index(int64_t i, uint32_t n)
{
	return i < 0 ? 0 : i >= (int64_t)n ? n - 1 : (uint32_t)i;
}

void prep_median3(const uint8_t *g, uint32_t w, uint32_t h, uint8_t *out)
{
	for (uint32_t y = 0; y < h; y++) {
		for (uint32_t x = 0; x < w; x++) {
			uint8_t win[9];
			int k = 0;

			for (int dy = -1; dy <= 1; dy++) {
				uint32_t yy = clamp_index((int64_t)y + dy, h);

				for (int dx = -1; dx <= 1; dx++)
					win[k++] =
						g[(size_t)yy * w + clamp_index((int64_t)x + dx, w)];
			}
			out[(size_t)y * w + x] = median9(win);
		}
	}
}

int prep_apply_levels(uint8_t *g, size_t n, const struct prep_levels *lv, int invert)
{
	int bg = invert ? 255 - lv->background : lv->background;
	int ink = invert ? 255 - lv->ink : lv->ink;
	int stretch = ink - bg >= (int)PREP_MIN_CONTRAST;

	for (size_t i = 0; i < n; i++) {
		int v = invert ? 255 - g[i] : g[i];

		if (stretch) {
			v = (v - bg) * 255 / (ink - bg);
			v = v < (int)PREP_NOISE_FLOOR ? 0 : v > 255 ? 255 : v;
		}
		g[i] = (uint8_t)v;
	}
	return stretch;
}
