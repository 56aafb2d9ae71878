// SPDX-License-Identifier: MIT
/* Activation buffer sharing by lifetime (buffer_plan.h). */
#include "buffer_plan.h"

#include <stdlib.h>

#include "dsm.h"
#include "error.h"

#define NO_SLOT UINT32_MAX

struct planner {
	const struct sa_model *m;
	size_t elem_bytes;
	uint32_t *root; /* per tensor: the tensor whose bytes it is (flatten chains) */
	uint32_t *
		last_use; /* per root: index of the last node reading it; num_nodes = never freed */
	uint8_t *slot_busy; /* per slot */
	struct sa_buffer_plan *plan;
};

static size_t tensor_bytes(const struct planner *p, uint32_t t)
{
	const struct sa_shape *s = &p->m->tensors[t].shape;

	return sa_shape_elems(s) * (p->elem_bytes	      ? p->elem_bytes
				    : s->dtype == SA_DTYPE_I8 ? 1
							      : 2);
}

/* Gives root tensor t a free slot: the smallest that fits, else the largest (grown), else a new
 * one. */
static void assign_slot(struct planner *p, uint32_t t)
{
	struct sa_buffer_plan *plan = p->plan;
	size_t need = tensor_bytes(p, t);
	uint32_t fit = NO_SLOT, largest = NO_SLOT;

	for (uint32_t s = 0; s < plan->num_slots; s++) {
		if (p->slot_busy[s])
			continue;
		if (plan->slot_bytes[s] >= need &&
		    (fit == NO_SLOT || plan->slot_bytes[s] < plan->slot_bytes[fit]))
			fit = s;
		if (largest == NO_SLOT || plan->slot_bytes[s] > plan->slot_bytes[largest])
			largest = s;
	}
	if (fit == NO_SLOT)
		fit = largest;
	if (fit == NO_SLOT) {
		fit = plan->num_slots++;
		plan->slot_bytes[fit] = 0;
	}
	if (plan->slot_bytes[fit] < need)
		plan->slot_bytes[fit] = need;
	p->slot_busy[fit] = 1;
	plan->slot_of[t] = fit;
}

/* Frees the slot of root tensor t if node i was its last reader. */
static void release_after(struct planner *p, uint32_t t, uint32_t i)
{
	uint32_t r = p->root[t];

	if (p->last_use[r] <= i)
		p->slot_busy[p->plan->slot_of[r]] = 0;
}

sa_status sa_buffer_plan_build(const struct sa_model *m, size_t elem_bytes,
			       struct sa_buffer_plan *plan)
{
	uint32_t T = m->num_tensors, N = m->num_nodes;
	struct planner p = {m, elem_bytes, NULL, NULL, NULL, plan};

	plan->num_slots = 0;
	plan->slot_of = malloc(T * sizeof(*plan->slot_of));
	plan->slot_bytes = malloc(T * sizeof(*plan->slot_bytes)); /* at most one slot per tensor */
	p.root = malloc(T * sizeof(*p.root));
	p.last_use = calloc(T, sizeof(*p.last_use));
	p.slot_busy = calloc(T, sizeof(*p.slot_busy));
	if (!plan->slot_of || !plan->slot_bytes || !p.root || !p.last_use || !p.slot_busy) {
		free(p.root);
		free(p.last_use);
		free(p.slot_busy);
		sa_buffer_plan_free(plan);
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory planning activation buffers",
			       m->name);
	}

	for (uint32_t t = 0; t < T; t++) {
		p.root[t] = t;
		plan->slot_of[t] = NO_SLOT;
	}
	/* Topological order: a flatten's input already has its root. */
	for (uint32_t i = 0; i < N; i++) {
		const struct sa_model_node *n = &m->nodes[i];

		if (n->op == DSM_OP_FLATTEN)
			p.root[n->output] = p.root[n->inputs[0]];
		p.last_use[p.root[n->inputs[0]]] = i;
		if (dsm_op_num_inputs(n->op) == 2)
			p.last_use[p.root[n->inputs[1]]] = i;
	}
	p.last_use[p.root[m->output]] = N;

	assign_slot(&p, m->input);
	for (uint32_t i = 0; i < N; i++) {
		const struct sa_model_node *n = &m->nodes[i];

		/* The output is assigned while the inputs still hold their slots. */
		if (n->op != DSM_OP_FLATTEN)
			assign_slot(&p, n->output);
		release_after(&p, n->inputs[0], i);
		if (dsm_op_num_inputs(n->op) == 2)
			release_after(&p, n->inputs[1], i);
		/* An output nobody reads is dead at once. */
		release_after(&p, n->output, i);
	}
	for (uint32_t t = 0; t < T; t++) {
		if (m->tensors[t].kind == DSM_TENSOR_ACTIVATION)
			plan->slot_of[t] = plan->slot_of[p.root[t]];
	}
	free(p.root);
	free(p.last_use);
	free(p.slot_busy);
	return SA_OK;
}

void sa_buffer_plan_free(struct sa_buffer_plan *plan)
{
	free(plan->slot_of);
	free(plan->slot_bytes);
	plan->slot_of = NULL;
	plan->slot_bytes = NULL;
	plan->num_slots = 0;
}
