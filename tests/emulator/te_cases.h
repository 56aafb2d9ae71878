/* SPDX-License-Identifier: MIT */
/*
 * Random tensor-engine test cases for the card tests: a valid layer op of a
 * given kind with random shapes, strides, padding, dilation, groups, dtypes,
 * exponents, weight bits and biases; its reference output from sa_ref_*;
 * its placement in the harness's device memory; and the cycle count and
 * shift-add count that docs/hardware.md (9.3) predicts for it.
 */
#ifndef SA_TE_CASES_H
#define SA_TE_CASES_H

#include "../../libshiftaccel/kernels/sa_kernels.h"
#include "card_harness.h"

struct te_case {
	struct sa_hw_te_cmd cmd; /* op, context and every field of the layer */
	struct sa_shape in, in_b, out;
	uint8_t *x, *xb, *y_ref; /* inputs and the reference output */
	size_t x_bytes, xb_bytes, y_bytes;
	int8_t *w; /* signed k */
	uint8_t *w_packed;
	size_t nw, w_packed_bytes;
	int32_t *bias;	  /* NULL without SA_PARAM_HAS_BIAS */
	uint64_t out_bus; /* where the engine's output lands in host memory */
};

/* A random valid op (SA_OP_CONV .. SA_OP_ADD) small enough for a unit test. */
void te_case_random(struct te_case *c, uint8_t op, uint32_t *seed);
/*
 * Copies the inputs into freshly mapped device memory of context `ctx`
 * (root `root`) at *next_va and up, with unmapped guard pages between
 * buffers, fills the command's addresses and prefills the output with 0xcd.
 */
void te_case_place(struct harness *h, uint64_t root, uint32_t ctx, struct te_case *c,
		   uint64_t *next_va, uint32_t *seed);
/* 1 if the engine's output equals the reference and nothing around it changed. */
int te_case_output_ok(struct harness *h, const struct te_case *c);
uint64_t te_case_cycles(const struct te_case *c);
uint64_t te_case_shift_adds(const struct te_case *c);
void te_case_free(struct te_case *c);

#endif /* SA_TE_CASES_H */
