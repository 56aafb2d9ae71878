// SPDX-License-Identifier: MIT
/*
 * Crafted invalid .dsm files.  Each test takes the valid fixture model,
 * breaks exactly one rule of docs/model-format.md, recomputes the checksum
 * (so only the rule under test can catch it) and checks the status and that
 * the message names the problem.  Also the forward-compatibility rules: a
 * newer minor version, larger records and unknown sections are accepted.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "../../libshiftaccel/src/model.h"
#include "dsm_fixture.h"

/* Tensor ids in the fixture (creation order). */
enum {
	T_INPUT,
	T_CONV1_W,
	T_CONV1_B,
	T_CONV1,
	T_CONV2_W,
	T_CONV2,
	T_ADD,
	T_GAP,
	T_FC_W,
	T_FC_B,
	T_FC,
	NUM_TENSORS
};

static struct fx_model fx;
static uint8_t *file;
static size_t file_size;

static int setup(void)
{
	free(file);
	return fx_build(&fx, (void **)&file, &file_size);
}

/* Re-checksums the edited file and opens it (consuming it). */
static sa_status reopen(void)
{
	fx_rechecksum(file, file_size);
	sa_status st = fx_open(file, file_size, NULL);
	free(file);
	file = NULL;
	return st;
}

#define SETUP() CHECK(setup() == 0)
#define EXPECT_REJECT(status, text)                                                                \
	do {                                                                                       \
		CHECK_EQ_INT(reopen(), status);                                                    \
		CHECK_STR_CONTAINS(sa_last_error(), "model.dsm: ");                                \
		CHECK_STR_CONTAINS(sa_last_error(), text);                                         \
	} while (0)
#define EXPECT_BAD(text) EXPECT_REJECT(SA_ERR_BAD_MODEL, text)

static struct dsm_header *hdr(void)
{
	return (struct dsm_header *)file;
}

static struct dsm_section *sec(uint32_t kind)
{
	return fx_section(file, kind);
}

static struct dsm_tensor *tensor(uint32_t i)
{
	return fx_record(file, DSM_SEC_TENSORS, i);
}

static struct dsm_node *node(uint32_t i)
{
	return fx_record(file, DSM_SEC_NODES, i);
}

static struct dsm_graph *graph(void)
{
	return fx_record(file, DSM_SEC_GRAPH, 0);
}

/* The packed data of a constant tensor. */
static uint8_t *tensor_data(uint32_t i)
{
	return file + sec(DSM_SEC_DATA)->offset + tensor(i)->data_offset;
}

/* ------------------------------------------------------------ header */

TEST(major_version_2_is_a_version_error)
{
	SETUP();
	hdr()->version_major = 2;
	EXPECT_REJECT(SA_ERR_VERSION,
		      "format version 2.0 is newer than this library supports (1.x)");
}

TEST(major_version_0_is_a_version_error)
{
	SETUP();
	hdr()->version_major = 0;
	hdr()->version_minor = 9;
	EXPECT_REJECT(SA_ERR_VERSION, "format version 0.9 is older");
}

TEST(newer_minor_version_is_accepted)
{
	sa_model *m;
	struct sa_model_info info;

	SETUP();
	hdr()->version_minor = 7;
	fx_rechecksum(file, file_size);
	CHECK_EQ_INT(fx_open(file, file_size, &m), SA_OK);
	CHECK_EQ_INT(sa_model_get_info(m, &info), SA_OK);
	sa_model_close(m);
	CHECK_EQ_INT(info.format_major, 1);
	CHECK_EQ_INT(info.format_minor, 7);
}

TEST(header_reserved_must_be_zero)
{
	SETUP();
	hdr()->reserved[5] = 1;
	EXPECT_BAD("header reserved bytes are not zero");
}

TEST(header_size_too_small)
{
	SETUP();
	hdr()->header_size = 32;
	EXPECT_BAD("header_size 32 is invalid");
}

TEST(header_size_covering_the_table)
{
	SETUP();
	hdr()->header_size = 128;
	EXPECT_BAD("section table offset 64 lies inside the 128-byte header");
}

/* ----------------------------------------------------- section table */

TEST(section_count_huge)
{
	SETUP();
	hdr()->section_count = 0x10000000;
	EXPECT_BAD("section table (268435456 entries at offset 64) extends beyond the end of the "
		   "file");
}

TEST(section_table_offset_out_of_file)
{
	SETUP();
	hdr()->section_table_offset = (uint64_t)1 << 40;
	EXPECT_BAD("extends beyond the end of the file");
}

TEST(section_table_offset_misaligned)
{
	SETUP();
	hdr()->section_table_offset = 68;
	EXPECT_BAD("section table offset 68 is not 8-byte aligned");
}

TEST(section_offset_beyond_file)
{
	SETUP();
	sec(DSM_SEC_TENSORS)->offset = file_size + 8;
	EXPECT_BAD("(TENSORS) ends at");
}

TEST(section_size_beyond_file)
{
	SETUP();
	struct dsm_section *s = sec(DSM_SEC_TENSORS);
	s->size = file_size - s->offset + 48 * 2;
	char expect[128];
	snprintf(expect, sizeof(expect),
		 "section 3 (TENSORS) ends at %llu, beyond the end of the "
		 "file (%zu bytes)",
		 (unsigned long long)(s->offset + s->size), file_size);
	EXPECT_BAD(expect);
}

TEST(section_size_wrapping_around)
{
	SETUP();
	sec(DSM_SEC_DATA)->size = UINT64_MAX - 63;
	EXPECT_BAD("(DATA) at offset");
}

TEST(sections_overlapping)
{
	SETUP();
	/* NODES starts 64 bytes earlier, inside TENSORS. */
	sec(DSM_SEC_NODES)->offset -= 64;
	EXPECT_BAD("section 4 (NODES) overlaps section 3 (TENSORS)");
}

TEST(section_overlapping_header_or_table)
{
	SETUP();
	sec(DSM_SEC_GRAPH)->offset = 0;
	EXPECT_BAD("(GRAPH) overlaps the header");
	SETUP();
	sec(DSM_SEC_GRAPH)->offset = 64 + 32;
	EXPECT_BAD("(GRAPH) overlaps the section table");
}

TEST(section_misaligned)
{
	SETUP();
	sec(DSM_SEC_NODES)->offset += 4;
	EXPECT_BAD("(NODES) offset");
	SETUP();
	sec(DSM_SEC_DATA)->offset -= 8; /* still in bounds and after GRAPH */
	EXPECT_BAD("section 6 (DATA) offset 1528 is not 64-byte aligned");
}

TEST(section_reserved_must_be_zero)
{
	SETUP();
	sec(DSM_SEC_META)->reserved = 1;
	EXPECT_BAD("section 1 (META): reserved field is not zero");
}

TEST(section_kind_twice)
{
	SETUP();
	sec(DSM_SEC_META)->kind = DSM_SEC_LABELS;
	EXPECT_BAD("section 2 is a second LABELS section (the first is section 1)");
}

TEST(required_section_missing)
{
	SETUP();
	sec(DSM_SEC_NODES)->kind = 1000; /* now an unknown kind: skipped */
	EXPECT_BAD("required section NODES is missing");
}

TEST(entry_size_smaller_than_record)
{
	SETUP();
	sec(DSM_SEC_TENSORS)->entry_size = 44;
	EXPECT_BAD("(TENSORS) entry_size 44 is smaller than the 48-byte record");
}

TEST(section_size_not_multiple_of_entry_size)
{
	SETUP();
	sec(DSM_SEC_NODES)->size -= 8;
	EXPECT_BAD("(NODES) size 312 is not a multiple of its entry_size 64");
}

TEST(blob_with_entry_size)
{
	SETUP();
	sec(DSM_SEC_STRINGS)->entry_size = 1;
	EXPECT_BAD("section 0 (STRINGS) is a blob but has entry_size 1");
}

/* Later minor versions may append fields to records: the reader skips the tail. */
TEST(larger_entry_size_is_accepted)
{
	struct dsm_out_section secs[16];
	void *out;
	size_t out_size;
	sa_model *m;

	SETUP();
	uint32_t n = fx_sections(file, secs, 16);
	uint8_t *tensors = NULL, *nodes = NULL;
	for (uint32_t i = 0; i < n; i++) {
		/* 8 extra bytes per TENSORS record, 20 per NODES record, filled with junk. */
		uint32_t extra = secs[i].kind == DSM_SEC_TENSORS ? 8
				 : secs[i].kind == DSM_SEC_NODES ? 20
								 : 0;
		if (!extra)
			continue;
		uint32_t count = (uint32_t)(secs[i].size / secs[i].entry_size);
		uint32_t stride = secs[i].entry_size + extra;
		uint8_t *grown = malloc((size_t)count * stride);
		memset(grown, 0xab, (size_t)count * stride);
		for (uint32_t r = 0; r < count; r++)
			memcpy(grown + (size_t)r * stride,
			       (const uint8_t *)secs[i].data + (size_t)r * secs[i].entry_size,
			       secs[i].entry_size);
		secs[i].data = grown;
		secs[i].entry_size = stride;
		secs[i].size = (uint64_t)count * stride;
		*(secs[i].kind == DSM_SEC_TENSORS ? &tensors : &nodes) = grown;
	}
	sa_status st = dsm_write(3, secs, n, &out, &out_size);
	free(tensors);
	free(nodes);
	CHECK_EQ_INT(st, SA_OK);
	st = fx_open(out, out_size, &m);
	free(out);
	CHECK_EQ_INT(st, SA_OK);
	int same = m->num_tensors == NUM_TENSORS && m->tensors[T_CONV2].shape.c == 8 &&
		   m->nodes[1].rec->params.conv.groups == 2 && m->nodes[4].op == DSM_OP_FC &&
		   m->tensors[T_FC_B].data_size == 40;
	int8_t k[FX_CONV2_WEIGHTS];
	same = same && sa_weight_unpack(m->tensors[T_CONV2_W].data, FX_CONV2_WEIGHTS, 3, k) == 0 &&
	       memcmp(k, fx.conv2_w, sizeof(k)) == 0;
	sa_model_close(m);
	CHECK(same);
}

TEST(unknown_section_is_skipped_but_bounds_checked)
{
	struct dsm_out_section secs[16];
	void *out;
	size_t out_size;
	sa_model *m;

	SETUP();
	uint32_t n = fx_sections(file, secs, 15);
	secs[n++] = (struct dsm_out_section){4242, 3, "future\0", 7};
	CHECK_EQ_INT(dsm_write(DSM_VERSION_MINOR, secs, n, &out, &out_size), SA_OK);
	sa_status st = fx_open(out, out_size, &m);
	if (st == SA_OK)
		sa_model_close(m);
	CHECK_EQ_INT(st, SA_OK);

	/* The same file with the unknown section pointing past the end. */
	free(file);
	file = out;
	file_size = out_size;
	struct dsm_section *table = (struct dsm_section *)(file + hdr()->section_table_offset);
	table[n - 1].offset = file_size;
	EXPECT_BAD("section 7 (unknown) ends at");
}

/* ----------------------------------------------------------- strings */

TEST(string_table_not_terminated)
{
	SETUP();
	struct dsm_section *s = sec(DSM_SEC_STRINGS);
	file[s->offset + s->size - 1] = 'x';
	EXPECT_BAD("section 0 (STRINGS) does not end with a NUL byte");
}

TEST(string_table_not_utf8)
{
	SETUP();
	struct dsm_section *s = sec(DSM_SEC_STRINGS);
	file[s->offset + 1] = 0xc0; /* "name" -> overlong lead byte */
	EXPECT_BAD("(STRINGS) is not valid UTF-8");
}

TEST(string_id_out_of_range)
{
	SETUP();
	uint64_t size = sec(DSM_SEC_STRINGS)->size;
	tensor(T_CONV2)->name = (uint32_t)size;
	char expect[96];
	snprintf(expect, sizeof(expect), "tensor 5 name: string id %u is outside the string table",
		 (unsigned)size);
	EXPECT_BAD(expect);
	SETUP();
	((struct dsm_label *)fx_record(file, DSM_SEC_LABELS, 3))->name = 0xffffffff;
	EXPECT_BAD("label 3: string id 4294967295 is outside");
	SETUP();
	((struct dsm_meta *)fx_record(file, DSM_SEC_META, 2))->value = 100000;
	EXPECT_BAD("metadata entry 2 value: string id 100000");
}

TEST(meta_keys_unique_and_nonempty)
{
	SETUP();
	struct dsm_meta *m0 = fx_record(file, DSM_SEC_META, 0);
	struct dsm_meta *m2 = fx_record(file, DSM_SEC_META, 2);
	m2->key = m0->key;
	EXPECT_BAD("metadata key \"name\" appears more than once");
	SETUP();
	((struct dsm_meta *)fx_record(file, DSM_SEC_META, 1))->key = 0;
	EXPECT_BAD("metadata entry 1 has an empty key");
}

/* ----------------------------------------------------------- tensors */

TEST(tensor_bad_dtype)
{
	SETUP();
	tensor(T_CONV2)->dtype = 9;
	EXPECT_BAD("tensor 5 (conv2.out): activation dtype 9 is not i8");
	SETUP();
	tensor(T_CONV1_W)->dtype = SA_DTYPE_I8;
	EXPECT_BAD("tensor 1 (conv1.weights): constant dtype 1 is not shift");
	SETUP();
	tensor(T_CONV1_B)->dtype = SA_DTYPE_SHIFT; /* weight_bits 0 */
	EXPECT_BAD("tensor 2 (conv1.bias): weight_bits 0 is outside 2..5");
}

TEST(tensor_bad_kind_rank_exp_reserved)
{
	SETUP();
	tensor(T_ADD)->kind = 3;
	EXPECT_BAD("tensor 6 (add1.out): unknown kind 3");
	SETUP();
	tensor(T_ADD)->rank = 2;
	EXPECT_BAD("an activation has rank 3");
	SETUP();
	tensor(T_CONV1_W)->rank = 5;
	EXPECT_BAD("tensor 1 (conv1.weights): rank 5 is outside 1..4");
	SETUP();
	tensor(T_ADD)->exp = 25;
	EXPECT_BAD("tensor 6 (add1.out): exponent 25 is outside [-24, 24]");
	SETUP();
	tensor(T_CONV1_B)->exp = 1;
	EXPECT_BAD("a constant has exp 0");
	SETUP();
	tensor(T_GAP)->reserved = 7;
	EXPECT_BAD("tensor 7 (global_avgpool1.out): reserved field is not zero");
	SETUP();
	tensor(T_GAP)->data_size = 64;
	EXPECT_BAD("an activation has weight_bits, data_offset and data_size 0");
}

TEST(tensor_dims_zero_or_unused_set)
{
	SETUP();
	tensor(T_CONV1)->dims[1] = 0;
	EXPECT_BAD("tensor 3 (conv1.out): dims [8,0,8] include a zero");
	SETUP();
	tensor(T_CONV1_W)->dims[2] = 0;
	EXPECT_BAD("tensor 1 (conv1.weights): dim 2 is zero");
	SETUP();
	tensor(T_FC_B)->dims[2] = 1;
	EXPECT_BAD("tensor 9 (fc1.bias): unused dim 2 is not zero");
}

TEST(tensor_element_count_overflow)
{
	SETUP();
	struct dsm_tensor *t = tensor(T_CONV1_W);
	for (int d = 0; d < 4; d++)
		t->dims[d] = 65536;
	EXPECT_BAD("tensor 1 (conv1.weights): more than 268435456 elements");
	SETUP();
	t = tensor(T_CONV1);
	t->dims[0] = 0xffffffff;
	t->dims[1] = 0xffffffff;
	t->dims[2] = 0xffffffff;
	EXPECT_BAD("tensor 3 (conv1.out): activation 4294967295x4294967295x4294967295 has more "
		   "than 16777216 elements");
}

TEST(tensor_data_misaligned_or_outside)
{
	SETUP();
	tensor(T_CONV2_W)->data_offset += 8;
	EXPECT_BAD("tensor 4 (conv2.weights): data_offset");
	SETUP();
	struct dsm_tensor *t = tensor(T_FC_B);
	t->data_offset = (sec(DSM_SEC_DATA)->size + 63) & ~63ull;
	EXPECT_BAD("tensor 9 (fc1.bias): data at offset 448 size 40 lies outside the DATA section "
		   "(424 bytes)");
	SETUP();
	tensor(T_FC_B)->data_offset = 0xffffffffffffffc0ull; /* 64-aligned, wraps when added */
	EXPECT_BAD("lies outside the DATA section");
}

TEST(tensor_wrong_data_size)
{
	SETUP();
	tensor(T_CONV1_W)->data_size += 1;
	EXPECT_BAD(
		"tensor 1 (conv1.weights): data_size is 109 but 216 shift elements take 108 bytes");
	SETUP();
	tensor(T_FC_B)->data_size = 36;
	EXPECT_BAD("data_size is 36 but 10 i32 elements take 40 bytes");
}

TEST(weight_code_negative_zero)
{
	SETUP();
	/* conv1: 4-bit codes; code 3 is the high nibble of byte 1; 0x8 = sign set, k = 0. */
	uint8_t *d = tensor_data(T_CONV1_W);
	d[1] = (uint8_t)((d[1] & 0x0f) | 0x80);
	EXPECT_BAD("tensor 1 (conv1.weights): weight code 3 is a negative zero");
}

/* A one-node model whose 3 weights of 3 bits leave 7 spare bits in the last byte. */
static int build_tiny_fc(void)
{
	static const int8_t w[3] = {1, -1, 3};
	struct sa_fc_params p = {.out_features = 1, .weight_bits = 3};
	sa_builder *b = NULL;
	uint32_t in, out;
	int ok = sa_builder_create(&b) == SA_OK &&
		 sa_builder_input(b, 3, 1, 1, SA_DTYPE_I8, 0, NULL, NULL, &in) == SA_OK &&
		 sa_builder_fc(b, in, &p, w, NULL, SA_DTYPE_I8, 0, &out) == SA_OK &&
		 sa_builder_set_output(b, out) == SA_OK &&
		 sa_builder_write_memory(b, (void **)&file, &file_size) == SA_OK;
	sa_builder_destroy(b);
	return ok ? 0 : -1;
}

TEST(weight_nonzero_trailing_bits)
{
	free(file);
	file = NULL;
	CHECK(build_tiny_fc() == 0);
	CHECK_EQ_INT(tensor(1)->data_size, 2);
	CHECK_EQ_INT(fx_open(file, file_size, NULL), SA_OK);
	tensor_data(1)[1] |= 0x40;
	EXPECT_BAD("tensor 1 (fc1.weights): nonzero trailing bits after the last weight code");
}

/* ------------------------------------------------------------- nodes */

TEST(node_uses_tensor_before_it_is_produced)
{
	SETUP();
	struct dsm_node n0 = *node(0);
	*node(0) = *node(1);
	*node(1) = n0;
	EXPECT_BAD("node 0 (conv): input tensor 3 (conv1.out) is used before it is produced");
}

TEST(node_cycle_and_duplicate_producer)
{
	SETUP();
	node(2)->inputs[1] = T_ADD; /* add reads its own output */
	EXPECT_BAD("node 2 (add): input tensor 6 (add1.out) is used before it is produced");
	SETUP();
	node(1)->output = T_CONV1;
	EXPECT_BAD("node 1 (conv): output tensor 3 (conv1.out) is already produced by node 0");
	SETUP();
	node(0)->output = T_INPUT;
	EXPECT_BAD("node 0 (conv): output tensor 0 (input) is the graph input");
}

TEST(activation_without_producer)
{
	struct dsm_out_section secs[16];
	void *out;
	size_t out_size;

	SETUP();
	uint32_t n = fx_sections(file, secs, 16);
	uint8_t *tensors = NULL;
	for (uint32_t i = 0; i < n; i++) {
		if (secs[i].kind != DSM_SEC_TENSORS)
			continue;
		/* One more activation record, a copy of the last: nothing produces it. */
		tensors = malloc(secs[i].size + secs[i].entry_size);
		memcpy(tensors, secs[i].data, secs[i].size);
		memcpy(tensors + secs[i].size,
		       (const uint8_t *)secs[i].data + secs[i].size - secs[i].entry_size,
		       secs[i].entry_size);
		secs[i].data = tensors;
		secs[i].size += secs[i].entry_size;
	}
	sa_status st = dsm_write(DSM_VERSION_MINOR, secs, n, &out, &out_size);
	free(tensors);
	CHECK_EQ_INT(st, SA_OK);
	free(file);
	file = out;
	file_size = out_size;
	EXPECT_BAD("tensor 11 (logits) is an activation that no node produces");
}

TEST(node_bad_op_and_references)
{
	SETUP();
	node(3)->op = 99;
	EXPECT_BAD("node 3: unknown op 99 (the file is format version 1.0; this library knows "
		   "ops 1..9 of format 1.1)");
	SETUP();
	node(0)->inputs[0] = 500;
	EXPECT_BAD("node 0 (conv): input tensor 500 does not exist (the model has 11 tensors)");
	SETUP();
	node(0)->inputs[0] = T_CONV1_W;
	EXPECT_BAD(
		"node 0 (conv): input tensor 1 (conv1.weights) is a constant, not an activation");
	SETUP();
	node(0)->inputs[1] = T_INPUT;
	EXPECT_BAD("node 0 (conv): inputs[1] is 0 but only add and concat have a second input");
	SETUP();
	node(0)->weights = T_INPUT;
	EXPECT_BAD("node 0 (conv): weights tensor 0 (input) is an activation, not a constant");
	SETUP();
	node(3)->weights = T_FC_W;
	EXPECT_BAD("node 3 (global_avgpool): this op takes no weights or bias");
	SETUP();
	node(1)->reserved[1] = 1;
	EXPECT_BAD("node 1 (conv): reserved fields are not zero");
}

/*
 * Node 2 of the fixture (add of conv1 [8,8,8] i8 2^-4 and conv2) turned into
 * a clip of conv1 into the same [8,8,8] i16 2^-5: valid in a 1.1 file.
 */
static void add_to_clip(uint8_t act)
{
	hdr()->version_minor = 1;
	node(2)->op = DSM_OP_CLIP;
	node(2)->inputs[1] = DSM_NONE;
	memset(node(2)->params.raw, 0, sizeof(node(2)->params.raw));
	node(2)->params.clip.act = act;
}

TEST(clip_and_concat_nodes)
{
	sa_model *m = NULL;

	SETUP();
	add_to_clip(SA_ACT_RELU6);
	fx_rechecksum(file, file_size);
	CHECK_EQ_INT(fx_open(file, file_size, &m), SA_OK);
	if (m)
		CHECK_EQ_INT(m->nodes[2].op, DSM_OP_CLIP);
	sa_model_close(m);
	SETUP();
	add_to_clip(SA_ACT_RELU);
	hdr()->version_minor = 0;
	EXPECT_BAD("node 2 (clip): this node needs format version 1.1 (concat, clip, or an "
		   "average pool whose area is not a power of two) but the file says 1.0");
	SETUP();
	add_to_clip(SA_ACT_NONE);
	node(2)->inputs[1] = T_CONV2;
	EXPECT_BAD("node 2 (clip): inputs[1] is 5 but only add and concat have a second input");
	SETUP();
	add_to_clip(3);
	EXPECT_BAD("node 2 (clip): unknown activation");
	SETUP();
	add_to_clip(SA_ACT_NONE);
	node(2)->params.clip.reserved[14] = 1;
	EXPECT_BAD("node 2 (clip): clip: reserved parameter fields are not zero");
	SETUP();
	add_to_clip(SA_ACT_NONE);
	node(2)->params.raw[16] = 1;
	EXPECT_BAD("node 2 (clip): parameter byte 16 is unused by this op but not zero");
	SETUP();
	add_to_clip(SA_ACT_NONE);
	tensor(T_ADD)->exp = 13; /* 17 above conv1's -4 */
	EXPECT_BAD("node 2 (clip): clip: the input exponent differs from the output's by more "
		   "than SA_ADD_MAX_EXP_DIFF");
	SETUP();
	add_to_clip(SA_ACT_NONE);
	node(2)->weights = T_FC_W;
	EXPECT_BAD("node 2 (clip): this op takes no weights or bias");

	/* concat of conv1 and conv2 makes 16 channels, not the stored 8. */
	SETUP();
	hdr()->version_minor = 1;
	node(2)->op = DSM_OP_CONCAT;
	EXPECT_BAD("node 2 (concat): output tensor 6 (add1.out) is [8,8,8] i16 2^-5, which does "
		   "not match the [16,8,8] i16 2^-5 the op produces");
	SETUP();
	hdr()->version_minor = 1;
	node(2)->op = DSM_OP_CONCAT;
	node(2)->inputs[1] = DSM_NONE;
	EXPECT_BAD("node 2 (concat): input tensor 4294967295 does not exist");
	SETUP();
	hdr()->version_minor = 1;
	node(2)->op = DSM_OP_CONCAT;
	node(2)->inputs[1] = T_FC;
	EXPECT_BAD("node 2 (concat): input tensor 10 (logits) is used before it is produced");
	SETUP();
	hdr()->version_minor = 1;
	node(2)->op = DSM_OP_CONCAT;
	node(2)->params.concat.reserved[0] = 1;
	EXPECT_BAD("node 2 (concat): concat: reserved parameter fields are not zero");

	/* An op from a later minor version: named, with both versions. */
	SETUP();
	hdr()->version_minor = 2;
	node(3)->op = DSM_OP_LAST + 1;
	EXPECT_BAD("node 3: unknown op 10 (the file is format version 1.2; this library knows "
		   "ops 1..9 of format 1.1)");
}

TEST(node_params_out_of_range)
{
	SETUP();
	node(0)->params.conv.stride_w = 0;
	EXPECT_BAD("node 0 (conv): conv: stride is zero");
	SETUP();
	node(1)->params.conv.groups = 3;
	EXPECT_BAD("node 1 (conv): conv: groups does not divide the input channels");
	SETUP();
	node(0)->params.conv.act = 3;
	EXPECT_BAD("node 0 (conv): unknown activation");
	SETUP();
	node(4)->params.fc.flags |= 0x80;
	EXPECT_BAD("node 4 (fc): unknown flag bits set");
	SETUP();
	node(4)->params.fc.weight_base = -32;
	EXPECT_BAD("node 4 (fc): weight_base is outside");
	SETUP();
	node(2)->params.add.reserved[3] = 1;
	EXPECT_BAD("node 2 (add): add: reserved parameter fields are not zero");
	SETUP();
	node(3)->params.raw[0] = 1; /* global avgpool has no parameters */
	EXPECT_BAD("node 3 (global_avgpool): parameter byte 0 is unused by this op but not zero");
	SETUP();
	node(4)->params.raw[20] = 1;
	EXPECT_BAD("node 4 (fc): parameter byte 20 is unused");
}

TEST(node_requant_shift_out_of_range)
{
	SETUP();
	/* fc: r = exp_out - (exp_in + weight_base) = -24 - (-5 - 4) = -15 < -8 */
	tensor(T_FC)->exp = -24;
	EXPECT_BAD("node 4 (fc): fc: requantisation shift");
}

TEST(node_output_shape_mismatch)
{
	SETUP();
	tensor(T_CONV1)->dims[1] = 7;
	tensor(T_CONV1)->dims[2] = 7;
	/* conv2 now reads [8,7,7] and produces [8,7,7] into its [8,8,8] output. */
	EXPECT_BAD("node 0 (conv): output tensor 3 (conv1.out) is [8,7,7] i8 2^-4, which does not "
		   "match the [8,8,8] i8 2^-4 the op produces");
	SETUP();
	tensor(T_GAP)->exp = -4;
	EXPECT_BAD("node 3 (global_avgpool): output tensor 7 (global_avgpool1.out) is [8,1,1] i16 "
		   "2^-4, which does not match the [8,1,1] i16 2^-5");
	SETUP();
	node(1)->params.conv.out_channels = 4;
	EXPECT_BAD("node 1 (conv): weights tensor 4 (conv2.weights) has shape [8,4,3,3] but the op "
		   "needs [4,4,3,3]");
}

TEST(node_weight_and_bias_tensors)
{
	SETUP();
	node(0)->params.conv.weight_bits = 5;
	EXPECT_BAD(
		"node 0 (conv): the params say 5-bit weights but weights tensor 1 (conv1.weights) "
		"holds 4-bit codes");
	SETUP();
	node(0)->weights = T_CONV1_B;
	EXPECT_BAD("node 0 (conv): weights tensor 2 (conv1.bias) has dtype i32, not shift");
	SETUP();
	node(4)->bias = T_CONV1_B;
	EXPECT_BAD("node 4 (fc): bias tensor 2 (conv1.bias) has shape [8] but the op needs [10]");
	SETUP();
	node(4)->params.fc.flags = 0;
	EXPECT_BAD("node 4 (fc): has bias tensor 9 but SA_PARAM_HAS_BIAS is not set");
	SETUP();
	node(1)->params.conv.flags = SA_PARAM_HAS_BIAS;
	EXPECT_BAD("node 1 (conv): bias tensor 4294967295 does not exist");
}

/* ------------------------------------------------------ graph, labels */

TEST(graph_input_output)
{
	SETUP();
	graph()->input = T_CONV1_W;
	EXPECT_BAD("graph: input tensor 1 (conv1.weights) is a constant");
	SETUP();
	graph()->output = 11;
	EXPECT_BAD("graph: output tensor 11 does not exist");
	SETUP();
	graph()->output = T_INPUT;
	EXPECT_BAD("graph: the output tensor is the graph input");
	SETUP();
	graph()->reserved[5] = 1;
	EXPECT_BAD("graph: reserved fields are not zero");
	SETUP();
	sec(DSM_SEC_GRAPH)->size = 0;
	EXPECT_BAD("section GRAPH must hold exactly one record, not 0");
}

TEST(graph_normalisation)
{
	SETUP();
	graph()->std[1] = 0.0f;
	EXPECT_BAD("graph: std[1] is 0; it must be positive and finite");
	SETUP();
	graph()->std[2] = -0.5f;
	EXPECT_BAD("graph: std[2] is -0.5");
	SETUP();
	graph()->std[0] = INFINITY;
	EXPECT_BAD("graph: std[0] is inf");
	SETUP();
	graph()->mean[0] = NAN;
	EXPECT_BAD("graph: mean[0] is not a finite number");
	SETUP();
	graph()->mean[3] = 1.0f;
	EXPECT_BAD("graph: mean[3]/std[3] are set but the input has 3 channels");
}

TEST(graph_input_channels_limit)
{
	SETUP();
	/* 5-channel input: conv1's weights then mismatch, but the graph is checked first. */
	tensor(T_INPUT)->dims[0] = 5;
	EXPECT_BAD("graph: the input has 5 channels; at most 4 are supported");
}

TEST(labels_count_mismatch)
{
	SETUP();
	sec(DSM_SEC_LABELS)->size -= sizeof(struct dsm_label);
	EXPECT_BAD(
		"section LABELS holds 9 labels but the output tensor 10 (logits) has 10 elements");
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(major_version_2_is_a_version_error);
	RUN(major_version_0_is_a_version_error);
	RUN(newer_minor_version_is_accepted);
	RUN(header_reserved_must_be_zero);
	RUN(header_size_too_small);
	RUN(header_size_covering_the_table);
	RUN(section_count_huge);
	RUN(section_table_offset_out_of_file);
	RUN(section_table_offset_misaligned);
	RUN(section_offset_beyond_file);
	RUN(section_size_beyond_file);
	RUN(section_size_wrapping_around);
	RUN(sections_overlapping);
	RUN(section_overlapping_header_or_table);
	RUN(section_misaligned);
	RUN(section_reserved_must_be_zero);
	RUN(section_kind_twice);
	RUN(required_section_missing);
	RUN(entry_size_smaller_than_record);
	RUN(section_size_not_multiple_of_entry_size);
	RUN(blob_with_entry_size);
	RUN(larger_entry_size_is_accepted);
	RUN(unknown_section_is_skipped_but_bounds_checked);
	RUN(string_table_not_terminated);
	RUN(string_table_not_utf8);
	RUN(string_id_out_of_range);
	RUN(meta_keys_unique_and_nonempty);
	RUN(tensor_bad_dtype);
	RUN(tensor_bad_kind_rank_exp_reserved);
	RUN(tensor_dims_zero_or_unused_set);
	RUN(tensor_element_count_overflow);
	RUN(tensor_data_misaligned_or_outside);
	RUN(tensor_wrong_data_size);
	RUN(weight_code_negative_zero);
	RUN(weight_nonzero_trailing_bits);
	RUN(node_uses_tensor_before_it_is_produced);
	RUN(node_cycle_and_duplicate_producer);
	RUN(activation_without_producer);
	RUN(node_bad_op_and_references);
	RUN(clip_and_concat_nodes);
	RUN(node_params_out_of_range);
	RUN(node_requant_shift_out_of_range);
	RUN(node_output_shape_mismatch);
	RUN(node_weight_and_bias_tensors);
	RUN(graph_input_output);
	RUN(graph_normalisation);
	RUN(graph_input_channels_limit);
	RUN(labels_count_mismatch);
	free(file);
	CHECK_MAIN_END();
}
