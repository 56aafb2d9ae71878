// SPDX-License-Identifier: MIT
#include "dsm_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fx_model_init(struct fx_model *fx)
{
	static const char *const labels[FX_NUM_CLASSES] = {
		"airplane", "automobile", "bird",  "cat",  "deer",
		"dog",	    "frog",	  "horse", "ship", "café \xe2\x98\x95",
	};

	memset(fx, 0, sizeof(*fx));
	/* Patterns that use every code, both signs and zero. */
	for (int i = 0; i < FX_CONV1_WEIGHTS; i++)
		fx->conv1_w[i] = (int8_t)((i * 7) % 15 - 7); /* 4-bit: [-7, 7] */
	for (int i = 0; i < FX_CONV2_WEIGHTS; i++)
		fx->conv2_w[i] = (int8_t)((i * 5) % 7 - 3); /* 3-bit: [-3, 3] */
	for (int i = 0; i < FX_FC_WEIGHTS; i++)
		fx->fc_w[i] = (int8_t)((i * 11) % 31 - 15); /* 5-bit: [-15, 15] */
	for (int i = 0; i < 8; i++)
		fx->conv1_b[i] = (i - 4) * 1000 + 7;
	for (int i = 0; i < FX_NUM_CLASSES; i++)
		fx->fc_b[i] = i % 2 ? -(INT32_MAX - i) : INT32_MIN + i;

	fx->conv1 = (struct sa_conv_params){
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
		.out_channels = 8,
		.weight_bits = 4,
		.weight_base = -3,
		.act = SA_ACT_RELU,
		.flags = SA_PARAM_HAS_BIAS,
	};
	fx->conv2 = fx->conv1;
	fx->conv2.groups = 2;
	fx->conv2.weight_bits = 3;
	fx->conv2.weight_base = -2;
	fx->conv2.act = SA_ACT_NONE;
	fx->conv2.flags = 0;
	fx->fc = (struct sa_fc_params){.out_features = FX_NUM_CLASSES,
				       .weight_bits = 5,
				       .weight_base = -4,
				       .flags = SA_PARAM_HAS_BIAS};
	fx->add = (struct sa_add_params){.act = SA_ACT_RELU};
	const float mean[3] = {0.485f, 0.456f, 0.406f}, std[3] = {0.229f, 0.224f, 0.225f};
	memcpy(fx->mean, mean, sizeof(mean));
	memcpy(fx->std, std, sizeof(std));
	memcpy(fx->labels, labels, sizeof(labels));
}

#define FX_TRY(call)                                                                               \
	do {                                                                                       \
		sa_status fx_st_ = (call);                                                         \
		if (fx_st_ != SA_OK) {                                                             \
			fprintf(stderr, "  %s:%d: %s: %s\n", __FILE__, __LINE__, #call,            \
				sa_last_error());                                                  \
			sa_builder_destroy(b);                                                     \
			return NULL;                                                               \
		}                                                                                  \
	} while (0)

sa_builder *fx_builder(struct fx_model *fx)
{
	sa_builder *b = NULL;

	FX_TRY(sa_builder_create(&b));
	FX_TRY(sa_builder_set_meta(b, "name", "fixture-resnet"));
	FX_TRY(sa_builder_set_meta(b, "recipe", "none: hand-written weights"));
	FX_TRY(sa_builder_set_meta(b, "accuracy", "0.1"));
	for (int i = 0; i < FX_NUM_CLASSES; i++)
		FX_TRY(sa_builder_add_label(b, fx->labels[i]));
	FX_TRY(sa_builder_input(b, 3, 8, 8, SA_DTYPE_I8, -7, fx->mean, fx->std, &fx->t_input));
	FX_TRY(sa_builder_conv(b, fx->t_input, &fx->conv1, fx->conv1_w, fx->conv1_b, SA_DTYPE_I8,
			       -4, &fx->t_conv1));
	FX_TRY(sa_builder_conv(b, fx->t_conv1, &fx->conv2, fx->conv2_w, NULL, SA_DTYPE_I8, -4,
			       &fx->t_conv2));
	FX_TRY(sa_builder_add(b, fx->t_conv1, fx->t_conv2, &fx->add, SA_DTYPE_I16, -5, &fx->t_add));
	FX_TRY(sa_builder_global_avgpool(b, fx->t_add, &fx->t_gap));
	FX_TRY(sa_builder_fc(b, fx->t_gap, &fx->fc, fx->fc_w, fx->fc_b, SA_DTYPE_I16, -6,
			     &fx->t_fc));
	FX_TRY(sa_builder_name_tensor(b, fx->t_fc, "logits"));
	FX_TRY(sa_builder_set_output(b, fx->t_fc));
	return b;
}

sa_builder *fx_v11_builder(void)
{
	static const int8_t w[2 * 2] = {1, -2, 3, 0};
	/* 1x1, stride 1, dilation 1, no padding, 1 group, 2 outputs, 3-bit codes, base -1, ReLU. */
	const struct sa_conv_params pw = {1, 1, 1, 1, 1, 1,  0,		  0,
					  0, 0, 1, 2, 3, -1, SA_ACT_RELU, 0};
	const struct sa_concat_params cat = {.act = SA_ACT_NONE};
	const struct sa_clip_params relu6 = {.act = SA_ACT_RELU6};
	/* 3x3 windows, stride 1, padding 1 on every side. */
	const struct sa_pool_params p3 = {3, 3, 1, 1, 1, 1, 1, 1};
	static const int8_t wf[3 * 4] = {1, 2, 3, -1, -2, -3, 0, 1, 0, -1, 2, 2};
	const struct sa_fc_params fc = {.out_features = 3, .weight_bits = 3, .weight_base = 0};
	sa_builder *b = NULL;
	uint32_t x, t, c;

	FX_TRY(sa_builder_create(&b));
	FX_TRY(sa_builder_input(b, 2, 7, 7, SA_DTYPE_I8, -5, NULL, NULL, &x));
	FX_TRY(sa_builder_conv(b, x, &pw, w, NULL, SA_DTYPE_I8, -4, &t));
	FX_TRY(sa_builder_concat(b, x, t, &cat, SA_DTYPE_I8, -4, &c));
	FX_TRY(sa_builder_clip(b, c, &relu6, SA_DTYPE_I16, -6, &t));
	FX_TRY(sa_builder_avgpool(b, t, &p3, &t));
	FX_TRY(sa_builder_global_avgpool(b, t, &t));
	FX_TRY(sa_builder_fc(b, t, &fc, wf, NULL, SA_DTYPE_I16, -6, &t));
	FX_TRY(sa_builder_set_output(b, t));
	return b;
}

int fx_build(struct fx_model *fx, void **data, size_t *size)
{
	fx_model_init(fx);
	sa_builder *b = fx_builder(fx);
	if (!b)
		return -1;
	sa_status st = sa_builder_write_memory(b, data, size);
	if (st != SA_OK)
		fprintf(stderr, "  write: %s\n", sa_last_error());
	sa_builder_destroy(b);
	return st == SA_OK ? 0 : -1;
}

struct dsm_section *fx_section(void *file, uint32_t kind)
{
	struct dsm_header *h = file;
	struct dsm_section *table =
		(struct dsm_section *)((uint8_t *)file + h->section_table_offset);
	for (uint32_t i = 0; i < h->section_count; i++) {
		if (table[i].kind == kind)
			return &table[i];
	}
	return NULL;
}

void *fx_record(void *file, uint32_t kind, uint32_t i)
{
	struct dsm_section *s = fx_section(file, kind);
	if (!s)
		return NULL;
	return (uint8_t *)file + s->offset + (uint64_t)i * s->entry_size;
}

uint32_t fx_sections(void *file, struct dsm_out_section *out, uint32_t max)
{
	struct dsm_header *h = file;
	struct dsm_section *table =
		(struct dsm_section *)((uint8_t *)file + h->section_table_offset);
	uint32_t n = h->section_count < max ? h->section_count : max;
	for (uint32_t i = 0; i < n; i++)
		out[i] = (struct dsm_out_section){table[i].kind, table[i].entry_size,
						  (uint8_t *)file + table[i].offset, table[i].size};
	return n;
}

void fx_rechecksum(void *file, size_t size)
{
	uint32_t crc = dsm_checksum(file, size);
	memcpy((uint8_t *)file + DSM_CHECKSUM_OFFSET, &crc, sizeof(crc));
}

sa_status fx_open(const void *file, size_t size, sa_model **out)
{
	sa_model *m = NULL;
	sa_status st = sa_model_open_memory(file, size, "model.dsm", &m);
	if (st == SA_OK) {
		if (out)
			*out = m;
		else
			sa_model_close(m);
	}
	return st;
}

void *fx_dup(const void *file, size_t size)
{
	void *p = malloc(size);
	if (p)
		memcpy(p, file, size);
	return p;
}
