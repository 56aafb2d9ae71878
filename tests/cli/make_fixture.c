// SPDX-License-Identifier: MIT
/*
 * Writes the fixtures tests/cli/test_run.sh runs shiftaccel-run on: small
 * models built with the sa_builder API and PNG images whose top-1 class is
 * known by construction.
 *
 * The network (gray: 1x8x8 input; RGB: 3x8x8) is
 *   conv 3x3 pad 1, 2 channels: ch0 = +sum of the window / 8 ("bright"),
 *                               ch1 = -sum of the window / 8 ("dark"), ReLU
 *   max pool 2x2 stride 2 -> 2x4x4
 *   fc -> 3 logits:  cat  = 2 * bright in the top half,
 *                    dog  = 2 * bright in the bottom half,
 *                    bird = 1 * dark anywhere.
 * With mean 0.5 and std 0.5 white is +1 and black is -1, so an image bright
 * on top is "cat", bright at the bottom "dog", and all black "bird".
 *
 * Usage: make_fixture DIR   (writes the files listed in main()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shiftaccel.h"

#define FAIL(what)                                                                                 \
	do {                                                                                       \
		fprintf(stderr, "make_fixture: %s: %s\n", what, sa_last_error());                  \
		return 1;                                                                          \
	} while (0)

static const char *const plain_labels[3] = {"cat", "dog", "bird"};
/* Labels a hostile model could carry: CSI sequences (7-bit and C1), a carriage return. */
static const char *const hostile_labels[3] = {"\033[31mcat", "dog\rX",
					      "bird\xc2\x9b"
					      "2J"};

static int build_model(const char *path, const char *name, uint32_t channels,
		       const char *const *labels)
{
	static const float mean[3] = {0.5f, 0.5f, 0.5f}, std[3] = {0.5f, 0.5f, 0.5f};
	struct sa_conv_params conv = {
		.kernel_h = 3,
		.kernel_w = 3,
		.stride_h = 1,
		.stride_w = 1,
		.dilation_h = 1,
		.dilation_w = 1,
		.pad_top = 1,
		.pad_left = 1,
		.pad_bottom = 1,
		.pad_right = 1,
		.groups = 1,
		.out_channels = 2,
		.weight_bits = 2,
		.weight_base = -3, /* k = 1 is 2^-3 */
		.act = SA_ACT_RELU,
	};
	struct sa_pool_params pool = {.kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2};
	struct sa_fc_params fc = {
		.out_features = 3,
		.weight_bits = 3,
		.weight_base = -1, /* k = 2 is 1, k = 1 is 1/2 */
		.act = SA_ACT_NONE,
	};
	int8_t conv_w[2 * 3 * 9], fc_w[3 * 32];
	sa_builder *b = NULL;
	uint32_t t, i, h, w;

	for (i = 0; i < channels * 9; i++) {
		conv_w[i] = 1;		       /* out channel 0 */
		conv_w[channels * 9 + i] = -1; /* out channel 1 */
	}
	/* fc input is [2][4][4] flattened: channel 0 at 0..15, channel 1 at 16..31. */
	memset(fc_w, 0, sizeof(fc_w));
	for (h = 0; h < 4; h++) {
		for (w = 0; w < 4; w++) {
			fc_w[0 * 32 + h * 4 + w] = h < 2 ? 2 : 0;
			fc_w[1 * 32 + h * 4 + w] = h >= 2 ? 2 : 0;
			fc_w[2 * 32 + 16 + h * 4 + w] = 1;
		}
	}
	if (sa_builder_create(&b) != SA_OK)
		FAIL("builder");
	if (sa_builder_set_meta(b, "name", name) || sa_builder_set_meta(b, "dataset", "shapes"))
		FAIL("meta");
	for (int k = 0; labels && k < 3; k++)
		if (sa_builder_add_label(b, labels[k]))
			FAIL("labels");
	if (sa_builder_input(b, channels, 8, 8, SA_DTYPE_I8, -6, mean, std, &t))
		FAIL("input");
	/* conv: accumulator 2^(-6 - 3), output 2^-5; all-white gives 9c/8, at most 3.4 < 127/32 */
	if (sa_builder_conv(b, t, &conv, conv_w, NULL, SA_DTYPE_I8, -5, &t))
		FAIL("conv");
	if (sa_builder_maxpool(b, t, &pool, &t))
		FAIL("maxpool");
	/* fc: accumulator 2^(-5 - 1), logits 2^-2 in int16 */
	if (sa_builder_fc(b, t, &fc, fc_w, NULL, SA_DTYPE_I16, -2, &t))
		FAIL("fc");
	if (sa_builder_set_output(b, t) || sa_builder_write_file(b, path))
		FAIL(path);
	sa_builder_destroy(b);
	return 0;
}

enum pattern { TOP_BRIGHT, BOTTOM_BRIGHT, DARK };

static int write_image(const char *path, uint32_t w, uint32_t h, uint32_t channels, enum pattern p)
{
	sa_image img = {w, h, channels, malloc((size_t)w * h * channels)};
	uint32_t x, y, c;
	sa_status st;

	if (!img.pixels)
		return 1;
	for (y = 0; y < h; y++) {
		for (x = 0; x < w; x++) {
			int bright = (p == TOP_BRIGHT && y < h / 2) ||
				     (p == BOTTOM_BRIGHT && y >= h / 2);

			for (c = 0; c < channels; c++)
				img.pixels[((size_t)y * w + x) * channels + c] =
					(uint8_t)(bright ? 255 : 0);
		}
	}
	st = sa_image_write_png(path, &img);
	free(img.pixels);
	if (st != SA_OK)
		FAIL(path);
	return 0;
}

int main(int argc, char **argv)
{
	char p[4096];
	const char *dir;
	int err = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: make_fixture DIR\n");
		return 1;
	}
	dir = argv[1];
#define OUT(name) (snprintf(p, sizeof(p), "%s/%s", dir, name), p)
	err |= build_model(OUT("gray.dsm"), "fixture-cnn", 1, plain_labels);
	err |= build_model(OUT("rgb.dsm"), "fixture-cnn-rgb", 3, plain_labels);
	/* A name that needs JSON escaping: quotes, a backslash, a tab, UTF-8. */
	err |= build_model(OUT("nolabels.dsm"), "no \"labels\" \\ \t caf\xc3\xa9", 1, NULL);
	/* A name and labels that would drive the terminal if printed raw. */
	err |= build_model(OUT("hostile.dsm"), "evil\033]0;owned\007\033[2J", 1, hostile_labels);
	err |= write_image(OUT("top.png"), 8, 8, 1, TOP_BRIGHT);
	err |= write_image(OUT("bottom.png"), 8, 8, 1, BOTTOM_BRIGHT);
	err |= write_image(OUT("dark.png"), 8, 8, 1, DARK);
	/* Other sizes go through the bilinear resize. */
	err |= write_image(OUT("bottom-large.png"), 40, 32, 1, BOTTOM_BRIGHT);
	err |= write_image(OUT("top-rgb.png"), 8, 8, 3, TOP_BRIGHT);
	err |= write_image(OUT("bottom-rgb-small.png"), 4, 6, 3, BOTTOM_BRIGHT);
#undef OUT
	return err;
}
