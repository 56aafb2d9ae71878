// SPDX-License-Identifier: MIT
/*
 * The accel tests' models, built with sa_builder from random weights
 * (fixed seeds):
 *   seq_cnn.dsm     conv - max pool - conv (ReLU6) - flatten - fc, int8 logits
 *   residual.dsm    conv, depthwise stride 2, 1x1 conv, add (residual), max pool,
 *                   int16 conv, avg pool, global avg pool, fc with int16 logits
 *   depthwise.dsm   int16 input, 1x1 conv, dilated depthwise conv, grouped conv,
 *                   avg pool 2x2, global avg pool, fc
 *   fc_split.dsm    an fc of more weights than one descriptor may carry
 *                   (SA_TE_MAX_WEIGHTS), so the compiler must split it
 */
#include "test_models.h"

#include <stdlib.h>
#include <string.h>

static uint32_t next_rand(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/* Random signed k for B-bit codes: 0 or +-1 .. +-(2^(B-1) - 1). */
static int8_t *random_weights(size_t n, unsigned bits, uint32_t *seed)
{
	int8_t *w = malloc(n);
	int kmax = (1 << (bits - 1)) - 1;

	for (size_t i = 0; w && i < n; i++)
		w[i] = (int8_t)((int)(next_rand(seed) % (uint32_t)(2 * kmax + 1)) - kmax);
	return w;
}

static int32_t *random_bias(size_t n, uint32_t *seed)
{
	int32_t *b = malloc(n * sizeof(*b));

	for (size_t i = 0; b && i < n; i++)
		b[i] = (int32_t)(next_rand(seed) % 4001) - 2000;
	return b;
}

struct conv_spec {
	uint32_t ic, oc, k, stride, dil, groups;
	uint8_t act, out_dtype;
	int8_t out_exp, weight_base;
	int bias;
};

static sa_status conv(sa_builder *b, uint32_t in, const struct conv_spec *c, uint32_t *seed,
		      uint32_t *out)
{
	uint16_t pad = (uint16_t)(c->dil * (c->k - 1) / 2);
	struct sa_conv_params p = {
		.kernel_h = (uint16_t)c->k,
		.kernel_w = (uint16_t)c->k,
		.stride_h = (uint16_t)c->stride,
		.stride_w = (uint16_t)c->stride,
		.dilation_h = (uint16_t)c->dil,
		.dilation_w = (uint16_t)c->dil,
		.pad_top = pad,
		.pad_left = pad,
		.pad_bottom = pad,
		.pad_right = pad,
		.groups = c->groups,
		.out_channels = c->oc,
		.weight_bits = 4,
		.weight_base = c->weight_base,
		.act = c->act,
		.flags = c->bias ? SA_PARAM_HAS_BIAS : 0,
	};
	size_t nw = (size_t)c->oc * (c->ic / c->groups) * c->k * c->k;
	int8_t *w = random_weights(nw, p.weight_bits, seed);
	int32_t *bs = c->bias ? random_bias(c->oc, seed) : NULL;
	sa_status st = SA_ERR_NO_MEMORY;

	if (w && (!c->bias || bs))
		st = sa_builder_conv(b, in, &p, w, bs, c->out_dtype, c->out_exp, out);
	free(w);
	free(bs);
	return st;
}

static sa_status fc(sa_builder *b, uint32_t in, uint32_t in_features, uint32_t out_features,
		    unsigned bits, int8_t base, uint8_t act, uint8_t dtype, int8_t exp,
		    uint32_t *seed, uint32_t *out)
{
	struct sa_fc_params p = {.out_features = out_features,
				 .weight_bits = (uint8_t)bits,
				 .weight_base = base,
				 .act = act,
				 .flags = SA_PARAM_HAS_BIAS};
	int8_t *w = random_weights((size_t)in_features * out_features, bits, seed);
	int32_t *bs = random_bias(out_features, seed);
	sa_status st = SA_ERR_NO_MEMORY;

	if (w && bs)
		st = sa_builder_fc(b, in, &p, w, bs, dtype, exp, out);
	free(w);
	free(bs);
	return st;
}

static const float mean[3] = {0.5f, 0.5f, 0.5f}, stdv[3] = {0.25f, 0.25f, 0.25f};
static const struct sa_pool_params pool2 = {
	.kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2};

static sa_status seq_cnn(sa_builder *b, uint32_t *seed, uint32_t *out)
{
	const struct conv_spec c1 = {3, 8, 3, 1, 1, 1, SA_ACT_RELU, SA_DTYPE_I8, -4, -6, 1};
	const struct conv_spec c2 = {8, 16, 3, 1, 1, 1, SA_ACT_RELU6, SA_DTYPE_I8, -4, -6, 0};
	uint32_t x, t;
	sa_status st = sa_builder_input(b, 3, 16, 16, SA_DTYPE_I8, -5, mean, stdv, &x);

	if (st == SA_OK)
		st = conv(b, x, &c1, seed, &t);
	if (st == SA_OK)
		st = sa_builder_maxpool(b, t, &pool2, &t);
	if (st == SA_OK)
		st = conv(b, t, &c2, seed, &t);
	if (st == SA_OK)
		st = sa_builder_flatten(b, t, &t);
	if (st == SA_OK)
		st = fc(b, t, 16 * 8 * 8, 10, 3, -6, SA_ACT_NONE, SA_DTYPE_I8, -2, seed, out);
	return st;
}

static sa_status residual(sa_builder *b, uint32_t *seed, uint32_t *out)
{
	const struct conv_spec a = {3, 8, 3, 1, 1, 1, SA_ACT_RELU, SA_DTYPE_I8, -4, -6, 1};
	const struct conv_spec dw = {8, 8, 3, 2, 1, 8, SA_ACT_RELU6, SA_DTYPE_I8, -4, -6, 0};
	const struct conv_spec pw = {8, 8, 1, 1, 1, 1, SA_ACT_NONE, SA_DTYPE_I8, -5, -6, 0};
	const struct conv_spec f = {8, 16, 3, 1, 1, 1, SA_ACT_RELU, SA_DTYPE_I16, -6, -6, 1};
	struct sa_add_params addp = {.act = SA_ACT_RELU};
	uint32_t x, ta, tb, tc, t;
	sa_status st = sa_builder_input(b, 3, 16, 16, SA_DTYPE_I8, -5, mean, stdv, &x);

	if (st == SA_OK)
		st = conv(b, x, &a, seed, &ta);
	if (st == SA_OK)
		st = conv(b, ta, &dw, seed, &tb);
	if (st == SA_OK)
		st = conv(b, tb, &pw, seed, &tc);
	if (st == SA_OK)
		st = sa_builder_add(b, tb, tc, &addp, SA_DTYPE_I8, -4, &t);
	if (st == SA_OK)
		st = sa_builder_maxpool(b, t, &pool2, &t);
	if (st == SA_OK)
		st = conv(b, t, &f, seed, &t);
	if (st == SA_OK)
		st = sa_builder_avgpool(b, t, &pool2, &t);
	if (st == SA_OK)
		st = sa_builder_global_avgpool(b, t, &t);
	if (st == SA_OK)
		st = sa_builder_flatten(b, t, &t);
	if (st == SA_OK)
		st = fc(b, t, 16, 10, 3, -4, SA_ACT_NONE, SA_DTYPE_I16, -6, seed, out);
	return st;
}

static sa_status depthwise(sa_builder *b, uint32_t *seed, uint32_t *out)
{
	const struct conv_spec pw = {2, 8, 1, 1, 1, 1, SA_ACT_RELU, SA_DTYPE_I16, -10, -4, 1};
	const struct conv_spec dw = {8, 8, 3, 1, 2, 8, SA_ACT_NONE, SA_DTYPE_I16, -10, -4, 1};
	const struct conv_spec gc = {8, 12, 3, 1, 1, 2, SA_ACT_RELU, SA_DTYPE_I8, -3, -6, 0};
	uint32_t x, t;
	sa_status st = sa_builder_input(b, 2, 16, 16, SA_DTYPE_I16, -10, mean, stdv, &x);

	if (st == SA_OK)
		st = conv(b, x, &pw, seed, &t);
	if (st == SA_OK)
		st = conv(b, t, &dw, seed, &t);
	if (st == SA_OK)
		st = conv(b, t, &gc, seed, &t);
	if (st == SA_OK)
		st = sa_builder_avgpool(b, t, &pool2, &t);
	if (st == SA_OK)
		st = sa_builder_maxpool(b, t, &pool2, &t);
	if (st == SA_OK)
		st = sa_builder_global_avgpool(b, t, &t);
	if (st == SA_OK)
		st = fc(b, t, 12, 5, 4, -5, SA_ACT_NONE, SA_DTYPE_I16, -6, seed, out);
	return st;
}

/* 2048 inputs x 2100 features = 4.3 Mi weights > SA_TE_MAX_WEIGHTS (4 Mi). */
static sa_status fc_split(sa_builder *b, uint32_t *seed, uint32_t *out)
{
	uint32_t x, t;
	sa_status st = sa_builder_input(b, 2, 32, 32, SA_DTYPE_I8, -5, mean, stdv, &x);

	if (st == SA_OK)
		st = sa_builder_flatten(b, x, &t);
	if (st == SA_OK)
		st = fc(b, t, 2048, 2100, 3, -7, SA_ACT_RELU, SA_DTYPE_I8, -3, seed, &t);
	if (st == SA_OK)
		st = fc(b, t, 2100, 10, 2, -6, SA_ACT_NONE, SA_DTYPE_I16, -4, seed, out);
	return st;
}

/*
 * The pools of ImageNet networks (format 1.1): a 3x3 average pool (area 9,
 * padded) and a global average pool over 7x7 (area 49), int8 and int16.
 */
static sa_status odd_pools(sa_builder *b, uint32_t *seed, uint32_t *out)
{
	const struct conv_spec c1 = {3, 8, 3, 1, 1, 1, SA_ACT_RELU, SA_DTYPE_I8, -4, -6, 1};
	const struct conv_spec c2 = {8, 6, 3, 2, 1, 1, SA_ACT_RELU6, SA_DTYPE_I16, -9, -6, 1};
	/* 3x3 windows, stride 1, padding 1 on every side. */
	const struct sa_pool_params p3 = {3, 3, 1, 1, 1, 1, 1, 1};
	uint32_t x, t;
	sa_status st = sa_builder_input(b, 3, 14, 14, SA_DTYPE_I8, -5, mean, stdv, &x);

	if (st == SA_OK)
		st = conv(b, x, &c1, seed, &t);
	if (st == SA_OK)
		st = sa_builder_avgpool(b, t, &p3, &t);
	if (st == SA_OK)
		st = conv(b, t, &c2, seed, &t); /* 14x14 -> 7x7 */
	if (st == SA_OK)
		st = sa_builder_avgpool(b, t, &p3, &t);
	if (st == SA_OK)
		st = sa_builder_global_avgpool(b, t, &t);
	if (st == SA_OK)
		st = fc(b, t, 6, 10, 4, -4, SA_ACT_NONE, SA_DTYPE_I16, -8, seed, out);
	return st;
}

static const struct {
	const char *name;
	sa_status (*build)(sa_builder *b, uint32_t *seed, uint32_t *out);
} models[] = {{"seq_cnn", seq_cnn},
	      {"residual", residual},
	      {"depthwise", depthwise},
	      {"fc_split", fc_split},
	      {"odd_pools", odd_pools}};

const char *accel_test_model_name(unsigned i)
{
	return i < sizeof(models) / sizeof(models[0]) ? models[i].name : NULL;
}

sa_status accel_test_model(unsigned i, void **data, size_t *size)
{
	sa_builder *b = NULL;
	uint32_t seed = 1000 + i, out;
	sa_status st;

	if (!accel_test_model_name(i))
		return SA_ERR_INVALID_ARGUMENT;
	st = sa_builder_create(&b);
	if (st == SA_OK)
		st = models[i].build(b, &seed, &out);
	if (st == SA_OK)
		st = sa_builder_set_output(b, out);
	if (st == SA_OK)
		st = sa_builder_write_memory(b, data, size);
	sa_builder_destroy(b);
	return st;
}
