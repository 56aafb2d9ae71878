/* SPDX-License-Identifier: MIT */
/*
 * An ONNX model as the importer sees it (docs/import.md): the graph's named
 * values (the input, the initializers and every node output), its nodes in
 * the file's (topological) order with their attributes decoded and checked,
 * and its outputs.  Only the ops of the import table are accepted; anything
 * else is refused with the node, its op and the opset named.  The file is
 * decoded with protobuf-c code generated from Debian's onnx.proto.
 */
#ifndef SA_ONNX_GRAPH_H
#define SA_ONNX_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "../../include/shiftaccel.h"
#include "../../include/shiftaccel_limits.h"

/* Opsets of the default domain ("" or "ai.onnx") the importer reads. */
#define SA_ONNX_OPSET_MIN 11
#define SA_ONNX_OPSET_MAX 17
/* Sizes: SA_ONNX_MAX_* in shiftaccel_limits.h (docs/limits.md). */

/* The ops of the import table (docs/import.md). */
enum sa_onnx_op {
	SA_ONNX_CONV,
	SA_ONNX_GEMM,
	SA_ONNX_MATMUL,
	SA_ONNX_ADD,
	SA_ONNX_BATCHNORM,
	SA_ONNX_RELU,
	SA_ONNX_CLIP,
	SA_ONNX_MAXPOOL,
	SA_ONNX_AVGPOOL,
	SA_ONNX_GLOBALAVGPOOL,
	SA_ONNX_CONCAT,
	SA_ONNX_FLATTEN,
	SA_ONNX_RESHAPE,
	SA_ONNX_DROPOUT,
	SA_ONNX_IDENTITY,
	SA_ONNX_SOFTMAX,
	SA_ONNX_LOGSOFTMAX,
	SA_ONNX_PAD,
	SA_ONNX_QUANTIZE,   /* QuantizeLinear: per-tensor, scale 2^k, zero point 0 */
	SA_ONNX_DEQUANTIZE, /* DequantizeLinear: the same */
	SA_ONNX_NUM_OPS
};

/* ONNX TensorProto.DataType values the importer keeps data of. */
#define SA_ONNX_FLOAT 1
#define SA_ONNX_INT64 7
#define SA_ONNX_INT8 3 /* QDQ zero points; kept in i64 */

/* No value: an omitted optional input. */
#define SA_ONNX_NONE UINT32_MAX

/* A named tensor of the graph. */
struct sa_onnx_value {
	char *name;
	int is_input;			/* the graph's input (the image) */
	int is_initializer;		/* constant: count elements in f32 or i64 */
	int32_t elem_type;		/* TensorProto.DataType */
	uint32_t ndim;			/* 0 when the file does not say (node outputs) */
	int64_t dims[SA_ONNX_MAX_DIMS]; /* -1: symbolic (a batch dimension) */
	uint64_t count;
	float *f32;
	int64_t *i64;
};

/* Attributes of the table's ops, with ONNX's defaults filled in. */
struct sa_onnx_attrs {
	int64_t kernel[2]; /* kernel_shape; 0 when absent (Conv takes the weights') */
	int64_t strides[2];
	int64_t pads[4]; /* top, left, bottom, right */
	int64_t dilations[2];
	int64_t group;
	int64_t ceil_mode;
	int64_t count_include_pad;
	int64_t axis;
	int64_t trans_a, trans_b;
	float alpha, beta;	  /* Gemm */
	float epsilon;		  /* BatchNormalization */
	float clip_min, clip_max; /* Clip before opset 11 kept them as attributes; now inputs */
};

struct sa_onnx_node {
	enum sa_onnx_op op;
	char *name; /* the node's name, or "#<index>" when it has none */
	uint32_t n_inputs, n_outputs;
	uint32_t *inputs; /* value indices, SA_ONNX_NONE for omitted optional inputs */
	uint32_t *outputs;
	struct sa_onnx_attrs a;
};

struct sa_onnx_graph {
	int64_t opset;	/* of the default domain */
	char *producer; /* producer_name producer_version, for messages */
	uint32_t n_values, n_nodes, n_outputs;
	struct sa_onnx_value *values;
	struct sa_onnx_node *nodes;
	uint32_t input;	   /* the graph's one non-constant input */
	uint32_t *outputs; /* value indices of the graph's outputs */
};

/* The op's ONNX name ("Conv"). */
const char *sa_onnx_op_name(enum sa_onnx_op op);

/*
 * Reads an ONNX file: a regular file (never blocks on a FIFO), at most
 * SA_ONNX_MAX_FILE_SIZE bytes.  SA_ERR_IO when it cannot be read,
 * SA_ERR_BAD_MODEL when it is not a valid ONNX model, SA_ERR_UNSUPPORTED
 * for a valid one the importer cannot take (an op, opset or data type);
 * the message names the node, its op and the opset.
 */
sa_status sa_onnx_load(const char *path, struct sa_onnx_graph **out);
/*
 * A QuantizeLinear or DequantizeLinear node (docs/import.md): a per-tensor
 * scale that is a power of two and an int8 zero point 0, both initializers;
 * anything else is refused naming the node (`where`).
 */
sa_status sa_onnx_check_qdq(const struct sa_onnx_graph *g, const struct sa_onnx_node *n,
			    const char *where);
/* The bytes of an ONNX file (a regular file, at most SA_ONNX_MAX_FILE_SIZE); malloc()ed. */
sa_status sa_onnx_read_file(const char *path, void **data, size_t *size);
/* sa_onnx_read_export (shiftaccel.h) from memory; name is used in messages. */
sa_status sa_onnx_parse_export(const void *bytes, size_t len, const char *name, int *is_export,
			       void **data, size_t *size);
/* The same from memory; name is used in messages. */
sa_status sa_onnx_parse(const void *data, size_t size, const char *name,
			struct sa_onnx_graph **out);
void sa_onnx_free(struct sa_onnx_graph *g);

#endif /* SA_ONNX_GRAPH_H */
