// SPDX-License-Identifier: MIT
/*
 * The CPU backend (cpu_backend.h): walks the model's nodes in their stored
 * topological order and calls the integer kernels (the fast conv/fc of
 * cpu_fast.h where they are provably exact, the reference kernels of
 * kernels/ otherwise) or the float path ops (cpu_float.c) on the activation
 * buffers of buffer_plan.h.
 */
#include "cpu_backend.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buffer_plan.h"
#include "cpu_fast.h"
#include "cpu_float.h"
#include "error.h"

/* What a conv or fc node needs at run time, prepared once. */
struct cpu_node {
	int8_t *weights;	    /* integer path: unpacked signed k; NULL when `fast` runs it */
	int32_t *bias;		    /* integer path: at accumulator scale, or NULL */
	double *real_weights;	    /* float path: sign * 2^(weight_base + k - 1) */
	double *real_bias;	    /* float path: bias * 2^(exp_in + weight_base), or NULL */
	struct sa_fast_layer *fast; /* integer path: the fast kernel, or NULL for the reference */
};

/* The conv/fc kernels of the integer path, from SHIFTACCEL_CPU_KERNELS. */
enum cpu_kernels {
	CPU_KERNELS_AUTO,      /* fast where exact, AVX2 if the CPU has it (default) */
	CPU_KERNELS_PORTABLE,  /* fast where exact, plain C kernels only */
	CPU_KERNELS_REFERENCE, /* the reference kernels everywhere */
};

struct sa_cpu {
	const struct sa_model *model;
	int float_path;
	struct cpu_node *nodes; /* one per model node */
	void **act;		/* per tensor: its buffer (a slot), NULL for constants */
	void **slots;		/* the activation buffers (buffer_plan.h) */
	uint32_t num_slots;
	void *scratch; /* the fast kernels' im2col / widened input, shared by all nodes */
};

static size_t elem_size(const struct sa_cpu *cpu, uint8_t dtype)
{
	if (cpu->float_path)
		return sizeof(double);
	return dtype == SA_DTYPE_I8 ? 1 : 2;
}

static int32_t read_le32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

/* Unpacks the weights (and decodes the bias) of conv/fc node i. */
static sa_status prepare_weights(struct sa_cpu *cpu, uint32_t i, uint8_t bits, int weight_base)
{
	const struct sa_model *m = cpu->model;
	const struct sa_model_node *n = &m->nodes[i];
	const struct sa_model_tensor *wt = &m->tensors[n->weights];
	const struct sa_shape *in = &m->tensors[n->inputs[0]].shape;
	struct cpu_node *cn = &cpu->nodes[i];
	size_t count = (size_t)wt->elems;

	cn->weights = malloc(count ? count : 1);
	if (!cn->weights)
		return sa_fail(SA_ERR_NO_MEMORY,
			       "%s: out of memory unpacking %zu weights of node %u", m->name, count,
			       i);
	if (wt->data_size < sa_weight_packed_size(count, bits) ||
	    sa_weight_unpack(wt->data, count, bits, cn->weights) != 0)
		return sa_fail(SA_ERR_BAD_MODEL,
			       "%s: node %u: weights tensor %u (%s) holds invalid %u-bit codes "
			       "(negative zero or non-zero padding bits)",
			       m->name, i, n->weights, wt->name, bits);
	if (n->bias != DSM_NONE) {
		const struct sa_model_tensor *bt = &m->tensors[n->bias];
		const uint8_t *src = bt->data;

		cn->bias = malloc((size_t)bt->elems * sizeof(*cn->bias));
		if (!cn->bias)
			return sa_fail(SA_ERR_NO_MEMORY,
				       "%s: out of memory for the bias of node %u", m->name, i);
		for (size_t j = 0; j < bt->elems; j++)
			cn->bias[j] = read_le32(src + 4 * j);
	}
	if (!cpu->float_path)
		return SA_OK;

	/* The float path works on the real values the codes stand for. */
	cn->real_weights = malloc((count ? count : 1) * sizeof(double));
	if (!cn->real_weights)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory for the weights of node %u",
			       m->name, i);
	for (size_t j = 0; j < count; j++)
		cn->real_weights[j] = sa_float_weight(cn->weights[j], weight_base);
	if (cn->bias) {
		size_t nb = (size_t)m->tensors[n->bias].elems;

		cn->real_bias = malloc(nb * sizeof(double));
		if (!cn->real_bias)
			return sa_fail(SA_ERR_NO_MEMORY,
				       "%s: out of memory for the bias of node %u", m->name, i);
		for (size_t j = 0; j < nb; j++)
			cn->real_bias[j] = ldexp((double)cn->bias[j], in->exp + weight_base);
	}
	return SA_OK;
}

static sa_status kernels_from_env(const struct sa_model *m, enum cpu_kernels *out)
{
	const char *v = getenv("SHIFTACCEL_CPU_KERNELS");

	if (!v || !*v || !strcmp(v, "auto"))
		*out = CPU_KERNELS_AUTO;
	else if (!strcmp(v, "portable"))
		*out = CPU_KERNELS_PORTABLE;
	else if (!strcmp(v, "reference"))
		*out = CPU_KERNELS_REFERENCE;
	else
		return sa_fail(
			SA_ERR_INVALID_ARGUMENT,
			"%s: SHIFTACCEL_CPU_KERNELS=%s: expected auto, portable or reference",
			m->name, v);
	return SA_OK;
}

/*
 * The fast kernel of conv/fc node i, when int32 accumulation is provably
 * exact for it (cpu_fast.h); the node keeps the reference kernel otherwise.
 */
static sa_status prepare_fast(struct sa_cpu *cpu, uint32_t i, enum cpu_kernels kernels,
			      size_t *scratch_bytes)
{
	const struct sa_model *m = cpu->model;
	const struct sa_model_node *n = &m->nodes[i];
	const struct sa_shape *in = &m->tensors[n->inputs[0]].shape;
	const struct sa_shape *out = &m->tensors[n->output].shape;
	struct cpu_node *cn = &cpu->nodes[i];
	enum sa_fast_isa isa = kernels == CPU_KERNELS_PORTABLE ? SA_FAST_PORTABLE : SA_FAST_BEST;
	sa_status st;

	if (n->op == DSM_OP_CONV)
		st = sa_fast_conv_create(in, &n->rec->params.conv, cn->weights, cn->bias, out, isa,
					 &cn->fast);
	else
		st = sa_fast_fc_create(in, &n->rec->params.fc, cn->weights, cn->bias, out, isa,
				       &cn->fast);
	if (st != SA_OK) {
		char why[256]; /* sa_fail overwrites sa_last_error()'s buffer */

		snprintf(why, sizeof(why), "%s", sa_last_error());
		return sa_fail(st, "%s: node %u: %s", m->name, i, why);
	}
	if (!cn->fast)
		return SA_OK;
	if (sa_fast_scratch_bytes(cn->fast) > *scratch_bytes)
		*scratch_bytes = sa_fast_scratch_bytes(cn->fast);
	/* The fast layer holds its own copy of the weights; the reference's goes. */
	free(cn->weights);
	cn->weights = NULL;
	return SA_OK;
}

/* Activation buffers: one per slot of the lifetime plan, shared by tensors. */
static sa_status allocate_activations(struct sa_cpu *cpu)
{
	const struct sa_model *m = cpu->model;
	struct sa_buffer_plan plan = {0};
	sa_status st = sa_buffer_plan_build(m, cpu->float_path ? sizeof(double) : 0, &plan);

	if (st != SA_OK)
		return st;
	cpu->slots = calloc(plan.num_slots, sizeof(*cpu->slots));
	if (!cpu->slots)
		st = sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory for activation buffers", m->name);
	for (uint32_t s = 0; st == SA_OK && s < plan.num_slots; s++) {
		cpu->slots[cpu->num_slots] = calloc(1, plan.slot_bytes[s]);
		if (!cpu->slots[cpu->num_slots++])
			st = sa_fail(SA_ERR_NO_MEMORY,
				     "%s: out of memory for a %zu-byte activation buffer", m->name,
				     plan.slot_bytes[s]);
	}
	for (uint32_t t = 0; st == SA_OK && t < m->num_tensors; t++) {
		if (m->tensors[t].kind == DSM_TENSOR_ACTIVATION)
			cpu->act[t] = cpu->slots[plan.slot_of[t]];
	}
	sa_buffer_plan_free(&plan);
	return st;
}

sa_status sa_cpu_create(const struct sa_model *model, int float_path, struct sa_cpu **out)
{
	struct sa_cpu *cpu = calloc(1, sizeof(*cpu));
	enum cpu_kernels kernels = CPU_KERNELS_AUTO;
	size_t scratch_bytes = 1;
	sa_status st = SA_OK;

	if (!cpu)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory for a CPU session",
			       model->name);
	cpu->model = model;
	cpu->float_path = float_path;
	cpu->nodes = calloc(model->num_nodes, sizeof(*cpu->nodes));
	cpu->act = calloc(model->num_tensors, sizeof(*cpu->act));
	if (!cpu->nodes || !cpu->act)
		st = sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory for a CPU session", model->name);
	if (st == SA_OK && !float_path)
		st = kernels_from_env(model, &kernels);
	for (uint32_t i = 0; i < model->num_nodes && st == SA_OK; i++) {
		const struct sa_model_node *n = &model->nodes[i];

		if (n->op == DSM_OP_CONV)
			st = prepare_weights(cpu, i, n->rec->params.conv.weight_bits,
					     n->rec->params.conv.weight_base);
		else if (n->op == DSM_OP_FC)
			st = prepare_weights(cpu, i, n->rec->params.fc.weight_bits,
					     n->rec->params.fc.weight_base);
		if (st == SA_OK && !float_path && kernels != CPU_KERNELS_REFERENCE &&
		    (n->op == DSM_OP_CONV || n->op == DSM_OP_FC))
			st = prepare_fast(cpu, i, kernels, &scratch_bytes);
	}
	if (st == SA_OK && !float_path) {
		cpu->scratch = malloc(scratch_bytes);
		if (!cpu->scratch)
			st = sa_fail(SA_ERR_NO_MEMORY,
				     "%s: out of memory for %zu bytes of kernel scratch memory",
				     model->name, scratch_bytes);
	}
	if (st == SA_OK)
		st = allocate_activations(cpu);
	if (st != SA_OK) {
		sa_cpu_destroy(cpu);
		return st;
	}
	*out = cpu;
	return SA_OK;
}

void sa_cpu_destroy(struct sa_cpu *cpu)
{
	if (!cpu)
		return;
	for (uint32_t i = 0; cpu->nodes && i < cpu->model->num_nodes; i++) {
		free(cpu->nodes[i].weights);
		free(cpu->nodes[i].bias);
		free(cpu->nodes[i].real_weights);
		free(cpu->nodes[i].real_bias);
		sa_fast_destroy(cpu->nodes[i].fast);
	}
	free(cpu->scratch);
	for (uint32_t s = 0; s < cpu->num_slots; s++)
		free(cpu->slots[s]);
	free(cpu->slots);
	free(cpu->nodes);
	free(cpu->act);
	free(cpu);
}

static void run_node_integer(struct sa_cpu *cpu, uint32_t i)
{
	const struct sa_model *m = cpu->model;
	const struct sa_model_node *n = &m->nodes[i];
	const struct dsm_node *rec = n->rec;
	const struct sa_shape *in = &m->tensors[n->inputs[0]].shape;
	const struct sa_shape *out = &m->tensors[n->output].shape;
	const struct cpu_node *cn = &cpu->nodes[i];
	const void *x = cpu->act[n->inputs[0]];
	void *y = cpu->act[n->output];

	if (cn->fast) {
		sa_fast_run(cn->fast, x, y, cpu->scratch);
		return;
	}
	switch (n->op) {
	case DSM_OP_CONV:
		sa_ref_conv(in, x, &rec->params.conv, cn->weights, cn->bias, out, y);
		break;
	case DSM_OP_FC: sa_ref_fc(in, x, &rec->params.fc, cn->weights, cn->bias, out, y); break;
	case DSM_OP_MAXPOOL: sa_ref_maxpool(in, x, &rec->params.pool, out, y); break;
	case DSM_OP_AVGPOOL: sa_ref_avgpool(in, x, &rec->params.pool, out, y); break;
	case DSM_OP_GLOBAL_AVGPOOL: sa_ref_global_avgpool(in, x, out, y); break;
	case DSM_OP_ADD:
		sa_ref_add(in, x, &m->tensors[n->inputs[1]].shape, cpu->act[n->inputs[1]],
			   &rec->params.add, out, y);
		break;
	case DSM_OP_CONCAT:
		sa_ref_concat(in, x, &m->tensors[n->inputs[1]].shape, cpu->act[n->inputs[1]],
			      &rec->params.concat, out, y);
		break;
	case DSM_OP_CLIP: sa_ref_clip(in, x, &rec->params.clip, out, y); break;
	default: /* DSM_OP_FLATTEN: the output aliases the input */ break;
	}
}

static void run_node_float(struct sa_cpu *cpu, uint32_t i)
{
	const struct sa_model *m = cpu->model;
	const struct sa_model_node *n = &m->nodes[i];
	const struct dsm_node *rec = n->rec;
	const struct sa_shape *in = &m->tensors[n->inputs[0]].shape;
	const struct sa_shape *out = &m->tensors[n->output].shape;
	const struct cpu_node *cn = &cpu->nodes[i];
	const double *x = cpu->act[n->inputs[0]];
	double *y = cpu->act[n->output];

	switch (n->op) {
	case DSM_OP_CONV:
		sa_float_conv(in, x, &rec->params.conv, cn->real_weights, cn->real_bias, out, y);
		break;
	case DSM_OP_FC:
		sa_float_fc(in, x, &rec->params.fc, cn->real_weights, cn->real_bias, out, y);
		break;
	case DSM_OP_MAXPOOL: sa_float_maxpool(in, x, &rec->params.pool, out, y); break;
	case DSM_OP_AVGPOOL: sa_float_avgpool(in, x, &rec->params.pool, out, y); break;
	case DSM_OP_GLOBAL_AVGPOOL: sa_float_global_avgpool(in, x, y); break;
	case DSM_OP_ADD:
		sa_float_add(sa_shape_elems(out), x, cpu->act[n->inputs[1]], &rec->params.add, y);
		break;
	case DSM_OP_CONCAT:
		sa_float_concat(sa_shape_elems(in), x,
				sa_shape_elems(&m->tensors[n->inputs[1]].shape),
				cpu->act[n->inputs[1]], rec->params.concat.act, y);
		break;
	case DSM_OP_CLIP:
		sa_float_concat(sa_shape_elems(in), x, 0, NULL, rec->params.clip.act, y);
		break;
	default: /* DSM_OP_FLATTEN: the output aliases the input */ break;
	}
}

sa_status sa_cpu_run_quantized(struct sa_cpu *cpu, const void *input, void *output)
{
	const struct sa_model *m = cpu->model;
	const struct sa_shape *is = &m->tensors[m->input].shape;
	const struct sa_shape *os = &m->tensors[m->output].shape;

	if (cpu->float_path)
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: the float path (SA_DEVICE_CPU_FLOAT) has no "
			       "quantized interface; use sa_session_run",
			       m->name);
	memcpy(cpu->act[m->input], input, sa_shape_elems(is) * elem_size(cpu, is->dtype));
	for (uint32_t i = 0; i < m->num_nodes; i++)
		run_node_integer(cpu, i);
	memcpy(output, cpu->act[m->output], sa_shape_elems(os) * elem_size(cpu, os->dtype));
	return SA_OK;
}

int sa_cpu_node_is_fast(const struct sa_cpu *cpu, uint32_t node)
{
	return node < cpu->model->num_nodes && cpu->nodes[node].fast != NULL;
}

sa_status sa_cpu_run_float(struct sa_cpu *cpu, const float *input, float *output)
{
	const struct sa_model *m = cpu->model;
	double *x = cpu->act[m->input];
	const double *y = cpu->act[m->output];
	size_t n_in = sa_shape_elems(&m->tensors[m->input].shape);
	size_t n_out = sa_shape_elems(&m->tensors[m->output].shape);

	if (!cpu->float_path)
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: this CPU session runs the integer kernels, "
			       "not the float path",
			       m->name);
	for (size_t i = 0; i < n_in; i++)
		x[i] = input[i];
	for (uint32_t i = 0; i < m->num_nodes; i++)
		run_node_float(cpu, i);
	for (size_t i = 0; i < n_out; i++)
		output[i] = (float)y[i];
	return SA_OK;
}
