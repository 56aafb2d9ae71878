/* SPDX-License-Identifier: MIT */
/*
 * The builder's state, shared by builder.c (declaring the graph op by op)
 * and builder_write.c (turning it into .dsm sections).
 */
#ifndef SA_BUILDER_H
#define SA_BUILDER_H

#include "dsm.h"

struct builder_tensor {
	struct dsm_tensor rec; /* name and data_offset are filled in when writing */
	char *name;	       /* owned */
	uint8_t *data;	       /* owned, rec.data_size bytes; constants only */
};

struct sa_builder {
	struct builder_tensor *tensors;
	uint32_t num_tensors, cap_tensors;
	struct dsm_node *nodes;
	uint32_t num_nodes, cap_nodes;
	char **labels;
	uint32_t num_labels, cap_labels;
	char **meta_keys, **meta_values; /* in the order keys were first set */
	uint32_t num_meta, cap_meta;

	int have_input, have_output;
	uint32_t input, output;
	float mean[SA_MAX_INPUT_CHANNELS], std[SA_MAX_INPUT_CHANNELS];
	uint32_t ops_of_kind[DSM_OP_LAST + 1]; /* for default names like "conv2.out" */
	uint16_t version_minor;		       /* the highest dsm_node_min_minor() of the nodes */
};

/* Grows *array (of elem_size items, *cap allocated) to hold at least `need`; 0 or -1. */
int builder_reserve(void **array, uint32_t *cap, uint32_t need, size_t elem_size);

#endif /* SA_BUILDER_H */
