// SPDX-License-Identifier: MIT
/*
 * The card compiler (libshiftaccel/src/accel_compile.h) without a card:
 * every test model is compiled, its descriptors are checked against the
 * firmware's limits and executed here with the reference kernels on a
 * host copy of "device memory" (VAs translated by region), and the output
 * must be byte-identical to the CPU backend.  Also: the memory plan reuses
 * activation buffers, the input keeps its own, a too-large fc is split.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../libshiftaccel/src/accel_compile.h"
#include "../check.h"
#include "../unit/dsm_fixture.h"
#include "test_models.h"

#define CONST_VA 0x100000ull
#define ACT_VA 0x40000000ull

struct devmem {
	uint8_t *consts, *acts;
	size_t const_bytes, act_bytes;
};

/* Host pointer for [va, va + len) inside one region, NULL when it is not all inside. */
static uint8_t *at(const struct devmem *m, uint64_t va, uint64_t len)
{
	if (va >= CONST_VA && va + len <= CONST_VA + m->const_bytes)
		return m->consts + (va - CONST_VA);
	if (va >= ACT_VA && va + len <= ACT_VA + m->act_bytes)
		return m->acts + (va - ACT_VA);
	return NULL;
}

static struct sa_shape shape_of(const struct sa_hw_tensor *t)
{
	return (struct sa_shape){.c = t->c, .h = t->h, .w = t->w, .dtype = t->dtype, .exp = t->exp};
}

static uint64_t tensor_bytes(const struct sa_hw_tensor *t)
{
	return (uint64_t)t->c * t->h * t->w * (t->dtype == SA_DTYPE_I16 ? 2 : 1);
}

/* Runs one descriptor like the card would; a message when it breaks a descriptor rule. */
static const char *run_desc(const struct devmem *m, const struct sa_hw_desc *d)
{
	const struct sa_hw_layer *l = &d->u.layer;
	struct sa_shape in = shape_of(&l->in), out = shape_of(&l->out), want = out, in_b;
	uint8_t *x = at(m, l->in.addr, tensor_bytes(&l->in));
	uint8_t *y = at(m, l->out.addr, tensor_bytes(&l->out));
	const char *why = NULL;
	uint64_t nw = 0, macs = 0;
	int8_t *k = NULL;

	if (!x || !y)
		return "tensor outside device memory";
	if (tensor_bytes(&l->in) > SA_TE_MAX_ACT_BYTES ||
	    tensor_bytes(&l->out) > SA_TE_MAX_ACT_BYTES)
		return "activation larger than SA_TE_MAX_ACT_BYTES";
	switch (d->opcode) {
	case SA_OP_CONV:
		why = sa_check_conv(&in, &l->params.conv, &want);
		nw = (uint64_t)out.c * (in.c / l->params.conv.groups) * l->params.conv.kernel_h *
		     l->params.conv.kernel_w;
		macs = nw * out.h * out.w;
		break;
	case SA_OP_FC:
		why = sa_check_fc(&in, &l->params.fc, &want);
		nw = macs = (uint64_t)out.c * in.c * in.h * in.w;
		break;
	case SA_OP_MAXPOOL: why = sa_check_maxpool(&in, &l->params.pool, &want); break;
	case SA_OP_AVGPOOL: why = sa_check_avgpool(&in, &l->params.pool, &want); break;
	case SA_OP_GLOBAL_AVGPOOL: why = sa_check_global_avgpool(&in, &want); break;
	case SA_OP_ADD:
		in_b = shape_of(&l->in_b);
		why = sa_check_add(&in, &in_b, &l->params.add, &want);
		break;
	default: return "not a layer opcode";
	}
	if (why)
		return why;
	if (want.c != out.c || want.h != out.h || want.w != out.w)
		return "out shape is not what the op computes";
	if (nw > SA_TE_MAX_WEIGHTS || macs > SA_TE_MAX_MACS)
		return "more weights or shift-adds than one descriptor may carry";
	if (nw) {
		unsigned bits = d->opcode == SA_OP_CONV ? l->params.conv.weight_bits
							: l->params.fc.weight_bits;
		const uint8_t *packed = at(m, l->weights, sa_weight_packed_size(nw, bits));
		int has_bias =
			(d->opcode == SA_OP_CONV ? l->params.conv.flags : l->params.fc.flags) &
			SA_PARAM_HAS_BIAS;
		const int32_t *bias =
			has_bias
				? (const int32_t *)(const void *)at(m, l->bias, (uint64_t)out.c * 4)
				: NULL;

		k = malloc(nw);
		if (!packed || (has_bias && !bias) || !k ||
		    sa_weight_unpack(packed, nw, bits, k) != 0) {
			free(k);
			return "weights or bias unreadable";
		}
		if (d->opcode == SA_OP_CONV)
			sa_ref_conv(&in, x, &l->params.conv, k, bias, &out, y);
		else
			sa_ref_fc(&in, x, &l->params.fc, k, bias, &out, y);
		free(k);
	} else if (d->opcode == SA_OP_MAXPOOL) {
		sa_ref_maxpool(&in, x, &l->params.pool, &out, y);
	} else if (d->opcode == SA_OP_AVGPOOL) {
		sa_ref_avgpool(&in, x, &l->params.pool, &out, y);
	} else if (d->opcode == SA_OP_GLOBAL_AVGPOOL) {
		sa_ref_global_avgpool(&in, x, &out, y);
	} else {
		uint8_t *xb = at(m, l->in_b.addr, tensor_bytes(&l->in_b));

		if (!xb)
			return "in_b outside device memory";
		sa_ref_add(&in, x, &in_b, xb, &l->params.add, &out, y);
	}
	return NULL;
}

struct compiled {
	sa_model *model;
	struct sa_accel_program prog;
	struct sa_hw_desc *descs;
	struct devmem mem;
};

static int compile_model(unsigned i, struct compiled *c)
{
	void *data = NULL;
	size_t size = 0;

	memset(c, 0, sizeof(*c));
	if (accel_test_model(i, &data, &size) != SA_OK ||
	    sa_model_open_memory(data, size, accel_test_model_name(i), &c->model) != SA_OK) {
		free(data);
		return -1;
	}
	free(data);
	if (sa_accel_compile(c->model, &c->prog) != SA_OK)
		return -1;
	c->descs = calloc(c->prog.num_steps, sizeof(*c->descs));
	c->mem.const_bytes = c->prog.const_bytes;
	c->mem.act_bytes = c->prog.act_bytes;
	c->mem.consts = calloc(1, c->prog.const_bytes + 1);
	c->mem.acts = calloc(1, c->prog.act_bytes);
	if (!c->descs || !c->mem.consts || !c->mem.acts ||
	    sa_accel_write_constants(c->model, &c->prog, c->mem.consts) != SA_OK)
		return -1;
	sa_accel_emit(c->model, &c->prog, CONST_VA, ACT_VA, c->descs);
	return 0;
}

static void compiled_free(struct compiled *c)
{
	free(c->descs);
	free(c->mem.consts);
	free(c->mem.acts);
	sa_accel_program_free(&c->prog);
	sa_model_close(c->model);
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1664525u + 1013904223u;
		p[i] = (uint8_t)(seed >> 13);
		if (i & 1)
			p[i] = (uint8_t)((int8_t)p[i] >> 3); /* int16 inputs stay moderate */
	}
}

TEST(every_model_runs_bit_exact_from_its_descriptors)
{
	for (unsigned i = 0; accel_test_model_name(i); i++) {
		struct compiled c;
		sa_session *cpu = NULL;
		uint8_t *want = NULL;
		int ok = compile_model(i, &c) == 0 &&
			 sa_session_create(c.model, SA_DEVICE_CPU, &cpu) == SA_OK;

		want = ok ? malloc(c.prog.output_bytes) : NULL;
		for (int run = 0; ok && want && run < 2; run++) {
			fill(c.mem.acts + c.prog.input_off, c.prog.input_bytes, 77 + run + i);
			ok = sa_session_run_quantized(cpu, c.mem.acts + c.prog.input_off, want) ==
			     SA_OK;
			for (uint32_t d = 0; ok && d < c.prog.num_steps; d++) {
				const char *why = run_desc(&c.mem, &c.descs[d]);

				if (why)
					fprintf(stderr, "  %s: descriptor %u: %s\n",
						accel_test_model_name(i), d, why);
				ok = why == NULL;
			}
			ok = ok &&
			     memcmp(want, c.mem.acts + c.prog.output_off, c.prog.output_bytes) == 0;
		}
		if (!ok)
			fprintf(stderr, "  model %s failed: %s\n", accel_test_model_name(i),
				sa_last_error());
		free(want);
		sa_session_destroy(cpu);
		compiled_free(&c);
		CHECK(ok && want);
	}
}

TEST(activation_buffers_are_reused_and_the_input_is_kept)
{
	struct compiled c;
	const struct sa_model *m;
	size_t total = 0;

	CHECK_EQ_INT(compile_model(1, &c), 0); /* residual: 11 activation tensors */
	m = c.model;
	for (uint32_t t = 0; t < m->num_tensors; t++) {
		if (c.prog.act_off[t] != UINT64_MAX)
			total += sa_shape_elems(&m->tensors[t].shape) *
				 (m->tensors[t].shape.dtype == SA_DTYPE_I16 ? 2 : 1);
	}
	/* Reuse: the arena is smaller than one buffer per tensor would be. */
	CHECK(c.prog.act_bytes < total);
	/* No layer writes over the input, nor over one of its own inputs. */
	for (uint32_t d = 0; d < c.prog.num_steps; d++) {
		const struct sa_hw_layer *l = &c.descs[d].u.layer;
		uint64_t o0 = l->out.addr, o1 = o0 + tensor_bytes(&l->out);
		uint64_t i0 = ACT_VA + c.prog.input_off, i1 = i0 + c.prog.input_bytes;

		CHECK(o1 <= i0 || o0 >= i1);
		CHECK(o1 <= l->in.addr || o0 >= l->in.addr + tensor_bytes(&l->in));
		if (c.descs[d].opcode == SA_OP_ADD)
			CHECK(o1 <= l->in_b.addr || o0 >= l->in_b.addr + tensor_bytes(&l->in_b));
		/* Tags name the node, so a card error can say which layer failed. */
		CHECK(c.descs[d].tag < m->num_nodes);
		CHECK_EQ_INT(c.descs[d].flags, 0);
	}
	compiled_free(&c);
}

TEST(an_fc_over_the_weight_limit_is_split_over_its_features)
{
	struct compiled c;
	uint32_t features = 0, fc_parts = 0;
	uint64_t next_out = 0;

	CHECK_EQ_INT(compile_model(3, &c), 0); /* fc_split: 2048 x 2100 weights */
	for (uint32_t d = 0; d < c.prog.num_steps; d++) {
		const struct sa_hw_layer *l = &c.descs[d].u.layer;

		if (c.descs[d].tag != c.descs[0].tag)
			break;
		CHECK((uint64_t)l->params.fc.out_features * 2048 <= SA_TE_MAX_WEIGHTS);
		CHECK_EQ_INT(l->out.c, l->params.fc.out_features);
		/* The parts write consecutive slices of one output tensor. */
		CHECK(d == 0 || l->out.addr == next_out);
		next_out = l->out.addr + l->out.c;
		features += l->params.fc.out_features;
		fc_parts++;
	}
	CHECK(fc_parts >= 2);
	CHECK_EQ_INT(features, 2100);
	compiled_free(&c);
}

/* Without a card a batch is the same as single runs, in order. */
TEST(a_cpu_batch_equals_single_runs)
{
	struct compiled c;
	sa_session *cpu = NULL;
	uint8_t *ins, *outs, *one;
	int ok;

	CHECK_EQ_INT(compile_model(0, &c), 0);
	ins = malloc(3 * c.prog.input_bytes);
	outs = malloc(3 * c.prog.output_bytes);
	one = malloc(c.prog.output_bytes);
	ok = ins && outs && one && sa_session_create(c.model, SA_DEVICE_CPU, &cpu) == SA_OK;
	if (ok) {
		fill(ins, 3 * c.prog.input_bytes, 5);
		ok = sa_session_run_batch_quantized(cpu, 3, ins, outs) == SA_OK;
	}
	for (int j = 0; ok && j < 3; j++)
		ok = sa_session_run_quantized(cpu, ins + j * c.prog.input_bytes, one) == SA_OK &&
		     memcmp(one, outs + j * c.prog.output_bytes, c.prog.output_bytes) == 0;
	/* Different inputs give different logits: the comparison means something. */
	ok = ok && memcmp(outs, outs + c.prog.output_bytes, c.prog.output_bytes) != 0;
	sa_session_destroy(cpu);
	free(ins);
	free(outs);
	free(one);
	compiled_free(&c);
	CHECK(ok);
}

/* Opens what a builder describes; NULL (and the builder destroyed) on failure. */
static sa_model *open_built(sa_builder *b)
{
	void *data = NULL;
	size_t size = 0;
	sa_model *m = NULL;

	if (b && sa_builder_write_memory(b, &data, &size) == SA_OK)
		sa_model_open_memory(data, size, "ops.dsm", &m);
	sa_builder_destroy(b);
	free(data);
	return m;
}

/* input [2,3,3] i8 -> conv 1x1 -> clip ReLU6: the clip is node 1. */
static sa_builder *clip_builder(void)
{
	static const int8_t w[4] = {1, 1, -1, 1};
	const struct sa_conv_params pw = {1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 2, 3, -1, 0, 0};
	const struct sa_clip_params relu6 = {.act = SA_ACT_RELU6};
	sa_builder *b = NULL;
	uint32_t t;

	if (sa_builder_create(&b) != SA_OK ||
	    sa_builder_input(b, 2, 3, 3, SA_DTYPE_I8, -4, NULL, NULL, &t) != SA_OK ||
	    sa_builder_conv(b, t, &pw, w, NULL, SA_DTYPE_I8, -4, &t) != SA_OK ||
	    sa_builder_clip(b, t, &relu6, SA_DTYPE_I8, -4, &t) != SA_OK ||
	    sa_builder_set_output(b, t) != SA_OK) {
		sa_builder_destroy(b);
		return NULL;
	}
	return b;
}

/*
 * Concat and clip have no card descriptor yet (issue 13): compiling refuses
 * them by name and node, an ACCEL session fails with that message (card or
 * no card: the model is compiled first), and AUTO runs them on the CPU
 * saying why.
 */
TEST(concat_and_clip_are_refused_by_the_card_compiler)
{
	struct {
		sa_model *m;
		const char *why;
	} cases[2] = {{open_built(fx_v11_builder()), "op concat (node 1) is not supported by the "
						     "card yet"},
		      {open_built(clip_builder()), "op clip (node 1) is not supported by the card "
						   "yet"}};

	for (int i = 0; i < 2; i++) {
		struct sa_accel_program prog;
		sa_session *s = NULL;

		CHECK(cases[i].m != NULL);
		if (!cases[i].m)
			continue;
		CHECK_EQ_INT(sa_accel_compile(cases[i].m, &prog), SA_ERR_UNSUPPORTED);
		CHECK_STR_CONTAINS(sa_last_error(), cases[i].why);
		CHECK_EQ_INT(sa_session_create(cases[i].m, SA_DEVICE_ACCEL, &s),
			     SA_ERR_UNSUPPORTED);
		CHECK_STR_CONTAINS(sa_last_error(), cases[i].why);
		CHECK_EQ_INT(sa_session_create(cases[i].m, SA_DEVICE_AUTO, &s), SA_OK);
		if (s) {
			CHECK_EQ_INT(sa_session_device(s), SA_DEVICE_CPU);
			CHECK_STR_CONTAINS(sa_session_fallback_reason(s), cases[i].why);
		}
		sa_session_destroy(s);
		sa_model_close(cases[i].m);
	}
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(every_model_runs_bit_exact_from_its_descriptors);
	RUN(activation_buffers_are_reused_and_the_input_is_kept);
	RUN(an_fc_over_the_weight_limit_is_split_over_its_features);
	RUN(a_cpu_batch_equals_single_runs);
	RUN(concat_and_clip_are_refused_by_the_card_compiler);
	CHECK_MAIN_END();
}
