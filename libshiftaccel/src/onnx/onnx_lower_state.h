/* SPDX-License-Identifier: MIT */
/* State of one lowering, shared by onnx_lower.c (the walk) and onnx_lower_layers.c (the layers). */
#ifndef SA_ONNX_LOWER_STATE_H
#define SA_ONNX_LOWER_STATE_H

#include "onnx_lower.h"

/* What an ONNX value is during the walk. */
#define LOWER_VALUE_NONE (-2)  /* an initializer or not computed yet */
#define LOWER_VALUE_INPUT (-1) /* the network input */

struct lower_value {
	int layer; /* layer computing it, or LOWER_VALUE_INPUT / LOWER_VALUE_NONE */
	int c, h, w;
	int uses; /* readers among the nodes, + 1 per graph output */
	/*
	 * Zero padding (top, left, bottom, right) of a Pad not applied yet: the
	 * Conv or AveragePool that reads the value takes it into its own pads.
	 */
	int pad[4];
};

struct lower_state {
	struct sa_lowered *out;
	const struct sa_onnx_graph *g;
	struct lower_value *values;
	int cap;
	uint32_t node; /* the node being lowered */
	/* value -> the initializer it names (an Identity of one), else itself */
	uint32_t *constant_of;
};

/* The graph value of the node's input i, an Identity of an initializer resolved; NULL if absent. */
const struct sa_onnx_value *lower_const_input(const struct lower_state *s, uint32_t i);

/* Fails with "<source>: node '<name>' (<Op>, opset N): <message>". */
sa_status lower_fail(const struct lower_state *s, sa_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The node's input i as a computed tensor (the image or a layer's output). */
sa_status lower_tensor_input(const struct lower_state *s, uint32_t i, const struct lower_value **v);
/* The node's input i as an initializer of float data with `ndim` dimensions (0: any). */
sa_status lower_float_input(const struct lower_state *s, uint32_t i, uint32_t ndim,
			    const struct sa_onnx_value **v);

/* A new layer reading value `from` and writing the node's output 0 (spec zeroed but op). */
sa_status lower_new_layer(struct lower_state *s, int op, const struct lower_value *from,
			  struct sa_lowered_layer **out);
/* The new layer's output shape: records it on the layer and on the node's output value. */
void lower_set_output(struct lower_state *s, struct sa_lowered_layer *l, int c, int h, int w);

/*
 * The node's output is its input under another name (Dropout, Identity, a
 * fused op): the readers of the output become readers of the input's layer,
 * of which this node was one.
 */
void lower_alias_output(struct lower_state *s, const struct lower_value *in);

/* Per-op lowerings (onnx_lower_layers.c). */
sa_status lower_conv(struct lower_state *s);
sa_status lower_gemm(struct lower_state *s);
sa_status lower_matmul(struct lower_state *s);
sa_status lower_pool(struct lower_state *s);
sa_status lower_global_avgpool(struct lower_state *s);
sa_status lower_flatten(struct lower_state *s);
sa_status lower_reshape(struct lower_state *s);
sa_status lower_add(struct lower_state *s);
sa_status lower_concat(struct lower_state *s);

#endif /* SA_ONNX_LOWER_STATE_H */
