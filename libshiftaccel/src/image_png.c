// SPDX-License-Identifier: MIT
/*
 * PNG reading and writing through libpng.
 *
 * Every PNG colour type and bit depth is decoded to 8-bit gray or 8-bit RGB:
 * palettes are expanded (a palette of grey levels to gray), 1/2/4-bit gray
 * is scaled up to 8 bits, 16-bit samples are scaled (not truncated) to 8
 * bits.  Alpha and tRNS transparency are composited over a background that
 * contrasts with the visible content (image_alpha.c), so a dark drawing on
 * a transparent canvas stays a dark drawing on white whatever colour the
 * transparent pixels carry.
 *
 * Nothing is allocated for a size the file cannot back: every chunk's
 * length is checked against the bytes left in the file (png_chunks.c), the
 * image's size against SA_IMAGE_MAX_* and against what the file's bytes can
 * decompress to (SA_DEFLATE_MAX_RATIO), before libpng allocates for them.
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
#include "file_in.h"
#include "image_alpha.h"
#include "image_signature.h"
#include "png_chunks.h"

/* Ancillary chunks kept before the pixels; a file of thousands of them is refused. */
#define PNG_MAX_CACHED_CHUNKS 1000u

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

/* A palette whose every entry has red == green == blue is a gray image. */
static int palette_is_gray(png_structp png, png_infop info)
{
	png_colorp palette;
	int n, i;

	if (!png_get_PLTE(png, info, &palette, &n))
		return 0;
	for (i = 0; i < n; i++)
		if (palette[i].red != palette[i].green || palette[i].red != palette[i].blue)
			return 0;
	return 1;
}

/* Asks libpng for 8-bit gray or RGB, plus alpha when the file has any transparency. */
static void request_8bit(png_structp png, png_infop info)
{
	int color_type = png_get_color_type(png, info);
	int bit_depth = png_get_bit_depth(png, info);

	if (color_type == PNG_COLOR_TYPE_PALETTE) {
		int gray = palette_is_gray(png, info);

		png_set_palette_to_rgb(png);
		/* Exact for gray entries: libpng copies a sample with R == G == B. */
		if (gray)
			png_set_rgb_to_gray(png, PNG_ERROR_ACTION_NONE, -1, -1);
	}
	if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8)
		png_set_expand_gray_1_2_4_to_8(png);
	if (png_get_valid(png, info, PNG_INFO_tRNS))
		png_set_tRNS_to_alpha(png);
	if (bit_depth == 16)
		png_set_scale_16(png);
	png_set_interlace_handling(png);
	png_read_update_info(png, info);
}

/* The image's size against the limits and against what the file can hold. */
static sa_status check_size(png_structp png, png_infop info, const char *path, uint64_t file_size)
{
	uint32_t width = png_get_image_width(png, info);
	uint32_t height = png_get_image_height(png, info);
	/* Filtered rows as stored: one filter byte plus the packed samples. */
	uint64_t stored =
		((uint64_t)width * png_get_channels(png, info) * png_get_bit_depth(png, info) + 7) /
			8 +
		1;

	if (width > SA_IMAGE_MAX_SIDE || height > SA_IMAGE_MAX_SIDE ||
	    (uint64_t)width * height > SA_IMAGE_MAX_PIXELS)
		return sa_fail(SA_ERR_BAD_IMAGE,
			       "%s: image is %ux%u pixels, larger than the limit (%u per side, %u "
			       "pixels)",
			       path, width, height, SA_IMAGE_MAX_SIDE, SA_IMAGE_MAX_PIXELS);
	if (stored * height > file_size * SA_DEFLATE_MAX_RATIO)
		return sa_fail(SA_ERR_BAD_IMAGE,
			       "%s: corrupt PNG: a %llu-byte file cannot hold a %ux%u image (the "
			       "file is truncated or its header is wrong)",
			       path, (unsigned long long)file_size, width, height);
	return SA_OK;
}

/*
 * The part of loading that runs under libpng's error handling.  Its
 * allocations are stored straight into the caller's volatile pointers, so the
 * caller can free them after a longjmp out of libpng.  With header_only,
 * stops after the checks, before any pixel is decoded.
 */
static sa_status decode(png_structp png, png_infop info, const char *path, uint64_t file_size,
			int header_only, sa_image *img, uint8_t *volatile *pixels,
			png_bytep *volatile *rows)
{
	uint32_t width, height, channels, colors, y;
	size_t row_bytes;
	sa_status st;

	png_read_info(png, info);
	st = check_size(png, info, path, file_size);
	if (st != SA_OK)
		return st;
	width = png_get_image_width(png, info);
	height = png_get_image_height(png, info);
	request_8bit(png, info);
	channels = png_get_channels(png, info);
	if (channels < 1 || channels > 4 || png_get_bit_depth(png, info) != 8)
		return sa_fail(SA_ERR_BAD_IMAGE,
			       "%s: cannot decode this PNG to 8-bit samples (%u channels, %d bits)",
			       path, channels, png_get_bit_depth(png, info));
	colors = channels >= 3 ? 3 : 1;
	img->width = width;
	img->height = height;
	img->channels = colors;
	if (header_only)
		return SA_OK;
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
	if (channels != colors)
		sa_image_flatten_alpha(*pixels, (size_t)width * height, colors);
	img->pixels = *pixels;
	return SA_OK;
}

/* Opens `path`, checks the signature (naming other image formats) and decodes. */
static sa_status load(const char *path, int header_only, sa_image *out)
{
	struct png_io_ctx ctx = {0};
	unsigned char sig[16];
	png_structp png;
	png_infop info = NULL;
	uint8_t *volatile pixels = NULL;
	png_bytep *volatile rows = NULL;
	sa_image img = {0};
	uint64_t file_size;
	sa_status st;
	size_t got;
	FILE *f;

	if (!path || !out)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_image_load_png: NULL argument");
	st = sa_file_fopen_regular(path, &f, &file_size);
	if (st != SA_OK)
		return st;
	got = fread(sig, 1, 8, f);
	if (got != 8 || png_sig_cmp(sig, 0, 8) != 0) {
		got += ferror(f) ? 0 : fread(sig + got, 1, sizeof(sig) - got, f);
		st = ferror(f) ? sa_fail(SA_ERR_IO, "%s: cannot read: %s", path, strerror(errno))
			       : sa_fail(SA_ERR_BAD_IMAGE, "%s: %s", path,
					 sa_image_signature_name(sig, got));
		fclose(f);
		return st;
	}
	st = sa_png_check_chunk_lengths(f, file_size, path);
	if (st != SA_OK) {
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
	/* No chunk can be longer than the file that holds it. */
	png_set_chunk_malloc_max(png, file_size < SA_PNG_MAX_CHUNK_BYTES
					      ? (png_alloc_size_t)file_size
					      : SA_PNG_MAX_CHUNK_BYTES);
	png_set_chunk_cache_max(png, PNG_MAX_CACHED_CHUNKS);
	if (setjmp(png_jmpbuf(png))) {
		st = sa_fail(SA_ERR_BAD_IMAGE, "%s: corrupt PNG: %s", path, ctx.message);
	} else {
		png_set_read_fn(png, &ctx, png_read_cb);
		png_set_sig_bytes(png, 8);
		st = decode(png, info, path, file_size, header_only, &img, &pixels, &rows);
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

sa_status sa_image_load_png(const char *path, sa_image *out)
{
	return load(path, 0, out);
}

sa_status sa_image_probe_png(const char *path, sa_image *out)
{
	return load(path, 1, out);
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
	sa_output *out;
	sa_status st;
	FILE *f;

	if (!path || !image || !image->pixels)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_image_write_png: NULL argument");
	if (image->channels != 1 && image->channels != 3)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "%s: cannot write an image with %u channels (only 1 or 3)", path,
			       image->channels);
	if (image->width == 0 || image->height == 0 || image->width > SA_IMAGE_MAX_SIDE ||
	    image->height > SA_IMAGE_MAX_SIDE)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "%s: cannot write a %ux%u image (1 to %u pixels per side)", path,
			       image->width, image->height, SA_IMAGE_MAX_SIDE);
	rows = malloc(sizeof(*rows) * image->height);
	if (!rows)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", path);
	st = sa_output_open(path, &out);
	if (st != SA_OK) {
		free(rows);
		return st;
	}
	f = sa_output_stream(out);
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
	if (st != SA_OK) {
		sa_output_abort(out); /* the previous file, if any, stays as it was */
		return st;
	}
	st = sa_output_commit(out);
	if (st == SA_OK)
		sa_clear_error();
	return st;
}

void sa_image_free(sa_image *image)
{
	if (!image)
		return;
	free(image->pixels);
	memset(image, 0, sizeof(*image));
}
