// SPDX-License-Identifier: MIT
/*
 * sa_preprocess_image's rules on images whose right answer is plain from
 * how they are drawn here (docs/preprocessing.md), the data-set measurement
 * the trainer stores (sa_dataset_input_style), the input.* metadata rule,
 * and sa_output.  The models are a flatten + fc over a 1x28x28 input with
 * mean 0 and std 1, so the preprocessed input is p / 255 and can be read
 * back directly.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check.h"
#include "shiftaccel.h"
#include "shiftaccel_train.h"

#define SIDE 28
#define N (SIDE * SIDE)

/* A 1x28x28 -> 2 model with the given input.* metadata (NULL: none). */
static sa_model *model_with(const char *polarity, const char *framing)
{
	static const float mean[1] = {0}, std[1] = {1};
	struct sa_fc_params fc = {.out_features = 2, .weight_bits = 5, .weight_base = -8};
	static int8_t w[2 * N];
	sa_builder *b = NULL;
	sa_model *m = NULL;
	uint32_t t;
	void *data = NULL;
	size_t size;

	if (sa_builder_create(&b) != SA_OK)
		return NULL;
	if ((!polarity || sa_builder_set_meta(b, SA_META_POLARITY, polarity) == SA_OK) &&
	    (!framing || sa_builder_set_meta(b, SA_META_FRAMING, framing) == SA_OK) &&
	    sa_builder_input(b, 1, SIDE, SIDE, SA_DTYPE_I8, -7, mean, std, &t) == SA_OK &&
	    sa_builder_flatten(b, t, &t) == SA_OK &&
	    sa_builder_fc(b, t, &fc, w, NULL, SA_DTYPE_I16, -4, &t) == SA_OK &&
	    sa_builder_set_output(b, t) == SA_OK &&
	    sa_builder_write_memory(b, &data, &size) == SA_OK)
		sa_model_open_memory(data, size, "prep-model", &m);
	if (!m)
		fprintf(stderr, "  model: %s\n", sa_last_error());
	free(data);
	sa_builder_destroy(b);
	return m;
}

/* A w x h gray image of `bg` with a rectangle of `ink` at (x0, y0), size rw x rh. */
static sa_image rect_image(uint32_t w, uint32_t h, uint8_t bg, uint8_t ink, uint32_t x0,
			   uint32_t y0, uint32_t rw, uint32_t rh)
{
	sa_image img = {w, h, 1, malloc((size_t)w * h)};

	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			img.pixels[(size_t)y * w + x] =
				x >= x0 && x < x0 + rw && y >= y0 && y < y0 + rh ? ink : bg;
	return img;
}

/* Pixels of the preprocessed input above half scale. */
static int bright_count(const float *in)
{
	int n = 0;

	for (int i = 0; i < N; i++)
		n += in[i] > 0.5f;
	return n;
}

TEST(dark_ink_on_white_is_inverted_for_light_on_dark_data)
{
	sa_model *m = model_with(SA_POLARITY_LIGHT_ON_DARK, SA_FRAMING_NONE);
	sa_image img = rect_image(SIDE, SIDE, 255, 0, 9, 9, 10, 10);
	struct sa_preprocess_report rep;
	float in[N];

	CHECK(m != NULL);
	CHECK_EQ_INT(sa_preprocess_image(m, &img, NULL, in, &rep), SA_OK);
	CHECK(rep.inverted && !rep.framed);
	CHECK(in[0] < 0.01f && in[N - 1] < 0.01f); /* the white paper is the dark background */
	CHECK(in[14 * SIDE + 14] > 0.99f);	   /* the black ink is full-scale light */
	CHECK_EQ_INT(bright_count(in), 100);
	sa_image_free(&img);
	sa_model_close(m);
}

TEST(image_already_like_the_data_is_unchanged)
{
	sa_model *m = model_with(SA_POLARITY_LIGHT_ON_DARK, SA_FRAMING_NONE);
	sa_image img = rect_image(SIDE, SIDE, 0, 255, 3, 5, 12, 7);
	struct sa_preprocess_report rep;
	float in[N], plain[N];

	CHECK(m != NULL);
	CHECK_EQ_INT(sa_preprocess_image(m, &img, NULL, in, &rep), SA_OK);
	CHECK_EQ_INT(sa_preprocess(m, &img, 0, plain), SA_OK);
	CHECK(!rep.inverted && !rep.framed);
	CHECK(memcmp(in, plain, sizeof(in)) == 0);
	sa_image_free(&img);
	sa_model_close(m);
}

TEST(invert_no_and_yes_override_the_detection)
{
	sa_model *m = model_with(SA_POLARITY_LIGHT_ON_DARK, SA_FRAMING_NONE);
	sa_image img = rect_image(SIDE, SIDE, 255, 0, 9, 9, 10, 10);
	struct sa_preprocess_options no = {0, SA_INVERT_NO, SA_FIT_AUTO};
	struct sa_preprocess_options yes = {0, SA_INVERT_YES, SA_FIT_AUTO};
	struct sa_preprocess_report rep;
	float in[N];

	CHECK(m != NULL);
	CHECK_EQ_INT(sa_preprocess_image(m, &img, &no, in, &rep), SA_OK);
	CHECK(!rep.inverted && in[0] > 0.99f && in[14 * SIDE + 14] < 0.01f);
	sa_image_free(&img);
	/* Light on dark already, inverted anyway on request. */
	img = rect_image(SIDE, SIDE, 0, 255, 9, 9, 10, 10);
	CHECK_EQ_INT(sa_preprocess_image(m, &img, &yes, in, &rep), SA_OK);
	CHECK(rep.inverted && in[0] > 0.99f && in[14 * SIDE + 14] < 0.01f);
	sa_image_free(&img);
	sa_model_close(m);
}

TEST(dark_on_light_data_gets_dark_ink)
{
	sa_model *m = model_with(SA_POLARITY_DARK_ON_LIGHT, SA_FRAMING_NONE);
	sa_image img = rect_image(SIDE, SIDE, 0, 255, 9, 9, 10, 10);
	struct sa_preprocess_report rep;
	float in[N];

	CHECK(m != NULL);
	CHECK_EQ_INT(sa_preprocess_image(m, &img, NULL, in, &rep), SA_OK);
	CHECK(rep.inverted && in[0] > 0.99f && in[14 * SIDE + 14] < 0.01f);
	sa_image_free(&img);
	sa_model_close(m);
}

TEST(undescribed_model_gets_the_plain_path_bit_for_bit)
{
	sa_model *m = model_with(NULL, NULL);
	sa_image img = rect_image(60, 40, 230, 20, 5, 5, 10, 10);
	struct sa_preprocess_report rep = {1, 1, 1};
	float in[N], plain[N];

	CHECK(m != NULL);
	CHECK_EQ_INT(sa_preprocess_image(m, &img, NULL, in, &rep), SA_OK);
	CHECK_EQ_INT(sa_preprocess(m, &img, 0, plain), SA_OK);
	CHECK(!rep.inverted && !rep.leveled && !rep.framed);
	CHECK(memcmp(in, plain, sizeof(in)) == 0);
	sa_image_free(&img);
	sa_model_close(m);
}

/* A 20x40 bar near the corner of a 200x200 canvas: framed to 10x20, centred. */
TEST(small_offcentre_ink_is_framed_like_mnist)
{
	sa_model *m = model_with(SA_POLARITY_LIGHT_ON_DARK, SA_FRAMING_DIGIT);
	sa_image img = rect_image(200, 200, 0, 255, 150, 12, 20, 40);
	struct sa_preprocess_options none = {0, SA_INVERT_AUTO, SA_FIT_NONE};
	struct sa_preprocess_report rep;
	double mass = 0, cx = 0, cy = 0;
	uint32_t x0 = SIDE, x1 = 0, y0 = SIDE, y1 = 0;
	float in[N];

	CHECK(m != NULL);
	CHECK_EQ_INT(sa_preprocess_image(m, &img, NULL, in, &rep), SA_OK);
	CHECK(rep.framed && !rep.inverted);
	for (uint32_t y = 0; y < SIDE; y++)
		for (uint32_t x = 0; x < SIDE; x++) {
			double v = in[y * SIDE + x];

			mass += v, cx += v * x, cy += v * y;
			if (v > 0.5) {
				x0 = x < x0 ? x : x0, x1 = x + 1 > x1 ? x + 1 : x1;
				y0 = y < y0 ? y : y0, y1 = y + 1 > y1 ? y + 1 : y1;
			}
		}
	/* MNIST: the longer side 20 of 28, the centre of mass at index 14 (within a pixel). */
	CHECK_EQ_INT(y1 - y0, 20);
	CHECK_EQ_INT(x1 - x0, 10);
	CHECK(fabs(cx / mass - 14) <= 1.0 && fabs(cy / mass - 14) <= 1.0);
	/* --fit none: the whole canvas squeezed, the bar a sliver near the edge. */
	CHECK_EQ_INT(sa_preprocess_image(m, &img, &none, in, &rep), SA_OK);
	CHECK(!rep.framed && bright_count(in) < 30 && in[14 * SIDE + 14] < 0.5f);
	sa_image_free(&img);
	sa_model_close(m);
}

/* Grey paper lit unevenly, dark pen, noise: inverted, paper near 0, stroke near full scale. */
TEST(photo_on_grey_paper_is_leveled)
{
	sa_model *m = model_with(SA_POLARITY_LIGHT_ON_DARK, SA_FRAMING_NONE);
	sa_image img = rect_image(SIDE, SIDE, 0, 0, 0, 0, 0, 0);
	struct sa_preprocess_report rep;
	uint32_t seed = 12345;
	double paper = 0;
	float in[N];

	CHECK(m != NULL);
	for (uint32_t y = 0; y < SIDE; y++)
		for (uint32_t x = 0; x < SIDE; x++) {
			int ink = x >= 12 && x < 16 && y >= 4 && y < 24;
			int v = 160 + (int)x - (ink ? 110 : 0);

			seed = seed * 1103515245u + 12345u;
			img.pixels[y * SIDE + x] = (uint8_t)(v + (int)((seed >> 16) % 11) - 5);
		}
	CHECK_EQ_INT(sa_preprocess_image(m, &img, NULL, in, &rep), SA_OK);
	CHECK(rep.inverted && rep.leveled);
	for (uint32_t y = 0; y < SIDE; y++)
		paper += in[y * SIDE + 2] + in[y * SIDE + 25];
	CHECK(paper / (2 * SIDE) < 0.1);
	CHECK(in[14 * SIDE + 13] > 0.8f);
	sa_image_free(&img);
	sa_model_close(m);
}

/* Fifty images of one kind: framed digits, filled frames, or dark on light. */
static sa_dataset *style_set(int kind)
{
	static uint8_t px[50 * N];
	static sa_label labels[50];
	sa_dataset *ds = NULL;

	for (int i = 0; i < 50; i++) {
		/* digit-like: a 20-tall, 8..12-wide block centred; filled: 28 wide */
		uint32_t w = kind == 1 ? 28 : 8 + (uint32_t)(i % 5), x0 = (SIDE - w) / 2;

		for (uint32_t y = 0; y < SIDE; y++)
			for (uint32_t x = 0; x < SIDE; x++) {
				int ink = x >= x0 && x < x0 + w && y >= 4 && y < 24;

				px[i * N + y * SIDE + x] = (uint8_t)((ink ^ (kind == 2)) ? 255 : 0);
			}
		labels[i] = (sa_label)(i % 2);
	}
	sa_dataset_from_memory("style", 50, 1, SIDE, SIDE, px, labels, 2, NULL, &ds);
	return ds;
}

TEST(data_set_style_is_measured_from_its_images)
{
	const char *polarity, *framing;
	sa_dataset *ds;

	CHECK((ds = style_set(0)) != NULL);
	sa_dataset_input_style(ds, &polarity, &framing);
	sa_dataset_close(ds);
	CHECK(polarity && framing);
	CHECK(!strcmp(polarity, SA_POLARITY_LIGHT_ON_DARK) && !strcmp(framing, SA_FRAMING_DIGIT));
	CHECK((ds = style_set(1)) != NULL);
	sa_dataset_input_style(ds, &polarity, &framing);
	sa_dataset_close(ds);
	CHECK(!strcmp(framing, SA_FRAMING_NONE));
	CHECK((ds = style_set(2)) != NULL);
	sa_dataset_input_style(ds, &polarity, &framing);
	sa_dataset_close(ds);
	CHECK(!strcmp(polarity, SA_POLARITY_DARK_ON_LIGHT) && !strcmp(framing, SA_FRAMING_DIGIT));
}

TEST(builder_refuses_unknown_input_values)
{
	sa_builder *b;

	CHECK_EQ_INT(sa_builder_create(&b), SA_OK);
	CHECK_EQ_INT(sa_builder_set_meta(b, SA_META_POLARITY, "upside-down"),
		     SA_ERR_INVALID_ARGUMENT);
	CHECK_STR_CONTAINS(sa_last_error(), "light-on-dark or dark-on-light");
	CHECK_EQ_INT(sa_builder_set_meta(b, SA_META_FRAMING, "Digit"), SA_ERR_INVALID_ARGUMENT);
	CHECK_EQ_INT(sa_builder_set_meta(b, "input.other", "anything"), SA_OK);
	sa_builder_destroy(b);
}

static char dir[] = "/tmp/test_prep.XXXXXX";

static int file_is(const char *path, const char *want)
{
	char buf[64] = {0};
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f)
		fclose(f);
	return f && n == strlen(want) && !memcmp(buf, want, n);
}

TEST(output_is_whole_or_absent)
{
	char path[128], sub[128];
	sa_output *o;

	snprintf(path, sizeof(path), "%s/out.txt", dir);
	CHECK_EQ_INT(sa_output_write_file(path, "old", 3), SA_OK);
	CHECK(file_is(path, "old"));
	/* Aborted halfway: the old bytes stay, nothing else is left in the directory. */
	CHECK_EQ_INT(sa_output_open(path, &o), SA_OK);
	fputs("new but unfinished", sa_output_stream(o));
	fflush(sa_output_stream(o));
	sa_output_abort(o);
	CHECK(file_is(path, "old"));
	CHECK_EQ_INT(sa_output_write_file(path, "new", 3), SA_OK);
	CHECK(file_is(path, "new"));
	CHECK_EQ_INT(sa_output_check_path(dir), SA_ERR_IO);
	CHECK_STR_CONTAINS(sa_last_error(), "is a directory");
	snprintf(sub, sizeof(sub), "%s/missing/x", dir);
	CHECK_EQ_INT(sa_output_check_path(sub), SA_ERR_IO);
	CHECK_STR_CONTAINS(sa_last_error(), "does not exist");
	snprintf(sub, sizeof(sub), "%s/out.txt/x", dir);
	CHECK_EQ_INT(sa_output_check_path(sub), SA_ERR_IO);
	CHECK_STR_CONTAINS(sa_last_error(), "is not a directory");
	unlink(path);
	CHECK(rmdir(dir) == 0); /* empty: no temporary file was left */
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(dark_ink_on_white_is_inverted_for_light_on_dark_data);
	RUN(image_already_like_the_data_is_unchanged);
	RUN(invert_no_and_yes_override_the_detection);
	RUN(dark_on_light_data_gets_dark_ink);
	RUN(undescribed_model_gets_the_plain_path_bit_for_bit);
	RUN(small_offcentre_ink_is_framed_like_mnist);
	RUN(photo_on_grey_paper_is_leveled);
	RUN(data_set_style_is_measured_from_its_images);
	RUN(builder_refuses_unknown_input_values);
	RUN(output_is_whole_or_absent);
	CHECK_MAIN_END();
}
