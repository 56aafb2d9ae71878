/* SPDX-License-Identifier: MIT */
/* Compositing of transparent images for the PNG decoder. */
#ifndef SA_IMAGE_ALPHA_H
#define SA_IMAGE_ALPHA_H

#include <stddef.h>
#include <stdint.h>

/*
 * Composites `n` pixels of `colors` + 1 interleaved 8-bit samples (colour,
 * then alpha) in place into `colors` samples per pixel.  The background is
 * the opposite of the visible content: white when the alpha-weighted mean
 * luminance of the content is dark (below mid-grey), black otherwise.  So a
 * black pen on a transparent canvas, whatever RGB its transparent pixels
 * carry, becomes black on white, and a drawing held only in alpha (colour
 * samples all black, or all white) becomes ink on the opposite background.
 */
void sa_image_flatten_alpha(uint8_t *pixels, size_t n, uint32_t colors);

#endif /* SA_IMAGE_ALPHA_H */
