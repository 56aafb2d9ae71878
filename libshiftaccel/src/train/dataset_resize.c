// SPDX-License-Identifier: MIT
/*
 * A data set resized to another image size, with the bilinear resize
 * sa_preprocess uses (resize_taps.h), so a model trained on the result sees
 * what shiftaccel-run and shiftaccel-eval give it.
 */
#include <math.h>

#include "../error.h"
#include "../resize_taps.h"
#include "dataset.h"

sa_status sa_dataset_resize(const sa_dataset *src, uint32_t h, uint32_t w, sa_dataset **out)
{
	struct resize_taps xt = {0}, yt = {0};
	struct sa_dataset *ds = NULL;
	sa_status st;

	if (!src || !out || !h || !w)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_dataset_resize: empty argument");
	if ((uint64_t)src->count * src->c * h * w > SA_DATASET_MAX_BYTES)
		return sa_fail(SA_ERR_BAD_DATA, "%s: %u images of %ux%ux%u exceed %llu bytes",
			       src->name, src->count, src->c, h, w,
			       (unsigned long long)SA_DATASET_MAX_BYTES);
	st = tr_dataset_alloc(src->name, src->count, src->c, h, w, &ds);
	if (!st)
		st = resize_taps_init(&xt, src->w, w);
	if (!st)
		st = resize_taps_init(&yt, src->h, h);
	for (uint32_t i = 0; !st && i < src->count; i++) {
		/* Planar images: each channel is its own plane, stride 1. */
		for (uint32_t c = 0; c < src->c; c++) {
			const uint8_t *plane =
				sa_dataset_image(src, i) + (size_t)c * src->h * src->w;
			uint8_t *dst = ds->pixels + ((size_t)i * src->c + c) * h * w;

			for (uint32_t y = 0; y < h; y++)
				for (uint32_t x = 0; x < w; x++)
					dst[(size_t)y * w + x] = (uint8_t)lround(
						resize_sample(plane, src->w, 1, &xt, &yt, x, y));
		}
		ds->labels[i] = src->labels[i];
	}
	if (!st)
		st = tr_dataset_copy_classes(ds, src);
	resize_taps_free(&xt);
	resize_taps_free(&yt);
	if (st) {
		sa_dataset_close(ds);
		return st;
	}
	ds->has_split = src->has_split;
	*out = ds;
	return SA_OK;
}
