// SPDX-License-Identifier: MIT
/*
 * What a data set's images look like, measured on the images themselves so
 * the trainer can store it in the model (input.polarity, input.framing; see
 * docs/preprocessing.md): the same polarity rule sa_preprocess_image
 * applies to one image, by majority over a sample, and whether the ink is
 * framed as MNIST frames it (its box's longer side 20/28 of the image and
 * its centre of mass at the centre).
 */
#include <math.h>
#include <stdlib.h>

#include "../prep.h"
#include "dataset.h"

/* Images measured: enough for a stable majority, few enough to be instant. */
#define STYLE_SAMPLE 1000u
/* Share of sampled images that must be framed for the set to count as framed. */
#define STYLE_FRAMED_SHARE 0.9
/* Tolerances of "framed": box side within a pixel of 20/28, mass within 1.5 pixels. */
#define STYLE_BOX_SLACK 1.0
#define STYLE_MASS_SLACK 1.5

/* Whether light-on-dark `g` (w x h) has its ink framed the MNIST way. */
static int is_framed(const uint8_t *g, uint32_t w, uint32_t h)
{
	uint32_t x0 = w, y0 = h, x1 = 0, y1 = 0;
	double mass = 0, cx = 0, cy = 0;
	double box = (double)PREP_FRAME_BOX / PREP_FRAME_SIDE * (w < h ? w : h);

	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint8_t v = g[(size_t)y * w + x];

			mass += v, cx += (double)v * x, cy += (double)v * y;
			if (v >= PREP_INK_HALF) {
				x0 = x < x0 ? x : x0, x1 = x + 1 > x1 ? x + 1 : x1;
				y0 = y < y0 ? y : y0, y1 = y + 1 > y1 ? y + 1 : y1;
			}
		}
	if (x1 <= x0 || !(mass > 0))
		return 0;
	uint32_t side = x1 - x0 > y1 - y0 ? x1 - x0 : y1 - y0;

	return fabs(side - box) <= STYLE_BOX_SLACK &&
	       fabs(cx / mass - w / 2.0) <= STYLE_MASS_SLACK &&
	       fabs(cy / mass - h / 2.0) <= STYLE_MASS_SLACK;
}

void sa_dataset_input_style(const sa_dataset *ds, const char **polarity, const char **framing)
{
	uint32_t n = ds->count < STYLE_SAMPLE ? ds->count : STYLE_SAMPLE;
	uint32_t dark_on_light = 0, framed = 0;
	size_t plane = (size_t)ds->h * ds->w;
	uint8_t *tmp = malloc(plane ? plane : 1);

	*polarity = *framing = NULL;
	/* Ink on a background is a gray-image notion; colour sets get neither key. */
	if (ds->c != 1 || n == 0 || !tmp) {
		free(tmp);
		return;
	}
	for (uint32_t k = 0; k < n; k++) {
		/* Spread over the set, which may be sorted by class. */
		const uint8_t *g = sa_dataset_image(ds, (uint32_t)((uint64_t)k * ds->count / n));
		struct prep_levels lv;

		prep_measure(g, ds->w, ds->h, &lv);
		dark_on_light += (uint32_t)lv.dark_on_light;
		for (size_t i = 0; i < plane; i++)
			tmp[i] = lv.dark_on_light ? (uint8_t)(255 - g[i]) : g[i];
		framed += (uint32_t)is_framed(tmp, ds->w, ds->h);
	}
	free(tmp);
	*polarity = 2 * dark_on_light > n ? SA_POLARITY_DARK_ON_LIGHT : SA_POLARITY_LIGHT_ON_DARK;
	*framing = framed >= STYLE_FRAMED_SHARE * n ? SA_FRAMING_DIGIT : SA_FRAMING_NONE;
}
