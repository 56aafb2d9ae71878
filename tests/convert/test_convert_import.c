// SPDX-License-Identifier: MIT
/*
 * ONNX import against PyTorch (docs/import.md).  The fixture directory
 * (argv[1], made by tests/convert/make_models.py) holds PyTorch models, their
 * own logits on 256 images, and a model whose weights are all +-2^k or 0 with
 * the list of those weights.  Checked here:
 *   - the float trainer made from each ONNX file computes PyTorch's logits
 *     (the lowering, the weight layouts and the batch-norm fold);
 *   - the +-2^k model converts losslessly: every weight code in the .dsm
 *     decodes, by the format's own rule written out here, to PyTorch's weight;
 *   - refusals name the node, and damaged files never crash the lowering.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../libshiftaccel/src/model.h"
#include "../../libshiftaccel/src/onnx/onnx_lower.h"
#include "../check.h"
#include "logit_bound.h"
#include "shiftaccel.h"
#include "shiftaccel_train.h"

#define IMAGES 256
#define CLASSES 10
/* make_models.py normalises pixels with these. */
static const float mean[1] = {0.25f}, std_[1] = {0.5f};
static const char *dir;

static char *path_of(const char *name, const char *suffix)
{
	static char buf[4][512];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s%s", dir, name, suffix);
	return p;
}

/* The fixture images in a set with the model's 10 classes (labels: PyTorch's answers). */
static sa_dataset *fixture_images(const char *name)
{
	char spec[1100];
	sa_dataset *idx = NULL, *ds = NULL;
	struct sa_dataset_info info;
	uint8_t *pixels;
	sa_label labels[IMAGES];
	const char *names[CLASSES] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

	snprintf(spec, sizeof(spec), "idx:%s,%s", path_of(name, "-images.idx3"),
		 path_of(name, "-torch.idx1"));
	if (sa_dataset_open(spec, SA_SPLIT_TRAIN, NULL, &idx))
		return NULL;
	sa_dataset_get_info(idx, &info);
	size_t image = (size_t)info.height * info.width;

	pixels = malloc(image * IMAGES);
	if (pixels && info.count == IMAGES && info.channels == 1) {
		for (uint32_t i = 0; i < IMAGES; i++) {
			memcpy(pixels + image * i, sa_dataset_image(idx, i), image);
			labels[i] = (sa_label)sa_dataset_label(idx, i);
		}
		if (sa_dataset_from_memory(name, IMAGES, 1, info.height, info.width, pixels, labels,
					   CLASSES, names, &ds))
			ds = NULL;
	}
	free(pixels);
	sa_dataset_close(idx);
	return ds;
}

static sa_trainer *float_trainer(const char *name, sa_dataset *ds, sa_onnx_import **imp)
{
	struct sa_dataset_info info;
	struct sa_train_config cfg;
	sa_trainer *t = NULL;

	sa_dataset_get_info(ds, &info);
	if (sa_onnx_import_open(path_of(name, ".onnx"), 1, info.height, info.width, imp))
		return NULL;
	sa_train_config_defaults(&cfg);
	cfg.threads = 2;
	if (sa_trainer_create_from_onnx(*imp, &cfg, ds, &t) ||
	    sa_trainer_set_normalisation(t, mean, std_)) {
		sa_trainer_destroy(t);
		return NULL;
	}
	return t;
}

/* The float trainer's logits against PyTorch's, within float rounding. */
static void check_float_logits(const char *name)
{
	sa_dataset *ds = fixture_images(name);
	sa_onnx_import *imp = NULL;
	sa_trainer *t = ds ? float_trainer(name, ds, &imp) : NULL;
	float *ours = malloc(sizeof(float) * IMAGES * CLASSES);
	float *torch = malloc(sizeof(float) * IMAGES * CLASSES);
	FILE *f = fopen(path_of(name, "-logits.f32"), "rb");
	size_t got = f && torch ? fread(torch, sizeof(float), IMAGES * CLASSES, f) : 0;
	double worst = 0.0;
	int ok;

	if (f)
		fclose(f);
	ok = t && ours && got == IMAGES * CLASSES && !sa_trainer_logits(t, ds, 0, IMAGES, ours);
	if (ok)
		worst = logit_difference(ours, torch, IMAGES * CLASSES);
	sa_trainer_destroy(t);
	sa_onnx_import_close(imp);
	sa_dataset_close(ds);
	free(ours);
	free(torch);
	if (!ok)
		fprintf(stderr, "  %s: %s\n", name, sa_last_error());
	CHECK(ok);
	if (worst > LOGIT_BOUND)
		fprintf(stderr, "  %s: logits differ from PyTorch's by %g (relative)\n", name,
			worst);
	CHECK(worst <= LOGIT_BOUND);
}

TEST(simple_cnn_float_logits_are_pytorchs)
{
	check_float_logits("simple_cnn");
}

TEST(resnet_float_logits_are_pytorchs)
{
	check_float_logits("resnet");
}

/* Concat of 3 branches, a Pad folded into a 3x3 average pool, ceil_mode max pool, 7x7 GAP. */
TEST(googlenet_like_float_logits_are_pytorchs)
{
	check_float_logits("branches");
}

/* Batch norm on concatenated features, not after a conv: a per-channel layer of its own. */
/* A fire module (Concat), conv -> relu -> GAP -> flatten as the output (int16 logits). */
TEST(squeezenet_like_float_logits_are_pytorchs)
{
	check_float_logits("squeeze_like");
}

TEST(densenet_like_float_logits_are_pytorchs)
{
	check_float_logits("dense_like");
}

/* docs/model-format.md: code i is bits [i*B, i*B + B) of the LSB-first stream. */
static double decode_weight(const uint8_t *data, size_t i, int bits, int base)
{
	unsigned code = 0;

	for (int b = 0; b < bits; b++) {
		size_t bit = i * (size_t)bits + (size_t)b;

		code |= (unsigned)(data[bit / 8] >> (bit % 8) & 1) << b;
	}
	unsigned k = code & ((1u << (bits - 1)) - 1);
	int neg = (int)(code >> (bits - 1));

	return k == 0 ? 0.0 : (neg ? -1.0 : 1.0) * ldexp(1.0, base + (int)k - 1);
}

/* The weights PyTorch wrote: "layer index value" per line, value as a C99 hex float. */
static double *pow2_weights(size_t *n)
{
	FILE *f = fopen(path_of("pow2-weights", ".txt"), "r");
	double *w = NULL;
	size_t cap = 0;
	char line[128];

	*n = 0;
	while (f && fgets(line, sizeof(line), f)) {
		char *v = strrchr(line, ' ');

		if (*n == cap) {
			cap = cap ? 2 * cap : 4096;
			double *p = realloc(w, cap * sizeof(double));

			if (!p)
				break;
			w = p;
		}
		if (v)
			w[(*n)++] = strtod(v + 1, NULL);
	}
	if (f)
		fclose(f);
	return w;
}

TEST(pow2_weights_convert_losslessly)
{
	sa_dataset *ds = fixture_images("pow2");
	sa_onnx_import *imp = NULL;
	sa_trainer *t = ds ? float_trainer("pow2", ds, &imp) : NULL;
	void *dsm = NULL;
	size_t size = 0, n = 0, at = 0, layers = 0;
	sa_model *m = NULL;
	double *want = pow2_weights(&n);
	const char *meta[] = {"name", "pow2", NULL};
	int ok = t && want && n > 0 && !sa_trainer_convert(t, SA_WEIGHTS_Q, 5) &&
		 !sa_trainer_calibrate(t, ds, IMAGES) && !sa_trainer_export(t, meta, &dsm, &size) &&
		 !sa_model_open_memory(dsm, size, "pow2.dsm", &m);

	if (!ok)
		fprintf(stderr, "  %s\n", sa_last_error());
	for (uint32_t i = 0; ok && i < m->num_nodes; i++) {
		const struct sa_model_node *nd = &m->nodes[i];
		const struct sa_model_tensor *wt;
		int base;

		if (nd->op != DSM_OP_CONV && nd->op != DSM_OP_FC)
			continue;
		wt = &m->tensors[nd->weights];
		base = nd->op == DSM_OP_CONV ? nd->rec->params.conv.weight_base
					     : nd->rec->params.fc.weight_base;
		layers++;
		for (uint64_t k = 0; ok && k < wt->elems; k++, at++) {
			double got = decode_weight(wt->data, k, wt->weight_bits, base);

			if (at >= n || got != want[at]) {
				fprintf(stderr, "  weight %zu: .dsm %a, PyTorch %a\n", (size_t)at,
					got, at < n ? want[at] : 0.0);
				ok = 0;
			}
		}
	}
	sa_model_close(m);
	free(dsm);
	free(want);
	sa_trainer_destroy(t);
	sa_onnx_import_close(imp);
	sa_dataset_close(ds);
	CHECK(ok);
	CHECK_EQ_INT(layers, 3);
	CHECK_EQ_INT(at, n);
}

/* Weights that are not +-2^k do change: the test above could not pass by accident. */
TEST(float_weights_are_rounded)
{
	sa_dataset *ds = fixture_images("simple_cnn");
	sa_onnx_import *imp = NULL;
	sa_trainer *t = ds ? float_trainer("simple_cnn", ds, &imp) : NULL;
	struct sa_trainer_layer_stats before[8], after[8];
	int ok = t && sa_trainer_num_layers(t) <= 8 && !sa_trainer_layer_stats(t, before) &&
		 !sa_trainer_convert(t, SA_WEIGHTS_Q, 3) && !sa_trainer_layer_stats(t, after);

	sa_trainer_destroy(t);
	sa_onnx_import_close(imp);
	sa_dataset_close(ds);
	CHECK(ok);
	CHECK_EQ_INT(before[0].weight_bits, 32);
	CHECK_EQ_INT(after[0].weight_bits, 3);
	/* 3-bit codes: 3 levels, so at most 3 distinct exponents. */
	CHECK(after[0].exp_max - after[0].exp_min <= 2);
	CHECK(before[0].exp_max - before[0].exp_min > 2);
	CHECK(!before[1].has_weights && after[0].has_weights);
}

TEST(unsupported_ops_name_the_node)
{
	sa_onnx_import *imp = NULL;

	CHECK_EQ_INT(sa_onnx_import_open(path_of("concat_height", ".onnx"), 1, 28, 28, &imp),
		     SA_ERR_UNSUPPORTED);
	CHECK_STR_CONTAINS(sa_last_error(), "node '/Concat' (Concat, opset 13)");
	CHECK_STR_CONTAINS(sa_last_error(), "only concatenation along channels");
	CHECK_EQ_INT(sa_onnx_import_open(path_of("avgpool_exclude_pad", ".onnx"), 1, 28, 28, &imp),
		     SA_ERR_UNSUPPORTED);
	CHECK_STR_CONTAINS(sa_last_error(), "(AveragePool, opset 13)");
	CHECK_STR_CONTAINS(sa_last_error(), "count_include_pad=0");
	CHECK_EQ_INT(sa_onnx_import_open(path_of("simple_cnn", ".onnx"), 1, 32, 32, &imp),
		     SA_ERR_SHAPE);
	CHECK_STR_CONTAINS(sa_last_error(), "1x1x28x28");
}

/* A lowering that fails must say why; one that succeeds must name its classes. */
static int lowers_cleanly(const struct sa_onnx_graph *g, int c, int h, int w)
{
	struct sa_lowered low;
	sa_status st = sa_onnx_lower(g, "fuzz.onnx", c, h, w, &low);

	if (st)
		return sa_last_error()[0] != '\0';
	char *text = sa_lowered_arch_text(&low);
	int ok = text && low.classes > 0 && low.num_layers > 0;

	free(text);
	sa_lowered_free(&low);
	return ok;
}

static void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *data = NULL;
	long n = -1;

	if (f && !fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET) &&
	    (data = malloc((size_t)n)) && fread(data, 1, (size_t)n, f) != (size_t)n) {
		free(data);
		data = NULL;
	}
	if (f)
		fclose(f);
	*size = n > 0 ? (size_t)n : 0;
	return data;
}

/*
 * The lowering of graphs the reader accepts but no exporter writes: a model
 * with bytes flipped one at a time (every 11th byte; the reader's own tests
 * flip every byte) either fails to read, fails to lower with a message, or
 * lowers to a network, under AddressSanitizer and UBSan.
 */
TEST(flipped_bytes_lower_cleanly_or_fail_cleanly)
{
	size_t size;
	uint8_t *data = read_file(path_of("resnet", ".onnx"), &size);
	int lowered = 0, refused = 0;

	CHECK(data);
	for (size_t i = 0; i < size; i += 11) {
		struct sa_onnx_graph *g = NULL;

		data[i] ^= 0xff;
		if (!sa_onnx_parse(data, size, "fuzz.onnx", &g)) {
			int ok = lowers_cleanly(g, 1, 32, 32);

			if (!ok)
				fprintf(stderr, "  byte %zu: no message\n", i);
			lowered += ok;
			refused += !ok;
			sa_onnx_free(g);
		}
		data[i] ^= 0xff;
	}
	free(data);
	CHECK_EQ_INT(refused, 0);
	/* Most flips land in weight data, which still reads. */
	CHECK(lowered > 0);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test_convert_import FIXTURE_DIR [TEST]\n");
		return 2;
	}
	dir = argv[1];
	argc--, argv++;
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(simple_cnn_float_logits_are_pytorchs);
	RUN(resnet_float_logits_are_pytorchs);
	RUN(googlenet_like_float_logits_are_pytorchs);
	RUN(densenet_like_float_logits_are_pytorchs);
	RUN(squeezenet_like_float_logits_are_pytorchs);
	RUN(pow2_weights_convert_losslessly);
	RUN(float_weights_are_rounded);
	RUN(unsupported_ops_name_the_node);
	RUN(flipped_bytes_lower_cleanly_or_fail_cleanly);
	CHECK_MAIN_END();
}
