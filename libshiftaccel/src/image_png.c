// SPDX-License-Identifier: MIT
/*
 * PNG reading and writing through libpng.
 *
 * Every PNG colour type and bit depth is decoded to 8-bit gray or 8-bit RGB:
 * palettes are expanded, 1/2/4-bit gray is scaled up to 8 bits, 16-bit
 * samples are scaled (not truncated) to 8 bits, alpha and tRNS transparency
 * are dropped without compositing (the colour samples are kept as stored).
 * libpng reports errors through longjmp; its messages are kept and returned
 * through sa_fail() together with the file name, and nothing is printed.
 */
#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

/* Larger images are rejected before any pixel memory is allocated. */
#define SA_IMAGE_MAX_DIM 16384u

struct png_io_ctx {
	FILE *file;
	char message[200]; /* libpng's last error message */
};

static void png_error_cb(png_structp png, png_const_charp msg)
{
	struct png_io_ctx *ctx = png_get_error_ptr(png);

	snprintf(ctx->message, sizeof(ctx->message), "%s", msg ? msg : "unknown libpng error");
	png_longjmp(png, 1);
}

/* Replaces libpng's reader so a short file is reported as truncated, not as "Read Error". */
static void png_read_cb(png_structp png, png_bytep data, size_t length)
{
	struct png_io_ctx *ctx = png_get_io_ptr(png);

	if (fread(data, 1, length, ctx->file) == length)
		return;
	if (ferror(ctx->file))
		png_error(png, "read error");
	png_error(png, "unexpected end of file (the file is truncated)");
}

/* Warnings (e.g. a bad CRC in an ancillary chunk, which libpng skips) do not stop decoding. */
static void png_warning_cb(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static const char *color_type_name(int color_type)
{
	switch (color_type) {
	case PNG_COLOR_TYPE_GRAY: return "gray";
	case PNG_COLOR_TYPE_GRAY_ALPHA: return "gray+alpha";
	case PNG_COLOR_TYPE_RGB: return "RGB";
	case PNG_COLOR_TYPE_RGB_ALPHA: return "RGBA";
	case PNG_COLOR_TYPE_PALETTE: return "palette";
	}
	return "unknown";
}

/* Asks libpng for 8-bit gray or 8-bit RGB output, whatever the stored format is. */
static void request_8bit_gray_or_rgb(png_structp png, png_infop info)
{
	int color_type = png_get_color_type(png, info);
	int bit_depth = png_get_bit_depth(png, info);

	if (color_type == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(png);
	if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8)
		png_set_expand_gray_1_2_4_to_8(png);
	if (bit_depth == 16)
		png_set_scale_16(png);
	/* Palette expansion turns tRNS into alpha; both kinds of transparency are dropped. */
	if ((color_type & PNG_COLOR_MASK_ALPHA) || png_get_valid(png, info, PNG_INFO_tRNS))
		png_set_strip_alpha(png);
	png_set_interlace_handling(png);
	png_read_update_info(png, info);
}

/*
 * The part of loading that runs under libpng's error handling.  Its
 * allocations are stored straight into the caller's volatile pointers, so the
 * caller can free them after a longjmp out of libpng.
 */
static sa_status decode(png_structp png, png_infop info, const char *path, sa_image *img,
			uint8_t *volatile *pixels, png_bytep *volatile *rows)
{
	uint32_t width, height, channels, y;
	size_t row_bytes;

	png_read_info(png, info);
	width = png_get_image_width(png, info);
	height = png_get_image_height(png, info);
	if (width > SA_IMAGE_MAX_DIM || height > SA_IMAGE_MAX_DIM)
		return sa_fail(SA_ERR_BAD_IMAGE,
			       "%s: image is %ux%u pixels, larger than the %ux%u limit", path,
			       width, height, SA_IMAGE_MAX_DIM, SA_IMAGE_MAX_DIM);
	request_8bit_gray_or_rgb(png, info);
	channels = png_get_channels(png, info);
	if ((channels != 1 && channels != 3) || png_get_bit_depth(png, info) != 8)
		return sa_fail(
			SA_ERR_BAD_IMAGE,
			"%s: cannot decode %s PNG to 8-bit gray or RGB (%u channels, %d bits)",
			path, color_type_name(png_get_color_type(png, info)), channels,
			png_get_bit_depth(png, info));
	row_bytes = (size_t)width * channels;
	if (png_get_rowbytes(png, info) != row_bytes)
		return sa_fail(SA_ERR_BAD_IMAGE, "%s: unexpected PNG row size %zu (expected %zu)",
			       path, (size_t)png_get_rowbytes(png, info), row_bytes);

	*pixels = malloc(row_bytes * height);
	*rows = malloc(sizeof(**rows) * height);
	if (!*pixels || !*rows)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory for a %ux%u image", path, width,
			       height);
	for (y = 0; y < height; y++)
		(*rows)[y] = *pixels + row_bytes * y;
	png_read_image(png, *rows);
	/* Reads up to IEND so truncation or corruption after the pixels is caught too. */
	png_read_end(png, NULL);

	img->width = width;
	img->height = height;
	img->channels = channels;
	img->pixels = *pixels;
	return SA_OK;
}

sa_status sa_image_load_png(const char *path, sa_image *out)
{
	struct png_io_ctx ctx = {0};
	unsigned char sig[8];
	png_structp png;
	png_infop info = NULL;
	uint8_t *volatile pixels = NULL;
	png_bytep *volatile rows = NULL;
	sa_image img = {0};
	sa_status st;
	size_t got;
	FILE *f;

	if (!path || !out)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_image_load_png: NULL argument");
	f = fopen(path, "rb");
	if (!f)
		return sa_fail(SA_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
	got = fread(sig, 1, sizeof(sig), f);
	if (got != sizeof(sig) || png_sig_cmp(sig, 0, sizeof(sig)) != 0) {
		st = ferror(f)
			     ? sa_fail(SA_ERR_IO, "%s: cannot read: %s", path, strerror(errno))
			     : sa_fail(SA_ERR_BAD_IMAGE,
				       "%s: not a PNG file (no PNG signature in the first 8 bytes)",
				       path);
		fclose(f);
		return st;
	}

	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, png_error_cb, png_warning_cb);
	if (png)
		info = png_create_info_struct(png);
	if (!png || !info) {
		png_destroy_read_struct(png ? &png : NULL, NULL, NULL);
		fclose(f);
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory creating the PNG decoder",
			       path);
	}
	ctx.file = f;
	if (setjmp(png_jmpbuf(png))) {
		st = sa_fail(SA_ERR_BAD_IMAGE, "%s: corrupt PNG: %s", path, ctx.message);
	} else {
		png_set_read_fn(png, &ctx, png_read_cb);
		png_set_sig_bytes(png, sizeof(sig));
		st = decode(png, info, path, &img, &pixels, &rows);
	}
	png_destroy_read_struct(&png, &info, NULL);
	fclose(f);
	free(rows);
	if (st != SA_OK) {
		free(pixels);
		return st;
	}
	*out = img;
	sa_clear_error();
	return SA_OK;
}

/* The part of writing that runs under libpng's error handling. */
static sa_status encode(png_structp png, png_infop info, FILE *f, const sa_image *image,
			png_bytep *rows)
{
	size_t row_bytes = (size_t)image->width * image->channels;
	uint32_t y;

	png_set_IHDR(png, info, image->width, image->height, 8,
		     image->channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	for (y = 0; y < image->height; y++)
		rows[y] = image->pixels + row_bytes * y;
	png_init_io(png, f);
	png_write_info(png, info);
	png_write_image(png, rows);
	png_write_end(png, NULL);
	return SA_OK;
}

sa_status sa_image_write_png(const char *path, const sa_image *image)
{
	struct png_io_ctx ctx = {0};
	png_structp png;
	png_infop info = NULL;
	png_bytep *rows;
	sa_status st;
	FILE *f;

	if (!path || !image || !image->pixels)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_image_write_png: NULL argument");
	if (image->channels != 1 && image->channels != 3)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "%s: cannot write an image with %u channels (only 1 or 3)", path,
			       image->channels);
	if (image->width == 0 || image->height == 0 || image->width > SA_IMAGE_MAX_DIM ||
	    image->height > SA_IMAGE_MAX_DIM)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "%s: cannot write a %ux%u image (1 to %u pixels per side)", path,
			       image->width, image->height, SA_IMAGE_MAX_DIM);
	rows = malloc(sizeof(*rows) * image->height);
	if (!rows)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", path);
	f = fopen(path, "wb");
	if (!f) {
		free(rows);
		return sa_fail(SA_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
	}
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, png_error_cb, png_warning_cb);
	if (png)
		info = png_create_info_struct(png);
	if (!png || !info)
		st = sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory creating the PNG encoder", path);
	else if (setjmp(png_jmpbuf(png)))
		st = sa_fail(SA_ERR_IO, "%s: cannot write PNG: %s", path, ctx.message);
	else
		st = encode(png, info, f, image, rows);
	png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
	free(rows);
	if (fclose(f) != 0 && st == SA_OK)
		st = sa_fail(SA_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
	if (st != SA_OK) {
		unlink(path); /* no half-written file is left behind */
		return st;
	}
	sa_clear_error();
	return SA_OK;
}

void sa_image_free(sa_image *image)
{
	if (!image)
		return;
	free(image->pixels);
	memset(image, 0, sizeof(*image));
}
