// SPDX-License-Identifier: MIT
/*
 * Per-op facts of the .dsm format that the reader, the writer (builder) and
 * the backends share: how many activation inputs an op reads, and the first
 * minor version of the format that can hold a node (docs/model-format.md,
 * "Versioning").
 */
#include "dsm.h"

uint32_t dsm_op_num_inputs(uint32_t op)
{
	return op == DSM_OP_ADD || op == DSM_OP_CONCAT ? 2 : 1;
}

static int is_power_of_two(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

uint16_t dsm_node_min_minor(const struct dsm_node *n, const struct sa_shape *in)
{
	switch (n->op) {
	case DSM_OP_CONCAT:
	case DSM_OP_CLIP: return 1;
	case DSM_OP_AVGPOOL:
		return is_power_of_two((uint64_t)n->params.pool.kernel_h * n->params.pool.kernel_w)
			       ? 0
			       : 1;
	case DSM_OP_GLOBAL_AVGPOOL: return is_power_of_two((uint64_t)in->h * in->w) ? 0 : 1;
	default: return 0;
	}
}
