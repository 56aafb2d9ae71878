// SPDX-License-Identifier: MIT
/*
 * Image -> model input: channel conversion, bilinear resize, normalisation.
 *
 * The resize is resize_taps.h's bilinear with half-pixel centres; a
 * same-size resize is therefore the identity.
 *
 * RGB -> gray uses ITU-R BT.601 luma rounded to the nearest 8-bit value
 * (halves up): Y = (299 R + 587 G + 114 B + 500) / 1000, so converting with
 * --convert gives exactly what converting the PNG to 8-bit gray first gives.
 * Gray -> RGB replicates the gray sample into all three channels.
 */
#include <math.h>
#include <stdlib.h>

#include "error.h"
#include "prep.h"
#include "resize_taps.h"

static const char *channels_name(uint32_t c)
{
	switch (c) {
	case 1: return "grayscale";
	case 3: return "RGB";
	}
	return "unsupported";
}

/*
 * Bilinear resize of one channel of `src` (interleaved, `stride` samples per
 * pixel) followed by normalisation into the planar `dst`.
 */
static void resize_normalise_channel(const uint8_t *src, uint32_t src_w, uint32_t stride,
				     const struct resize_taps *xt, const struct resize_taps *yt,
				     uint32_t out_w, uint32_t out_h, double mean, double std,
				     float *dst)
{
	for (uint32_t y = 0; y < out_h; y++)
		for (uint32_t x = 0; x < out_w; x++) {
			double p = resize_sample(src, src_w, stride, xt, yt, x, y);

			dst[(size_t)y * out_w + x] = (float)((p / 255.0 - mean) / std);
		}
}

/* The model's input and normalisation are usable for an image. */
static sa_status check_model_input(const struct sa_model_info *info)
{
	if (info->input_c == 0 || info->input_c > SA_MAX_INPUT_CHANNELS || info->input_h == 0 ||
	    info->input_w == 0)
		return sa_fail(SA_ERR_BAD_MODEL, "model input %ux%ux%u cannot take an image",
			       info->input_c, info->input_h, info->input_w);
	for (uint32_t c = 0; c < info->input_c; c++) {
		if (!(info->std[c] > 0) || !isfinite(info->std[c]) || !isfinite(info->mean[c]))
			return sa_fail(
				SA_ERR_BAD_MODEL,
				"model normalisation of channel %u is unusable (mean %g, std %g)",
				c, info->mean[c], info->std[c]);
	}
	return SA_OK;
}

sa_status sa_preprocess_accepts(const sa_model *model, uint32_t channels, int convert_channels)
{
	struct sa_model_info info;
	sa_status st;

	if (!model)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_preprocess_accepts: NULL model");
	st = sa_model_get_info(model, &info);
	if (st == SA_OK)
		st = check_model_input(&info);
	if (st != SA_OK || channels == info.input_c)
		return st;
	if (!convert_channels)
		return sa_fail(SA_ERR_SHAPE,
			       "image has %u channel%s (%s), model expects %u (%s); use --convert "
			       "to convert",
			       channels, channels == 1 ? "" : "s", channels_name(channels),
			       info.input_c, channels_name(info.input_c));
	if ((channels != 1 && channels != 3) || (info.input_c != 1 && info.input_c != 3))
		return sa_fail(SA_ERR_SHAPE,
			       "image has %u channel%s, model expects %u; only gray <-> RGB can be "
			       "converted",
			       channels, channels == 1 ? "" : "s", info.input_c);
	return SA_OK;
}

static sa_status check_arguments(const sa_model *model, const sa_image *image, int convert_channels)
{
	if (image->width == 0 || image->height == 0 ||
	    (image->channels != 1 && image->channels != 3))
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "sa_preprocess: bad image (%ux%u, %u channels; expected 1 or 3)",
			       image->width, image->height, image->channels);
	return sa_preprocess_accepts(model, image->channels, convert_channels);
}

sa_status sa_preprocess(const sa_model *model, const sa_image *image, int convert_channels,
			float *input)
{
	struct sa_model_info info;
	struct resize_taps xt = {0}, yt = {0};
	uint8_t *gray = NULL;
	const uint8_t *src;
	uint32_t src_stride;
	sa_status st;

	if (!model || !image || !image->pixels || !input)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_preprocess: NULL argument");
	st = sa_model_get_info(model, &info);
	if (st != SA_OK)
		return st;
	st = check_arguments(model, image, convert_channels);
	if (st != SA_OK)
		return st;

	src = image->pixels;
	src_stride = image->channels;
	if (image->channels == 3 && info.input_c == 1) {
		size_t n = (size_t)image->width * image->height, i;

		gray = malloc(n);
		if (!gray)
			return sa_fail(SA_ERR_NO_MEMORY, "sa_preprocess: out of memory");
		for (i = 0; i < n; i++)
			gray[i] = prep_bt601_luma(image->pixels + 3 * i);
		src = gray;
		src_stride = 1;
	}

	st = resize_taps_init(&xt, image->width, info.input_w);
	if (st == SA_OK)
		st = resize_taps_init(&yt, image->height, info.input_h);
	if (st == SA_OK) {
		for (uint32_t c = 0; c < info.input_c; c++) {
			/* A gray source feeds every model channel (replication). */
			uint32_t sc = src_stride == 1 ? 0 : c;

			resize_normalise_channel(src + sc, image->width, src_stride, &xt, &yt,
						 info.input_w, info.input_h, info.mean[c],
						 info.std[c],
						 input + (size_t)c * info.input_h * info.input_w);
		}
		sa_clear_error();
	}
	resize_taps_free(&xt);
	resize_taps_free(&yt);
	free(gray);
	return st;
}
