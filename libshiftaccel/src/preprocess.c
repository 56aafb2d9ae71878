// SPDX-License-Identifier: MIT
/*
 * Image -> model input: channel conversion, bilinear resize, normalisation.
 *
 * Resize samples with half-pixel centres (the convention of OpenCV's
 * INTER_LINEAR and PyTorch's align_corners=False, without antialiasing):
 * output pixel d reads source coordinate s = (d + 0.5) * in / out - 0.5,
 * clamped to [0, in - 1], and interpolates linearly between floor(s) and the
 * next pixel.  A same-size resize is therefore the identity.
 *
 * RGB -> gray uses ITU-R BT.601 luma rounded to the nearest 8-bit value
 * (halves up): Y = (299 R + 587 G + 114 B + 500) / 1000, so converting with
 * --convert gives exactly what converting the PNG to 8-bit gray first gives.
 * Gray -> RGB replicates the gray sample into all three channels.
 */
#include <math.h>
#include <stdlib.h>

#include "error.h"

static const char *channels_name(uint32_t c)
{
	switch (c) {
	case 1: return "grayscale";
	case 3: return "RGB";
	}
	return "unsupported";
}

static uint8_t bt601_luma(const uint8_t *rgb)
{
	return (uint8_t)((299u * rgb[0] + 587u * rgb[1] + 114u * rgb[2] + 500u) / 1000u);
}

/* One resize axis: per output index, the two source indices and the weight of the second. */
struct axis_taps {
	uint32_t *i0, *i1;
	double *frac;
};

static sa_status axis_taps_init(struct axis_taps *t, uint32_t in, uint32_t out)
{
	uint32_t d;

	t->i0 = malloc(sizeof(*t->i0) * out);
	t->i1 = malloc(sizeof(*t->i1) * out);
	t->frac = malloc(sizeof(*t->frac) * out);
	if (!t->i0 || !t->i1 || !t->frac)
		return sa_fail(SA_ERR_NO_MEMORY, "sa_preprocess: out of memory");
	for (d = 0; d < out; d++) {
		double s = ((double)d + 0.5) * (double)in / (double)out - 0.5;
		double lo;

		if (s < 0)
			s = 0;
		if (s > (double)(in - 1))
			s = (double)(in - 1);
		lo = floor(s);
		t->i0[d] = (uint32_t)lo;
		t->i1[d] = t->i0[d] + 1 < in ? t->i0[d] + 1 : in - 1;
		t->frac[d] = s - lo;
	}
	return SA_OK;
}

static void axis_taps_free(struct axis_taps *t)
{
	free(t->i0);
	free(t->i1);
	free(t->frac);
}

/*
 * Bilinear resize of one channel of `src` (interleaved, `stride` samples per
 * pixel) followed by normalisation into the planar `dst`.
 */
static void resize_normalise_channel(const uint8_t *src, uint32_t src_w, uint32_t stride,
				     const struct axis_taps *xt, const struct axis_taps *yt,
				     uint32_t out_w, uint32_t out_h, double mean, double std,
				     float *dst)
{
	uint32_t x, y;

	for (y = 0; y < out_h; y++) {
		const uint8_t *r0 = src + (size_t)yt->i0[y] * src_w * stride;
		const uint8_t *r1 = src + (size_t)yt->i1[y] * src_w * stride;
		double fy = yt->frac[y];

		for (x = 0; x < out_w; x++) {
			size_t a = (size_t)xt->i0[x] * stride, b = (size_t)xt->i1[x] * stride;
			double fx = xt->frac[x];
			double top = r0[a] + (r0[b] - r0[a]) * fx;
			double bottom = r1[a] + (r1[b] - r1[a]) * fx;
			double p = top + (bottom - top) * fy;

			dst[(size_t)y * out_w + x] = (float)((p / 255.0 - mean) / std);
		}
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
	struct axis_taps xt = {0}, yt = {0};
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
			gray[i] = bt601_luma(image->pixels + 3 * i);
		src = gray;
		src_stride = 1;
	}

	st = axis_taps_init(&xt, image->width, info.input_w);
	if (st == SA_OK)
		st = axis_taps_init(&yt, image->height, info.input_h);
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
	axis_taps_free(&xt);
	axis_taps_free(&yt);
	free(gray);
	return st;
}
