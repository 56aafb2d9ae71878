// SPDX-License-Identifier: MIT
/*
 * Model lowering (the library's compiler placed in the harness's device
 * memory) and the test network for the firmware tests (fw_lower.h).
 */
#include "fw_lower.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../libshiftaccel/src/accel_compile.h"

/* The library's compiler (accel_compile.h) with both regions in fake device memory. */
int fw_lower(struct fwh *f, struct fwh_ctx *c, const sa_model *model, struct fw_lowered *out)
{
	struct sa_accel_program prog;
	uint64_t const_bus, act_bus, const_va, act_va;
	struct fw_lowered l;

	memset(&l, 0, sizeof(l));
	if (sa_accel_compile(model, &prog) != SA_OK) {
		fprintf(stderr, "  lowering: %s\n", sa_last_error());
		return -1;
	}
	/* One byte at least: a model without constants still gets a region. */
	const_va =
		fwh_alloc(f, c, prog.const_bytes ? prog.const_bytes : 1, SA_PTE_READ, &const_bus);
	act_va = fwh_alloc(f, c, prog.act_bytes, SA_PTE_READ | SA_PTE_WRITE, &act_bus);
	l.desc = calloc(prog.num_steps, sizeof(*l.desc));
	if (!l.desc || sa_accel_write_constants(model, &prog, fwh_ptr(f, const_bus)) != SA_OK) {
		fprintf(stderr, "  lowering: %s\n", l.desc ? sa_last_error() : "out of memory");
		sa_accel_program_free(&prog);
		fw_lowered_free(&l);
		return -1;
	}
	sa_accel_emit(model, &prog, const_va, act_va, l.desc);
	l.num_desc = prog.num_steps;
	l.input_bus = act_bus + prog.input_off;
	l.output_bus = act_bus + prog.output_off;
	l.input_bytes = prog.input_bytes;
	l.output_bytes = prog.output_bytes;
	sa_accel_program_free(&prog);
	*out = l;
	return 0;
}

void fw_lowered_free(struct fw_lowered *l)
{
	free(l->desc);
	memset(l, 0, sizeof(*l));
}

/* Random signed k for B-bit codes: 0 or +-1 .. +-(2^(B-1) - 1). */
static int8_t *random_weights(size_t n, unsigned bits, uint32_t *seed)
{
	int8_t *w = malloc(n);
	int kmax = SA_WEIGHT_K_MAX(bits);

	for (size_t i = 0; w && i < n; i++)
		w[i] = (int8_t)((int)(h_rand(seed) % (2 * kmax + 1)) - kmax);
	return w;
}

static int32_t *random_bias(size_t n, uint32_t *seed)
{
	int32_t *b = malloc(n * sizeof(*b));

	for (size_t i = 0; b && i < n; i++)
		b[i] = (int32_t)(h_rand(seed) % 4001) - 2000;
	return b;
}

static sa_status add_conv(sa_builder *b, uint32_t in, uint32_t ic, uint32_t oc, uint32_t k,
			  uint32_t stride, uint32_t groups, bool bias, uint8_t act,
			  uint8_t out_dtype, int8_t out_exp, uint32_t *seed, uint32_t *out)
{
	struct sa_conv_params p = {
		.kernel_h = (uint16_t)k,
		.kernel_w = (uint16_t)k,
		.stride_h = (uint16_t)stride,
		.stride_w = (uint16_t)stride,
		.dilation_h = 1,
		.dilation_w = 1,
		.pad_top = (uint16_t)(k / 2),
		.pad_left = (uint16_t)(k / 2),
		.pad_bottom = (uint16_t)(k / 2),
		.pad_right = (uint16_t)(k / 2),
		.groups = groups,
		.out_channels = oc,
		.weight_bits = 4,
		.weight_base = -6,
		.act = act,
		.flags = bias ? SA_PARAM_HAS_BIAS : 0,
	};
	size_t nw = (size_t)oc * (ic / groups) * k * k;
	int8_t *w = random_weights(nw, p.weight_bits, seed);
	int32_t *bs = bias ? random_bias(oc, seed) : NULL;
	sa_status st = SA_ERR_NO_MEMORY;

	if (w && (!bias || bs))
		st = sa_builder_conv(b, in, &p, w, bs, out_dtype, out_exp, out);
	free(w);
	free(bs);
	return st;
}

/*
 * input [3][16][16] i8, exp -5
 *   A conv 3x3 3->8, bias, relu            [8][16][16]
 *   B depthwise 3x3 stride 2, relu6        [8][8][8]
 *   C conv 1x1 8->8                        [8][8][8]
 *   D add B + C, relu (the residual)       [8][8][8]
 *   E max pool 2x2/2                       [8][4][4]
 *   F conv 3x3 8->16, bias, relu, int16    [16][4][4]
 *   G avg pool 2x2/2                       [16][2][2]
 *   H global avg pool                      [16][1][1]
 *   flatten, fc 16->10, bias, int16        logits [10]
 * Every requantisation shift is small and positive, so outputs use their range.
 */
int fw_test_network(uint32_t seed, void **data, size_t *size)
{
	const float mean[3] = {0.5f, 0.5f, 0.5f}, std[3] = {0.25f, 0.25f, 0.25f};
	struct sa_pool_params pool2 = {.kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2};
	struct sa_add_params addp = {.act = SA_ACT_RELU};
	struct sa_fc_params fp = {.out_features = 10,
				  .weight_bits = 3,
				  .weight_base = -4,
				  .flags = SA_PARAM_HAS_BIAS};
	uint32_t x, a, bdw, c, d, e, f, g, h, flat, logits;
	sa_builder *b = NULL;
	int8_t *w = random_weights(10 * 16, fp.weight_bits, &seed);
	int32_t *bias = random_bias(10, &seed);
	sa_status st = w && bias ? sa_builder_create(&b) : SA_ERR_NO_MEMORY;

	if (st == SA_OK)
		st = sa_builder_input(b, 3, 16, 16, SA_DTYPE_I8, -5, mean, std, &x);
	if (st == SA_OK)
		st = add_conv(b, x, 3, 8, 3, 1, 1, true, SA_ACT_RELU, SA_DTYPE_I8, -4, &seed, &a);
	if (st == SA_OK)
		st = add_conv(b, a, 8, 8, 3, 2, 8, false, SA_ACT_RELU6, SA_DTYPE_I8, -4, &seed,
			      &bdw);
	if (st == SA_OK)
		st = add_conv(b, bdw, 8, 8, 1, 1, 1, false, SA_ACT_NONE, SA_DTYPE_I8, -5, &seed,
			      &c);
	if (st == SA_OK)
		st = sa_builder_add(b, bdw, c, &addp, SA_DTYPE_I8, -4, &d);
	if (st == SA_OK)
		st = sa_builder_maxpool(b, d, &pool2, &e);
	if (st == SA_OK)
		st = add_conv(b, e, 8, 16, 3, 1, 1, true, SA_ACT_RELU, SA_DTYPE_I16, -6, &seed, &f);
	if (st == SA_OK)
		st = sa_builder_avgpool(b, f, &pool2, &g);
	if (st == SA_OK)
		st = sa_builder_global_avgpool(b, g, &h);
	if (st == SA_OK)
		st = sa_builder_flatten(b, h, &flat);
	if (st == SA_OK)
		st = sa_builder_fc(b, flat, &fp, w, bias, SA_DTYPE_I16, -6, &logits);
	if (st == SA_OK)
		st = sa_builder_set_output(b, logits);
	if (st == SA_OK)
		st = sa_builder_write_memory(b, data, size);
	if (st != SA_OK)
		fprintf(stderr, "  test network: %s\n", sa_last_error());
	free(w);
	free(bias);
	sa_builder_destroy(b);
	return st == SA_OK ? 0 : -1;
}
