/* SPDX-License-Identifier: MIT */
/*
 * The model compiler for the card: from a validated model (model.h) to a
 * memory plan and a list of ring descriptors (uapi/shiftaccel_hw.h).
 *
 * Device memory is two regions, placed by the caller (the accel backend in
 * BOs, the firmware tests in their fake device memory):
 *  - constants: every weight and bias tensor, written once
 *    (sa_accel_write_constants) and only read by the card;
 *  - activations: one arena of slots shared by tensors whose lifetimes do
 *    not overlap (buffer_plan.h); a flatten output is its input's bytes.
 * Each layer becomes one descriptor, or several when it exceeds what one
 * descriptor may express (SA_TE_MAX_*): conv and fc are split over output
 * channels (over whole groups for grouped convs), each part with its own
 * slice of the weights and bias.  Descriptors come in node order; a queue
 * runs its descriptors one after another, so every layer sees its inputs
 * complete (the dependencies are the graph's topological order).
 */
#ifndef SA_ACCEL_COMPILE_H
#define SA_ACCEL_COMPILE_H

#include "../../uapi/shiftaccel_hw.h"
#include "model.h"

/* One descriptor: a node, or a slice [unit0, unit0 + units) of its output channels or groups. */
struct sa_accel_step {
	uint32_t node;
	uint32_t unit0, units; /* conv: groups (groups > 1) or output channels; fc: features */
	uint64_t weights_off, bias_off; /* in the constants region; UINT64_MAX when none */
};

struct sa_accel_program {
	size_t const_bytes; /* size of the constants region */
	size_t act_bytes;   /* size of the activation arena */
	uint64_t *act_off;  /* per tensor: offset in the arena (UINT64_MAX for constants) */
	uint32_t num_steps;
	struct sa_accel_step *steps;
	size_t input_bytes, output_bytes;
	uint64_t input_off, output_off; /* in the arena */
};

/*
 * Plans memory and splits layers.  SA_ERR_UNSUPPORTED (with the node named)
 * when a layer cannot be expressed even after splitting, e.g. an activation
 * tensor larger than SA_TE_MAX_ACT_BYTES.
 */
sa_status sa_accel_compile(const struct sa_model *model, struct sa_accel_program *prog);
void sa_accel_program_free(struct sa_accel_program *prog);

/* Fills the constants region (prog->const_bytes at dst): packed weights and int32 biases. */
sa_status sa_accel_write_constants(const struct sa_model *model,
				   const struct sa_accel_program *prog, void *dst);

/*
 * The descriptors (prog->num_steps of them) for regions placed at the given
 * device VAs.  No fence or IRQ flags: the submitter adds those; each tag is
 * the step's node index, so a card error names the layer.
 */
void sa_accel_emit(const struct sa_model *model, const struct sa_accel_program *prog,
		   uint64_t const_va, uint64_t act_va, struct sa_hw_desc *descs);

#endif /* SA_ACCEL_COMPILE_H */
