// SPDX-License-Identifier: MIT
/*
 * sa_preprocess_image: an image made by a person (drawn dark on white,
 * photographed on grey paper, small on a large canvas) turned into what the
 * model's training data looks like, then handed to sa_preprocess.  Only
 * single-channel models are adjusted: polarity and framing describe ink on
 * a background, which colour images do not have.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "prep.h"

/* Images at least this many times the model's side are median-filtered first. */
#define PREP_DENOISE_FACTOR 2u

/* The image as one gray plane (BT.601 for RGB, the rule sa_preprocess converts with). */
static uint8_t *gray_copy(const sa_image *image)
{
	size_t n = (size_t)image->width * image->height;
	uint8_t *g = malloc(n ? n : 1);

	if (!g)
		return NULL;
	for (size_t i = 0; i < n; i++)
		g[i] = image->channels == 3 ? prep_bt601_luma(image->pixels + 3 * i)
					    : image->pixels[i];
	return g;
}

static void invert_plane(uint8_t *g, size_t n)
{
	for (size_t i = 0; i < n; i++)
		g[i] = (uint8_t)(255 - g[i]);
}

/*
 * Brings `g` to light-on-dark (the frame step's terms): denoised when it is
 * much larger than the model's input, inverted when its ink is dark, and,
 * when the data's polarity is known, its background and ink stretched to
 * 0 and 255.  Returns in *target_dol the polarity the model wants and
 * fills the report's inverted and leveled.
 */
static sa_status to_light_on_dark(uint8_t *g, uint32_t w, uint32_t h, uint32_t side,
				  const struct prep_style *style, sa_invert invert, int *target_dol,
				  struct sa_preprocess_report *rep)
{
	size_t n = (size_t)w * h;
	struct prep_levels lv;
	int image_dol;

	if ((w < h ? w : h) >= PREP_DENOISE_FACTOR * side) {
		uint8_t *tmp = malloc(n);

		if (!tmp)
			return sa_fail(SA_ERR_NO_MEMORY, "sa_preprocess_image: out of memory");
		prep_median3(g, w, h, tmp);
		memcpy(g, tmp, n);
		free(tmp);
	}
	prep_measure(g, w, h, &lv);
	image_dol = lv.dark_on_light;
	if (style->polarity_known) {
		/* --invert yes/no override the measurement: the image is (not) the data's opposite.
		 */
		if (invert != SA_INVERT_AUTO)
			image_dol = style->dark_on_light ^ (invert == SA_INVERT_YES);
		*target_dol = style->dark_on_light;
		rep->leveled = prep_apply_levels(g, n, &lv, image_dol);
	} else {
		*target_dol = image_dol ^ (invert == SA_INVERT_YES);
		if (image_dol)
			invert_plane(g, n);
	}
	rep->inverted = image_dol != *target_dol;
	return SA_OK;
}

sa_status sa_preprocess_image(const sa_model *model, const sa_image *image,
			      const struct sa_preprocess_options *options, float *input,
			      struct sa_preprocess_report *report)
{
	static const struct sa_preprocess_options defaults = {0, SA_INVERT_AUTO, SA_FIT_AUTO};
	struct sa_preprocess_report rep = {0, 0, 0};
	struct sa_model_info info;
	struct prep_style style;
	sa_image gray = {0}, framed = {0};
	int frame, target_dol = 0;
	sa_status st;

	if (!options)
		options = &defaults;
	if (!model || !image || !image->pixels || !input)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_preprocess_image: NULL argument");
	if (report)
		*report = rep;
	st = sa_model_get_info(model, &info);
	if (st == SA_OK)
		st = sa_preprocess_accepts(model, image->channels, options->convert_channels);
	if (st != SA_OK)
		return st;
	prep_model_style(model, &style);
	frame = options->fit == SA_FIT_FRAME || (options->fit == SA_FIT_AUTO && style.framed);
	/* Nothing to adjust: the plain path, bit for bit. */
	if (info.input_c != 1 ||
	    (!frame && !style.polarity_known && options->invert != SA_INVERT_YES))
		return sa_preprocess(model, image, options->convert_channels, input);

	gray = (sa_image){image->width, image->height, 1, gray_copy(image)};
	if (!gray.pixels)
		return sa_fail(SA_ERR_NO_MEMORY, "sa_preprocess_image: out of memory");
	st = to_light_on_dark(gray.pixels, gray.width, gray.height,
			      info.input_w < info.input_h ? info.input_w : info.input_h, &style,
			      options->invert, &target_dol, &rep);
	if (st == SA_OK && frame) {
		framed = (sa_image){info.input_w, info.input_h, 1,
				    malloc((size_t)info.input_w * info.input_h)};
		if (!framed.pixels)
			st = sa_fail(SA_ERR_NO_MEMORY, "sa_preprocess_image: out of memory");
		else
			rep.framed =
				prep_frame_digit(gray.pixels, gray.width, gray.height, info.input_w,
						 info.input_h, framed.pixels) == 0;
	}
	if (st == SA_OK) {
		sa_image *out = rep.framed ? &framed : &gray;

		if (target_dol)
			invert_plane(out->pixels, (size_t)out->width * out->height);
		st = sa_preprocess(model, out, 0, input);
	}
	free(gray.pixels);
	free(framed.pixels);
	if (st == SA_OK && report)
		*report = rep;
	return st;
}
