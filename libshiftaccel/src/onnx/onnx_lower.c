// SPDX-License-Identifier: MIT
/*
 * The lowering walk (onnx_lower.h): nodes in file order, values mapped to the
 * layer that computes them, and the ops that become part of another layer
 * (batch norm, activations) or nothing at all (Dropout, Identity, a Softmax
 * at the output).  The layers themselves are made in onnx_lower_layers.c.
 */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../error.h"
#include "onnx_lower_state.h"

void sa_onnx_node_where(const struct sa_onnx_graph *g, uint32_t node, char *buf, size_t size)
{
	const struct sa_onnx_node *n = &g->nodes[node];

	snprintf(buf, size, "node '%.64s' (%s, opset %lld)", n->name, sa_onnx_op_name(n->op),
		 (long long)g->opset);
}

sa_status lower_fail(const struct lower_state *s, sa_status st, const char *fmt, ...)
{
	char where[160], msg[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sa_onnx_node_where(s->g, s->node, where, sizeof(where));
	return sa_fail(st, "%s: %s: %s", s->out->source, where, msg);
}

sa_status lower_tensor_input(const struct lower_state *s, uint32_t i, const struct lower_value **v)
{
	const struct sa_onnx_node *n = &s->g->nodes[s->node];
	uint32_t id = i < n->n_inputs ? n->inputs[i] : SA_ONNX_NONE;

	if (id == SA_ONNX_NONE || s->values[id].layer == LOWER_VALUE_NONE)
		return lower_fail(s, SA_ERR_UNSUPPORTED,
				  "input %u must be computed from the image (a constant or "
				  "computed shape is not supported yet)",
				  i + 1);
	*v = &s->values[id];
	return SA_OK;
}

sa_status lower_float_input(const struct lower_state *s, uint32_t i, uint32_t ndim,
			    const struct sa_onnx_value **v)
{
	const struct sa_onnx_node *n = &s->g->nodes[s->node];
	uint32_t id = i < n->n_inputs ? n->inputs[i] : SA_ONNX_NONE;
	const struct sa_onnx_value *val = id == SA_ONNX_NONE ? NULL : &s->g->values[id];

	if (!val || !val->is_initializer || val->elem_type != SA_ONNX_FLOAT)
		return lower_fail(s, SA_ERR_UNSUPPORTED,
				  "input %u must be a float initializer (weights computed at run "
				  "time are not supported)",
				  i + 1);
	if (ndim && val->ndim != ndim)
		return lower_fail(s, SA_ERR_UNSUPPORTED,
				  "initializer '%.64s' has %u dimensions, "
				  "expected %u",
				  val->name, val->ndim, ndim);
	*v = val;
	return SA_OK;
}

sa_status lower_new_layer(struct lower_state *s, int op, const struct lower_value *from,
			  struct sa_lowered_layer **out)
{
	struct sa_lowered *o = s->out;
	struct sa_lowered_layer *l;

	if (o->num_layers == s->cap) {
		int cap = s->cap ? 2 * s->cap : 16;
		void *p = realloc(o->layers, sizeof(*o->layers) * (size_t)cap);

		if (!p)
			return sa_fail(SA_ERR_NO_MEMORY, "import: out of memory");
		o->layers = p;
		s->cap = cap;
	}
	l = &o->layers[o->num_layers];
	memset(l, 0, sizeof(*l));
	l->spec.op = op;
	l->spec.sh = l->spec.sw = l->spec.dh = l->spec.dw = l->spec.groups = 1;
	l->spec.act = SA_ACT_NONE;
	l->spec.line = o->num_layers + 2;
	snprintf(l->spec.name, sizeof(l->spec.name), "L%d", o->num_layers + 1);
	l->from_layer = from->layer;
	snprintf(l->spec.from, sizeof(l->spec.from), "%s",
		 from->layer < 0 ? SA_LOWER_INPUT_NAME : o->layers[from->layer].spec.name);
	l->in_c = from->c, l->in_h = from->h, l->in_w = from->w;
	l->node = s->node;
	l->out_value = (int)s->g->nodes[s->node].outputs[0];
	l->uses = s->values[l->out_value].uses;
	o->num_layers++;
	*out = l;
	return SA_OK;
}

void lower_set_output(struct lower_state *s, struct sa_lowered_layer *l, int c, int h, int w)
{
	struct lower_value *v = &s->values[l->out_value];

	l->out_c = c, l->out_h = h, l->out_w = w;
	v->layer = (int)(l - s->out->layers);
	v->c = c, v->h = h, v->w = w;
}

void lower_alias_output(struct lower_state *s, const struct lower_value *in)
{
	const struct sa_onnx_node *n = &s->g->nodes[s->node];
	struct lower_value *out = &s->values[n->outputs[0]];
	int uses = out->uses;

	*out = *in;
	out->uses = uses;
	if (in->layer >= 0)
		s->out->layers[in->layer].uses += uses - 1;
}

/* BatchNormalization folded into the convolution before it, with the file's epsilon. */
static sa_status lower_batchnorm(struct lower_state *s)
{
	const struct sa_onnx_node *n = &s->g->nodes[s->node];
	const struct sa_onnx_value *p[4];
	const struct lower_value *in;
	struct sa_lowered_layer *l;
	sa_status st = lower_tensor_input(s, 0, &in);

	for (uint32_t i = 0; !st && i < 4; i++)
		st = lower_float_input(s, i + 1, 1, &p[i]);
	if (st)
		return st;
	l = in->layer >= 0 ? &s->out->layers[in->layer] : NULL;
	if (!l || l->spec.op != TR_OP_CONV || l->spec.act != SA_ACT_NONE || l->uses != 1)
		return lower_fail(s, SA_ERR_UNSUPPORTED,
				  "batch norm is supported only right after a Conv whose output "
				  "nothing else reads");
	for (int i = 0; i < 4; i++)
		if (p[i]->count != (uint64_t)l->out_c)
			return lower_fail(s, SA_ERR_BAD_MODEL,
					  "'%.64s' has %llu values for %d "
					  "channels",
					  p[i]->name, (unsigned long long)p[i]->count, l->out_c);
	if (!l->bias && !(l->bias = calloc((size_t)l->out_c, sizeof(float))))
		return sa_fail(SA_ERR_NO_MEMORY, "import: out of memory");
	size_t per = l->n_weight / (size_t)l->out_c;
	/* ONNX: y = gamma * (x - mean) / sqrt(var + eps) + beta, per channel. */
	for (int o = 0; o < l->out_c; o++) {
		double scale = (double)p[0]->f32[o] / sqrt((double)p[3]->f32[o] + n->a.epsilon);

		for (size_t k = 0; k < per; k++)
			l->weight[(size_t)o * per + k] =
				(float)((double)l->weight[(size_t)o * per + k] * scale);
		l->bias[o] = (float)(((double)l->bias[o] - p[2]->f32[o]) * scale + p[1]->f32[o]);
	}
	l->spec.bias = 1;
	lower_alias_output(s, in);
	return SA_OK;
}

/*
 * The layer that an activation on `in` fuses into: the conv, fc or add that
 * computes it, also across max pools and flattens (ReLU commutes with both),
 * when no other node reads any value on the way.
 */
static struct sa_lowered_layer *activation_target(struct lower_state *s,
						  const struct lower_value *in)
{
	int i = in->layer;

	while (i >= 0) {
		struct sa_lowered_layer *l = &s->out->layers[i];

		if (l->uses != 1)
			return NULL;
		if (l->spec.op == TR_OP_CONV || l->spec.op == TR_OP_FC || l->spec.op == TR_OP_ADD)
			return l->spec.act == SA_ACT_NONE ? l : NULL;
		if (l->spec.op != TR_OP_MAXPOOL && l->spec.op != TR_OP_FLATTEN)
			return NULL;
		i = l->from_layer;
	}
	return NULL;
}

/* A Clip's bound: input i (an initializer scalar) from opset 11, else the attribute. */
static sa_status clip_bound(const struct lower_state *s, uint32_t i, float dflt, float *v)
{
	const struct sa_onnx_node *n = &s->g->nodes[s->node];
	const struct sa_onnx_value *b;
	sa_status st;

	*v = dflt;
	if (i >= n->n_inputs || n->inputs[i] == SA_ONNX_NONE)
		return SA_OK;
	st = lower_float_input(s, i, 0, &b);
	if (st)
		return st;
	if (b->count != 1)
		return lower_fail(s, SA_ERR_BAD_MODEL, "bound '%.64s' is not a scalar", b->name);
	*v = b->f32[0];
	return SA_OK;
}

static sa_status lower_activation(struct lower_state *s)
{
	const struct sa_onnx_node *n = &s->g->nodes[s->node];
	const struct lower_value *in;
	struct sa_lowered_layer *l;
	int act = SA_ACT_RELU;
	sa_status st = lower_tensor_input(s, 0, &in);

	if (st)
		return st;
	if (n->op == SA_ONNX_CLIP) {
		float lo, hi;

		st = clip_bound(s, 1, n->a.clip_min, &lo);
		if (!st)
			st = clip_bound(s, 2, n->a.clip_max, &hi);
		if (st)
			return st;
		/* An absent bound is +-FLT_MAX (onnx_ops.c), a written one may be inf. */
		int unbounded = hi >= FLT_MAX;

		if (lo != 0.0f || (hi != 6.0f && !unbounded))
			return lower_fail(s, SA_ERR_UNSUPPORTED,
					  "Clip(%g, %g): only Clip(0, 6) (ReLU6) and Clip(0, inf) "
					  "(ReLU) are supported",
					  (double)lo, (double)hi);
		act = unbounded ? SA_ACT_RELU : SA_ACT_RELU6;
	}
	l = activation_target(s, in);
	if (!l)
		return lower_fail(s, SA_ERR_UNSUPPORTED,
				  "an activation is supported only on the output of a Conv, "
				  "Gemm, MatMul or Add (also through MaxPool and Flatten) that "
				  "nothing else reads");
	l->spec.act = act;
	lower_alias_output(s, in);
	return SA_OK;
}

/* Softmax and LogSoftmax keep the order of the logits: dropped at the graph's output. */
static sa_status lower_softmax(struct lower_state *s)
{
	const struct sa_onnx_node *n = &s->g->nodes[s->node];
	const struct lower_value *in;
	sa_status st = lower_tensor_input(s, 0, &in);

	if (st)
		return st;
	for (uint32_t i = 0; i < s->g->n_outputs; i++)
		if (s->g->outputs[i] == n->outputs[0] && s->values[n->outputs[0]].uses == 1) {
			lower_alias_output(s, in);
			return SA_OK;
		}
	return lower_fail(s, SA_ERR_UNSUPPORTED,
			  "supported only as the graph's output (the host computes "
			  "probabilities)");
}

/* A Pad of nothing (PyTorch writes one before some average pools) is its input. */
static sa_status lower_pad(struct lower_state *s)
{
	const struct sa_onnx_node *n = &s->g->nodes[s->node];
	const struct sa_onnx_value *pads = n->n_inputs > 1 && n->inputs[1] != SA_ONNX_NONE
						   ? &s->g->values[n->inputs[1]]
						   : NULL;
	const struct lower_value *in;
	sa_status st = lower_tensor_input(s, 0, &in);

	if (st)
		return st;
	if (!pads || !pads->is_initializer || pads->elem_type != SA_ONNX_INT64)
		return lower_fail(s, SA_ERR_UNSUPPORTED, "pads must be a constant");
	for (uint64_t i = 0; i < pads->count; i++)
		if (pads->i64[i] != 0)
			return lower_fail(s, SA_ERR_UNSUPPORTED,
					  "padding as an op of its own is not supported yet (only "
					  "an empty Pad; give Conv or the pool its pads)");
	lower_alias_output(s, in);
	return SA_OK;
}

static sa_status lower_node(struct lower_state *s)
{
	const struct sa_onnx_node *n = &s->g->nodes[s->node];
	const struct lower_value *in;
	sa_status st;

	switch (n->op) {
	case SA_ONNX_CONV: return lower_conv(s);
	case SA_ONNX_GEMM: return lower_gemm(s);
	case SA_ONNX_MATMUL: return lower_matmul(s);
	case SA_ONNX_ADD: return lower_add(s);
	case SA_ONNX_BATCHNORM: return lower_batchnorm(s);
	case SA_ONNX_RELU:
	case SA_ONNX_CLIP: return lower_activation(s);
	case SA_ONNX_MAXPOOL:
	case SA_ONNX_AVGPOOL: return lower_pool(s);
	case SA_ONNX_GLOBALAVGPOOL: return lower_global_avgpool(s);
	case SA_ONNX_FLATTEN: return lower_flatten(s);
	case SA_ONNX_RESHAPE: return lower_reshape(s);
	case SA_ONNX_DROPOUT:
	case SA_ONNX_IDENTITY:
	case SA_ONNX_QUANTIZE: /* the float network; calibration sets the exponents */
	case SA_ONNX_DEQUANTIZE:
		st = lower_tensor_input(s, 0, &in);
		if (!st)
			lower_alias_output(s, in);
		return st;
	case SA_ONNX_SOFTMAX:
	case SA_ONNX_LOGSOFTMAX: return lower_softmax(s);
	case SA_ONNX_PAD: return lower_pad(s);
	case SA_ONNX_CONCAT:
		return lower_fail(s, SA_ERR_UNSUPPORTED,
				  "Concat is not in the integer contract yet; not supported yet");
	case SA_ONNX_NUM_OPS: break;
	}
	return lower_fail(s, SA_ERR_UNSUPPORTED, "not supported yet");
}

/* The input's fixed dimensions must be the data's; a free (symbolic) one takes the data's. */
static sa_status check_input(const struct sa_lowered *o, const struct sa_onnx_value *in)
{
	int want[4] = {1, o->in_c, o->in_h, o->in_w};

	if (in->ndim != 4)
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: the input '%.64s' has %u dimensions; images are NCHW (4)",
			       o->source, in->name, in->ndim);
	for (int i = 0; i < 4; i++)
		if (in->dims[i] > 0 && in->dims[i] != want[i])
			return sa_fail(SA_ERR_SHAPE,
				       "%s: the model takes %lldx%lldx%lldx%lld inputs but the "
				       "images are 1x%dx%dx%d",
				       o->source, (long long)in->dims[0], (long long)in->dims[1],
				       (long long)in->dims[2], (long long)in->dims[3], o->in_c,
				       o->in_h, o->in_w);
	return SA_OK;
}

/* The graph's one output must be the last layer: a conv, fc or add without activation. */
static sa_status check_output(const struct lower_state *s)
{
	const struct sa_lowered *o = s->out;
	const struct lower_value *v;
	const struct sa_lowered_layer *last;

	if (s->g->n_outputs != 1)
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: the graph has %u outputs; one (the logits) "
			       "is supported",
			       o->source, s->g->n_outputs);
	v = &s->values[s->g->outputs[0]];
	if (v->layer < 0 || v->layer != o->num_layers - 1)
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: the output must be computed by the graph's last layer "
			       "(branches that do not reach the output are not supported)",
			       o->source);
	last = &o->layers[v->layer];
	if ((last->spec.op != TR_OP_CONV && last->spec.op != TR_OP_FC &&
	     last->spec.op != TR_OP_ADD) ||
	    last->spec.act != SA_ACT_NONE)
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: the output (the logits) must come from a Conv, Gemm, MatMul "
			       "or Add without activation",
			       o->source);
	return SA_OK;
}

sa_status sa_onnx_lower(const struct sa_onnx_graph *g, const char *source, int c, int h, int w,
			struct sa_lowered *out)
{
	struct lower_state s = {.out = out, .g = g};
	sa_status st;

	memset(out, 0, sizeof(*out));
	out->graph = g;
	out->source = source;
	out->in_c = c, out->in_h = h, out->in_w = w;
	st = check_input(out, &g->values[g->input]);
	if (st)
		return st;
	s.values = calloc(g->n_values ? g->n_values : 1, sizeof(*s.values));
	if (!s.values)
		return sa_fail(SA_ERR_NO_MEMORY, "import: out of memory");
	for (uint32_t i = 0; i < g->n_values; i++)
		s.values[i].layer = LOWER_VALUE_NONE;
	s.values[g->input] = (struct lower_value){LOWER_VALUE_INPUT, c, h, w, 0};
	for (uint32_t i = 0; i < g->n_nodes; i++)
		for (uint32_t j = 0; j < g->nodes[i].n_inputs; j++)
			if (g->nodes[i].inputs[j] != SA_ONNX_NONE)
				s.values[g->nodes[i].inputs[j]].uses++;
	for (uint32_t i = 0; i < g->n_outputs; i++)
		s.values[g->outputs[i]].uses++;
	st = SA_OK;
	for (s.node = 0; !st && s.node < g->n_nodes; s.node++)
		st = lower_node(&s);
	if (!st)
		st = check_output(&s);
	if (!st) {
		const struct sa_lowered_layer *last = &out->layers[out->num_layers - 1];

		out->classes = last->out_c * last->out_h * last->out_w;
	}
	free(s.values);
	if (st)
		sa_lowered_free(out);
	return st;
}

void sa_lowered_free(struct sa_lowered *l)
{
	for (int i = 0; l->layers && i < l->num_layers; i++) {
		free(l->layers[i].weight);
		free(l->layers[i].bias);
	}
	free(l->layers);
	l->layers = NULL;
	l->num_layers = 0;
}
