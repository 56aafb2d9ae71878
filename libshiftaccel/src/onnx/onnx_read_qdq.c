// SPDX-License-Identifier: MIT
/*
 * The QuantizeLinear / DequantizeLinear pairs the importer reads
 * (docs/import.md): what the integer contract can express, a per-tensor
 * power-of-two scale and a zero point of 0 in int8.  Per-axis scales,
 * other zero points or types, and scales computed at run time are refused
 * with the node named.
 */
#include <math.h>

#include "../error.h"
#include "onnx_graph.h"

sa_status sa_onnx_check_qdq(const struct sa_onnx_graph *g, const struct sa_onnx_node *n,
			    const char *where)
{
	const struct sa_onnx_value *scale, *zp;
	int e;

	if (n->n_inputs != 3 || n->inputs[1] == SA_ONNX_NONE || n->inputs[2] == SA_ONNX_NONE)
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: needs a scale and an int8 zero point (the importer reads "
			       "int8 quantisation only)",
			       where);
	scale = &g->values[n->inputs[1]];
	zp = &g->values[n->inputs[2]];
	if (!scale->is_initializer || !scale->f32 || scale->count != 1)
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: the scale must be one float constant (per-tensor quantisation)",
			       where);
	if (!(scale->f32[0] > 0.0f) || frexpf(scale->f32[0], &e) != 0.5f)
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: scale %g is not a power of two; the integer contract has only "
			       "power-of-two scales",
			       where, (double)scale->f32[0]);
	if (!zp->is_initializer || zp->elem_type != SA_ONNX_INT8 || zp->count != 1)
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: the zero point must be one int8 constant (element type %d, "
			       "%llu values)",
			       where, (int)zp->elem_type, (unsigned long long)zp->count);
	if (zp->i64[0] != 0)
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: zero point %lld; the integer contract's is 0 (symmetric)",
			       where, (long long)zp->i64[0]);
	return SA_OK;
}
