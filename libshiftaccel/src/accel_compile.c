// SPDX-License-Identifier: MIT
/*
 * Model compiler for the card (accel_compile.h): memory plan, layer
 * splitting against the engine's limits, constants and descriptors.
 */
#include "accel_compile.h"

#include <stdlib.h>
#include <string.h>

#include "buffer_plan.h"
#include "dsm.h"
#include "error.h"

#define NONE UINT64_MAX
/* Slots start 64-byte aligned: int16 tensors need 2, and cache lines are kinder. */
#define SLOT_ALIGN 64

static size_t elem_bytes(uint8_t dtype)
{
	return dtype == SA_DTYPE_I16 ? 2 : 1;
}

static size_t shape_bytes(const struct sa_shape *s)
{
	return sa_shape_elems(s) * elem_bytes(s->dtype);
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

/*
 * How a node divides into units that may go to separate descriptors: a
 * unit's output is unit_out_c channels of the output, and when unit_in_c is
 * not 0 it reads only its own unit_in_c channels of the input (grouped conv,
 * pools, add); per unit it costs the given weights and shift-adds.
 */
struct node_units {
	uint32_t count;
	uint32_t unit_in_c, unit_out_c;
	uint64_t weights, shift_adds;
	uint64_t whole_in_bytes; /* input bytes every descriptor reads in full (0: sliced) */
};

static void node_units(const struct sa_model *m, const struct sa_model_node *n,
		       struct node_units *u)
{
	const struct sa_shape *is = &m->tensors[n->inputs[0]].shape;
	const struct sa_shape *os = &m->tensors[n->output].shape;
	uint64_t pos = (uint64_t)os->h * os->w;

	memset(u, 0, sizeof(*u));
	if (n->op == DSM_OP_CONV) {
		const struct sa_conv_params *p = &n->rec->params.conv;
		uint64_t taps = (uint64_t)(is->c / p->groups) * p->kernel_h * p->kernel_w;

		if (p->groups == 1) {
			u->count = os->c;
			u->unit_out_c = 1;
			u->whole_in_bytes = shape_bytes(is);
		} else {
			u->count = p->groups;
			u->unit_in_c = is->c / p->groups;
			u->unit_out_c = os->c / p->groups;
		}
		u->weights = u->unit_out_c * taps;
		u->shift_adds = u->unit_out_c * pos * taps;
	} else if (n->op == DSM_OP_FC) {
		u->count = os->c;
		u->unit_out_c = 1;
		u->whole_in_bytes = shape_bytes(is);
		u->weights = sa_shape_elems(is);
		u->shift_adds = u->weights;
	} else {
		uint64_t window = 2; /* add: two inputs per output */

		if (n->op == DSM_OP_MAXPOOL || n->op == DSM_OP_AVGPOOL)
			window = (uint64_t)n->rec->params.pool.kernel_h *
				 n->rec->params.pool.kernel_w;
		else if (n->op == DSM_OP_GLOBAL_AVGPOOL)
			window = (uint64_t)is->h * is->w;
		u->count = is->c;
		u->unit_in_c = 1;
		u->unit_out_c = 1;
		u->shift_adds = pos * window;
	}
}

/* The most units one descriptor may take, 0 if not even one fits. */
static uint32_t units_per_desc(const struct sa_model *m, const struct sa_model_node *n,
			       const struct node_units *u)
{
	const struct sa_shape *is = &m->tensors[n->inputs[0]].shape;
	const struct sa_shape *os = &m->tensors[n->output].shape;
	uint64_t in_unit = (uint64_t)u->unit_in_c * is->h * is->w * elem_bytes(is->dtype);
	uint64_t out_unit = (uint64_t)u->unit_out_c * os->h * os->w * elem_bytes(os->dtype);
	uint64_t k = u->count;

	if (u->whole_in_bytes > SA_TE_MAX_ACT_BYTES)
		return 0;
	if (in_unit)
		k = k < SA_TE_MAX_ACT_BYTES / in_unit ? k : SA_TE_MAX_ACT_BYTES / in_unit;
	k = k < SA_TE_MAX_ACT_BYTES / out_unit ? k : SA_TE_MAX_ACT_BYTES / out_unit;
	k = k < SA_TE_MAX_CHANNELS / u->unit_out_c ? k : SA_TE_MAX_CHANNELS / u->unit_out_c;
	if (u->weights)
		k = k < SA_TE_MAX_WEIGHTS / u->weights ? k : SA_TE_MAX_WEIGHTS / u->weights;
	if (u->shift_adds)
		k = k < SA_TE_MAX_MACS / u->shift_adds ? k : SA_TE_MAX_MACS / u->shift_adds;
	return (uint32_t)k;
}

static uint8_t node_weight_bits(const struct sa_model_node *n)
{
	return n->op == DSM_OP_CONV ? n->rec->params.conv.weight_bits
				    : n->rec->params.fc.weight_bits;
}

/* Splits one node into steps and places its constants at *const_off. */
static sa_status plan_node(const struct sa_model *m, uint32_t idx, struct sa_accel_program *p,
			   uint64_t *const_off)
{
	const struct sa_model_node *n = &m->nodes[idx];
	struct node_units u;
	uint32_t per, parts;
	struct sa_accel_step *steps;

	node_units(m, n, &u);
	per = units_per_desc(m, n, &u);
	if (per == 0)
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: node %u (op %u) is too large for the card even when split "
			       "(limits: %u-byte activations, %u weights, %u shift-adds per "
			       "descriptor)",
			       m->name, idx, n->op, SA_TE_MAX_ACT_BYTES, SA_TE_MAX_WEIGHTS,
			       SA_TE_MAX_MACS);
	parts = (u.count + per - 1) / per;
	steps = realloc(p->steps, (p->num_steps + parts) * sizeof(*steps));
	if (!steps)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory compiling for the card",
			       m->name);
	p->steps = steps;
	for (uint32_t k = 0; k < parts; k++) {
		struct sa_accel_step *s = &steps[p->num_steps++];

		s->node = idx;
		s->unit0 = k * per;
		s->units = u.count - s->unit0 < per ? u.count - s->unit0 : per;
		s->weights_off = NONE;
		s->bias_off = NONE;
		if (n->weights != DSM_NONE) {
			s->weights_off = *const_off;
			*const_off +=
				sa_weight_packed_size(u.weights * s->units, node_weight_bits(n));
		}
		if (n->bias != DSM_NONE) {
			*const_off = align_up(*const_off, 4);
			s->bias_off = *const_off;
			*const_off += (uint64_t)s->units * u.unit_out_c * sizeof(int32_t);
		}
	}
	return SA_OK;
}

static sa_status plan_activations(const struct sa_model *m, struct sa_accel_program *p)
{
	struct sa_buffer_plan plan;
	uint64_t *slot_off;
	sa_status st = sa_buffer_plan_build(m, 0, &plan);

	if (st != SA_OK)
		return st;
	slot_off = calloc(plan.num_slots + 1, sizeof(*slot_off));
	p->act_off = calloc(m->num_tensors, sizeof(*p->act_off));
	if (!slot_off || !p->act_off) {
		free(slot_off);
		sa_buffer_plan_free(&plan);
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory compiling for the card",
			       m->name);
	}
	for (uint32_t s = 0; s < plan.num_slots; s++) {
		slot_off[s] = p->act_bytes;
		p->act_bytes = align_up(p->act_bytes + plan.slot_bytes[s], SLOT_ALIGN);
	}
	for (uint32_t t = 0; t < m->num_tensors; t++)
		p->act_off[t] = plan.slot_of[t] == UINT32_MAX ? NONE : slot_off[plan.slot_of[t]];
	/*
	 * The input keeps a buffer of its own (with its flatten aliases): the
	 * host writes it, and no layer overwrites it, so a run can be repeated.
	 */
	p->act_off[m->input] = p->act_bytes;
	for (uint32_t i = 0; i < m->num_nodes; i++) {
		const struct sa_model_node *n = &m->nodes[i];

		if (n->op == DSM_OP_FLATTEN && p->act_off[n->inputs[0]] == p->act_bytes)
			p->act_off[n->output] = p->act_bytes;
	}
	p->act_bytes =
		align_up(p->act_bytes + shape_bytes(&m->tensors[m->input].shape), SLOT_ALIGN);
	free(slot_off);
	sa_buffer_plan_free(&plan);
	return SA_OK;
}

sa_status sa_accel_compile(const struct sa_model *m, struct sa_accel_program *p)
{
	uint64_t const_off = 0;
	sa_status st;

	memset(p, 0, sizeof(*p));
	st = plan_activations(m, p);
	for (uint32_t i = 0; st == SA_OK && i < m->num_nodes; i++) {
		uint32_t op = m->nodes[i].op;

		if (op == DSM_OP_FLATTEN)
			continue; /* same bytes, another shape: no work */
		if (op < DSM_OP_CONV || op > DSM_OP_ADD)
			st = sa_fail(SA_ERR_UNSUPPORTED,
				     "%s: op %s (node %u) is not supported by the card yet",
				     m->name, dsm_op_name(op), i);
		else
			st = plan_node(m, i, p, &const_off);
	}
	if (st != SA_OK) {
		sa_accel_program_free(p);
		return st;
	}
	p->const_bytes = const_off;
	p->input_off = p->act_off[m->input];
	p->output_off = p->act_off[m->output];
	p->input_bytes = shape_bytes(&m->tensors[m->input].shape);
	p->output_bytes = shape_bytes(&m->tensors[m->output].shape);
	return SA_OK;
}

void sa_accel_program_free(struct sa_accel_program *p)
{
	free(p->act_off);
	free(p->steps);
	memset(p, 0, sizeof(*p));
}

/* Weights of a whole node already packed as the file has them, or one slice repacked. */
static sa_status write_weights(const struct sa_model *m, const struct sa_accel_step *s,
			       uint8_t *dst)
{
	const struct sa_model_node *n = &m->nodes[s->node];
	const struct sa_model_tensor *w = &m->tensors[n->weights];
	unsigned bits = node_weight_bits(n);
	struct node_units u;
	size_t first, count;
	int8_t *k;

	node_units(m, n, &u);
	if (s->unit0 == 0 && s->units == u.count) {
		memcpy(dst, w->data, w->data_size);
		return SA_OK;
	}
	/* Slices of packed codes need not start on a byte: unpack, then pack the slice. */
	k = malloc(w->elems);
	if (!k)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory splitting weights", m->name);
	if (sa_weight_unpack(w->data, w->elems, bits, k) != 0) {
		free(k);
		return sa_fail(SA_ERR_BAD_MODEL, "%s: node %u has invalid weight codes", m->name,
			       s->node);
	}
	first = (size_t)s->unit0 * u.weights;
	count = (size_t)s->units * u.weights;
	sa_weight_pack(k + first, count, bits, dst);
	free(k);
	return SA_OK;
}

sa_status sa_accel_write_constants(const struct sa_model *m, const struct sa_accel_program *p,
				   void *dst)
{
	uint8_t *base = dst;

	for (uint32_t i = 0; i < p->num_steps; i++) {
		const struct sa_accel_step *s = &p->steps[i];
		const struct sa_model_node *n = &m->nodes[s->node];
		struct node_units u;

		if (s->weights_off != NONE) {
			sa_status st = write_weights(m, s, base + s->weights_off);

			if (st != SA_OK)
				return st;
		}
		if (s->bias_off != NONE) {
			node_units(m, n, &u);
			memcpy(base + s->bias_off,
			       (const int32_t *)m->tensors[n->bias].data +
				       (size_t)s->unit0 * u.unit_out_c,
			       (size_t)s->units * u.unit_out_c * sizeof(int32_t));
		}
	}
	return SA_OK;
}

/* The hardware view of tensor t, or of channels [c0, c0 + c) of it when c != 0. */
static struct sa_hw_tensor hw_tensor(const struct sa_model *m, const struct sa_accel_program *p,
				     uint64_t act_va, uint32_t t, uint32_t c0, uint32_t c)
{
	const struct sa_shape *s = &m->tensors[t].shape;
	uint64_t plane = (uint64_t)s->h * s->w * elem_bytes(s->dtype);

	return (struct sa_hw_tensor){.addr = act_va + p->act_off[t] + c0 * plane,
				     .c = c ? c : s->c,
				     .h = s->h,
				     .w = s->w,
				     .dtype = s->dtype,
				     .exp = s->exp};
}

void sa_accel_emit(const struct sa_model *m, const struct sa_accel_program *p, uint64_t const_va,
		   uint64_t act_va, struct sa_hw_desc *descs)
{
	for (uint32_t i = 0; i < p->num_steps; i++) {
		const struct sa_accel_step *s = &p->steps[i];
		const struct sa_model_node *n = &m->nodes[s->node];
		struct sa_hw_desc *d = &descs[i];
		struct sa_hw_layer *l = &d->u.layer;
		struct node_units u;
		uint32_t in_c0, in_c;

		node_units(m, n, &u);
		in_c0 = s->unit0 * u.unit_in_c;
		in_c = s->units * u.unit_in_c;
		memset(d, 0, sizeof(*d));
		/* The .dsm op numbers are the descriptor opcodes for layers. */
		d->opcode = (uint8_t)n->op;
		d->tag = s->node;
		l->in = hw_tensor(m, p, act_va, n->inputs[0], in_c0, in_c);
		if (n->op == DSM_OP_ADD)
			l->in_b = hw_tensor(m, p, act_va, n->inputs[1], in_c0, in_c);
		l->out = hw_tensor(m, p, act_va, n->output, s->unit0 * u.unit_out_c,
				   s->units * u.unit_out_c);
		if (s->weights_off != NONE)
			l->weights = const_va + s->weights_off;
		if (s->bias_off != NONE)
			l->bias = const_va + s->bias_off;
		memcpy(l->params.raw, n->rec->params.raw, sizeof(l->params.raw));
		if (n->op == DSM_OP_CONV) {
			if (n->rec->params.conv.groups > 1)
				l->params.conv.groups = s->units;
			l->params.conv.out_channels = s->units * u.unit_out_c;
		} else if (n->op == DSM_OP_FC) {
			l->params.fc.out_features = s->units;
		}
	}
}
