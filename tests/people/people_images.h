/* SPDX-License-Identifier: MIT */
/*
 * Digit images made the way people make them, from real MNIST digits:
 * written with libpng directly (not through libshiftaccel), so what the
 * library decodes and preprocesses is judged against files it did not make.
 */
#ifndef PEOPLE_IMAGES_H
#define PEOPLE_IMAGES_H

#include <stdint.h>

enum people_kind {
	PEOPLE_MNIST,		  /* the digit as MNIST stores it: a control */
	PEOPLE_DRAWN_ON_WHITE,	  /* black pen on a white 280x280 canvas */
	PEOPLE_PHOTO_GREY,	  /* photographed on grey paper: RGB, noise, uneven light */
	PEOPLE_SMALL_OFFCENTRE,	  /* small, near a corner of a large dark canvas */
	PEOPLE_TRANSPARENT_WHITE, /* RGBA: black ink, transparent background with white RGB */
	PEOPLE_ALPHA_ONLY,	  /* RGBA: RGB all black, the digit only in alpha */
	PEOPLE_GREY_PALETTE,	  /* a palette PNG of grey levels */
	PEOPLE_KINDS
};

extern const char *const people_kind_names[PEOPLE_KINDS];

/*
 * Writes digit `d` (28x28, MNIST's light-on-dark bytes) as `kind` to path,
 * with `seed` varying noise and placement.  Returns 0 or -1.
 */
int people_write(const char *path, enum people_kind kind, const uint8_t *d, uint32_t seed);

#endif /* PEOPLE_IMAGES_H */
