/* SPDX-License-Identifier: MIT */
/*
 * The steps sa_preprocess_image() applies to a gray image so it looks like
 * the training data (docs/preprocessing.md).  All work on 8-bit gray
 * planes in "light-on-dark" terms: 0 is the background, 255 full ink.
 */
#ifndef SA_PREP_H
#define SA_PREP_H

#include <stddef.h>
#include <stdint.h>

#include "../include/shiftaccel.h"

/* MNIST's framing: the ink's box is 20 pixels of 28. */
#define PREP_FRAME_BOX 20u
#define PREP_FRAME_SIDE 28u
/* After the levels stretch, values below this are noise and become background. */
#define PREP_NOISE_FLOOR 40u
/* Pixels at least this bright (of 255) are ink when the frame's box is measured. */
#define PREP_INK_HALF 128u
/* Less contrast than this between background and ink is left unstretched. */
#define PREP_MIN_CONTRAST 32u

/*
 * ITU-R BT.601 luma rounded to the nearest 8-bit value (halves up): the one
 * RGB -> gray rule of the library, so --convert gives what converting the
 * PNG to 8-bit gray first gives.
 */
static inline uint8_t prep_bt601_luma(const uint8_t *rgb)
{
	return (uint8_t)((299u * rgb[0] + 587u * rgb[1] + 114u * rgb[2] + 500u) / 1000u);
}

/* What a gray image is: its background level, its ink level, its polarity. */
struct prep_levels {
	uint8_t background; /* median of the border ring */
	uint8_t ink;	    /* the far end of the histogram from the background */
	int dark_on_light;  /* the ink is darker than the background */
};

/* Measures the levels of `g` (w x h). */
void prep_measure(const uint8_t *g, uint32_t w, uint32_t h, struct prep_levels *out);
/* 3x3 median filter of `g` into `out` (edges replicate); removes speckle noise. */
void prep_median3(const uint8_t *g, uint32_t w, uint32_t h, uint8_t *out);
/*
 * Maps `g` in place to light-on-dark: inverted when `invert`, then the
 * background stretched to 0 and the ink to 255 (when they differ by at
 * least PREP_MIN_CONTRAST), values under PREP_NOISE_FLOOR cleared.
 * Returns whether the stretch was applied.
 */
int prep_apply_levels(uint8_t *g, size_t n, const struct prep_levels *lv, int invert);
/*
 * MNIST framing of light-on-dark `g` into `out` (out_w x out_h, zeroed
 * here): the bounding box of the ink scaled (area-averaged) so its longer
 * side fills PREP_FRAME_BOX / PREP_FRAME_SIDE of the output, then placed
 * so its centre of mass is the output's centre.  Returns 0, or -1 when
 * there is no ink (out is then a plain resize's job) or out of memory.
 */
int prep_frame_digit(const uint8_t *g, uint32_t w, uint32_t h, uint32_t out_w, uint32_t out_h,
		     uint8_t *out);

/* The model's data as its metadata describes it (with the dataset fallback). */
struct prep_style {
	int polarity_known, dark_on_light;
	int framed;
};
void prep_model_style(const sa_model *model, struct prep_style *style);

#endif /* SA_PREP_H */
