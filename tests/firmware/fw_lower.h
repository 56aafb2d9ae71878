/* SPDX-License-Identifier: MIT */
/*
 * A small lowering of a .dsm model to card descriptors, for the firmware
 * tests (the real compiler is libshiftaccel's accel backend): one device
 * buffer per activation tensor in one context (flatten aliases its input),
 * the constants copied into device memory, one layer descriptor per node in
 * graph order.  Bytes in device memory stay the model's own: weights packed
 * as in the file, biases int32.
 */
#ifndef FW_LOWER_H
#define FW_LOWER_H

#include "shiftaccel.h"

#include "fw_host.h"

struct fw_lowered {
	uint32_t num_desc;
	struct sa_hw_desc *desc; /* malloc()ed */
	uint64_t input_bus, output_bus;
	size_t input_bytes, output_bytes;
	uint32_t num_tensors;
	uint64_t *tensor_va, *tensor_bus; /* activation tensors (0 for constants) */
};

/* 0, or -1 with a message on stderr. */
int fw_lower(struct fwh *f, struct fwh_ctx *c, const sa_model *model, struct fw_lowered *out);
void fw_lowered_free(struct fw_lowered *l);

/* A residual test network using every layer op; *data is malloc()ed. */
int fw_test_network(uint32_t seed, void **data, size_t *size);

#endif /* FW_LOWER_H */
