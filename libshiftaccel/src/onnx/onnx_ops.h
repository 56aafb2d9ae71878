/* SPDX-License-Identifier: MIT */
/* The import table: which ONNX ops are read, their arity and attributes. */
#ifndef SA_ONNX_OPS_H
#define SA_ONNX_OPS_H

#include "onnx/onnx.pb-c.h"
#include "onnx_graph.h"

/* The table's op called `op_type`; SA_ONNX_NUM_OPS when there is none. */
enum sa_onnx_op sa_onnx_op_lookup(const char *op_type);

/*
 * Checks the node's arity and decodes its attributes into *a (ONNX's
 * defaults where absent).  `where` names the node for messages
 * ("node 'conv1' (Conv, opset 13)").  SA_ERR_BAD_MODEL for what ONNX
 * forbids, SA_ERR_UNSUPPORTED for what ONNX allows but the importer does
 * not take (1-D or 3-D convolutions, SAME padding, training outputs, ...).
 */
sa_status sa_onnx_node_attrs(enum sa_onnx_op op, int64_t opset, const Onnx__NodeProto *n,
			     const char *where, struct sa_onnx_attrs *a);

#endif /* SA_ONNX_OPS_H */
