/* SPDX-License-Identifier: MIT */
/*
 * Activation memory plan for a backend: tensors whose lifetimes do not
 * overlap share one buffer ("slot"), and a flatten output is the same
 * bytes as its input.  Lifetimes come from the node order: a tensor lives
 * from the node that produces it to the last node that reads it; the graph
 * input from before the first node, the graph output to the end.
 */
#ifndef SA_BUFFER_PLAN_H
#define SA_BUFFER_PLAN_H

#include "model.h"

struct sa_buffer_plan {
	uint32_t num_slots;
	uint32_t *slot_of;  /* per tensor: its slot, or UINT32_MAX for constants */
	size_t *slot_bytes; /* per slot: the largest tensor it holds */
};

/*
 * elem_bytes: bytes per element, or 0 for the tensor's own dtype size
 * (1 for int8, 2 for int16).  An op's output never shares a slot with one
 * of its inputs, since the kernels do not work in place.
 */
sa_status sa_buffer_plan_build(const struct sa_model *model, size_t elem_bytes,
			       struct sa_buffer_plan *plan);
void sa_buffer_plan_free(struct sa_buffer_plan *plan);

#endif /* SA_BUFFER_PLAN_H */
