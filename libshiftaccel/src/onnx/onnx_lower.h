/* SPDX-License-Identifier: MIT */
/*
 * Lowering of an ONNX graph (onnx_graph.h) to the trainer's architecture
 * (train/arch.h, docs/training.md) for one input shape (NCHW, batch 1):
 * one layer per conv, fc, pool, add and flatten, with the shapes inferred and
 * the float weights in the trainer's layouts.  BatchNormalization is folded
 * into the convolution before it with the file's epsilon, Relu and Clip(0, 6)
 * become the fused activation of the conv, fc or add that computes their
 * input, and Dropout, Identity and a Softmax at the output disappear.
 * docs/import.md has the table; what it lacks is refused with the node, its
 * op and the opset named ("not supported yet" where the integer contract has
 * no such op yet).
 */
#ifndef SA_ONNX_LOWER_H
#define SA_ONNX_LOWER_H

#include <stddef.h>

#include "../train/arch.h"
#include "onnx_graph.h"

/*
 * Largest height or width of the input or of a lowered layer; the trainer's
 * and the format's own limits are checked when the network is built, this
 * one only keeps the inferred sizes inside int.
 */
#define SA_LOWER_MAX_SIDE 65535

/* The trainer's name of the network input (node 0). */
#define SA_LOWER_INPUT_NAME "input"

struct sa_lowered_layer {
	struct tr_layer_spec spec; /* op, name, from, other, geometry, bias, act */
	int in_c, in_h, in_w, out_c, out_h, out_w;
	/* conv: [out][in / groups][kh][kw], fc: [out][in] (in = C*H*W of the input, CHW order) */
	float *weight, *bias; /* bias NULL when the layer has none */
	size_t n_weight;
	uint32_t node;	/* the ONNX node the layer comes from */
	int out_value;	/* the ONNX value the layer computes (before fused ops) */
	int uses;	/* readers of its output (graph outputs count), after aliases */
	int from_layer; /* producer of its first input: layer index, -1 the input */
	int bn_alone;	/* a batch norm of its own: weight = its per-channel scale */
};

struct sa_lowered {
	const struct sa_onnx_graph *graph; /* not owned */
	const char *source;		   /* file name, for messages */
	int in_c, in_h, in_w;
	int num_layers;
	struct sa_lowered_layer *layers;
	int classes; /* values of the output (the logits) */
};

/*
 * Lowers g for inputs of c x h x w.  SA_ERR_SHAPE when the model's input has
 * other fixed dimensions, SA_ERR_UNSUPPORTED for a graph the trainer cannot
 * express; messages name `source`, the node, its op and the opset.
 */
sa_status sa_onnx_lower(const struct sa_onnx_graph *g, const char *source, int c, int h, int w,
			struct sa_lowered *out);
void sa_lowered_free(struct sa_lowered *l);

/* The architecture text of the lowered network (malloc()ed); line k + 2 is layer k. */
char *sa_lowered_arch_text(const struct sa_lowered *l);

/* "node 'name' (Op, opset N)" for messages. */
void sa_onnx_node_where(const struct sa_onnx_graph *g, uint32_t node, char *buf, size_t size);

#endif /* SA_ONNX_LOWER_H */
