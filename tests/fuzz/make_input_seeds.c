// SPDX-License-Identifier: MIT
/*
 * Writes the seed corpora of the PNG and data-set fuzzers
 * (tests/fuzz/corpus-png/, tests/fuzz/corpus-dataset/): valid images of
 * each colour type, the hostile files issue 15 found (a 44-byte PNG whose
 * chunk claims 2 GiB, a header larger than its file, other formats), and
 * idx / PNG-folder inputs in fuzz_dataset.c's encoding.  Every seed is
 * opened through the library and must give the expected verdict, so the
 * corpora cover both sides.  PNGs are written with libpng directly.
 *
 *   make fuzz-seeds        regenerates every corpus
 */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "shiftaccel.h"
#include "shiftaccel_train.h"

static int failures;
static const char *out_dir;

static int save(const char *sub, const char *name, const void *data, size_t size, char *path,
		size_t path_size)
{
	snprintf(path, path_size, "%s/%s/%s", out_dir, sub, name);
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
		perror(path);
		failures++;
		return -1;
	}
	return 0;
}

static void verdict(const char *name, sa_status st, int want_ok)
{
	if ((st == SA_OK) != want_ok) {
		fprintf(stderr, "%s: expected %s, got %s (%s)\n", name,
			want_ok ? "SA_OK" : "an error", sa_status_name(st), sa_last_error());
		failures++;
		return;
	}
	printf("%-34s %s%s%s\n", name, sa_status_name(st), st ? ": " : "",
	       st ? sa_last_error() : "");
}

static void png_seed(const char *name, const void *data, size_t size, int want_ok)
{
	char path[512];
	sa_image img;

	if (save("corpus-png", name, data, size, path, sizeof(path)) != 0)
		return;
	sa_status st = sa_image_load_png(path, &img);

	if (st == SA_OK)
		sa_image_free(&img);
	verdict(name, st, want_ok);
}

/* Mode byte 0, the split (little-endian), images, labels: fuzz_dataset.c's idx encoding. */
static void idx_seed(const char *name, const uint8_t *images, size_t ni, const uint8_t *labels,
		     size_t nl, int want_ok)
{
	uint8_t buf[4096];
	char path[512], img_path[512], lab_path[512], spec[1100];
	sa_dataset *ds;

	buf[0] = 0, buf[1] = (uint8_t)ni, buf[2] = (uint8_t)(ni >> 8);
	memcpy(buf + 3, images, ni);
	memcpy(buf + 3 + ni, labels, nl);
	if (save("corpus-dataset", name, buf, 3 + ni + nl, path, sizeof(path)) != 0 ||
	    save("corpus-dataset", "images.tmp", images, ni, img_path, sizeof(img_path)) != 0 ||
	    save("corpus-dataset", "labels.tmp", labels, nl, lab_path, sizeof(lab_path)) != 0)
		return;
	snprintf(spec, sizeof(spec), "idx:%s,%s", img_path, lab_path);
	sa_status st = sa_dataset_open(spec, SA_SPLIT_TRAIN, NULL, &ds);

	if (st == SA_OK)
		sa_dataset_close(ds);
	remove(img_path);
	remove(lab_path);
	verdict(name, st, want_ok);
}

/* Mode byte 1 then one PNG (or not): the folder form; verdict checked as a PNG. */
static void pngdir_seed(const char *name, const void *png, size_t size, int want_ok)
{
	uint8_t buf[4096];
	char path[512];
	sa_image img;

	buf[0] = 1;
	memcpy(buf + 1, png, size);
	if (save("corpus-dataset", name, buf, size + 1, path, sizeof(path)) != 0 ||
	    save("corpus-dataset", "x.tmp", png, size, path, sizeof(path)) != 0)
		return;
	sa_status st = sa_image_load_png(path, &img);

	if (st == SA_OK)
		sa_image_free(&img);
	remove(path);
	verdict(name, st, want_ok);
}

/* Writes a PNG to f through libpng; 0 or -1. */
static int write_png(FILE *f, uint32_t w, uint32_t h, int type, int depth, int interlace,
		     const uint8_t *rows, size_t row_bytes, const png_color *pal, int npal,
		     const png_byte *trns, int ntrns)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	int rc = -1;

	if (png && info && !setjmp(png_jmpbuf(png))) {
		png_init_io(png, f);
		png_set_IHDR(png, info, w, h, depth, type, interlace, PNG_COMPRESSION_TYPE_DEFAULT,
			     PNG_FILTER_TYPE_DEFAULT);
		if (pal)
			png_set_PLTE(png, info, pal, npal);
		if (trns)
			png_set_tRNS(png, info, trns, ntrns, NULL);
		png_write_info(png, info);
		for (int pass = png_set_interlace_handling(png); pass > 0; pass--)
			for (uint32_t y = 0; y < h; y++)
				png_write_row(png, rows + y * row_bytes);
		png_write_end(png, NULL);
		rc = 0;
	}
	png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
	return rc;
}

/* A PNG in memory (through a scratch file): its size in out, 0 on failure. */
static size_t encode(uint8_t *out, size_t cap, uint32_t w, uint32_t h, int type, int depth,
		     int interlace, const uint8_t *rows, size_t row_bytes, const png_color *pal,
		     int npal, const png_byte *trns, int ntrns)
{
	char path[512];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/encode.tmp", out_dir);
	f = fopen(path, "w+b");
	if (f && write_png(f, w, h, type, depth, interlace, rows, row_bytes, pal, npal, trns,
			   ntrns) == 0) {
		fflush(f);
		rewind(f);
		n = fread(out, 1, cap, f);
	}
	if (f)
		fclose(f);
	remove(path);
	if (!n)
		failures++;
	return n;
}

static uint32_t crc_of(const uint8_t *type_and_data, size_t n)
{
	return (uint32_t)crc32(0, type_and_data, (unsigned)n);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8),
	p[3] = (uint8_t)v;
}

/* Signature and an IHDR chunk of w x h, 8-bit gray: 33 bytes at out. */
static size_t png_head(uint8_t *out, uint32_t w, uint32_t h)
{
	static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

	memcpy(out, sig, 8);
	put32(out + 8, 13);
	memcpy(out + 12, "IHDR", 4);
	put32(out + 16, w);
	put32(out + 20, h);
	out[24] = 8, out[25] = 0, out[26] = 0, out[27] = 0, out[28] = 0;
	put32(out + 29, crc_of(out + 12, 17));
	return 33;
}

/* An empty chunk of `type` at out: 12 bytes. */
static size_t empty_chunk(uint8_t *out, const char *type)
{
	put32(out, 0);
	memcpy(out + 4, type, 4);
	put32(out + 8, crc_of(out + 4, 4));
	return 12;
}

static void png_seeds(void)
{
	uint8_t buf[4096], rows[4096];
	png_color grey_pal[4] = {{0, 0, 0}, {85, 85, 85}, {170, 170, 170}, {255, 255, 255}};
	png_byte trns[2] = {0, 255};
	size_t n;

	for (int i = 0; i < 256; i++)
		rows[i] = (uint8_t)(i * 37);
	n = encode(buf, sizeof(buf), 4, 3, PNG_COLOR_TYPE_GRAY, 8, 0, rows, 4, NULL, 0, NULL, 0);
	png_seed("valid-gray.png", buf, n, 1);
	n = encode(buf, sizeof(buf), 3, 3, PNG_COLOR_TYPE_RGB_ALPHA, 8, 0, rows, 12, NULL, 0, NULL,
		   0);
	png_seed("valid-rgba.png", buf, n, 1);
	n = encode(buf, sizeof(buf), 4, 2, PNG_COLOR_TYPE_PALETTE, 8, 0,
		   (uint8_t[]){0, 1, 2, 3, 3, 2, 1, 0}, 4, grey_pal, 4, trns, 2);
	png_seed("valid-grey-palette-trns.png", buf, n, 1);
	n = encode(buf, sizeof(buf), 5, 5, PNG_COLOR_TYPE_RGB, 16, 1, rows, 30, NULL, 0, NULL, 0);
	png_seed("valid-rgb16-interlaced.png", buf, n, 1);
	n = encode(buf, sizeof(buf), 9, 2, PNG_COLOR_TYPE_GRAY, 1, 0, rows, 2, NULL, 0, NULL, 0);
	png_seed("valid-gray1.png", buf, n, 1);
	png_seed("invalid-truncated.png", buf, n / 2, 0);

	/* 44 bytes: an ancillary chunk whose length claims 2 GiB. */
	n = png_head(buf, 1, 1);
	put32(buf + n, 0x7fffffffu);
	memcpy(buf + n + 4, "tEXt", 4);
	memcpy(buf + n + 8, "abc", 3);
	png_seed("invalid-chunk-claims-2gib.png", buf, n + 11, 0);
	/* A header at the size limit in a file that cannot hold its pixels. */
	n = png_head(buf, SA_IMAGE_MAX_SIDE, SA_IMAGE_MAX_SIDE / 4);
	n += empty_chunk(buf + n, "IDAT");
	n += empty_chunk(buf + n, "IEND");
	png_seed("invalid-header-larger-than-file.png", buf, n, 0);
	png_seed("invalid-jpeg.png", "\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0", 20,
		 0);
	png_seed("invalid-gif.png", "GIF89a\x01\0\x01\0\0\0\0;", 14, 0);
	png_seed("invalid-bmp.png", "BM\x3a\0\0\0\0\0\0\0\x36\0\0\0", 14, 0);
	png_seed("invalid-webp.png", "RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0", 20, 0);
	png_seed("invalid-empty.png", "", 0, 0);

	/* The folder form: a valid PNG, and a JPEG. */
	n = encode(buf, sizeof(buf), 4, 3, PNG_COLOR_TYPE_GRAY, 8, 0, rows, 4, NULL, 0, NULL, 0);
	pngdir_seed("valid-pngdir.bin", buf, n, 1);
	pngdir_seed("invalid-pngdir-jpeg.bin", "\xff\xd8\xff\xe0\0\x10JFIF\0", 11, 0);
}

static void idx_seeds(void)
{
	uint8_t images[16 + 2 * 9] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 3};
	uint8_t labels[8 + 2] = {0, 0, 8, 1, 0, 0, 0, 2, 0, 1};
	/* A header claiming 2^26 images of 4096x4096 in a 16-byte file. */
	uint8_t huge[16] = {0, 0, 8, 3, 4, 0, 0, 0, 0, 0, 16, 0, 0, 0, 16, 0};

	for (int i = 0; i < 18; i++)
		images[16 + i] = (uint8_t)(i * 14);
	idx_seed("valid-idx.bin", images, sizeof(images), labels, sizeof(labels), 1);
	idx_seed("invalid-idx-huge-header.bin", huge, sizeof(huge), labels, sizeof(labels), 0);
	idx_seed("invalid-idx-truncated.bin", images, sizeof(images) - 5, labels, sizeof(labels),
		 0);
}

int main(int argc, char **argv)
{
	char path[512];

	if (argc != 2) {
		fprintf(stderr, "usage: %s TESTS_FUZZ_DIR\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];
	snprintf(path, sizeof(path), "%s/corpus-png", out_dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/corpus-dataset", out_dir);
	mkdir(path, 0755);
	png_seeds();
	idx_seeds();
	if (failures)
		fprintf(stderr, "%d seed(s) failed\n", failures);
	return failures ? 1 : 0;
}
