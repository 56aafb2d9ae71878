// SPDX-License-Identifier: MIT
/*
 * PNG decoding and preprocessing.  The PNGs are written here with libpng
 * directly (every colour type, bit depth, palette with and without tRNS,
 * interlacing), so the decoder is checked against files it did not write,
 * pixel by pixel.  Corrupt files (truncated at every length, bad CRC, wrong
 * signature, huge dimensions, bit flips) must fail with SA_ERR_BAD_IMAGE and
 * a message naming the file.  Preprocessing (resize, normalisation, channel
 * conversion) is checked against values worked out by hand.
 */
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shiftaccel.h"
#include "../check.h"

static char tmp_dir[64];

static const char *tmp_path(const char *name)
{
	static char path[4][128];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", tmp_dir, name);
	return p;
}

/* ------------------------------------------------------------ PNG writing */

struct png_spec {
	uint32_t width, height;
	int color_type, bit_depth, interlace;
	const png_color *palette;
	int num_palette;
	const png_byte *trns; /* palette alpha, or NULL */
	int num_trns;
	const png_color_16 *trns_color; /* gray/RGB transparent colour, or NULL */
};

static int write_png_raw(const char *path, const struct png_spec *s, const uint8_t *rows_data,
			 size_t row_bytes)
{
	FILE *f = fopen(path, "wb");
	png_structp png;
	png_infop info;
	png_bytep *rows;
	uint32_t y;

	if (!f)
		return -1;
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	info = png_create_info_struct(png);
	rows = malloc(sizeof(*rows) * s->height);
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		fclose(f);
		free(rows);
		return -1;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, s->width, s->height, s->bit_depth, s->color_type,
		     s->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (s->palette)
		png_set_PLTE(png, info, s->palette, s->num_palette);
	if (s->trns || s->trns_color)
		png_set_tRNS(png, info, s->trns, s->num_trns, s->trns_color);
	for (y = 0; y < s->height; y++)
		rows[y] = (png_bytep)rows_data + row_bytes * y;
	png_write_info(png, info);
	png_write_image(png, rows);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(rows);
	return fclose(f);
}

/*
 * Packs samples (one unsigned value per sample, row-major, interleaved) into
 * PNG row format for the bit depth: MSB-first for < 8 bits, big-endian for 16.
 */
static uint8_t *pack_samples(const uint16_t *samples, uint32_t width, uint32_t height, uint32_t spp,
			     int bit_depth, size_t *row_bytes)
{
	size_t rb = ((size_t)width * spp * bit_depth + 7) / 8;
	uint8_t *out = calloc(rb * height, 1);
	uint32_t x, y;

	for (y = 0; y < height; y++) {
		uint8_t *row = out + rb * y;

		for (x = 0; x < width * spp; x++) {
			uint16_t v = samples[(size_t)y * width * spp + x];

			if (bit_depth == 16) {
				row[2 * x] = (uint8_t)(v >> 8);
				row[2 * x + 1] = (uint8_t)v;
			} else if (bit_depth == 8) {
				row[x] = (uint8_t)v;
			} else {
				size_t bit = (size_t)x * bit_depth;

				row[bit / 8] |= (uint8_t)(v << (8 - bit_depth - bit % 8));
			}
		}
	}
	*row_bytes = rb;
	return out;
}

static int write_png_samples(const char *path, const struct png_spec *s, const uint16_t *samples)
{
	static const int spp_of[7] = {1, 0, 3, 1, 2, 0, 4};
	size_t rb;
	uint8_t *data = pack_samples(samples, s->width, s->height, spp_of[s->color_type],
				     s->bit_depth, &rb);
	int r = write_png_raw(path, s, data, rb);

	free(data);
	return r;
}

/* Deterministic sample values covering the whole range of a bit depth. */
static uint16_t *pattern(uint32_t n, int bit_depth, uint32_t seed)
{
	uint16_t *v = malloc(sizeof(*v) * n);
	uint32_t max = (1u << bit_depth) - 1, i, x = seed * 2654435761u + 1;

	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		v[i] = (uint16_t)(i < 4 ? (i * max) / 3 : (x >> 8) % (max + 1));
	}
	return v;
}

/* What an 8-bit decoder must produce from a sample of `bit_depth` bits. */
static uint8_t expect_8bit(uint16_t v, int bit_depth)
{
	switch (bit_depth) {
	case 1: return v ? 255 : 0;
	case 2: return (uint8_t)(v * 85);
	case 4: return (uint8_t)(v * 17);
	case 8: return (uint8_t)v;
	}
	/* 16 bits: rounded to nearest, v * 255 / 65535. */
	return (uint8_t)(((uint32_t)v * 255u + 32767u) / 65535u);
}

/*
 * Writes a gray / gray+alpha / RGB / RGBA image of `bit_depth` and checks the
 * decoded 8-bit gray or RGB samples one by one.  Alpha, where the type has
 * it, is fully opaque, so compositing leaves every sample as stored (the
 * compositing tests below cover transparency).
 */
static int check_direct_color(int color_type, int bit_depth, int interlace, uint32_t w, uint32_t h)
{
	static const int spp_of[7] = {1, 0, 3, 1, 2, 0, 4};
	struct png_spec s = {w, h, color_type, bit_depth, interlace, NULL, 0, NULL, 0, NULL};
	uint32_t spp = spp_of[color_type];
	uint32_t colors = (color_type & PNG_COLOR_MASK_COLOR) ? 3 : 1;
	uint16_t *v = pattern(w * h * spp, bit_depth, (uint32_t)(color_type * 100 + bit_depth));
	const char *path = tmp_path("direct.png");
	sa_image img = {0};
	uint32_t i, c;
	int ok = 1;

	for (i = 0; spp > colors && i < w * h; i++)
		v[i * spp + colors] = (uint16_t)((1u << bit_depth) - 1);

	if (write_png_samples(path, &s, v) != 0 || sa_image_load_png(path, &img) != SA_OK) {
		fprintf(stderr, "  load failed: %s\n", sa_last_error());
		free(v);
		return 0;
	}
	if (img.width != w || img.height != h || img.channels != colors)
		ok = 0;
	for (i = 0; ok && i < w * h; i++) {
		for (c = 0; c < colors; c++) {
			uint8_t want = expect_8bit(v[i * spp + c], bit_depth);

			if (img.pixels[i * colors + c] != want) {
				fprintf(stderr, "  type %d depth %d pixel %u ch %u: %u, want %u\n",
					color_type, bit_depth, i, c, img.pixels[i * colors + c],
					want);
				ok = 0;
				break;
			}
		}
	}
	sa_image_free(&img);
	free(v);
	return ok;
}

TEST(gray_every_bit_depth)
{
	static const int depths[] = {1, 2, 4, 8, 16};
	size_t i;

	for (i = 0; i < sizeof(depths) / sizeof(depths[0]); i++)
		CHECK(check_direct_color(PNG_COLOR_TYPE_GRAY, depths[i], 0, 13, 5));
}

TEST(gray_alpha_opaque_keeps_samples)
{
	CHECK(check_direct_color(PNG_COLOR_TYPE_GRAY_ALPHA, 8, 0, 7, 6));
	CHECK(check_direct_color(PNG_COLOR_TYPE_GRAY_ALPHA, 16, 0, 7, 6));
}

TEST(rgb_8_and_16_bit)
{
	CHECK(check_direct_color(PNG_COLOR_TYPE_RGB, 8, 0, 9, 4));
	CHECK(check_direct_color(PNG_COLOR_TYPE_RGB, 16, 0, 9, 4));
}

TEST(rgba_opaque_keeps_samples)
{
	CHECK(check_direct_color(PNG_COLOR_TYPE_RGB_ALPHA, 8, 0, 5, 5));
	CHECK(check_direct_color(PNG_COLOR_TYPE_RGB_ALPHA, 16, 0, 5, 5));
}

TEST(interlaced)
{
	/* Odd sizes so every Adam7 pass has partial blocks. */
	CHECK(check_direct_color(PNG_COLOR_TYPE_RGB, 8, 1, 13, 11));
	CHECK(check_direct_color(PNG_COLOR_TYPE_GRAY, 1, 1, 13, 11));
	CHECK(check_direct_color(PNG_COLOR_TYPE_GRAY, 16, 1, 9, 10));
	CHECK(check_direct_color(PNG_COLOR_TYPE_RGB_ALPHA, 8, 1, 17, 3));
}

/* All 65536 16-bit values, each must become round(v * 255 / 65535). */
TEST(sixteen_bit_scaling_is_rounded)
{
	struct png_spec s = {256, 256, PNG_COLOR_TYPE_GRAY, 16, 0, NULL, 0, NULL, 0, NULL};
	uint16_t *v = malloc(sizeof(*v) * 65536);
	const char *path = tmp_path("all16.png");
	sa_image img = {0};
	uint32_t i;
	int ok;

	for (i = 0; i < 65536; i++)
		v[i] = (uint16_t)i;
	ok = write_png_samples(path, &s, v) == 0;
	free(v);
	CHECK(ok);
	CHECK_EQ_INT(sa_image_load_png(path, &img), SA_OK);
	for (i = 0; i < 65536; i++) {
		if (img.pixels[i] != expect_8bit((uint16_t)i, 16))
			break;
	}
	sa_image_free(&img);
	CHECK_EQ_INT(i, 65536);
	/* Spot values: exact multiples of 257 map to themselves / 257; 128 rounds down, 129 up. */
	CHECK_EQ_INT(expect_8bit(257 * 200, 16), 200);
	CHECK_EQ_INT(expect_8bit(128, 16), 0);
	CHECK_EQ_INT(expect_8bit(129, 16), 1);
}

static const png_color test_palette[5] = {
	{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {10, 20, 30}, {200, 100, 50},
};

static int check_palette(int bit_depth, int with_trns, int interlace)
{
	/* An opaque tRNS: the palette colours come through unchanged. */
	static const png_byte alpha[5] = {255, 255, 255, 255, 255};
	uint32_t w = 11, h = 3, i, ncolors = bit_depth == 1 ? 2 : (bit_depth == 2 ? 4 : 5);
	struct png_spec s = {.width = w,
			     .height = h,
			     .color_type = PNG_COLOR_TYPE_PALETTE,
			     .bit_depth = bit_depth,
			     .interlace = interlace,
			     .palette = test_palette,
			     .num_palette = (int)ncolors,
			     .trns = with_trns ? alpha : NULL,
			     .num_trns = with_trns ? 3 : 0};
	uint16_t *idx = malloc(sizeof(*idx) * w * h);
	const char *path = tmp_path("palette.png");
	sa_image img = {0};
	int ok = 1;

	for (i = 0; i < w * h; i++)
		idx[i] = (uint16_t)((i * 7 + i / 5) % ncolors);
	if (write_png_samples(path, &s, idx) != 0 || sa_image_load_png(path, &img) != SA_OK) {
		fprintf(stderr, "  palette load failed: %s\n", sa_last_error());
		free(idx);
		return 0;
	}
	ok = img.width == w && img.height == h && img.channels == 3;
	for (i = 0; ok && i < w * h; i++) {
		const png_color *want = &test_palette[idx[i]];

		ok = img.pixels[3 * i] == want->red && img.pixels[3 * i + 1] == want->green &&
		     img.pixels[3 * i + 2] == want->blue;
		if (!ok)
			fprintf(stderr, "  palette depth %d pixel %u wrong\n", bit_depth, i);
	}
	sa_image_free(&img);
	free(idx);
	return ok;
}

TEST(palette_expanded_to_rgb)
{
	CHECK(check_palette(8, 0, 0));
	CHECK(check_palette(4, 0, 0));
	CHECK(check_palette(2, 0, 0));
	CHECK(check_palette(1, 0, 0));
}

/* A tRNS chunk whose entries are all opaque changes nothing. */
TEST(palette_with_trns_keeps_colors)
{
	CHECK(check_palette(8, 1, 0));
	CHECK(check_palette(4, 1, 1));
}

TEST(gray_with_trns_keeps_values)
{
	/* Light content (200, 250): the transparent value 3 becomes a black background. */
	png_color_16 transparent = {0, 0, 0, 0, 3};
	struct png_spec s = {4, 1, PNG_COLOR_TYPE_GRAY, 8, 0, NULL, 0, NULL, 0, &transparent};
	uint16_t v[4] = {3, 200, 250, 3};
	const char *path = tmp_path("graytrns.png");
	sa_image img = {0};

	CHECK(write_png_samples(path, &s, v) == 0);
	CHECK_EQ_INT(sa_image_load_png(path, &img), SA_OK);
	CHECK_EQ_INT(img.channels, 1);
	CHECK(img.pixels[0] == 0 && img.pixels[1] == 200 && img.pixels[2] == 250 &&
	      img.pixels[3] == 0);
	sa_image_free(&img);
}

TEST(low_depth_gray_and_rgb_with_trns)
{
	png_color_16 transparent_gray = {0, 0, 0, 0, 1};
	png_color_16 transparent_rgb = {0, 10, 20, 30, 0};
	struct png_spec gray2 = {4,    1, PNG_COLOR_TYPE_GRAY, 2, 0, NULL, 0,
				 NULL, 0, &transparent_gray};
	struct png_spec rgb = {2, 1, PNG_COLOR_TYPE_RGB, 8, 0, NULL, 0, NULL, 0, &transparent_rgb};
	uint16_t g[4] = {0, 1, 2, 3}, c[6] = {10, 20, 30, 40, 50, 60};
	const char *path = tmp_path("lowtrns.png");
	sa_image img = {0};
	int ok;

	/* Gray 1 (85) is transparent; the rest (0, 170, 255) is light on average: black behind. */
	CHECK(write_png_samples(path, &gray2, g) == 0);
	CHECK_EQ_INT(sa_image_load_png(path, &img), SA_OK);
	ok = img.channels == 1 && img.pixels[0] == 0 && img.pixels[1] == 0 &&
	     img.pixels[2] == 170 && img.pixels[3] == 255;
	sa_image_free(&img);
	CHECK(ok);
	/* (10,20,30) is transparent; the visible (40,50,60) is dark: white behind. */
	CHECK(write_png_samples(path, &rgb, c) == 0);
	CHECK_EQ_INT(sa_image_load_png(path, &img), SA_OK);
	ok = img.channels == 3 && img.pixels[0] == 255 && img.pixels[1] == 255 &&
	     img.pixels[2] == 255 && img.pixels[3] == 40 && img.pixels[5] == 60;
	sa_image_free(&img);
	CHECK(ok);
}

/* Loads path and compares its samples with want[0..n); 1 when equal. */
static int loads_as(const char *path, uint32_t channels, const uint8_t *want, size_t n)
{
	sa_image img = {0};
	int ok = sa_image_load_png(path, &img) == SA_OK && img.channels == channels &&
		 (size_t)img.width * img.height * channels == n && !memcmp(img.pixels, want, n);

	if (!ok && img.pixels)
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "  sample %zu: %u, want %u\n", i, img.pixels[i], want[i]);
	sa_image_free(&img);
	return ok;
}

/* A black pen on a transparent canvas whose hidden pixels are white: black on white. */
TEST(transparent_white_canvas_black_ink_is_black_on_white)
{
	struct png_spec s = {4, 1, PNG_COLOR_TYPE_RGB_ALPHA, 8, 0, NULL, 0, NULL, 0, NULL};
	uint16_t v[16] = {255, 255, 255, 0, 0, 0, 0, 255, 0, 0, 0, 128, 255, 255, 255, 0};
	/* Half-covered ink: 0 * 128/255 + 255 * 127/255, rounded. */
	uint8_t want[12] = {255, 255, 255, 0, 0, 0, 127, 127, 127, 255, 255, 255};

	CHECK(write_png_samples(tmp_path("pen.png"), &s, v) == 0);
	CHECK(loads_as(tmp_path("pen.png"), 3, want, sizeof(want)));
}

/* Ink only in alpha, the colour all black: the visible content is dark, white goes behind. */
TEST(ink_only_in_alpha_is_dark_on_white)
{
	struct png_spec s = {4, 1, PNG_COLOR_TYPE_GRAY_ALPHA, 8, 0, NULL, 0, NULL, 0, NULL};
	uint16_t v[8] = {0, 0, 0, 255, 0, 200, 0, 0};
	uint8_t want[4] = {255, 0, 55, 255};

	CHECK(write_png_samples(tmp_path("alpha.png"), &s, v) == 0);
	CHECK(loads_as(tmp_path("alpha.png"), 1, want, sizeof(want)));
}

/* White chalk on a transparent canvas: light content, black goes behind. */
TEST(light_ink_on_transparent_is_light_on_black)
{
	struct png_spec s = {4, 1, PNG_COLOR_TYPE_GRAY_ALPHA, 8, 0, NULL, 0, NULL, 0, NULL};
	uint16_t v[8] = {255, 0, 255, 255, 255, 0, 0, 0};
	uint16_t none[8] = {255, 0, 10, 0, 200, 0, 0, 0};
	uint8_t want[4] = {0, 255, 0, 0}, black[4] = {0, 0, 0, 0};

	CHECK(write_png_samples(tmp_path("chalk.png"), &s, v) == 0);
	CHECK(loads_as(tmp_path("chalk.png"), 1, want, sizeof(want)));
	/* Nothing visible at all: black. */
	CHECK(write_png_samples(tmp_path("clear.png"), &s, none) == 0);
	CHECK(loads_as(tmp_path("clear.png"), 1, black, sizeof(black)));
}

/* A palette of grey levels is a gray image, not RGB. */
TEST(grey_palette_is_gray)
{
	static const png_color greys[3] = {{0, 0, 0}, {77, 77, 77}, {255, 255, 255}};
	struct png_spec s = {.width = 3,
			     .height = 2,
			     .color_type = PNG_COLOR_TYPE_PALETTE,
			     .bit_depth = 8,
			     .palette = greys,
			     .num_palette = 3};
	uint16_t idx[6] = {0, 1, 2, 2, 1, 0};
	uint8_t want[6] = {0, 77, 255, 255, 77, 0};
	sa_image probe = {0};

	CHECK(write_png_samples(tmp_path("greys.png"), &s, idx) == 0);
	CHECK(loads_as(tmp_path("greys.png"), 1, want, sizeof(want)));
	CHECK_EQ_INT(sa_image_probe_png(tmp_path("greys.png"), &probe), SA_OK);
	CHECK(probe.width == 3 && probe.height == 2 && probe.channels == 1 && !probe.pixels);
}

TEST(write_read_round_trip)
{
	uint32_t c;

	for (c = 1; c <= 3; c += 2) {
		sa_image img = {17, 9, c, malloc(17 * 9 * c)}, back = {0};
		const char *path = tmp_path("roundtrip.png");
		uint32_t i;
		int same;

		for (i = 0; i < 17 * 9 * c; i++)
			img.pixels[i] = (uint8_t)(i * 37 + c);
		CHECK_EQ_INT(sa_image_write_png(path, &img), SA_OK);
		CHECK_EQ_INT(sa_image_load_png(path, &back), SA_OK);
		same = back.width == 17 && back.height == 9 && back.channels == c &&
		       memcmp(back.pixels, img.pixels, 17 * 9 * c) == 0;
		sa_image_free(&back);
		sa_image_free(&img);
		CHECK(img.pixels == NULL && img.width == 0);
		CHECK(same);
	}
}

TEST(write_rejects_bad_images)
{
	uint8_t px[8] = {0};
	sa_image two = {2, 2, 2, px}, empty = {0, 2, 1, px}, gray = {2, 2, 1, px};

	CHECK_EQ_INT(sa_image_write_png(tmp_path("x.png"), &two), SA_ERR_INVALID_ARGUMENT);
	CHECK_STR_CONTAINS(sa_last_error(), "2 channels");
	CHECK_EQ_INT(sa_image_write_png(tmp_path("x.png"), &empty), SA_ERR_INVALID_ARGUMENT);
	CHECK_EQ_INT(sa_image_write_png(tmp_path("no/such/dir/x.png"), &gray), SA_ERR_IO);
	CHECK_STR_CONTAINS(sa_last_error(), "no/such/dir/x.png");
	CHECK_STR_CONTAINS(sa_last_error(), "does not exist");
}

/* ------------------------------------------------------------ bad files */

static long write_bytes(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	size_t w;

	if (!f)
		return -1;
	w = fwrite(data, 1, n, f);
	fclose(f);
	return (long)w;
}

static uint8_t *read_all(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len);
	*n = fread(buf, 1, (size_t)len, f);
	fclose(f);
	return buf;
}

/* A small valid RGB PNG to corrupt; returns its bytes. */
static uint8_t *valid_png_bytes(size_t *n)
{
	struct png_spec s = {6, 5, PNG_COLOR_TYPE_RGB, 8, 0, NULL, 0, NULL, 0, NULL};
	uint16_t *v = pattern(6 * 5 * 3, 8, 9);
	const char *path = tmp_path("valid.png");
	uint8_t *bytes = NULL;

	if (write_png_samples(path, &s, v) == 0)
		bytes = read_all(path, n);
	free(v);
	return bytes;
}

static uint32_t crc32_png(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

TEST(missing_file_is_io_error)
{
	sa_image img = {0};
	const char *path = tmp_path("does-not-exist.png");

	CHECK_EQ_INT(sa_image_load_png(path, &img), SA_ERR_IO);
	CHECK_STR_CONTAINS(sa_last_error(), path);
	CHECK_STR_CONTAINS(sa_last_error(), "No such file or directory");
	CHECK(img.pixels == NULL);
}

TEST(not_a_png)
{
	static const char text[] = "this is a text file, not an image\n";
	const char *path = tmp_path("text.png");
	sa_image img = {0};

	CHECK(write_bytes(path, text, sizeof(text) - 1) > 0);
	CHECK_EQ_INT(sa_image_load_png(path, &img), SA_ERR_BAD_IMAGE);
	CHECK_STR_CONTAINS(sa_last_error(), path);
	CHECK_STR_CONTAINS(sa_last_error(), "not a PNG");
	/* Shorter than the signature, and empty. */
	CHECK(write_bytes(path, "\x89PNG", 4) == 4);
	CHECK_EQ_INT(sa_image_load_png(path, &img), SA_ERR_BAD_IMAGE);
	CHECK_STR_CONTAINS(sa_last_error(), "not a PNG");
	CHECK(write_bytes(path, "", 0) == 0);
	CHECK_EQ_INT(sa_image_load_png(path, &img), SA_ERR_BAD_IMAGE);
	CHECK_STR_CONTAINS(sa_last_error(), "not a PNG");
	CHECK(img.pixels == NULL);
}

/* Every truncation of a valid PNG, from just after the signature to one byte short. */
TEST(truncated_at_every_length)
{
	size_t n = 0, len;
	uint8_t *bytes = valid_png_bytes(&n);
	const char *path = tmp_path("truncated.png");

	CHECK(bytes && n > 40);
	for (len = 8; len < n; len++) {
		sa_image img = {0};
		sa_status st;

		write_bytes(path, bytes, len);
		st = sa_image_load_png(path, &img);
		if (st != SA_ERR_BAD_IMAGE || !strstr(sa_last_error(), path) ||
		    !strstr(sa_last_error(), "corrupt PNG")) {
			fprintf(stderr, "  length %zu of %zu: %s: %s\n", len, n, sa_status_name(st),
				sa_last_error());
			sa_image_free(&img);
			break;
		}
	}
	free(bytes);
	CHECK_EQ_INT(len, n);
	/* The message says what happened. */
	CHECK_STR_CONTAINS(sa_last_error(), "truncated");
}

TEST(bad_crc)
{
	size_t n = 0;
	uint8_t *bytes = valid_png_bytes(&n);
	const char *path = tmp_path("badcrc.png");
	sa_image img = {0};
	sa_status st_ihdr, st_idat;
	char msg_ihdr[512];

	CHECK(bytes && n > 60);
	/* IHDR data starts at 16 (signature 8, length 4, type 4): flip a bit of the width. */
	bytes[18] ^= 0x01;
	write_bytes(path, bytes, n);
	st_ihdr = sa_image_load_png(path, &img);
	snprintf(msg_ihdr, sizeof(msg_ihdr), "%s", sa_last_error());
	bytes[18] ^= 0x01;
	/* The IDAT chunk's CRC is the 4 bytes before the 12-byte IEND chunk. */
	bytes[n - 13] ^= 0x40;
	write_bytes(path, bytes, n);
	st_idat = sa_image_load_png(path, &img);
	free(bytes);
	CHECK_EQ_INT(st_ihdr, SA_ERR_BAD_IMAGE);
	CHECK_STR_CONTAINS(msg_ihdr, "IHDR");
	CHECK_STR_CONTAINS(msg_ihdr, "CRC");
	CHECK_STR_CONTAINS(msg_ihdr, path);
	CHECK_EQ_INT(st_idat, SA_ERR_BAD_IMAGE);
	CHECK_STR_CONTAINS(sa_last_error(), "CRC");
}

TEST(huge_dimensions_rejected)
{
	size_t n = 0;
	uint8_t *bytes = valid_png_bytes(&n);
	const char *path = tmp_path("huge.png");
	sa_image img = {0};
	sa_status st;

	CHECK(bytes);
	put_be32(bytes + 16, 20000);			 /* width */
	put_be32(bytes + 20, 30000);			 /* height */
	put_be32(bytes + 29, crc32_png(bytes + 12, 17)); /* CRC over type + 13 data bytes */
	write_bytes(path, bytes, n);
	st = sa_image_load_png(path, &img);
	free(bytes);
	CHECK_EQ_INT(st, SA_ERR_BAD_IMAGE);
	CHECK_STR_CONTAINS(sa_last_error(), "20000x30000");
	CHECK_STR_CONTAINS(sa_last_error(), "limit");
	CHECK_STR_CONTAINS(sa_last_error(), path);
}

/* A flipped bit anywhere either decodes or is a clean SA_ERR_BAD_IMAGE (ASan checks the rest). */
TEST(bit_flips_anywhere)
{
	size_t n = 0, i;
	uint8_t *bytes = valid_png_bytes(&n);
	const char *path = tmp_path("flip.png");
	int bad = 0;

	CHECK(bytes);
	for (i = 0; i < n && !bad; i++) {
		sa_image img = {0};
		sa_status st;

		bytes[i] ^= (uint8_t)(1u << (i % 8));
		write_bytes(path, bytes, n);
		bytes[i] ^= (uint8_t)(1u << (i % 8));
		st = sa_image_load_png(path, &img);
		if (st == SA_OK)
			bad = img.width * img.height == 0 || !img.pixels;
		else
			bad = st != SA_ERR_BAD_IMAGE || !strstr(sa_last_error(), path);
		if (bad)
			fprintf(stderr, "  flip at %zu: %s: %s\n", i, sa_status_name(st),
				sa_last_error());
		sa_image_free(&img);
	}
	free(bytes);
	CHECK(!bad);
}

/* ------------------------------------------------------------ preprocessing */

/* A model whose input is c x h x w with the given normalisation (graph: input -> flatten). */
static sa_model *model_with_input(uint32_t c, uint32_t h, uint32_t w, const float *mean,
				  const float *std)
{
	sa_builder *b = NULL;
	sa_model *m = NULL;
	void *data = NULL;
	size_t size = 0;
	uint32_t t;

	if (sa_builder_create(&b) != SA_OK)
		return NULL;
	if (sa_builder_input(b, c, h, w, SA_DTYPE_I8, -6, mean, std, &t) == SA_OK &&
	    sa_builder_flatten(b, t, &t) == SA_OK && sa_builder_set_output(b, t) == SA_OK &&
	    sa_builder_write_memory(b, &data, &size) == SA_OK)
		sa_model_open_memory(data, size, "preprocess-test", &m);
	if (!m)
		fprintf(stderr, "  building the test model failed: %s\n", sa_last_error());
	free(data);
	sa_builder_destroy(b);
	return m;
}

static const float zero_mean[3] = {0, 0, 0}, unit_std[3] = {1, 1, 1};

static int near(float got, double want)
{
	double d = got - want;

	if (d < -1e-6 || d > 1e-6) {
		fprintf(stderr, "  got %.9g, want %.9g\n", got, want);
		return 0;
	}
	return 1;
}

TEST(same_size_resize_is_identity)
{
	sa_model *m = model_with_input(1, 4, 5, zero_mean, unit_std);
	uint8_t px[20];
	sa_image img = {5, 4, 1, px};
	float in[20];
	int i, ok = 1;

	CHECK(m);
	for (i = 0; i < 20; i++)
		px[i] = (uint8_t)(i * 13);
	CHECK_EQ_INT(sa_preprocess(m, &img, 0, in), SA_OK);
	for (i = 0; i < 20 && ok; i++)
		ok = in[i] == (float)(px[i] / 255.0);
	sa_model_close(m);
	CHECK(ok);
}

/*
 * 2x2 -> 4x4 with half-pixel centres: output coordinates map to source
 * (d + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
 * Source [[0, 100], [200, 40]]; the expected values are worked by hand.
 */
TEST(bilinear_upscale_2x2_to_4x4)
{
	static const double want[16] = {
		0,   25,     75,    100, /* y = 0: top row only */
		50,  58.75,  76.25, 85,	 /* y = 0.25 */
		150, 126.25, 78.75, 55,	 /* y = 0.75 */
		200, 160,    80,    40,	 /* y = 1: bottom row only */
	};
	sa_model *m = model_with_input(1, 4, 4, zero_mean, unit_std);
	uint8_t px[4] = {0, 100, 200, 40};
	sa_image img = {2, 2, 1, px};
	float in[16];
	int i, ok = 1;

	CHECK(m);
	CHECK_EQ_INT(sa_preprocess(m, &img, 0, in), SA_OK);
	for (i = 0; i < 16 && ok; i++)
		ok = near(in[i], want[i] / 255.0);
	sa_model_close(m);
	CHECK(ok);
}

/* 4x4 -> 2x2 samples at source 0.5 and 2.5: each output is the mean of a 2x2 block. */
TEST(bilinear_downscale_averages_blocks)
{
	sa_model *m = model_with_input(1, 2, 2, zero_mean, unit_std);
	uint8_t px[16] = {
		0,  10, 100, 110, /* */
		20, 30, 120, 130, /* */
		40, 40, 200, 0,	  /* */
		40, 40, 0,   200, /* */
	};
	sa_image img = {4, 4, 1, px};
	float in[4];

	CHECK(m);
	CHECK_EQ_INT(sa_preprocess(m, &img, 0, in), SA_OK);
	sa_model_close(m);
	CHECK(near(in[0], 15 / 255.0));
	CHECK(near(in[1], 115 / 255.0));
	CHECK(near(in[2], 40 / 255.0));
	CHECK(near(in[3], 100 / 255.0));
}

/* Non-integer ratio 3 -> 2 columns: source x = 0.25 and 1.75; 1 -> 3 rows: all from row 0. */
TEST(bilinear_uneven_ratio)
{
	sa_model *m = model_with_input(1, 3, 2, zero_mean, unit_std);
	uint8_t px[3] = {0, 100, 255};
	sa_image img = {3, 1, 1, px};
	float in[6];
	int y;

	CHECK(m);
	CHECK_EQ_INT(sa_preprocess(m, &img, 0, in), SA_OK);
	sa_model_close(m);
	for (y = 0; y < 3; y++) {
		CHECK(near(in[2 * y], 25 / 255.0));
		CHECK(near(in[2 * y + 1], (100 + 0.75 * 155) / 255.0));
	}
}

/* (p / 255 - mean[c]) / std[c] per channel, written as planes [C][H][W]. */
TEST(normalisation_per_channel_planar)
{
	static const float mean[3] = {0.1f, 0.2f, 0.3f}, std[3] = {0.5f, 0.25f, 2.0f};
	sa_model *m = model_with_input(3, 1, 2, mean, std);
	uint8_t px[6] = {255, 0, 51, 102, 204, 17}; /* two RGB pixels */
	sa_image img = {2, 1, 3, px};
	float in[6];
	int c, x, ok = 1;

	CHECK(m);
	CHECK_EQ_INT(sa_preprocess(m, &img, 0, in), SA_OK);
	sa_model_close(m);
	for (c = 0; c < 3 && ok; c++) {
		for (x = 0; x < 2 && ok; x++)
			ok = near(in[c * 2 + x], (px[x * 3 + c] / 255.0 - mean[c]) / std[c]);
	}
	CHECK(ok);
}

TEST(channel_mismatch_is_an_error_naming_both)
{
	sa_model *gray = model_with_input(1, 2, 2, zero_mean, unit_std);
	sa_model *rgb = model_with_input(3, 2, 2, zero_mean, unit_std);
	uint8_t px[12] = {0};
	sa_image rgb_img = {2, 2, 3, px}, gray_img = {2, 2, 1, px};
	float in[12];
	sa_status st1, st2;
	char msg1[512];

	CHECK(gray && rgb);
	st1 = sa_preprocess(gray, &rgb_img, 0, in);
	snprintf(msg1, sizeof(msg1), "%s", sa_last_error());
	st2 = sa_preprocess(rgb, &gray_img, 0, in);
	sa_model_close(gray);
	sa_model_close(rgb);
	CHECK_EQ_INT(st1, SA_ERR_SHAPE);
	CHECK_STR_CONTAINS(msg1, "image has 3 channels (RGB), model expects 1 (grayscale)");
	CHECK_STR_CONTAINS(msg1, "--convert");
	CHECK_EQ_INT(st2, SA_ERR_SHAPE);
	CHECK_STR_CONTAINS(sa_last_error(),
			   "image has 1 channel (grayscale), model expects 3 (RGB)");
}

/*
 * --convert RGB -> gray: BT.601 luma rounded to the nearest 8-bit value,
 * halves up: (299 R + 587 G + 114 B + 500) / 1000.
 */
TEST(convert_rgb_to_gray_bt601)
{
	static const uint8_t px[5 * 3] = {
		255, 0,	  0,   /* 76.245 -> 76 */
		0,   255, 0,   /* 149.685 -> 150 */
		0,   0,	  255, /* 29.07 -> 29 */
		0,   0,	  250, /* 28.5 exactly -> 29 (half up) */
		10,  20,  30,  /* 18.15 -> 18 */
	};
	static const int want[5] = {76, 150, 29, 29, 18};
	sa_model *m = model_with_input(1, 1, 5, zero_mean, unit_std);
	sa_image img = {5, 1, 3, (uint8_t *)px};
	float in[5];
	int i, ok = 1;

	CHECK(m);
	CHECK_EQ_INT(sa_preprocess(m, &img, 1, in), SA_OK);
	sa_model_close(m);
	for (i = 0; i < 5 && ok; i++)
		ok = in[i] == (float)(want[i] / 255.0);
	CHECK(ok);
}

TEST(convert_gray_to_rgb_replicates)
{
	sa_model *m = model_with_input(3, 1, 2, zero_mean, unit_std);
	uint8_t px[2] = {7, 250};
	sa_image img = {2, 1, 1, px};
	float in[6];
	int c, ok = 1;

	CHECK(m);
	CHECK_EQ_INT(sa_preprocess(m, &img, 1, in), SA_OK);
	sa_model_close(m);
	for (c = 0; c < 3 && ok; c++)
		ok = in[2 * c] == (float)(7 / 255.0) && in[2 * c + 1] == (float)(250 / 255.0);
	CHECK(ok);
}

TEST(preprocess_rejects_bad_images)
{
	sa_model *m = model_with_input(1, 2, 2, zero_mean, unit_std);
	uint8_t px[8] = {0};
	sa_image empty = {0, 2, 1, px}, two = {2, 2, 2, px}, ok_img = {2, 2, 1, px};
	float in[4];
	sa_status a, b, c;

	CHECK(m);
	a = sa_preprocess(m, &empty, 0, in);
	b = sa_preprocess(m, &two, 1, in);
	c = sa_preprocess(m, &ok_img, 0, NULL);
	sa_model_close(m);
	CHECK_EQ_INT(a, SA_ERR_INVALID_ARGUMENT);
	CHECK_EQ_INT(b, SA_ERR_INVALID_ARGUMENT);
	CHECK_EQ_INT(c, SA_ERR_INVALID_ARGUMENT);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	snprintf(tmp_dir, sizeof(tmp_dir), "%s/test_image.XXXXXX", base);
	if (!mkdtemp(tmp_dir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(gray_every_bit_depth);
	RUN(gray_alpha_opaque_keeps_samples);
	RUN(rgb_8_and_16_bit);
	RUN(rgba_opaque_keeps_samples);
	RUN(interlaced);
	RUN(sixteen_bit_scaling_is_rounded);
	RUN(palette_expanded_to_rgb);
	RUN(palette_with_trns_keeps_colors);
	RUN(gray_with_trns_keeps_values);
	RUN(low_depth_gray_and_rgb_with_trns);
	RUN(transparent_white_canvas_black_ink_is_black_on_white);
	RUN(ink_only_in_alpha_is_dark_on_white);
	RUN(light_ink_on_transparent_is_light_on_black);
	RUN(grey_palette_is_gray);
	RUN(write_read_round_trip);
	RUN(write_rejects_bad_images);
	RUN(missing_file_is_io_error);
	RUN(not_a_png);
	RUN(truncated_at_every_length);
	RUN(bad_crc);
	RUN(huge_dimensions_rejected);
	RUN(bit_flips_anywhere);
	RUN(same_size_resize_is_identity);
	RUN(bilinear_upscale_2x2_to_4x4);
	RUN(bilinear_downscale_averages_blocks);
	RUN(bilinear_uneven_ratio);
	RUN(normalisation_per_channel_planar);
	RUN(channel_mismatch_is_an_error_naming_both);
	RUN(convert_rgb_to_gray_bt601);
	RUN(convert_gray_to_rgb_replicates);
	RUN(preprocess_rejects_bad_images);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmp_dir);
	}
	CHECK_MAIN_END();
}
