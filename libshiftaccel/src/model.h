/* SPDX-License-Identifier: MIT */
/*
 * A validated model in memory.  The reader (dsm_read.c) builds it from a
 * mapped .dsm file and guarantees every invariant listed here, so backends
 * use it without re-checking.
 */
#ifndef SA_MODEL_H
#define SA_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "../include/shiftaccel.h"
#include "../kernels/sa_kernels.h"
#include "dsm_format.h"

struct sa_model_tensor {
	const char *name; /* never NULL ("" when unnamed) */
	uint8_t kind; /* enum dsm_tensor_kind */
	uint8_t dtype;
	uint8_t weight_bits;
	struct sa_shape shape; /* activations only */
	uint32_t rank, dims[4];
	const void *data; /* constants: points into the mapped file */
	uint64_t data_size;
	uint64_t elems;
};

struct sa_model_node {
	uint32_t op; /* enum dsm_op */
	uint32_t inputs[2]; /* activation tensor ids (inputs[1] == DSM_NONE unless ADD) */
	uint32_t output;
	uint32_t weights, bias; /* constant tensor ids or DSM_NONE */
	const struct dsm_node *rec; /* params live here */
};

struct sa_model {
	char *name; /* file path or caller-given name, for messages */
	void *map; /* the whole file (mmap or malloc) */
	size_t map_size;
	int mapped; /* 1: munmap, 0: free */
	uint16_t version_major, version_minor;

	uint32_t num_tensors;
	struct sa_model_tensor *tensors;
	uint32_t num_nodes;
	struct sa_model_node *nodes; /* topological order */

	uint32_t input, output; /* activation tensor ids */
	float mean[SA_MAX_INPUT_CHANNELS], std[SA_MAX_INPUT_CHANNELS];

	uint32_t num_labels; /* 0 or the output element count */
	const char **labels;
	uint32_t num_meta;
	const char **meta_keys, **meta_values;
};

#endif /* SA_MODEL_H */
