// SPDX-License-Identifier: MIT
/*
 * The ONNX ops that become trainer layers (onnx_lower.h): their geometry,
 * output shape and float weights in the trainer's layouts.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../error.h"
#include "onnx_lower_state.h"

/* Output size of a window op along one axis; <= 0 when the window does not fit. */
static long long window_out(long long in, long long pad, long long k, long long stride,
			    long long dilation)
{
	long long span = dilation * (k - 1) + 1;

	return in + pad < span ? 0 : (in + pad - span) / stride + 1;
}

/*
 * Extra end padding that ceil_mode=1 gives one axis: the output size is
 * ceil((in + pads - k) / stride) + 1, less one if the last window would
 * start in the end padding (ONNX and PyTorch), so the windows end that much
 * after the padded input.
 */
static long long ceil_extra(long long in, long long pad_begin, long long pad_end, long long k,
			    long long stride)
{
	long long span = in + pad_begin + pad_end - k;

	if (span < 0 || span % stride == 0)
		return 0;
	long long out = span / stride + 2;

	if ((out - 1) * stride >= in + pad_begin)
		return 0; /* the floor's count: no partial window */
	return (out - 1) * stride + k - (in + pad_begin + pad_end);
}

static float *copy_floats(const float *src, size_t n)
{
	float *p = malloc(n ? n * sizeof(float) : 1);

	if (p)
		memcpy(p, src, n * sizeof(float));
	return p;
}

/* Bias from an initializer of `n` values or one (broadcast), times `scale`. */
static sa_status take_bias(const struct lower_state *s, const struct sa_onnx_value *b, int n,
			   float scale, float **out)
{
	if (b->count != (uint64_t)n && b->count != 1)
		return lower_fail(s, SA_ERR_UNSUPPORTED,
				  "bias '%.64s' has %llu values for %d outputs", b->name,
				  (unsigned long long)b->count, n);
	*out = malloc(sizeof(float) * (size_t)n);
	if (!*out)
		return sa_fail(SA_ERR_NO_MEMORY, "import: out of memory");
	for (int i = 0; i < n; i++)
		(*out)[i] = scale * b->f32[b->count == 1 ? 0 : i];
	return SA_OK;
}

/* The trainer's name of the layer computing v (the input's for the image). */
static const char *value_layer_name(const struct lower_state *s, const struct lower_value *v)
{
	return v->layer < 0 ? SA_LOWER_INPUT_NAME : s->out->layers[v->layer].spec.name;
}

sa_status lower_conv(struct lower_state *s)
{
	const struct sa_onnx_node *n = &s->g->nodes[s->node];
	const struct sa_onnx_attrs *a = &n->a;
	const struct lower_value *in;
	const struct sa_onnx_value *wv, *bv = NULL;
	struct sa_lowered_layer *l;
	sa_status st = lower_tensor_input(s, 0, &in);

	if (!st)
		st = lower_float_input(s, 1, 4, &wv);
	if (!st && n->n_inputs > 2 && n->inputs[2] != SA_ONNX_NONE)
		st = lower_float_input(s, 2, 1, &bv);
	if (st)
		return st;
	long long oc = wv->dims[0], icg = wv->dims[1], kh = wv->dims[2], kw = wv->dims[3];

	if (oc < 1 || icg < 1 || kh < 1 || kw < 1 ||
	    (a->kernel[0] && (a->kernel[0] != kh || a->kernel[1] != kw)) || a->group < 1 ||
	    icg * a->group != in->c || oc % a->group)
		return lower_fail(s, SA_ERR_BAD_MODEL,
				  "weights %lldx%lldx%lldx%lld do not fit %d input channels in "
				  "%lld groups",
				  oc, icg, kh, kw, in->c, (long long)a->group);
	long long pads[4];

	for (int i = 0; i < 4; i++)
		pads[i] = a->pads[i] + in->pad[i];
	long long oh = window_out(in->h, pads[0] + pads[2], kh, a->strides[0], a->dilations[0]);
	long long ow = window_out(in->w, pads[1] + pads[3], kw, a->strides[1], a->dilations[1]);
	if (oh < 1 || ow < 1 || oh > SA_LOWER_MAX_SIDE || ow > SA_LOWER_MAX_SIDE)
		return lower_fail(s, SA_ERR_SHAPE,
				  "the %lldx%lld kernel does not fit the %dx%d "
				  "input",
				  kh, kw, in->h, in->w);
	st = lower_new_layer(s, TR_OP_CONV, in, &l);
	if (st)
		return st;
	struct tr_layer_spec *p = &l->spec;

	p->out = (int)oc;
	p->kh = (int)kh, p->kw = (int)kw;
	p->sh = (int)a->strides[0], p->sw = (int)a->strides[1];
	p->dh = (int)a->dilations[0], p->dw = (int)a->dilations[1];
	p->pt = (int)pads[0], p->pl = (int)pads[1];
	p->pb = (int)pads[2], p->pr = (int)pads[3];
	p->groups = (int)a->group;
	p->bias = bv != NULL;
	lower_set_output(s, l, (int)oc, (int)oh, (int)ow);
	/* ONNX's OIHW is the trainer's [out][in / groups][kh][kw]. */
	l->n_weight = wv->count;
	if (!(l->weight = copy_floats(wv->f32, wv->count)))
		return sa_fail(SA_ERR_NO_MEMORY, "import: out of memory");
	return bv ? take_bias(s, bv, (int)oc, 1.0f, &l->bias) : SA_OK;
}

/* A fully connected layer of `in` -> `out` features; weights filled by the caller. */
static sa_status new_fc(struct lower_state *s, const struct lower_value *in, long long in_f,
			long long out_f, struct sa_lowered_layer **l)
{
	sa_status st;

	if (in->h != 1 || in->w != 1)
		return lower_fail(s, SA_ERR_UNSUPPORTED,
				  "the input is %dx%dx%d; flatten it to a vector first", in->c,
				  in->h, in->w);
	if (in_f != in->c || out_f < 1)
		return lower_fail(s, SA_ERR_BAD_MODEL, "weights %lldx%lld for %d input features",
				  in_f, out_f, in->c);
	st = lower_new_layer(s, TR_OP_FC, in, l);
	if (st)
		return st;
	(*l)->spec.out = (int)out_f;
	lower_set_output(s, *l, (int)out_f, 1, 1);
	(*l)->n_weight = (size_t)(in_f * out_f);
	(*l)->weight = malloc(sizeof(float) * (*l)->n_weight);
	return (*l)->weight ? SA_OK : sa_fail(SA_ERR_NO_MEMORY, "import: out of memory");
}

/* w [in][out] (ONNX MatMul, Gemm without transB) -> the trainer's [out][in], times alpha. */
static void transpose_into(float *dst, const float *w, long long in_f, long long out_f, float alpha)
{
	for (long long o = 0; o < out_f; o++)
		for (long long i = 0; i < in_f; i++)
			dst[o * in_f + i] = alpha * w[i * out_f + o];
}

sa_status lower_gemm(struct lower_state *s)
{
	const struct sa_onnx_node *n = &s->g->nodes[s->node];
	const struct lower_value *in;
	const struct sa_onnx_value *bv, *cv = NULL;
	struct sa_lowered_layer *l;
	sa_status st = lower_tensor_input(s, 0, &in);

	if (!st)
		st = lower_float_input(s, 1, 2, &bv);
	if (!st && n->n_inputs > 2 && n->inputs[2] != SA_ONNX_NONE)
		st = lower_float_input(s, 2, 0, &cv);
	if (st)
		return st;
	if (n->a.trans_a)
		return lower_fail(s, SA_ERR_UNSUPPORTED, "transA=1 is not supported");
	long long in_f = n->a.trans_b ? bv->dims[1] : bv->dims[0];
	long long out_f = n->a.trans_b ? bv->dims[0] : bv->dims[1];

	st = new_fc(s, in, in_f, out_f, &l);
	if (st)
		return st;
	if (n->a.trans_b)
		for (size_t i = 0; i < l->n_weight; i++)
			l->weight[i] = n->a.alpha * bv->f32[i];
	else
		transpose_into(l->weight, bv->f32, in_f, out_f, n->a.alpha);
	l->spec.bias = cv != NULL;
	return cv ? take_bias(s, cv, (int)out_f, n->a.beta, &l->bias) : SA_OK;
}

sa_status lower_matmul(struct lower_state *s)
{
	const struct lower_value *in;
	const struct sa_onnx_value *bv;
	struct sa_lowered_layer *l;
	sa_status st = lower_tensor_input(s, 0, &in);

	if (!st)
		st = lower_float_input(s, 1, 2, &bv);
	if (!st)
		st = new_fc(s, in, bv->dims[0], bv->dims[1], &l);
	if (!st)
		transpose_into(l->weight, bv->f32, bv->dims[0], bv->dims[1], 1.0f);
	return st;
}

/* The one node that reads value v, or NULL when none or several do. */
static const struct sa_onnx_node *only_reader(const struct sa_onnx_graph *g, uint32_t v)
{
	const struct sa_onnx_node *reader = NULL;

	for (uint32_t i = 0; i < g->n_nodes; i++)
		for (uint32_t j = 0; j < g->nodes[i].n_inputs; j++)
			if (g->nodes[i].inputs[j] == v) {
				if (reader)
					return NULL;
				reader = &g->nodes[i];
			}
	return reader;
}

/*
 * A tie-breaking addend (what shiftaccel-export writes before each
 * QuantizeLinear, docs/import.md): a scalar constant below half of the
 * scale of the QuantizeLinear that alone reads the sum (through Relu or
 * Clip).  It can only move a value that lies exactly half-way between two
 * codes, which the importer, reading QDQ pairs as the float network, has
 * no use for: the node is read as the identity.
 */
static int is_tie_breaker(const struct lower_state *s, const struct sa_onnx_value *c)
{
	const struct sa_onnx_node *n = &s->g->nodes[s->node];
	const struct sa_onnx_value *scale;

	if (c->count != 1 || !c->f32)
		return 0;
	n = only_reader(s->g, n->outputs[0]);
	while (n && (n->op == SA_ONNX_RELU || n->op == SA_ONNX_CLIP))
		n = only_reader(s->g, n->outputs[0]);
	if (!n || n->op != SA_ONNX_QUANTIZE || n->n_inputs < 2 || n->inputs[1] == SA_ONNX_NONE)
		return 0;
	scale = &s->g->values[n->inputs[1]];
	return scale->is_initializer && scale->count == 1 && scale->f32 &&
	       fabsf(c->f32[0]) < 0.5f * scale->f32[0];
}

/* Add of a constant: the bias of the conv or fc (MatMul) that computes the other input. */
static sa_status lower_bias_add(struct lower_state *s, uint32_t tensor_input)
{
	const struct lower_value *in;
	const struct sa_onnx_value *bv;
	struct sa_lowered_layer *l;
	float *b;
	sa_status st = lower_tensor_input(s, tensor_input, &in);

	if (!st)
		st = lower_float_input(s, 1 - tensor_input, 0, &bv);
	if (st)
		return st;
	if (is_tie_breaker(s, bv)) {
		lower_alias_output(s, in);
		return SA_OK;
	}
	l = in->layer >= 0 ? &s->out->layers[in->layer] : NULL;
	if (!l || (l->spec.op != TR_OP_FC && l->spec.op != TR_OP_CONV) ||
	    l->spec.act != SA_ACT_NONE || l->uses != 1)
		return lower_fail(s, SA_ERR_UNSUPPORTED,
				  "adding a constant is supported only as the bias of a MatMul, "
				  "Gemm or Conv whose output nothing else reads");
	st = take_bias(s, bv, l->out_c, 1.0f, &b);
	if (st)
		return st;
	for (int o = 0; l->bias && o < l->out_c; o++)
		b[o] += l->bias[o];
	free(l->bias);
	l->bias = b;
	l->spec.bias = 1;
	lower_alias_output(s, in);
	return SA_OK;
}

sa_status lower_add(struct lower_state *s)
{
	const struct sa_onnx_node *n = &s->g->nodes[s->node];
	const struct lower_value *a, *b;
	struct sa_lowered_layer *l;
	sa_status st;

	for (uint32_t i = 0; i < 2; i++)
		if (n->inputs[i] != SA_ONNX_NONE && lower_const_input(s, i)->is_initializer)
			return lower_bias_add(s, 1 - i);
	st = lower_tensor_input(s, 0, &a);
	if (!st)
		st = lower_tensor_input(s, 1, &b);
	if (st)
		return st;
	if (a->c != b->c || a->h != b->h || a->w != b->w)
		return lower_fail(s, SA_ERR_UNSUPPORTED,
				  "adds %dx%dx%d and %dx%dx%d: broadcasting is not supported", a->c,
				  a->h, a->w, b->c, b->h, b->w);
	st = lower_new_layer(s, TR_OP_ADD, a, &l);
	if (st)
		return st;
	snprintf(l->spec.other, sizeof(l->spec.other), "%s", value_layer_name(s, b));
	lower_set_output(s, l, a->c, a->h, a->w);
	return SA_OK;
}

/*
 * Concat along channels of N inputs: a chain of binary concats, (in 1, in 2),
 * (that, in 3), ...; every step but the last is read only by the next.
 */
sa_status lower_concat(struct lower_state *s)
{
	const struct sa_onnx_node *n = &s->g->nodes[s->node];
	const struct lower_value *acc, *next;
	struct sa_lowered_layer *l;
	sa_status st = lower_tensor_input(s, 0, &acc);

	if (st)
		return st;
	/* NCHW with a batch of 1: axis 1 (or -3) is the channels */
	if (n->a.axis != 1 && n->a.axis != -3)
		return lower_fail(s, SA_ERR_UNSUPPORTED,
				  "axis %lld: only concatenation along channels (axis 1) is "
				  "supported",
				  (long long)n->a.axis);
	if (n->n_inputs == 1) {
		lower_alias_output(s, acc);
		return SA_OK;
	}
	for (uint32_t i = 1; i < n->n_inputs; i++) {
		st = lower_tensor_input(s, i, &next);
		if (st)
			return st;
		if (next->h != acc->h || next->w != acc->w)
			return lower_fail(
				s, SA_ERR_UNSUPPORTED,
				"input %u is %dx%d but input 1 is %dx%d: only channels may "
				"differ",
				i + 1, next->h, next->w, acc->h, acc->w);
		st = lower_new_layer(s, TR_OP_CONCAT, acc, &l);
		if (st)
			return st;
		snprintf(l->spec.other, sizeof(l->spec.other), "%s", value_layer_name(s, next));
		if (i + 1 < n->n_inputs)
			l->uses = 1; /* the next step */
		lower_set_output(s, l, acc->c + next->c, acc->h, acc->w);
		acc = &s->values[l->out_value];
	}
	return SA_OK;
}

sa_status lower_pool(struct lower_state *s)
{
	const struct sa_onnx_node *n = &s->g->nodes[s->node];
	const struct sa_onnx_attrs *a = &n->a;
	int avg = n->op == SA_ONNX_AVGPOOL;
	const struct lower_value *in;
	struct sa_lowered_layer *l;
	sa_status st = lower_tensor_input(s, 0, &in);
	long long pads[4];

	if (st)
		return st;
	if (!avg && (a->dilations[0] != 1 || a->dilations[1] != 1))
		return lower_fail(s, SA_ERR_UNSUPPORTED,
				  "dilated max pooling is not supported yet");
	/* The integer average counts padding as zeros (docs/numerics.md). */
	if (avg && (a->pads[0] || a->pads[1] || a->pads[2] || a->pads[3]) && !a->count_include_pad)
		return lower_fail(s, SA_ERR_UNSUPPORTED,
				  "padded average pooling that leaves the padding out "
				  "(count_include_pad=0) is not supported yet");
	/* a Pad's zeros before an average pool are counted, as its own padding is */
	for (int i = 0; i < 4; i++)
		pads[i] = a->pads[i] + in->pad[i];
	/*
	 * ceil_mode=1 adds a partial window at the end of an axis where the
	 * windows do not tile it.  For max pooling that window is exactly extra
	 * bottom/right padding (padding never wins a max); an average would
	 * divide it by a smaller count, which the integer op does not do.
	 */
	if (a->ceil_mode) {
		long long extra_h =
			ceil_extra(in->h, pads[0], pads[2], a->kernel[0], a->strides[0]);
		long long extra_w =
			ceil_extra(in->w, pads[1], pads[3], a->kernel[1], a->strides[1]);

		if (avg && (extra_h || extra_w))
			return lower_fail(s, SA_ERR_UNSUPPORTED,
					  "ceil_mode=1 adds partial windows here, which an average "
					  "pool divides by a smaller count; not supported");
		pads[2] += extra_h;
		pads[3] += extra_w;
	}
	long long oh = window_out(in->h, pads[0] + pads[2], a->kernel[0], a->strides[0], 1);
	long long ow = window_out(in->w, pads[1] + pads[3], a->kernel[1], a->strides[1], 1);
	if (oh < 1 || ow < 1 || oh > SA_LOWER_MAX_SIDE || ow > SA_LOWER_MAX_SIDE)
		return lower_fail(s, SA_ERR_SHAPE, "the window does not fit the %dx%d input", in->h,
				  in->w);
	st = lower_new_layer(s, avg ? TR_OP_AVGPOOL : TR_OP_MAXPOOL, in, &l);
	if (st)
		return st;
	l->spec.kh = (int)a->kernel[0], l->spec.kw = (int)a->kernel[1];
	l->spec.sh = (int)a->strides[0], l->spec.sw = (int)a->strides[1];
	l->spec.pt = (int)pads[0], l->spec.pl = (int)pads[1];
	l->spec.pb = (int)pads[2], l->spec.pr = (int)pads[3];
	lower_set_output(s, l, in->c, (int)oh, (int)ow);
	return SA_OK;
}

sa_status lower_global_avgpool(struct lower_state *s)
{
	const struct lower_value *in;
	struct sa_lowered_layer *l;
	sa_status st = lower_tensor_input(s, 0, &in);

	if (st)
		return st;
	st = lower_new_layer(s, TR_OP_GAP, in, &l);
	if (!st)
		lower_set_output(s, l, in->c, 1, 1);
	return st;
}

static sa_status new_flatten(struct lower_state *s, const struct lower_value *in)
{
	struct sa_lowered_layer *l;
	sa_status st = lower_new_layer(s, TR_OP_FLATTEN, in, &l);

	if (!st)
		lower_set_output(s, l, in->c * in->h * in->w, 1, 1);
	return st;
}

sa_status lower_flatten(struct lower_state *s)
{
	const struct lower_value *in;
	sa_status st = lower_tensor_input(s, 0, &in);
	int64_t axis = s->g->nodes[s->node].a.axis;

	if (st)
		return st;
	/* With a batch of 1, axis 0 and axis 1 give the same [1, C*H*W]. */
	if (axis != 0 && axis != 1)
		return lower_fail(s, SA_ERR_UNSUPPORTED,
				  "axis %lld: only flattening to a vector (axis 1) is supported",
				  (long long)axis);
	return new_flatten(s, in);
}

sa_status lower_reshape(struct lower_state *s)
{
	const struct sa_onnx_value *shape = lower_const_input(s, 1);
	const struct lower_value *in;
	sa_status st = lower_tensor_input(s, 0, &in);
	long long total, known = 1, dims[2];

	if (st)
		return st;
	total = (long long)in->c * in->h * in->w;
	if (!shape || !shape->is_initializer || shape->elem_type != SA_ONNX_INT64 ||
	    shape->count < 1 || shape->count > 2)
		return lower_fail(s, SA_ERR_UNSUPPORTED,
				  "only a reshape to a vector by a constant shape ([1, N], [-1, "
				  "N] or [N]) is supported");
	/* 0 copies the input's dimension (N = 1, then C), -1 takes what is left. */
	for (uint64_t i = 0; i < shape->count; i++) {
		long long d = shape->i64[i];

		dims[i] = d == 0 ? (i == 0 ? 1 : in->c) : d;
		if (dims[i] > 0)
			known *= dims[i];
	}
	for (uint64_t i = 0; i < shape->count; i++)
		if (dims[i] == -1 && known > 0 && total % known == 0)
			dims[i] = total / known;
	if (dims[shape->count - 1] != total || (shape->count == 2 && dims[0] != 1))
		return lower_fail(s, SA_ERR_UNSUPPORTED,
				  "only a reshape to a vector of %lld is supported", total);
	return new_flatten(s, in);
}
