// SPDX-License-Identifier: MIT
/*
 * Writes the seed corpus of the .dsm fuzzer (tests/fuzz/corpus/): a few
 * small valid models of different shapes and a few files that are each
 * broken in one specific way.  Every seed is opened before it is written
 * and must give the expected verdict, so the corpus is known to cover both
 * the accepting and the rejecting paths of the reader.
 *
 *   make fuzz-seeds        regenerates tests/fuzz/corpus/
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../libshiftaccel/src/dsm.h"
#include "../unit/dsm_fixture.h"

static int failures;

/* Opens the seed, compares the verdict with `expect`, and writes it to dir/name. */
static void emit(const char *dir, const char *name, const void *data, size_t size, sa_status expect)
{
	char path[512];
	sa_model *m;

	sa_status st = sa_model_open_memory(data, size, name, &m);
	if (st == SA_OK)
		sa_model_close(m);
	if (st != expect) {
		fprintf(stderr, "%s: expected %s, got %s (%s)\n", name, sa_status_name(expect),
			sa_status_name(st), sa_last_error());
		failures++;
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
		perror(path);
		failures++;
		return;
	}
	printf("%-32s %6zu bytes  %s%s%s\n", name, size, sa_status_name(st), st ? ": " : "",
	       st ? sa_last_error() : "");
}

static int write_builder(sa_builder *b, void **data, size_t *size)
{
	sa_status st = b ? sa_builder_write_memory(b, data, size) : SA_ERR_INVALID_ARGUMENT;
	if (st != SA_OK) {
		fprintf(stderr, "building a seed failed: %s\n", sa_last_error());
		failures++;
	}
	sa_builder_destroy(b);
	return st == SA_OK ? 0 : -1;
}

/* input [1,8,8] i16 -> maxpool 2x2 -> avgpool 2x2 pad -> flatten -> fc 9->3 relu6, labels. */
static sa_builder *sequential_model(void)
{
	struct sa_pool_params mp = {.kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2};
	struct sa_pool_params ap = {.kernel_h = 2,
				    .kernel_w = 2,
				    .stride_h = 1,
				    .stride_w = 1,
				    .pad_bottom = 1,
				    .pad_right = 1};
	struct sa_fc_params fc = {
		.out_features = 3, .weight_bits = 2, .weight_base = 0, .act = SA_ACT_RELU6};
	int8_t w[3 * 16];
	sa_builder *b;
	uint32_t t;

	for (int i = 0; i < 48; i++)
		w[i] = (int8_t)(i % 3 - 1);
	const float mean = 0.5f, std = 0.25f;
	if (sa_builder_create(&b) != SA_OK)
		return NULL;
	int ok = sa_builder_input(b, 1, 8, 8, SA_DTYPE_I16, -12, &mean, &std, &t) == SA_OK &&
		 sa_builder_maxpool(b, t, &mp, &t) == SA_OK &&
		 sa_builder_avgpool(b, t, &ap, &t) == SA_OK &&
		 sa_builder_flatten(b, t, &t) == SA_OK &&
		 sa_builder_fc(b, t, &fc, w, NULL, SA_DTYPE_I8, -6, &t) == SA_OK &&
		 sa_builder_set_output(b, t) == SA_OK && sa_builder_add_label(b, "zero") == SA_OK &&
		 sa_builder_add_label(b, "one") == SA_OK &&
		 sa_builder_add_label(b, "two") == SA_OK &&
		 sa_builder_set_meta(b, "name", "sequential seed") == SA_OK;
	if (!ok) {
		sa_builder_destroy(b);
		return NULL;
	}
	return b;
}

/* input [4,4,4] i8 -> depthwise 3x3 stride 2 dilation 1, relu6, bias -> gap -> fc 4->2. */
static sa_builder *depthwise_model(void)
{
	struct sa_conv_params dw = {.kernel_h = 3,
				    .kernel_w = 3,
				    .stride_h = 2,
				    .stride_w = 2,
				    .dilation_h = 1,
				    .dilation_w = 1,
				    .pad_top = 1,
				    .pad_left = 1,
				    .groups = 4,
				    .out_channels = 4,
				    .weight_bits = 5,
				    .weight_base = -8,
				    .act = SA_ACT_RELU6,
				    .flags = SA_PARAM_HAS_BIAS};
	struct sa_fc_params fc = {.out_features = 2, .weight_bits = 4, .weight_base = -2};
	int8_t wd[4 * 9], wf[2 * 4];
	const int32_t bias[4] = {-5, 0, 5, 1 << 20};
	sa_builder *b;
	uint32_t t;

	for (int i = 0; i < 36; i++)
		wd[i] = (int8_t)(i % 31 - 15);
	for (int i = 0; i < 8; i++)
		wf[i] = (int8_t)(7 - i * 2);
	if (sa_builder_create(&b) != SA_OK)
		return NULL;
	int ok = sa_builder_input(b, 4, 4, 4, SA_DTYPE_I8, -5, NULL, NULL, &t) == SA_OK &&
		 sa_builder_conv(b, t, &dw, wd, bias, SA_DTYPE_I8, -6, &t) == SA_OK &&
		 sa_builder_global_avgpool(b, t, &t) == SA_OK &&
		 sa_builder_fc(b, t, &fc, wf, NULL, SA_DTYPE_I16, -9, &t) == SA_OK &&
		 sa_builder_set_output(b, t) == SA_OK;
	if (!ok) {
		sa_builder_destroy(b);
		return NULL;
	}
	return b;
}

/* The fixture re-laid out as a later 1.x writer might: larger records, an unknown section. */
static int future_minor(void *file, void **out, size_t *out_size)
{
	struct dsm_out_section secs[16];
	uint8_t *grown = NULL;
	uint32_t n = fx_sections(file, secs, 15);

	for (uint32_t i = 0; i < n; i++) {
		if (secs[i].kind != DSM_SEC_NODES)
			continue;
		uint32_t count = (uint32_t)(secs[i].size / secs[i].entry_size), stride = 72;
		grown = calloc(count, stride);
		if (!grown)
			return -1;
		for (uint32_t r = 0; r < count; r++)
			memcpy(grown + r * stride, (uint8_t *)secs[i].data + r * secs[i].entry_size,
			       secs[i].entry_size);
		secs[i] = (struct dsm_out_section){DSM_SEC_NODES, stride, grown,
						   (uint64_t)count * stride};
	}
	secs[n++] = (struct dsm_out_section){77, 4, "extension data", 15};
	sa_status st = dsm_write(5, secs, n, out, out_size);
	free(grown);
	return st == SA_OK ? 0 : -1;
}

/* The sequential model with the input.* metadata a trainer writes for MNIST. */
static sa_builder *described_model(void)
{
	sa_builder *b = sequential_model();

	if (b && (sa_builder_set_meta(b, SA_META_POLARITY, SA_POLARITY_LIGHT_ON_DARK) != SA_OK ||
		  sa_builder_set_meta(b, SA_META_FRAMING, SA_FRAMING_DIGIT) != SA_OK)) {
		sa_builder_destroy(b);
		return NULL;
	}
	return b;
}

int main(int argc, char **argv)
{
	struct fx_model fx;
	void *base, *data;
	size_t size, dsize;

	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
		return 2;
	}
	const char *dir = argv[1];
	if (fx_build(&fx, &base, &size) != 0)
		return 1;
	emit(dir, "valid-resnet.dsm", base, size, SA_OK);
	if (write_builder(sequential_model(), &data, &dsize) == 0) {
		emit(dir, "valid-sequential.dsm", data, dsize, SA_OK);
		free(data);
	}
	if (write_builder(depthwise_model(), &data, &dsize) == 0) {
		emit(dir, "valid-depthwise.dsm", data, dsize, SA_OK);
		free(data);
	}
	if (write_builder(described_model(), &data, &dsize) == 0) {
		emit(dir, "valid-preprocess.dsm", data, dsize, SA_OK);
		/* The value a reader must refuse, which no builder writes. */
		uint8_t *at = memmem(data, dsize, SA_FRAMING_DIGIT, strlen(SA_FRAMING_DIGIT));
		if (at) {
			at[0] = 'D';
			fx_rechecksum(data, dsize);
			emit(dir, "invalid-preprocess-value.dsm", data, dsize, SA_ERR_BAD_MODEL);
		}
		free(data);
	}
	if (future_minor(base, &data, &dsize) == 0) {
		emit(dir, "valid-future-minor.dsm", data, dsize, SA_OK);
		free(data);
	}
	if (write_builder(fx_v11_builder(), &data, &dsize) == 0) {
		/* Format 1.1: concat, clip, average pools over 9 and 49. */
		emit(dir, "valid-imagenet-ops.dsm", data, dsize, SA_OK);
		/* The same nodes in a file that says 1.0. */
		((struct dsm_header *)data)->version_minor = 0;
		fx_rechecksum(data, dsize);
		emit(dir, "invalid-1.1-ops-in-1.0.dsm", data, dsize, SA_ERR_BAD_MODEL);
		free(data);
	}

	/* Broken copies of the fixture, each in one way. */
	uint8_t *f = fx_dup(base, size);
	if (!f)
		return 1;
#define BROKEN(name, expect, edit)                                                                 \
	do {                                                                                       \
		memcpy(f, base, size);                                                             \
		edit;                                                                              \
		fx_rechecksum(f, size);                                                            \
		emit(dir, name, f, size, expect);                                                  \
	} while (0)
	BROKEN("invalid-version-2.dsm", SA_ERR_VERSION,
	       ((struct dsm_header *)f)->version_major = 2);
	BROKEN("invalid-overlap.dsm", SA_ERR_BAD_MODEL, fx_section(f, DSM_SEC_NODES)->offset -= 64);
	BROKEN("invalid-negative-zero.dsm", SA_ERR_BAD_MODEL,
	       f[fx_section(f, DSM_SEC_DATA)->offset] = 0x08);
	BROKEN("invalid-order.dsm", SA_ERR_BAD_MODEL,
	       ((struct dsm_node *)fx_record(f, DSM_SEC_NODES, 0))->inputs[0] = fx.t_conv2);
	BROKEN("invalid-shape.dsm", SA_ERR_BAD_MODEL,
	       ((struct dsm_tensor *)fx_record(f, DSM_SEC_TENSORS, fx.t_gap))->dims[0] = 9);
	BROKEN("invalid-labels.dsm", SA_ERR_BAD_MODEL, fx_section(f, DSM_SEC_LABELS)->size -= 4);
	/* A small file declaring a huge input: refused before a session allocates it. */
	BROKEN("invalid-huge-input.dsm", SA_ERR_BAD_MODEL, {
		struct dsm_tensor *t = fx_record(f, DSM_SEC_TENSORS, fx.t_input);
		t->dims[1] = t->dims[2] = 65535;
	});
#undef BROKEN
	memcpy(f, base, size);
	f[size - 100] ^= 0x10; /* no re-checksum */
	emit(dir, "invalid-checksum.dsm", f, size, SA_ERR_CHECKSUM);
	emit(dir, "invalid-truncated.dsm", base, size / 2, SA_ERR_BAD_MODEL);
	free(f);
	free(base);
	if (failures)
		fprintf(stderr, "%d seed(s) failed\n", failures);
	return failures ? 1 : 0;
}
