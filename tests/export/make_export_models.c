// SPDX-License-Identifier: MIT
/*
 * Test support for tests/export/test_export.sh: writes models built with
 * sa_builder into DIR, covering every op the exporter writes, weight widths
 * 2..5 with odd and extreme bases, int8 and int16 activations (an int16
 * input too), ReLU and ReLU6, padded average pools, and biases too wide
 * for a float.  For each NAME: NAME.dsm, NAME.in.f32 (a normalised input,
 * [C][H][W]), NAME.float.f32 (the logits of --device cpu-float, the oracle
 * the test script's numpy evaluation of the export is checked against) and
 * NAME.int.f32 (the integer model's dequantised logits).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../libshiftaccel/include/shiftaccel.h"
#include "../unit/random_tensor.h"

static const char *dir;

static int8_t *random_k(size_t n, unsigned bits)
{
	int8_t *k = malloc(n);
	int kmax = SA_WEIGHT_K_MAX(bits);

	for (size_t i = 0; k && i < n; i++)
		k[i] = (int8_t)rng_range(-kmax, kmax);
	return k;
}

/* Biases of `bits` bits (>24: not exact in a float). */
static int32_t *random_bias(size_t n, int bits)
{
	int32_t *b = malloc(n * sizeof(*b));
	int64_t lim = ((int64_t)1 << bits) - 1;

	for (size_t i = 0; b && i < n; i++)
		b[i] = (int32_t)rng_range(-lim, lim);
	return b;
}

static int check(sa_status st, const char *what)
{
	if (st)
		fprintf(stderr, "make_export_models: %s: %s\n", what, sa_last_error());
	return st != SA_OK;
}

static int conv(sa_builder *b, uint32_t in, uint32_t cin, uint32_t cout, int k, int pad, int stride,
		int dil, uint32_t groups, unsigned bits, int base, uint8_t act, int bias_bits,
		uint8_t dtype, int8_t exp, uint32_t *out)
{
	struct sa_conv_params p = {.kernel_h = (uint16_t)k,
				   .kernel_w = (uint16_t)k,
				   .stride_h = (uint16_t)stride,
				   .stride_w = (uint16_t)stride,
				   .dilation_h = (uint16_t)dil,
				   .dilation_w = (uint16_t)dil,
				   .pad_top = (uint16_t)pad,
				   .pad_left = (uint16_t)pad,
				   .pad_bottom = (uint16_t)pad,
				   .pad_right = (uint16_t)pad,
				   .groups = groups,
				   .out_channels = cout,
				   .weight_bits = (uint8_t)bits,
				   .weight_base = (int8_t)base,
				   .act = act,
				   .flags = bias_bits ? SA_PARAM_HAS_BIAS : 0};
	int8_t *w = random_k((size_t)cout * cin / groups * k * k, bits);
	int32_t *bias = bias_bits ? random_bias(cout, bias_bits) : NULL;
	int rc = check(sa_builder_conv(b, in, &p, w, bias, dtype, exp, out), "conv");

	free(w), free(bias);
	return rc;
}

static int fc(sa_builder *b, uint32_t in, uint32_t nin, uint32_t nout, unsigned bits, int base,
	      uint8_t act, int bias_bits, uint8_t dtype, int8_t exp, uint32_t *out)
{
	struct sa_fc_params p = {.out_features = nout,
				 .weight_bits = (uint8_t)bits,
				 .weight_base = (int8_t)base,
				 .act = act,
				 .flags = bias_bits ? SA_PARAM_HAS_BIAS : 0};
	int8_t *w = random_k((size_t)nout * nin, bits);
	int32_t *bias = bias_bits ? random_bias(nout, bias_bits) : NULL;
	int rc = check(sa_builder_fc(b, in, &p, w, bias, dtype, exp, out), "fc");

	free(w), free(bias);
	return rc;
}

static int write_floats(const char *name, const char *ext, const float *v, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.%s.f32", dir, name, ext);
	if (!(f = fopen(path, "wb")) || fwrite(v, sizeof(float), n, f) != n) {
		perror(path);
		if (f)
			fclose(f);
		return 1;
	}
	return fclose(f) != 0;
}

static int run(const sa_model *m, sa_device_kind dev, const float *x, float *y)
{
	sa_session *s = NULL;
	int rc = check(sa_session_create(m, dev, &s), "session") ||
		 check(sa_session_run(s, x, y), "run");

	sa_session_destroy(s);
	return rc;
}

/* Writes the model and its input and outputs; frees the builder. */
static int finish(sa_builder *b, const char *name, uint32_t out)
{
	char path[512];
	sa_model *m = NULL;
	struct sa_model_info info;
	float *x = NULL, *yf = NULL, *yi = NULL;
	int rc;

	snprintf(path, sizeof(path), "%s/%s.dsm", dir, name);
	rc = check(sa_builder_set_output(b, out), name) ||
	     check(sa_builder_write_file(b, path), name) || check(sa_model_open(path, &m), path) ||
	     check(sa_model_get_info(m, &info), path);
	sa_builder_destroy(b);
	if (!rc) {
		size_t n = (size_t)info.input_c * info.input_h * info.input_w;

		x = malloc(n * sizeof(float));
		yf = malloc(info.num_outputs * sizeof(float));
		yi = malloc(info.num_outputs * sizeof(float));
		rc = !x || !yf || !yi;
		for (size_t i = 0; !rc && i < n; i++)
			x[i] = (float)rng_range(-2000, 2000) / 1000.0f;
		rc = rc || run(m, SA_DEVICE_CPU_FLOAT, x, yf) || run(m, SA_DEVICE_CPU, x, yi) ||
		     write_floats(name, "in", x, n) ||
		     write_floats(name, "float", yf, info.num_outputs) ||
		     write_floats(name, "int", yi, info.num_outputs);
	}
	free(x), free(yf), free(yi);
	sa_model_close(m);
	return rc;
}

/*
 * Every op: conv (bias, ReLU), maxpool, depthwise conv (ReLU6), add (ReLU6),
 * padded avgpool, 1x1 conv to int16, global avgpool, fc with a bias wider
 * than a float's 24 bits, to int16 logits; labels and metadata.
 */
static int all_ops(void)
{
	static const float mean[3] = {0.485f, 0.456f, 0.406f}, std[3] = {0.229f, 0.224f, 0.225f};
	sa_builder *b = NULL;
	uint32_t t, c1, mp, dw, add, ap, c3, gap, out;
	struct sa_pool_params pool2 = {.kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2};
	struct sa_pool_params padded = {.kernel_h = 2,
					.kernel_w = 2,
					.stride_h = 2,
					.stride_w = 2,
					.pad_top = 1,
					.pad_left = 1};
	struct sa_add_params addp = {.act = SA_ACT_RELU6};
	char label[16];

	if (check(sa_builder_create(&b), "create") ||
	    check(sa_builder_input(b, 3, 16, 16, SA_DTYPE_I8, -5, mean, std, &t), "input") ||
	    conv(b, t, 3, 8, 3, 1, 1, 1, 1, 5, -6, SA_ACT_RELU, 12, SA_DTYPE_I8, -3, &c1) ||
	    check(sa_builder_maxpool(b, c1, &pool2, &mp), "maxpool") ||
	    conv(b, mp, 8, 8, 3, 1, 1, 1, 8, 3, -3, SA_ACT_RELU6, 8, SA_DTYPE_I8, -4, &dw) ||
	    check(sa_builder_add(b, mp, dw, &addp, SA_DTYPE_I8, -4, &add), "add") ||
	    check(sa_builder_avgpool(b, add, &padded, &ap), "avgpool") ||
	    conv(b, ap, 8, 16, 1, 0, 1, 1, 1, 2, 0, SA_ACT_NONE, 0, SA_DTYPE_I16, -6, &c3) ||
	    check(sa_builder_global_avgpool(b, c3, &gap), "gap") ||
	    fc(b, gap, 16, 10, 4, 1, SA_ACT_NONE, 30, SA_DTYPE_I16, -2, &out))
		goto fail;
	for (int i = 0; i < 10; i++) {
		snprintf(label, sizeof(label), "class %d", i);
		if (check(sa_builder_add_label(b, label), "label"))
			goto fail;
	}
	if (check(sa_builder_set_meta(b, "name", "all ops"), "meta") ||
	    check(sa_builder_set_meta(b, "description", "every op the exporter writes"), "meta") ||
	    check(sa_builder_set_meta(b, SA_META_POLARITY, SA_POLARITY_DARK_ON_LIGHT), "meta") ||
	    check(sa_builder_name_tensor(b, c1, "stem/conv out"), "name"))
		goto fail;
	return finish(b, "all_ops", out);
fail:
	sa_builder_destroy(b);
	return 1;
}

/*
 * An int16 input, a strided dilated conv, flatten and two fc layers (ReLU
 * to int8, then int16 logits), with `bits`-bit weights and base `base`.
 */
static int widths(unsigned bits, int base)
{
	static const float mean[1] = {0.1307f}, std[1] = {0.3081f};
	sa_builder *b = NULL;
	uint32_t t, c1, fl, f1, out;
	char name[64];
	int e1 = -9 + base + 4; /* conv output: requantisation shift 4 */

	e1 = e1 < -24 ? -24 : e1 > 24 ? 24 : e1;
	snprintf(name, sizeof(name), "widths_b%u_base%d", bits, base);
	if (check(sa_builder_create(&b), "create") ||
	    check(sa_builder_input(b, 1, 12, 12, SA_DTYPE_I16, -9, mean, std, &t), "input") ||
	    conv(b, t, 1, 4, 3, 2, 2, 2, 1, bits, base, SA_ACT_RELU, 16, SA_DTYPE_I8, (int8_t)e1,
		 &c1) ||
	    check(sa_builder_flatten(b, c1, &fl), "flatten") ||
	    fc(b, fl, 4 * 6 * 6, 16, bits, -base / 2, SA_ACT_RELU, 10, SA_DTYPE_I8,
	       (int8_t)(e1 - base / 2 + 3), &f1) ||
	    fc(b, f1, 16, 10, bits, 1 - bits, SA_ACT_NONE, 0, SA_DTYPE_I16,
	       (int8_t)(e1 - base / 2 + 3 + 1 - (int)bits - 2), &out)) {
		sa_builder_destroy(b);
		return 1;
	}
	return finish(b, name, out);
}

/* Conv straight to the fc (no flatten): Gemm on an image-shaped input. */
static int conv_fc(void)
{
	static const float mean[2] = {0.5f, -0.25f}, std[2] = {2.0f, 0.75f};
	sa_builder *b = NULL;
	uint32_t t, c1, out;

	if (check(sa_builder_create(&b), "create") ||
	    check(sa_builder_input(b, 2, 5, 7, SA_DTYPE_I8, -6, mean, std, &t), "input") ||
	    conv(b, t, 2, 3, 3, 0, 1, 1, 1, 5, -5, SA_ACT_NONE, 6, SA_DTYPE_I8, -4, &c1) ||
	    fc(b, c1, 3 * 3 * 5, 7, 5, -6, SA_ACT_NONE, 6, SA_DTYPE_I8, -3, &out)) {
		sa_builder_destroy(b);
		return 1;
	}
	return finish(b, "conv_fc", out);
}

/*
 * Format 1.1: concat (ReLU6) of two convs at different exponents, a clip
 * without activation that requantises to int16, an average pool of area 9,
 * a clip with ReLU back to int8, a global average pool of area 4 and, for
 * vectors, a concat of two fc outputs.
 */
static int ops11(void)
{
	static const float mean[3] = {0.5f, 0.5f, 0.5f}, std[3] = {0.25f, 0.25f, 0.25f};
	sa_builder *b = NULL;
	uint32_t t, ca, cb, cat, cl16, ap, cl8, gap, fa, fb, out;
	struct sa_pool_params pool3 = {.kernel_h = 3, .kernel_w = 3, .stride_h = 3, .stride_w = 3};
	struct sa_concat_params relu6 = {.act = SA_ACT_RELU6}, none = {.act = SA_ACT_NONE};
	struct sa_clip_params plain = {.act = SA_ACT_NONE}, relu = {.act = SA_ACT_RELU};

	if (check(sa_builder_create(&b), "create") ||
	    check(sa_builder_input(b, 3, 6, 6, SA_DTYPE_I8, -5, mean, std, &t), "input") ||
	    conv(b, t, 3, 4, 3, 1, 1, 1, 1, 5, -6, SA_ACT_RELU, 10, SA_DTYPE_I8, -3, &ca) ||
	    conv(b, t, 3, 2, 1, 0, 1, 1, 1, 3, -5, SA_ACT_NONE, 0, SA_DTYPE_I8, -4, &cb) ||
	    check(sa_builder_concat(b, ca, cb, &relu6, SA_DTYPE_I8, -3, &cat), "concat") ||
	    check(sa_builder_clip(b, cat, &plain, SA_DTYPE_I16, -9, &cl16), "clip") ||
	    check(sa_builder_avgpool(b, cl16, &pool3, &ap), "avgpool") ||
	    check(sa_builder_clip(b, ap, &relu, SA_DTYPE_I8, -4, &cl8), "clip") ||
	    check(sa_builder_global_avgpool(b, cl8, &gap), "gap") ||
	    fc(b, gap, 6, 5, 4, -3, SA_ACT_NONE, 8, SA_DTYPE_I8, -4, &fa) ||
	    fc(b, gap, 6, 5, 4, -2, SA_ACT_NONE, 8, SA_DTYPE_I8, -3, &fb) ||
	    check(sa_builder_concat(b, fa, fb, &none, SA_DTYPE_I16, -6, &out), "concat")) {
		sa_builder_destroy(b);
		return 1;
	}
	return finish(b, "ops11", out);
}

int main(int argc, char **argv)
{
	static const int bases[] = {-13, -4, 3, 15};
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: make_export_models DIR\n");
		return 1;
	}
	dir = argv[1];
	rng_seed(12);
	rc |= all_ops();
	rc |= conv_fc();
	rc |= ops11();
	for (unsigned bits = SA_WEIGHT_BITS_MIN; bits <= SA_WEIGHT_BITS_MAX; bits++)
		for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
			rc |= widths(bits, bases[i]);
	return rc;
}
