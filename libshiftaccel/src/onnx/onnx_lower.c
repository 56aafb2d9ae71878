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
	if (((*v)->pad[0] || (*v)->pad[1] || (*v)->pad[2] || (*v)->pad[3]) &&
	    n->op != SA_ONNX_CONV && n->op != SA_ONNX_AVGPOOL)
		return lower_fail(s, SA_ERR_UNSUPPORTED,
				  "input %u is zero-padded by a Pad; padding as an op of its own "
				  "is supported only before a Conv or an AveragePool",
				  i + 1);
	return SA_OK;
}

const struct sa_onnx_value *lower_const_input(const struct lower_state *s, uint32_t i)
{
	const struct sa_onnx_node *n = &s->g->nodes[s->node];
	uint32_t id = i < n->n_inputs ? n->inputs[i] : SA_ONNX_NONE;

	return id == SA_ONNX_NONE ? NULL : &s->g->values[s->constant_of[id]];
}

sa_status lower_float_input(const struct lower_state *s, uint32_t i, uint32_t ndim,
			    const struct sa_onnx_value **v)
{
	const struct sa_onnx_value *val = lower_const_input(s, i);

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

/* ONNX: y = gamma * (x - mean) / sqrt(var + eps) + beta = scale * x + shift, per channel. */
static double bn_scale(const struct sa_onnx_value *const p[4], double eps, int c)
{
	return (double)p[0]->f32[c] / sqrt((double)p[3]->f32[c] + eps);
}

/*
 * Batch norm with no conv to fold into (DenseNet's pre-activation norm ->
 * relu -> conv): a depthwise 1x1 conv with weight scale_c and bias shift_c,
 * exact in float; conversion rounds the scales by equation 12 like any weight.
 */
static sa_status lower_batchnorm_alone(struct lower_state *s, const struct lower_value *in,
				       const struct sa_onnx_value *const p[4])
{
	double eps = s->g->nodes[s->node].a.epsilon;
	struct sa_lowered_layer *l;
	sa_status st = lower_new_layer(s, TR_OP_CONV, in, &l);

	if (st)
		return st;
	l->spec.out = in->c;
	l->spec.kh = l->spec.kw = 1;
	l->spec.groups = in->c;
	l->spec.bias = 1;
	l->bn_alone = 1;
	lower_set_output(s, l, in->c, in->h, in->w);
	l->n_weight = (size_t)in->c;
	l->weight = malloc(sizeof(float) * (size_t)in->c);
	l->bias = malloc(sizeof(float) * (size_t)in->c);
	if (!l->weight || !l->bias)
		return sa_fail(SA_ERR_NO_MEMORY, "import: out of memory");
	for (int c = 0; c < in->c; c++) {
		double scale = bn_scale(p, eps, c);

		l->weight[c] = (float)scale;
		l->bias[c] = (float)(p[1]->f32[c] - p[2]->f32[c] * scale);
	}
	return SA_OK;
}

/*
 * BatchNormalization folded into the convolution before it, with the file's
 * epsilon; on any other input a per-channel layer of its own.
 */
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
	for (int i = 0; i < 4; i++)
		if (p[i]->count != (uint64_t)in->c)
			return lower_fail(s, SA_ERR_BAD_MODEL,
					  "'%.64s' has %llu values for %d "
					  "channels",
					  p[i]->name, (unsigned long long)p[i]->count, in->c);
	l = in->layer >= 0 ? &s->out->layers[in->layer] : NULL;
	if (!l || l->spec.op != TR_OP_CONV || l->spec.act != SA_ACT_NONE || l->uses != 1)
		return lower_batchnorm_alone(s, in, p);
	if (!l->bias && !(l->bias = calloc((size_t)l->out_c, sizeof(float))))
		return sa_fail(SA_ERR_NO_MEMORY, "import: out of memory");
	size_t per = l->n_weight / (size_t)l->out_c;

	for (int o = 0; o < l->out_c; o++) {
		double scale = bn_scale(p, n->a.epsilon, o);

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
 * The layer that an activation on `in` fuses into: the conv, fc, add or
 * concat that computes it, also across max pools and flattens (ReLU commutes with both),
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
		if (l->spec.op == TR_OP_CONV || l->spec.op == TR_OP_FC || l->spec.op == TR_OP_ADD ||
		    l->spec.op == TR_OP_CONCAT)
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
	if (l) {
		l->spec.act = act;
		lower_alias_output(s, in);
		return SA_OK;
	}
	/* Nothing to fuse into (the input, a pool, a value read elsewhere too): a clip layer. */
	st = lower_new_layer(s, TR_OP_CLIP, in, &l);
	if (!st) {
		l->spec.act = act;
		lower_set_output(s, l, in->c, in->h, in->w);
	}
	return st;
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

/*
 * A Pad of zeros on height and width (PyTorch writes one before padded
 * average pools) is its input with pending padding, which the Conv or
 * AveragePool reading it adds to its own pads: both count padding as zeros.
 */
static sa_status lower_pad(struct lower_state *s)
{
	const struct sa_onnx_node *n = &s->g->nodes[s->node];
	const struct sa_onnx_value *pads = lower_const_input(s, 1);
	const struct sa_onnx_value *value = NULL;
	const struct lower_value *in;
	sa_status st = lower_tensor_input(s, 0, &in);

	if (st)
		return st;
	if (!pads || !pads->is_initializer || pads->elem_type != SA_ONNX_INT64)
		return lower_fail(s, SA_ERR_UNSUPPORTED, "pads must be a constant");
	if (n->n_inputs > 2 && n->inputs[2] != SA_ONNX_NONE &&
	    (st = lower_float_input(s, 2, 0, &value)))
		return st;
	/* NCHW: begins (n, c, h, w), then ends */
	int ok = pads->count == 8 && !pads->i64[0] && !pads->i64[1] && !pads->i64[4] &&
		 !pads->i64[5] && (!value || (value->count == 1 && value->f32[0] == 0.0f));

	for (uint64_t i = 0; ok && i < pads->count; i++)
		ok = pads->i64[i] >= 0 && pads->i64[i] <= SA_LOWER_MAX_SIDE;
	for (uint64_t i = 0; !ok && i < pads->count; i++)
		if (pads->i64[i] != 0)
			return lower_fail(s, SA_ERR_UNSUPPORTED,
					  "only a Pad of zeros on height and width (before a Conv "
					  "or an AveragePool) is supported");
	lower_alias_output(s, in);
	if (pads->count == 8) {
		struct lower_value *out = &s->values[n->outputs[0]];
		const int64_t at[4] = {2, 3, 6, 7};

		for (int i = 0; i < 4; i++)
			out->pad[i] += (int)pads->i64[at[i]];
	}
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
		/* PyTorch names a shared weight twice through an Identity of it */
		if (n->n_inputs > 0 && n->inputs[0] != SA_ONNX_NONE &&
		    s->values[n->inputs[0]].layer == LOWER_VALUE_NONE &&
		    lower_const_input(s, 0)->is_initializer) {
			s->constant_of[n->outputs[0]] = s->constant_of[n->inputs[0]];
			return SA_OK;
		}
		st = lower_tensor_input(s, 0, &in);
		if (!st)
			lower_alias_output(s, in);
		return st;
	case SA_ONNX_SOFTMAX:
	case SA_ONNX_LOGSOFTMAX: return lower_softmax(s);
	case SA_ONNX_PAD: return lower_pad(s);
	case SA_ONNX_CONCAT: return lower_concat(s);
	case SA_ONNX_NUM_OPS: break;
	}
	return lower_fail(s, SA_ERR_UNSUPPORTED, "not supported yet");
}

/*
 * The conv and fc layers that read layer `from`'s channels, through max and
 * average pools, global pools and flattens (which commute with a positive
 * per-channel scale), into out[] (at most `max`); -1 when some reader is
 * anything else or the values are the graph's output.
 */
static int scale_readers(const struct sa_lowered *o, int from, int *out, int n, int max)
{
	int readers = 0;

	if (from == o->num_layers - 1)
		return -1;
	for (int i = from + 1; i < o->num_layers; i++) {
		const struct sa_lowered_layer *y = &o->layers[i];
		int op = y->spec.op;

		if ((op == TR_OP_ADD || op == TR_OP_CONCAT) &&
		    !strcmp(y->spec.other, o->layers[from].spec.name))
			return -1;
		if (y->from_layer != from)
			continue;
		readers++;
		if (op == TR_OP_CONV || op == TR_OP_FC) {
			if (n == max)
				return -1;
			out[n++] = i;
		} else if (op == TR_OP_MAXPOOL || op == TR_OP_AVGPOOL || op == TR_OP_GAP ||
			   op == TR_OP_FLATTEN) {
			if ((n = scale_readers(o, i, out, n, max)) < 0)
				return -1;
		} else {
			return -1;
		}
	}
	return readers == o->layers[from].uses ? n : -1;
}

/*
 * A batch norm of its own computes s_c x + t_c (then maybe ReLU).  Where its
 * readers are convs and fcs (also through pools and flattens), it becomes
 * sign(s_c) x + t_c / |s_c| with weights +-1, exact in any code, and |s_c|
 * moves into the readers' input-channel weights: relu(s x + t) = |s|
 * relu(sign(s) x + t / |s|).  Else the scales stay its weights.
 */
static void move_bn_scales(struct sa_lowered *o)
{
	enum { MAX_READERS = 64 };
	int readers[MAX_READERS];

	for (int b = 0; b < o->num_layers; b++) {
		struct sa_lowered_layer *l = &o->layers[b];
		int n = l->bn_alone ? scale_readers(o, b, readers, 0, MAX_READERS) : -1;

		for (int c = 0; n > 0 && c < l->out_c; c++)
			if (!(fabsf(l->weight[c]) > 0.0f) || !isfinite(l->weight[c]))
				n = -1;
		if (n <= 0)
			continue;
		for (int r = 0; r < n; r++) {
			struct sa_lowered_layer *y = &o->layers[readers[r]];
			/* inputs per channel: 1 for conv, H*W of the flattened map for fc */
			size_t per_out = y->n_weight / (size_t)y->out_c;
			int icg = y->spec.op == TR_OP_CONV ? y->in_c / y->spec.groups : y->in_c;
			int groups = y->spec.op == TR_OP_CONV ? y->spec.groups : 1;
			size_t taps = per_out / (size_t)icg;
			int spread = y->spec.op == TR_OP_FC ? y->in_c / l->out_c : 1;

			for (size_t k = 0; k < y->n_weight; k++) {
				int oc = (int)(k / per_out);
				int in = (int)((k % per_out) / taps);
				int ch = (oc / (y->out_c / groups)) * icg + in;

				y->weight[k] *= fabsf(l->weight[ch / spread]);
			}
		}
		for (int c = 0; c < l->out_c; c++) {
			float g = fabsf(l->weight[c]);

			l->bias[c] /= g;
			l->weight[c] = l->weight[c] > 0 ? 1.0f : -1.0f;
		}
	}
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
	/* through pools and flattens (SqueezeNet's conv -> relu -> pool head), any activation */
	while (last->from_layer >= 0 &&
	       (last->spec.op == TR_OP_MAXPOOL || last->spec.op == TR_OP_AVGPOOL ||
		last->spec.op == TR_OP_GAP || last->spec.op == TR_OP_FLATTEN))
		last = &o->layers[last->from_layer];
	if (last->spec.op != TR_OP_CONV && last->spec.op != TR_OP_FC &&
	    last->spec.op != TR_OP_ADD && last->spec.op != TR_OP_CONCAT)
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: the output (the logits) must come from a Conv, Gemm, MatMul, "
			       "Add or Concat, directly or through pools and flattens",
			       o->source);
	if (last == &o->layers[v->layer] && last->spec.act != SA_ACT_NONE)
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
	s.constant_of = calloc(g->n_values ? g->n_values : 1, sizeof(*s.constant_of));
	if (!s.values || !s.constant_of) {
		free(s.values);
		free(s.constant_of);
		return sa_fail(SA_ERR_NO_MEMORY, "import: out of memory");
	}
	for (uint32_t i = 0; i < g->n_values; i++) {
		s.values[i].layer = LOWER_VALUE_NONE;
		s.constant_of[i] = i;
	}
	s.values[g->input] = (struct lower_value){LOWER_VALUE_INPUT, c, h, w, 0, {0}};
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
	if (!st)
		move_bn_scales(out);
	if (!st) {
		const struct sa_lowered_layer *last = &out->layers[out->num_layers - 1];

		out->classes = last->out_c * last->out_h * last->out_w;
	}
	free(s.values);
	free(s.constant_of);
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
