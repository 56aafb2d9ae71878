// SPDX-License-Identifier: MIT
/*
 * The .dsm format end to end: a model written by the builder reads back
 * field for field (from memory and from a file), writing is deterministic,
 * and damaged files (every truncation, every single-bit flip) are rejected
 * with a clear error instead of a crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "../../libshiftaccel/src/model.h"
#include "dsm_fixture.h"

static char tmpdir[] = "/tmp/test_dsm.XXXXXX";

static void path_in_tmp(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

/* Every field the fixture put in, as the reader gives it back. */
static void check_model_matches(const sa_model *m, const struct fx_model *fx)
{
	struct sa_model_info info;
	CHECK_EQ_INT(sa_model_get_info(m, &info), SA_OK);
	CHECK_EQ_INT(info.format_major, DSM_VERSION_MAJOR);
	CHECK_EQ_INT(info.format_minor, 0); /* nothing of format 1.1: written as 1.0 */
	CHECK_EQ_INT(info.input_c, 3);
	CHECK_EQ_INT(info.input_h, 8);
	CHECK_EQ_INT(info.input_w, 8);
	CHECK_EQ_INT(info.input_dtype, SA_DTYPE_I8);
	CHECK_EQ_INT(info.input_exp, -7);
	CHECK_EQ_INT(info.output_dtype, SA_DTYPE_I16);
	CHECK_EQ_INT(info.output_exp, -6);
	CHECK_EQ_INT(info.num_outputs, FX_NUM_CLASSES);
	CHECK_EQ_INT(info.num_labels, FX_NUM_CLASSES);
	CHECK_EQ_INT(info.num_nodes, 5);
	/* input, conv1 (w, b, out), conv2 (w, out), add, gap, fc (w, b, out) */
	CHECK_EQ_INT(info.num_tensors, 11);
	for (int c = 0; c < 3; c++) {
		CHECK(info.mean[c] == fx->mean[c]);
		CHECK(info.std[c] == fx->std[c]);
	}
	CHECK(info.mean[3] == 0.0f && info.std[3] == 0.0f);

	for (uint32_t i = 0; i < FX_NUM_CLASSES; i++)
		CHECK(strcmp(sa_model_label(m, i), fx->labels[i]) == 0);
	CHECK(sa_model_label(m, FX_NUM_CLASSES) == NULL);

	CHECK(strcmp(sa_model_meta(m, "name"), "fixture-resnet") == 0);
	CHECK(strcmp(sa_model_meta(m, "accuracy"), "0.1") == 0);
	CHECK(sa_model_meta(m, "missing") == NULL);
	const char *k, *v;
	CHECK_EQ_INT(sa_model_meta_at(m, 1, &k, &v), SA_OK);
	CHECK(strcmp(k, "recipe") == 0 && strcmp(v, "none: hand-written weights") == 0);
	CHECK_EQ_INT(sa_model_meta_at(m, 3, &k, &v), SA_ERR_INVALID_ARGUMENT);
	CHECK_STR_CONTAINS(sa_last_error(), "past the end");

	/* Graph structure and shapes. */
	CHECK_EQ_INT(m->input, fx->t_input);
	CHECK_EQ_INT(m->output, fx->t_fc);
	static const uint32_t ops[5] = {DSM_OP_CONV, DSM_OP_CONV, DSM_OP_ADD, DSM_OP_GLOBAL_AVGPOOL,
					DSM_OP_FC};
	for (int i = 0; i < 5; i++)
		CHECK_EQ_INT(m->nodes[i].op, ops[i]);
	CHECK_EQ_INT(m->nodes[2].inputs[0], fx->t_conv1);
	CHECK_EQ_INT(m->nodes[2].inputs[1], fx->t_conv2);
	CHECK_EQ_INT(m->nodes[1].bias, DSM_NONE);
	CHECK(memcmp(&m->nodes[1].rec->params.conv, &fx->conv2, sizeof(fx->conv2)) == 0);
	CHECK(memcmp(&m->nodes[4].rec->params.fc, &fx->fc, sizeof(fx->fc)) == 0);
	CHECK_EQ_INT(m->nodes[2].rec->params.add.act, SA_ACT_RELU);

	const struct sa_shape *s = &m->tensors[fx->t_add].shape;
	CHECK(s->c == 8 && s->h == 8 && s->w == 8 && s->dtype == SA_DTYPE_I16 && s->exp == -5);
	s = &m->tensors[fx->t_gap].shape;
	CHECK(s->c == 8 && s->h == 1 && s->w == 1 && s->dtype == SA_DTYPE_I16 && s->exp == -5);
	CHECK(strcmp(m->tensors[fx->t_fc].name, "logits") == 0);
	CHECK(strcmp(m->tensors[fx->t_conv1].name, "conv1.out") == 0);
	CHECK(strcmp(m->tensors[fx->t_input].name, "input") == 0);

	/* Weights unpack to exactly what was given; biases are the same int32s. */
	const struct sa_model_tensor *w1 = &m->tensors[m->nodes[0].weights];
	CHECK(strcmp(w1->name, "conv1.weights") == 0);
	CHECK(w1->rank == 4 && w1->dims[0] == 8 && w1->dims[1] == 3 && w1->dims[2] == 3 &&
	      w1->dims[3] == 3);
	CHECK_EQ_INT(w1->weight_bits, 4);
	CHECK_EQ_INT(((uintptr_t)w1->data - (uintptr_t)m->map) % DSM_DATA_ALIGN, 0);
	CHECK_EQ_INT((uintptr_t)w1->data % DSM_DATA_ALIGN, 0);
	int8_t k1[FX_CONV1_WEIGHTS], k2[FX_CONV2_WEIGHTS], kf[FX_FC_WEIGHTS];
	CHECK_EQ_INT(sa_weight_unpack(w1->data, FX_CONV1_WEIGHTS, 4, k1), 0);
	CHECK(memcmp(k1, fx->conv1_w, sizeof(k1)) == 0);
	const struct sa_model_tensor *w2 = &m->tensors[m->nodes[1].weights];
	CHECK(w2->dims[1] == 4 && w2->weight_bits == 3);
	CHECK_EQ_INT(w2->data_size, (FX_CONV2_WEIGHTS * 3 + 7) / 8);
	CHECK_EQ_INT(sa_weight_unpack(w2->data, FX_CONV2_WEIGHTS, 3, k2), 0);
	CHECK(memcmp(k2, fx->conv2_w, sizeof(k2)) == 0);
	const struct sa_model_tensor *wf = &m->tensors[m->nodes[4].weights];
	CHECK(wf->rank == 2 && wf->dims[0] == 10 && wf->dims[1] == 8);
	CHECK_EQ_INT(sa_weight_unpack(wf->data, FX_FC_WEIGHTS, 5, kf), 0);
	CHECK(memcmp(kf, fx->fc_w, sizeof(kf)) == 0);
	const struct sa_model_tensor *b1 = &m->tensors[m->nodes[0].bias];
	CHECK(b1->dtype == SA_DTYPE_I32 && b1->data_size == sizeof(fx->conv1_b));
	CHECK(memcmp(b1->data, fx->conv1_b, sizeof(fx->conv1_b)) == 0);
	const struct sa_model_tensor *bf = &m->tensors[m->nodes[4].bias];
	CHECK(memcmp(bf->data, fx->fc_b, sizeof(fx->fc_b)) == 0);
}

TEST(round_trip_memory)
{
	struct fx_model fx;
	void *file;
	size_t size;
	sa_model *m = NULL;

	CHECK(fx_build(&fx, &file, &size) == 0);
	CHECK_EQ_INT(size % DSM_SECTION_ALIGN, 0);
	sa_status st = fx_open(file, size, &m);
	free(file);
	CHECK_EQ_INT(st, SA_OK);
	CHECK_STR_CONTAINS(m->name, "model.dsm");
	check_model_matches(m, &fx);
	sa_model_close(m);
}

TEST(round_trip_file)
{
	struct fx_model fx;
	char path[128];
	sa_model *m = NULL;

	fx_model_init(&fx);
	sa_builder *b = fx_builder(&fx);
	CHECK(b != NULL);
	path_in_tmp(path, sizeof(path), "resnet.dsm");
	sa_status st = sa_builder_write_file(b, path);
	sa_builder_destroy(b);
	CHECK_EQ_INT(st, SA_OK);
	CHECK_EQ_INT(sa_model_open(path, &m), SA_OK);
	CHECK_EQ_INT(m->mapped, 1);
	CHECK_STR_CONTAINS(m->name, "resnet.dsm");
	check_model_matches(m, &fx);
	sa_model_close(m);
	unlink(path);
}

TEST(write_is_deterministic)
{
	struct fx_model fx;
	void *a, *b;
	size_t na, nb;

	CHECK(fx_build(&fx, &a, &na) == 0);
	CHECK(fx_build(&fx, &b, &nb) == 0);
	int same = na == nb && memcmp(a, b, na) == 0;
	free(a);
	free(b);
	CHECK(same);
}

/* The 1.1 ops come back as written, and the file says 1.1. */
TEST(format_1_1_round_trip)
{
	sa_builder *b = fx_v11_builder();
	void *file = NULL, *again = NULL;
	size_t size = 0, size2 = 0;
	struct sa_model_info info;
	sa_model *m = NULL;

	CHECK(b != NULL);
	CHECK_EQ_INT(sa_builder_write_memory(b, &file, &size), SA_OK);
	CHECK_EQ_INT(sa_builder_write_memory(b, &again, &size2), SA_OK);
	sa_builder_destroy(b);
	CHECK(size == size2 && memcmp(file, again, size) == 0); /* deterministic */
	free(again);
	CHECK_EQ_INT(((const struct dsm_header *)file)->version_minor, 1);
	CHECK_EQ_INT(fx_open(file, size, &m), SA_OK);
	CHECK_EQ_INT(sa_model_get_info(m, &info), SA_OK);
	CHECK(info.format_major == 1 && info.format_minor == 1);
	const uint32_t ops[6] = {DSM_OP_CONV,	 DSM_OP_CONCAT,		DSM_OP_CLIP,
				 DSM_OP_AVGPOOL, DSM_OP_GLOBAL_AVGPOOL, DSM_OP_FC};
	CHECK_EQ_INT(m->num_nodes, 6);
	for (uint32_t i = 0; i < 6 && i < m->num_nodes; i++)
		CHECK_EQ_INT(m->nodes[i].op, ops[i]);
	/* concat reads the graph input and the conv; its output holds both. */
	CHECK(m->nodes[1].inputs[0] == m->input && m->nodes[1].inputs[1] == m->nodes[0].output);
	const struct sa_shape *cat = &m->tensors[m->nodes[1].output].shape;
	CHECK(cat->c == 4 && cat->h == 7 && cat->w == 7 && cat->dtype == SA_DTYPE_I8 &&
	      cat->exp == -4);
	CHECK_EQ_INT(m->nodes[2].rec->params.clip.act, SA_ACT_RELU6);
	CHECK_EQ_INT(m->nodes[2].inputs[1], DSM_NONE);
	const struct sa_shape *clip = &m->tensors[m->nodes[2].output].shape;
	CHECK(clip->c == 4 && clip->dtype == SA_DTYPE_I16 && clip->exp == -6);
	CHECK_EQ_INT(m->nodes[3].rec->params.pool.kernel_h * m->nodes[3].rec->params.pool.kernel_w,
		     9);
	CHECK_STR_CONTAINS(m->tensors[m->nodes[1].output].name, "concat1.out");
	CHECK_STR_CONTAINS(m->tensors[m->nodes[2].output].name, "clip1.out");
	sa_model_close(m);

	/* The same bytes labelled 1.0: a 1.0 file cannot hold these nodes. */
	((struct dsm_header *)file)->version_minor = 0;
	fx_rechecksum(file, size);
	CHECK_EQ_INT(fx_open(file, size, NULL), SA_ERR_BAD_MODEL);
	CHECK_STR_CONTAINS(sa_last_error(), "node 1 (concat): this node needs format version 1.1");
	CHECK_STR_CONTAINS(sa_last_error(), "but the file says 1.0");
	free(file);
}

/* The minor version written for one small model: input [1,6,6] i8, then `op`. */
static int written_minor(int op)
{
	const struct sa_pool_params p2 = {
		.kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2};
	const struct sa_pool_params p13 = {
		.kernel_h = 1, .kernel_w = 3, .stride_h = 1, .stride_w = 3};
	const struct sa_clip_params none = {.act = SA_ACT_NONE};
	sa_builder *b = NULL;
	void *file = NULL;
	size_t size;
	uint32_t t;
	int minor = -1;

	sa_status st = sa_builder_create(&b);
	if (st == SA_OK)
		st = sa_builder_input(b, 1, 6, 6, SA_DTYPE_I8, 0, NULL, NULL, &t);
	if (st == SA_OK && op == 0) /* 2x2 pool, then a global pool over 3x3 = 9 */
		st = sa_builder_avgpool(b, t, &p2, &t);
	if (st == SA_OK && op <= 1) /* op 1: a global pool over 6x6 = 36 */
		st = sa_builder_global_avgpool(b, t, &t);
	if (st == SA_OK && op == 2) /* 1x3 windows: area 3 */
		st = sa_builder_avgpool(b, t, &p13, &t);
	if (st == SA_OK && op == 3) /* 2x2: area 4 */
		st = sa_builder_avgpool(b, t, &p2, &t);
	if (st == SA_OK && op == 4) /* a clip that copies */
		st = sa_builder_clip(b, t, &none, SA_DTYPE_I8, 0, &t);
	if (st == SA_OK)
		st = sa_builder_set_output(b, t);
	if (st == SA_OK)
		st = sa_builder_write_memory(b, &file, &size);
	if (st == SA_OK)
		minor = ((const struct dsm_header *)file)->version_minor;
	sa_builder_destroy(b);
	free(file);
	return minor;
}

/* 1.0 unless the model uses what 1.0 lacks, so a 1.0 reader still reads it. */
TEST(version_written_is_the_lowest_that_holds_the_model)
{
	CHECK_EQ_INT(written_minor(0), 1); /* global pool over 9 */
	CHECK_EQ_INT(written_minor(1), 1); /* global pool over 36 */
	CHECK_EQ_INT(written_minor(2), 1); /* avgpool area 3 */
	CHECK_EQ_INT(written_minor(3), 0); /* avgpool area 4 */
	CHECK_EQ_INT(written_minor(4), 1); /* clip */
}

/* Every strict prefix of a valid file is rejected as damaged, never read past its end. */
TEST(every_truncation_is_rejected)
{
	struct fx_model fx;
	void *file;
	size_t size;

	CHECK(fx_build(&fx, &file, &size) == 0);
	for (size_t len = 0; len < size; len++) {
		/* An exact-size heap copy, so ASan catches any read past the prefix. */
		void *prefix = fx_dup(file, len ? len : 1);
		sa_status st = fx_open(prefix, len, NULL);
		free(prefix);
		if (st != SA_ERR_BAD_MODEL) {
			fprintf(stderr, "  prefix of %zu bytes: %s\n", len, sa_last_error());
			free(file);
			CHECK_EQ_INT(st, SA_ERR_BAD_MODEL);
		}
		const char *msg = sa_last_error();
		if (!strstr(msg, "model.dsm: ") ||
		    !(strstr(msg, "truncated") || strstr(msg, "too short"))) {
			free(file);
			CHECK_STR_CONTAINS(msg, "truncated");
		}
	}
	free(file);
}

TEST(trailing_bytes_are_rejected)
{
	struct fx_model fx;
	void *file;
	size_t size;

	CHECK(fx_build(&fx, &file, &size) == 0);
	uint8_t *longer = calloc(1, size + 8);
	memcpy(longer, file, size);
	free(file);
	sa_status st = fx_open(longer, size + 8, NULL);
	free(longer);
	CHECK_EQ_INT(st, SA_ERR_BAD_MODEL);
	CHECK_STR_CONTAINS(sa_last_error(), "trailing bytes");
}

/*
 * Flip every bit of the file.  From the checksum field on, only the CRC can
 * notice, and it must (CRC-32C detects every single-bit error).  Before it,
 * the header's own checks (magic, version, sizes) may notice first; a flip
 * of the minor version or a harmless header_size still reaches the CRC.
 */
TEST(every_bit_flip_is_caught)
{
	struct fx_model fx;
	void *file;
	size_t size;

	CHECK(fx_build(&fx, &file, &size) == 0);
	uint8_t *bytes = fx_dup(file, size);
	free(file);
	int ok = 1;
	for (size_t byte = 0; byte < size && ok; byte++) {
		for (int bit = 0; bit < 8 && ok; bit++) {
			bytes[byte] ^= (uint8_t)(1u << bit);
			sa_status st = fx_open(bytes, size, NULL);
			const char *msg = sa_last_error();
			if (byte >= DSM_CHECKSUM_OFFSET || (byte >= 10 && byte < 12))
				ok = st == SA_ERR_CHECKSUM && strstr(msg, "bad checksum");
			else if (byte < 8)
				ok = st == SA_ERR_BAD_MODEL && strstr(msg, "not a .dsm model");
			else if (byte < 10)
				ok = st == SA_ERR_VERSION && strstr(msg, "format version");
			else
				ok = st == SA_ERR_CHECKSUM || st == SA_ERR_BAD_MODEL;
			if (!ok)
				fprintf(stderr, "  byte %zu bit %d: %s (%s)\n", byte, bit,
					sa_status_name(st), msg);
			bytes[byte] ^= (uint8_t)(1u << bit);
		}
	}
	free(bytes);
	CHECK(ok);
}

TEST(checksum_message_names_both_values)
{
	struct fx_model fx;
	void *file;
	size_t size;

	CHECK(fx_build(&fx, &file, &size) == 0);
	uint32_t stored;
	memcpy(&stored, (uint8_t *)file + DSM_CHECKSUM_OFFSET, 4);
	uint32_t wrong = stored ^ 0x1234abcdu;
	memcpy((uint8_t *)file + DSM_CHECKSUM_OFFSET, &wrong, 4);
	sa_status st = fx_open(file, size, NULL);
	free(file);
	CHECK_EQ_INT(st, SA_ERR_CHECKSUM);
	char expect[96];
	snprintf(expect, sizeof(expect), "model.dsm: bad checksum (stored 0x%08x, computed 0x%08x)",
		 wrong, stored);
	CHECK_STR_CONTAINS(sa_last_error(), expect);
}

TEST(open_missing_file_is_io_error)
{
	char path[128];
	sa_model *m = (sa_model *)&m; /* must stay untouched on failure */

	path_in_tmp(path, sizeof(path), "does-not-exist.dsm");
	CHECK_EQ_INT(sa_model_open(path, &m), SA_ERR_IO);
	CHECK(m == (sa_model *)&m);
	CHECK_STR_CONTAINS(sa_last_error(), "does-not-exist.dsm: cannot open");
	CHECK_STR_CONTAINS(sa_last_error(), "No such file");
	CHECK_EQ_INT(sa_model_open(tmpdir, &m), SA_ERR_IO);
	CHECK_STR_CONTAINS(sa_last_error(), "not a regular file");
}

TEST(open_empty_and_foreign_files)
{
	char path[128];
	sa_model *m;

	path_in_tmp(path, sizeof(path), "empty.dsm");
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	fclose(f);
	CHECK_EQ_INT(sa_model_open(path, &m), SA_ERR_BAD_MODEL);
	CHECK_STR_CONTAINS(sa_last_error(), "empty.dsm: file is 0 bytes, too short");

	static const uint8_t png[16] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	path_in_tmp(path, sizeof(path), "image.png");
	f = fopen(path, "wb");
	CHECK(f != NULL);
	fwrite(png, 1, sizeof(png), f);
	fclose(f);
	CHECK_EQ_INT(sa_model_open(path, &m), SA_ERR_BAD_MODEL);
	CHECK_STR_CONTAINS(sa_last_error(), "image.png: not a .dsm model");
	unlink(path);
	path_in_tmp(path, sizeof(path), "empty.dsm");
	unlink(path);
}

TEST(open_memory_arguments)
{
	sa_model *m;

	CHECK_EQ_INT(sa_model_open_memory(NULL, 10, "x", &m), SA_ERR_INVALID_ARGUMENT);
	CHECK_EQ_INT(sa_model_open_memory("", 0, NULL, &m), SA_ERR_BAD_MODEL);
	CHECK_STR_CONTAINS(sa_last_error(), "<memory>: file is 0 bytes");
	sa_model_close(NULL); /* allowed, like free(NULL) */
	CHECK(sa_model_label(NULL, 0) == NULL);
	CHECK(sa_model_meta(NULL, "name") == NULL);
}

TEST(builder_write_file_reports_io_errors)
{
	struct fx_model fx;

	fx_model_init(&fx);
	sa_builder *b = fx_builder(&fx);
	CHECK(b != NULL);
	sa_status st = sa_builder_write_file(b, "/nonexistent-dir/model.dsm");
	sa_builder_destroy(b);
	CHECK_EQ_INT(st, SA_ERR_IO);
	CHECK_STR_CONTAINS(sa_last_error(),
			   "/nonexistent-dir/model.dsm: directory /nonexistent-dir does not exist");
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	RUN(round_trip_memory);
	RUN(round_trip_file);
	RUN(write_is_deterministic);
	RUN(format_1_1_round_trip);
	RUN(version_written_is_the_lowest_that_holds_the_model);
	RUN(every_truncation_is_rejected);
	RUN(trailing_bytes_are_rejected);
	RUN(every_bit_flip_is_caught);
	RUN(checksum_message_names_both_values);
	RUN(open_missing_file_is_io_error);
	RUN(open_empty_and_foreign_files);
	RUN(open_memory_arguments);
	RUN(builder_write_file_reports_io_errors);
	rmdir(tmpdir);
	CHECK_MAIN_END();
}
