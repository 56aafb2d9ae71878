// SPDX-License-Identifier: MIT
#include "people_images.h"

#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const people_kind_names[PEOPLE_KINDS] = {
	"mnist as stored",	  "drawn dark on white", "photo on grey paper", "small, off-centre",
	"transparent, white RGB", "ink only in alpha",	 "grey palette",
};

struct rng {
	uint64_t s;
};

static double uniform(struct rng *r)
{
	r->s = r->s * 6364136223846793005ull + 1442695040888963407ull;
	return ((r->s >> 11) + 0.5) / 9007199254740992.0;
}

/* Box-Muller: a standard normal sample. */
static double normal(struct rng *r)
{
	double u = uniform(r), v = uniform(r);

	return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

/* Digit value (0..255) at a point of the 28x28 square, bilinear; 0 outside. */
static double sample(const uint8_t *d, double x, double y)
{
	int x0 = (int)floor(x), y0 = (int)floor(y);
	double fx = x - x0, fy = y - y0, v = 0;

	for (int dy = 0; dy <= 1; dy++)
		for (int dx = 0; dx <= 1; dx++) {
			int xx = x0 + dx, yy = y0 + dy;
			double w = (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy);

			if (xx >= 0 && yy >= 0 && xx < 28 && yy < 28)
				v += w * d[yy * 28 + xx];
		}
	return v;
}

static uint8_t clamp8(double v)
{
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : lround(v));
}

static int write_png(const char *path, uint32_t w, uint32_t h, int color_type, const uint8_t *px,
		     uint32_t spp, const png_color *palette, int npalette)
{
	FILE *f = fopen(path, "wb");
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	int ok = -1;

	if (f && png && info && !setjmp(png_jmpbuf(png))) {
		png_init_io(png, f);
		png_set_IHDR(png, info, w, h, 8, color_type, PNG_INTERLACE_NONE,
			     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
		if (palette)
			png_set_PLTE(png, info, palette, npalette);
		png_write_info(png, info);
		for (uint32_t y = 0; y < h; y++)
			png_write_row(png, (png_const_bytep)(px + (size_t)y * w * spp));
		png_write_end(png, NULL);
		ok = 0;
	}
	png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
	if (f && fclose(f) != 0)
		ok = -1;
	return ok;
}

/* The digit scaled by `scale` with its 28x28 square's corner at (ox, oy) of a w x h canvas. */
static double ink_at(const uint8_t *d, double scale, double ox, double oy, uint32_t x, uint32_t y)
{
	return sample(d, (x + 0.5 - ox) / scale - 0.5, (y + 0.5 - oy) / scale - 0.5) / 255.0;
}

int people_write(const char *path, enum people_kind kind, const uint8_t *d, uint32_t seed)
{
	struct rng r = {seed * 2654435761ull + 7};
	uint32_t w = 280, h = 280, spp = 1;
	int type = PNG_COLOR_TYPE_GRAY, rc;
	png_color palette[256];
	uint8_t *px;

	if (kind == PEOPLE_MNIST || kind == PEOPLE_GREY_PALETTE)
		w = h = 28;
	if (kind == PEOPLE_PHOTO_GREY)
		w = 320, h = 240, spp = 3, type = PNG_COLOR_TYPE_RGB;
	if (kind == PEOPLE_SMALL_OFFCENTRE)
		w = h = 256;
	if (kind == PEOPLE_TRANSPARENT_WHITE || kind == PEOPLE_ALPHA_ONLY)
		spp = 4, type = PNG_COLOR_TYPE_RGB_ALPHA;
	if (kind == PEOPLE_GREY_PALETTE)
		type = PNG_COLOR_TYPE_PALETTE;
	px = calloc((size_t)w * h * spp, 1);
	if (!px)
		return -1;
	/* Where the digit sits: photos and corners are not centred. */
	double scale = kind == PEOPLE_SMALL_OFFCENTRE ? 1.0 + uniform(&r) : w / 28.0;
	double ox = 0, oy = 0;

	if (kind == PEOPLE_PHOTO_GREY) {
		scale = 5.0 + 2.0 * uniform(&r);
		ox = 20 + uniform(&r) * (w - 28 * scale - 40);
		oy = 20 + uniform(&r) * (h - 28 * scale - 40);
	} else if (kind == PEOPLE_SMALL_OFFCENTRE) {
		ox = 10 + uniform(&r) * 40;
		oy = w - 28 * scale - 10 - uniform(&r) * 40;
	}
	for (uint32_t y = 0; y < h; y++) {
		for (uint32_t x = 0; x < w; x++) {
			double ink = ink_at(d, scale, ox, oy, x, y);
			uint8_t *p = px + ((size_t)y * w + x) * spp;

			switch (kind) {
			case PEOPLE_MNIST:
			case PEOPLE_GREY_PALETTE:
			case PEOPLE_SMALL_OFFCENTRE: p[0] = clamp8(255 * ink); break;
			case PEOPLE_DRAWN_ON_WHITE: p[0] = clamp8(255 * (1 - ink)); break;
			case PEOPLE_PHOTO_GREY: {
				/* Paper lit unevenly (brighter at the left), a dark pen, sensor
				 * noise. */
				double paper = 175 + 25 * (1.0 - (double)x / w), pen = 45;
				double v = paper + (pen - paper) * ink + 8 * normal(&r);

				p[0] = clamp8(v + 6);
				p[1] = clamp8(v);
				p[2] = clamp8(v - 8);
				break;
			}
			case PEOPLE_TRANSPARENT_WHITE: {
				uint8_t a = clamp8(255 * ink);

				p[0] = p[1] = p[2] = a ? 0 : 255;
				p[3] = a;
				break;
			}
			case PEOPLE_ALPHA_ONLY: p[3] = clamp8(255 * ink); break;
			case PEOPLE_KINDS: break;
			}
		}
	}
	for (int i = 0; i < 256; i++)
		palette[i].red = palette[i].green = palette[i].blue = (png_byte)i;
	rc = write_png(path, w, h, type, px, spp, kind == PEOPLE_GREY_PALETTE ? palette : NULL,
		       256);
	free(px);
	return rc;
}
