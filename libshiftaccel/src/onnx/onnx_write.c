// SPDX-License-Identifier: MIT
/*
 * A .dsm model as an ONNX graph (opset 13) that any ONNX runtime runs:
 * weights as the exact floats sign * 2^shift, biases as floats at the
 * accumulator scale, activation quantisation as QuantizeLinear /
 * DequantizeLinear pairs (scale 2^exp, zero point 0, int8) after every
 * tensor the integer model rounds.  What ONNX has no place for goes into
 * metadata_props (onnx_export.h).  The message is built from the structs
 * protoc-c generates from Debian's onnx.proto and packed by protobuf-c.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dsm.h"
#include "../error.h"
#include "../model.h"
#include "onnx/onnx.pb-c.h"
#include "onnx_export.h"

/* Every allocation of the message, freed together. */
struct writer {
	const sa_model *m;
	void **allocs;
	size_t n_allocs, cap_allocs;
	int oom;
	Onnx__GraphProto *g;
	Onnx__ModelProto *model;
	size_t cap_nodes, cap_inits, cap_meta;
	uint8_t *rank; /* ONNX rank of each tensor's value: 4 or 2 */
	uint8_t scale_made[SA_EXP_MAX - SA_EXP_MIN + 1];
	uint8_t tie_made[2 * SA_EXPORT_TIE_EXP_LIMIT + 1];
	int zero_point_made, clip_made;
};

static void *w_alloc(struct writer *w, size_t size)
{
	void *p;

	if (w->n_allocs == w->cap_allocs) {
		size_t cap = w->cap_allocs ? 2 * w->cap_allocs : 256;
		void **a = realloc(w->allocs, cap * sizeof(*a));

		if (!a) {
			w->oom = 1;
			return NULL;
		}
		w->allocs = a, w->cap_allocs = cap;
	}
	p = calloc(1, size ? size : 1);
	if (!p) {
		w->oom = 1;
		return NULL;
	}
	w->allocs[w->n_allocs++] = p;
	return p;
}

static char *w_str(struct writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *w_str(struct writer *w, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(s = w_alloc(w, (size_t)n + 1)))
		return (char *)"";
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static const char *tname(const struct writer *w, uint32_t t)
{
	return w->m->tensors[t].name;
}

static void add_meta(struct writer *w, char *key, char *value)
{
	Onnx__StringStringEntryProto *e = w_alloc(w, sizeof(*e));

	if (!e || w->model->n_metadata_props == w->cap_meta) {
		w->oom = 1;
		return;
	}
	onnx__string_string_entry_proto__init(e);
	e->key = key, e->value = value;
	w->model->metadata_props[w->model->n_metadata_props++] = e;
}

/* A node with up to 3 inputs (NULL ends the list) and one output. */
static Onnx__NodeProto *add_node(struct writer *w, const char *op, char *name, char *out, char *in0,
				 char *in1, char *in2)
{
	Onnx__NodeProto *n = w_alloc(w, sizeof(*n));
	char **ins = w_alloc(w, 3 * sizeof(char *)), **outs = w_alloc(w, sizeof(char *));

	if (!n || !ins || !outs || w->g->n_node == w->cap_nodes) {
		w->oom = 1;
		return NULL;
	}
	onnx__node_proto__init(n);
	n->op_type = (char *)op, n->name = name;
	ins[0] = in0, ins[1] = in1, ins[2] = in2;
	n->input = ins;
	n->n_input = !in0 ? 0 : !in1 ? 1 : !in2 ? 2 : 3;
	outs[0] = out;
	n->output = outs, n->n_output = 1;
	n->attribute = w_alloc(w, 6 * sizeof(Onnx__AttributeProto *));
	w->g->node[w->g->n_node++] = n;
	return n;
}

static void attr_ints(struct writer *w, Onnx__NodeProto *n, const char *name, const int64_t *v,
		      size_t count)
{
	Onnx__AttributeProto *a = w_alloc(w, sizeof(*a));
	int64_t *copy = w_alloc(w, count * sizeof(int64_t));

	if (!n || !a || !copy || !n->attribute)
		return;
	onnx__attribute_proto__init(a);
	a->name = (char *)name;
	a->has_type = 1;
	if (count == 1 && strcmp(name, "kernel_shape")) {
		a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
		a->has_i = 1, a->i = v[0];
	} else {
		a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS;
		memcpy(copy, v, count * sizeof(int64_t));
		a->ints = copy, a->n_ints = count;
	}
	n->attribute[n->n_attribute++] = a;
}

static void attr_int(struct writer *w, Onnx__NodeProto *n, const char *name, int64_t v)
{
	attr_ints(w, n, name, &v, 1);
}

/* An initializer; `values` (count of them, elem type `type`) is copied as raw_data. */
static void add_init(struct writer *w, char *name, int32_t type, const int64_t *dims, size_t ndims,
		     const void *values, size_t bytes)
{
	Onnx__TensorProto *t = w_alloc(w, sizeof(*t));
	int64_t *d = w_alloc(w, (ndims ? ndims : 1) * sizeof(int64_t));
	uint8_t *raw = w_alloc(w, bytes);

	if (!t || !d || !raw || w->g->n_initializer == w->cap_inits) {
		w->oom = 1;
		return;
	}
	onnx__tensor_proto__init(t);
	t->name = name;
	if (ndims) /* scalars come with no dims at all */
		memcpy(d, dims, ndims * sizeof(int64_t));
	t->dims = d, t->n_dims = ndims;
	t->has_data_type = 1, t->data_type = type;
	memcpy(raw, values, bytes); /* little-endian, as ONNX's raw_data is */
	t->has_raw_data = 1, t->raw_data.data = raw, t->raw_data.len = bytes;
	w->g->initializer[w->g->n_initializer++] = t;
}

static char *scale_name(struct writer *w, int exp)
{
	char *name = w_str(w, "scale:2^%d", exp);

	if (!w->scale_made[exp - SA_EXP_MIN]) {
		float s = ldexpf(1.0f, exp);

		w->scale_made[exp - SA_EXP_MIN] = 1;
		add_init(w, name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, NULL, 0, &s, sizeof(s));
	}
	return name;
}

static char *zero_point_name(struct writer *w)
{
	static const int8_t zero = 0;

	if (!w->zero_point_made) {
		w->zero_point_made = 1;
		add_init(w, (char *)"zero_point:int8", ONNX__TENSOR_PROTO__DATA_TYPE__INT8, NULL, 0,
			 &zero, 1);
	}
	return (char *)"zero_point:int8";
}

/*
 * The exponent of the tie-breaking addend for an int8 value computed on the
 * grid 2^grid_exp (the finest step its exact value can take) from values
 * with `area` terms averaged (1 if none), rounded to the step 2^out_exp.
 *
 * The integer model rounds ties up (docs/numerics.md section 6), ONNX's
 * QuantizeLinear to even, and with +-2^k weights and 2^e scales exact ties
 * are common (a third of the images of a small CNN had one).  Adding
 * d = 2^tie_exp before QuantizeLinear moves every tie up and nothing else:
 * a value that is not a tie lies at least 2^grid_exp / area / 2 from the
 * nearest half step, and d is half of that or less (a quarter of the output
 * step when the output step is the finer one, so that an exact value is
 * never moved onto a half step).
 */
static int tie_exp(int grid_exp, int out_exp, uint64_t area)
{
	int k = 0;

	while ((1ull << k) < area)
		k++;
	return (grid_exp - k < out_exp ? grid_exp - k : out_exp) - 2;
}

static char *tie_name(struct writer *w, int exp)
{
	char *name = w_str(w, "tie:2^%d", exp);

	if (!w->tie_made[exp + SA_EXPORT_TIE_EXP_LIMIT]) {
		float d = ldexpf(1.0f, exp);

		w->tie_made[exp + SA_EXPORT_TIE_EXP_LIMIT] = 1;
		add_init(w, name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, NULL, 0, &d, sizeof(d));
	}
	return name;
}

/*
 * After an op's output value `src`: for int8 tensors that the integer model
 * rounds (tie != SA_EXPORT_NO_TIE) the tie-breaking Add (tie_exp()), then
 * its fused activation, then for int8 tensors the QDQ pair that rounds and
 * saturates as the integer model does.  The last value is named after the
 * tensor; int16 tensors have no QDQ (opset 13 has no int16 QuantizeLinear)
 * and their exponent goes into the metadata.
 */
static void finish_tensor(struct writer *w, uint32_t t, char *src, uint8_t act, int tie)
{
	const struct sa_model_tensor *mt = &w->m->tensors[t];
	const char *n = mt->name;
	int i8 = mt->dtype == SA_DTYPE_I8;

	if (i8 && tie != SA_EXPORT_NO_TIE && tie >= -SA_EXPORT_TIE_EXP_LIMIT &&
	    tie <= SA_EXPORT_TIE_EXP_LIMIT) {
		char *tied = w_str(w, "%s" SA_EXPORT_SUFFIX_TIED, n);

		add_node(w, "Add", w_str(w, "%s" SA_EXPORT_SUFFIX_TIE, n), tied, src,
			 tie_name(w, tie), NULL);
		src = tied;
	}
	if (act) {
		char *out = i8 ? w_str(w, "%s" SA_EXPORT_SUFFIX_ACT, n) : (char *)n;

		if (act == SA_ACT_RELU) {
			add_node(w, "Relu", w_str(w, "%s" SA_EXPORT_SUFFIX_RELU, n), out, src, NULL,
				 NULL);
		} else {
			if (!w->clip_made) {
				float zero = 0.0f, six = 6.0f;

				w->clip_made = 1;
				add_init(w, (char *)"clip:0", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT,
					 NULL, 0, &zero, 4);
				add_init(w, (char *)"clip:6", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT,
					 NULL, 0, &six, 4);
			}
			add_node(w, "Clip", w_str(w, "%s" SA_EXPORT_SUFFIX_RELU6, n), out, src,
				 (char *)"clip:0", (char *)"clip:6");
		}
		src = out;
	}
	if (i8) {
		char *q = w_str(w, "%s" SA_EXPORT_SUFFIX_Q, n);
		char *scale = scale_name(w, mt->shape.exp);

		add_node(w, "QuantizeLinear", q, q, src, scale, zero_point_name(w));
		add_node(w, "DequantizeLinear", w_str(w, "%s" SA_EXPORT_SUFFIX_DQ, n), (char *)n, q,
			 scale, zero_point_name(w));
	} else {
		add_meta(w, w_str(w, SA_EXPORT_KEY_INT16 "%s", n), w_str(w, "%d", mt->shape.exp));
	}
}

/* Where an op writes: the tensor's own name when nothing follows it. */
static char *op_output(struct writer *w, uint32_t t, uint8_t act)
{
	if (!act && w->m->tensors[t].dtype == SA_DTYPE_I16)
		return (char *)tname(w, t);
	return w_str(w, "%s" SA_EXPORT_SUFFIX_PRE, tname(w, t));
}

/* Weights sign * 2^(base + k - 1) as exact floats, in the .dsm's order (OIHW, [out][in]). */
static sa_status add_weights(struct writer *w, uint32_t t, unsigned bits, int base,
			     const int64_t *dims, size_t ndims)
{
	const struct sa_model_tensor *mt = &w->m->tensors[t];
	int8_t *k = malloc(mt->elems ? mt->elems : 1);
	float *f = malloc(sizeof(float) * (mt->elems ? mt->elems : 1));

	if (!k || !f) {
		free(k), free(f);
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", w->m->name);
	}
	sa_weight_unpack(mt->data, mt->elems, bits, k);
	for (uint64_t i = 0; i < mt->elems; i++) {
		int mag = k[i] < 0 ? -k[i] : k[i];

		f[i] = mag ? ldexpf(k[i] < 0 ? -1.0f : 1.0f, base + mag - 1) : 0.0f;
	}
	add_init(w, (char *)mt->name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, dims, ndims, f,
		 sizeof(float) * mt->elems);
	free(k), free(f);
	return SA_OK;
}

/*
 * Bias int32 b at the accumulator scale 2^(exp_in + base) as the float
 * b * 2^(exp_in + base).  A float holds 24 significant bits, so a bias of
 * more is rounded there; its exact values then go into the metadata as
 * well, and the round trip takes them from there.
 */
static void add_bias(struct writer *w, uint32_t t, int scale_exp, const char *node)
{
	const struct sa_model_tensor *mt = &w->m->tensors[t];
	const uint8_t *p = mt->data;
	float *f = w_alloc(w, sizeof(float) * mt->elems);
	int64_t dim = (int64_t)mt->elems;
	int exact = 1;

	if (!f)
		return;
	for (uint64_t i = 0; i < mt->elems; i++) {
		int32_t b = (int32_t)((uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
				      (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24);

		f[i] = (float)ldexp((double)b, scale_exp);
		exact &= ldexp((double)f[i], -scale_exp) == (double)b;
	}
	add_init(w, (char *)mt->name, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, &dim, 1, f,
		 sizeof(float) * mt->elems);
	if (exact)
		return;
	size_t len = 12 * mt->elems + 1, at = 0;
	char *list = w_alloc(w, len);

	for (uint64_t i = 0; list && i < mt->elems; i++) {
		int32_t b = (int32_t)((uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
				      (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24);

		at += (size_t)snprintf(list + at, len - at, i ? ",%d" : "%d", b);
	}
	if (list)
		add_meta(w, w_str(w, SA_EXPORT_KEY_BIAS "%s", node), list);
}

static void pool_attrs(struct writer *w, Onnx__NodeProto *n, const struct sa_pool_params *p)
{
	int64_t k[2] = {p->kernel_h, p->kernel_w}, s[2] = {p->stride_h, p->stride_w};
	int64_t pads[4] = {p->pad_top, p->pad_left, p->pad_bottom, p->pad_right};

	attr_ints(w, n, "kernel_shape", k, 2);
	attr_ints(w, n, "strides", s, 2);
	attr_ints(w, n, "pads", pads, 4);
}

/* An image (rank 4) input for conv and pools; a vector has no place there. */
static sa_status need_image(struct writer *w, uint32_t node, uint32_t t)
{
	if (w->rank[t] == 4)
		return SA_OK;
	return sa_fail(SA_ERR_UNSUPPORTED,
		       "%s: node %u (%s) reads the vector '%s' as an image; the exporter cannot "
		       "write that yet",
		       w->m->name, node, dsm_op_name(w->m->nodes[node].op), tname(w, t));
}

/* After Conv or Gemm: the weights' code in the metadata, the activation and QDQ. */
static sa_status finish_weighted(struct writer *w, uint32_t out, const Onnx__NodeProto *node,
				 unsigned bits, int base, int in_exp, uint8_t act, uint8_t rank)
{
	add_meta(w, w_str(w, SA_EXPORT_KEY_WEIGHTS "%s", tname(w, out)),
		 w_str(w, "bits=%u base=%d", bits, base));
	finish_tensor(w, out, node ? node->output[0] : NULL, act,
		      tie_exp(in_exp + base, w->m->tensors[out].shape.exp, 1));
	w->rank[out] = rank;
	return SA_OK;
}

static sa_status export_conv(struct writer *w, uint32_t i)
{
	const struct sa_model_node *n = &w->m->nodes[i];
	struct sa_conv_params p;
	uint32_t in = n->inputs[0], out = n->output;
	const struct sa_model_tensor *wt = &w->m->tensors[n->weights];
	int64_t dims[4] = {wt->dims[0], wt->dims[1], wt->dims[2], wt->dims[3]};
	sa_status st;

	p = n->rec->params.conv;
	if ((st = need_image(w, i, in)) ||
	    (st = add_weights(w, n->weights, p.weight_bits, p.weight_base, dims, 4)))
		return st;
	char *bias = NULL;

	if (p.flags & SA_PARAM_HAS_BIAS) {
		add_bias(w, n->bias, w->m->tensors[in].shape.exp + p.weight_base, tname(w, out));
		bias = (char *)tname(w, n->bias);
	}
	Onnx__NodeProto *node = add_node(w, "Conv", (char *)tname(w, out), op_output(w, out, p.act),
					 (char *)tname(w, in), (char *)wt->name, bias);
	int64_t k[2] = {p.kernel_h, p.kernel_w}, s[2] = {p.stride_h, p.stride_w};
	int64_t d[2] = {p.dilation_h, p.dilation_w};
	int64_t pads[4] = {p.pad_top, p.pad_left, p.pad_bottom, p.pad_right};

	attr_ints(w, node, "kernel_shape", k, 2);
	attr_ints(w, node, "strides", s, 2);
	attr_ints(w, node, "dilations", d, 2);
	attr_ints(w, node, "pads", pads, 4);
	attr_int(w, node, "group", p.groups);
	return finish_weighted(w, out, node, p.weight_bits, p.weight_base,
			       w->m->tensors[in].shape.exp, p.act, 4);
}

static sa_status export_fc(struct writer *w, uint32_t i)
{
	const struct sa_model_node *n = &w->m->nodes[i];
	struct sa_fc_params p;
	uint32_t in = n->inputs[0], out = n->output;
	const struct sa_model_tensor *wt = &w->m->tensors[n->weights];
	int64_t dims[2] = {wt->dims[0], wt->dims[1]};
	char *src = (char *)tname(w, in), *bias = NULL;
	sa_status st;

	p = n->rec->params.fc;
	if ((st = add_weights(w, n->weights, p.weight_bits, p.weight_base, dims, 2)))
		return st;
	if (w->rank[in] == 4) { /* Gemm takes a matrix: [1, C*H*W] in the .dsm's order */
		char *vec = w_str(w, "%s" SA_EXPORT_SUFFIX_VEC, tname(w, out));

		add_node(w, "Flatten", w_str(w, "%s" SA_EXPORT_SUFFIX_FLATTEN, tname(w, out)), vec,
			 src, NULL, NULL);
		src = vec;
	}
	if (p.flags & SA_PARAM_HAS_BIAS) {
		add_bias(w, n->bias, w->m->tensors[in].shape.exp + p.weight_base, tname(w, out));
		bias = (char *)tname(w, n->bias);
	}
	Onnx__NodeProto *node = add_node(w, "Gemm", (char *)tname(w, out), op_output(w, out, p.act),
					 src, (char *)wt->name, bias);

	attr_int(w, node, "transB", 1);
	return finish_weighted(w, out, node, p.weight_bits, p.weight_base,
			       w->m->tensors[in].shape.exp, p.act, 2);
}

/* The finer grid of two inputs (add, concat). */
static int min_exp(const struct writer *w, uint32_t a, uint32_t b)
{
	int ea = w->m->tensors[a].shape.exp, eb = w->m->tensors[b].shape.exp;

	return ea < eb ? ea : eb;
}

static sa_status export_node(struct writer *w, uint32_t i)
{
	const struct sa_model_node *n = &w->m->nodes[i];
	uint32_t in = n->inputs[0], out = n->output;
	char *oname = (char *)tname(w, out), *iname = (char *)tname(w, in);
	struct sa_pool_params pool;
	struct sa_add_params add;
	Onnx__NodeProto *node;
	sa_status st;

	pool = n->rec->params.pool;
	switch (n->op) {
	case DSM_OP_CONV: return export_conv(w, i);
	case DSM_OP_FC: return export_fc(w, i);
	case DSM_OP_MAXPOOL: /* takes no rounding: the maximum is on the input's grid */
		if ((st = need_image(w, i, in)))
			return st;
		pool_attrs(w, add_node(w, "MaxPool", oname, oname, iname, NULL, NULL), &pool);
		break;
	case DSM_OP_AVGPOOL:
		if ((st = need_image(w, i, in)))
			return st;
		node = add_node(w, "AveragePool", oname, op_output(w, out, 0), iname, NULL, NULL);
		pool_attrs(w, node, &pool);
		attr_int(w, node, "count_include_pad", 1);
		finish_tensor(w, out, node ? node->output[0] : NULL, 0,
			      tie_exp(w->m->tensors[in].shape.exp, w->m->tensors[out].shape.exp,
				      (uint64_t)pool.kernel_h * pool.kernel_w));
		break;
	case DSM_OP_GLOBAL_AVGPOOL:
		if ((st = need_image(w, i, in)))
			return st;
		node = add_node(w, "GlobalAveragePool", oname, op_output(w, out, 0), iname, NULL,
				NULL);
		finish_tensor(
			w, out, node ? node->output[0] : NULL, 0,
			tie_exp(w->m->tensors[in].shape.exp, w->m->tensors[out].shape.exp,
				(uint64_t)w->m->tensors[in].shape.h * w->m->tensors[in].shape.w));
		break;
	case DSM_OP_ADD:
		add = n->rec->params.add;
		if (w->rank[in] != w->rank[n->inputs[1]])
			return sa_fail(SA_ERR_UNSUPPORTED,
				       "%s: node %u (add) adds a vector and an image; the exporter "
				       "cannot write that yet",
				       w->m->name, i);
		node = add_node(w, "Add", oname, op_output(w, out, add.act), iname,
				(char *)tname(w, n->inputs[1]), NULL);
		finish_tensor(
			w, out, node ? node->output[0] : NULL, add.act,
			tie_exp(min_exp(w, in, n->inputs[1]), w->m->tensors[out].shape.exp, 1));
		break;
	case DSM_OP_CONCAT: /* each input requantised to the output: one rounding after Concat */
		if (w->rank[in] != w->rank[n->inputs[1]])
			return sa_fail(SA_ERR_UNSUPPORTED,
				       "%s: node %u (concat) joins a vector and an image; the "
				       "exporter cannot write that yet",
				       w->m->name, i);
		node = add_node(w, "Concat", oname, op_output(w, out, n->rec->params.concat.act),
				iname, (char *)tname(w, n->inputs[1]), NULL);
		attr_int(w, node, "axis", 1);
		finish_tensor(
			w, out, node ? node->output[0] : NULL, n->rec->params.concat.act,
			tie_exp(min_exp(w, in, n->inputs[1]), w->m->tensors[out].shape.exp, 1));
		break;
	case DSM_OP_CLIP: /* Identity carries the node's name; the activation and QDQ follow */
		node = add_node(w, "Identity", oname, op_output(w, out, n->rec->params.clip.act),
				iname, NULL, NULL);
		finish_tensor(
			w, out, node ? node->output[0] : NULL, n->rec->params.clip.act,
			tie_exp(w->m->tensors[in].shape.exp, w->m->tensors[out].shape.exp, 1));
		break;
	case DSM_OP_FLATTEN: add_node(w, "Flatten", oname, oname, iname, NULL, NULL); break;
	default:
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: node %u: op %s (format 1.1) is not exported yet", w->m->name, i,
			       dsm_op_name(n->op));
	}
	w->rank[out] = n->op == DSM_OP_FLATTEN ? 2
		       : n->op == DSM_OP_ADD || n->op == DSM_OP_CONCAT || n->op == DSM_OP_CLIP
			       ? w->rank[in]
			       : 4;
	return SA_OK;
}

/*
 * A graph input or output: dims[1..] as given, the batch dimension (the
 * first) named, not fixed, so that a runtime takes batches of any size (the
 * graph's Flatten and per-image ops do not depend on it).
 */
static Onnx__ValueInfoProto *value_info(struct writer *w, char *name, const int64_t *dims,
					size_t ndims)
{
	Onnx__ValueInfoProto *v = w_alloc(w, sizeof(*v));
	Onnx__TypeProto *tp = w_alloc(w, sizeof(*tp));
	Onnx__TypeProto__Tensor *tt = w_alloc(w, sizeof(*tt));
	Onnx__TensorShapeProto *sh = w_alloc(w, sizeof(*sh));
	Onnx__TensorShapeProto__Dimension **d = w_alloc(w, ndims * sizeof(*d));

	if (!v || !tp || !tt || !sh || !d)
		return NULL;
	onnx__value_info_proto__init(v);
	onnx__type_proto__init(tp);
	onnx__type_proto__tensor__init(tt);
	onnx__tensor_shape_proto__init(sh);
	for (size_t i = 0; i < ndims; i++) {
		if (!(d[i] = w_alloc(w, sizeof(**d))))
			return NULL;
		onnx__tensor_shape_proto__dimension__init(d[i]);
		if (i == 0) {
			d[i]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
			d[i]->dim_param = (char *)SA_EXPORT_BATCH_DIM;
			continue;
		}
		d[i]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
		d[i]->dim_value = dims[i];
	}
	sh->dim = d, sh->n_dim = ndims;
	tt->has_elem_type = 1, tt->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
	tt->shape = sh;
	tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE, tp->tensor_type = tt;
	v->name = name, v->type = tp;
	return v;
}

static char *float_list(struct writer *w, const float *v, uint32_t n)
{
	char *s = w_alloc(w, 20 * (size_t)n + 1);
	size_t at = 0;

	for (uint32_t i = 0; s && i < n; i++)
		at += (size_t)snprintf(s + at, 20, i ? ",%.9g" : "%.9g", (double)v[i]);
	return s ? s : (char *)"";
}

/* Names are the ONNX value names: non-empty, unique, without the suffix mark ':'. */
static sa_status check_names(const sa_model *m)
{
	for (uint32_t i = 0; i < m->num_tensors; i++) {
		const char *n = m->tensors[i].name;

		if (!*n || strchr(n, ':'))
			return sa_fail(SA_ERR_UNSUPPORTED,
				       "%s: tensor %u is named '%s'; export needs non-empty names "
				       "without ':'",
				       m->name, i, n);
		for (uint32_t j = 0; j < i; j++)
			if (!strcmp(n, m->tensors[j].name))
				return sa_fail(SA_ERR_UNSUPPORTED,
					       "%s: tensors %u and %u are both named '%s'; export "
					       "needs unique names",
					       m->name, j, i, n);
	}
	return SA_OK;
}

static sa_status build(struct writer *w)
{
	const sa_model *m = w->m;
	const struct sa_model_tensor *in = &m->tensors[m->input], *out = &m->tensors[m->output];
	uint32_t c = in->shape.c;
	sa_status st;

	w->model->has_ir_version = 1, w->model->ir_version = 7; /* what opset 13 came with */
	w->model->producer_name = (char *)"shiftaccel-export";
	w->model->producer_version = w_str(w, "%d.%d.%d", SA_LIB_VERSION_MAJOR,
					   SA_LIB_VERSION_MINOR, SA_LIB_VERSION_PATCH);
	Onnx__OperatorSetIdProto *ops = w_alloc(w, sizeof(*ops));
	Onnx__OperatorSetIdProto **opl = w_alloc(w, sizeof(*opl));

	if (!ops || !opl)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", m->name);
	onnx__operator_set_id_proto__init(ops);
	ops->domain = (char *)"", ops->has_version = 1, ops->version = SA_EXPORT_OPSET;
	opl[0] = ops;
	w->model->opset_import = opl, w->model->n_opset_import = 1;

	add_meta(w, (char *)SA_EXPORT_KEY_FORMAT,
		 w_str(w, "dsm %u.%u", m->version_major, m->version_minor));
	add_meta(w, (char *)SA_EXPORT_KEY_EXPORTER, w->model->producer_version);
	add_meta(w, (char *)SA_EXPORT_KEY_MEAN, float_list(w, m->mean, c));
	add_meta(w, (char *)SA_EXPORT_KEY_STD, float_list(w, m->std, c));
	for (uint32_t i = 0; i < m->num_meta; i++)
		add_meta(w, w_str(w, SA_EXPORT_KEY_META "%s", m->meta_keys[i]),
			 (char *)m->meta_values[i]);
	for (uint32_t i = 0; i < m->num_labels; i++)
		add_meta(w, w_str(w, SA_EXPORT_KEY_LABEL "%u", i), (char *)m->labels[i]);

	w->g->name = (char *)(sa_model_meta(m, "name") ? sa_model_meta(m, "name") : "shiftaccel");
	int64_t in_dims[4] = {1, c, in->shape.h, in->shape.w};
	char *in_name = in->dtype == SA_DTYPE_I8 ? w_str(w, "%s" SA_EXPORT_SUFFIX_FLOAT, in->name)
						 : (char *)in->name;

	w->g->input = w_alloc(w, sizeof(*w->g->input));
	if (w->g->input && (w->g->input[0] = value_info(w, in_name, in_dims, 4)))
		w->g->n_input = 1;
	w->rank[m->input] = 4;
	finish_tensor(w, m->input, in_name, 0, SA_EXPORT_NO_TIE); /* real values: no grid */
	for (uint32_t i = 0; i < m->num_nodes; i++)
		if ((st = export_node(w, i)))
			return st;

	int64_t out_dims[4] = {1, out->shape.c, out->shape.h, out->shape.w};

	if (w->rank[m->output] == 2)
		out_dims[1] = (int64_t)out->shape.c * out->shape.h * out->shape.w;
	w->g->output = w_alloc(w, sizeof(*w->g->output));
	if (w->g->output &&
	    (w->g->output[0] = value_info(w, (char *)out->name, out_dims, w->rank[m->output])))
		w->g->n_output = 1;
	return w->oom ? sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", m->name) : SA_OK;
}

sa_status sa_model_export_onnx(const sa_model *m, void **data, size_t *size)
{
	struct writer w = {.m = m};
	Onnx__ModelProto model;
	Onnx__GraphProto graph;
	sa_status st;

	if (!m || !data || !size)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_model_export_onnx: NULL argument");
	if ((st = check_names(m)))
		return st;
	onnx__model_proto__init(&model);
	onnx__graph_proto__init(&graph);
	w.model = &model, w.g = &graph;
	model.graph = &graph;
	/* At most 6 ONNX nodes and 2 + 4 initializers per .dsm node, plus the input's. */
	w.cap_nodes = 6 * (size_t)m->num_nodes + 2;
	w.cap_inits = 2 * (size_t)m->num_nodes + 4 + (SA_EXP_MAX - SA_EXP_MIN + 1);
	w.cap_meta = 8 + m->num_meta + m->num_labels + 2 * (size_t)m->num_nodes + m->num_tensors;
	graph.node = w_alloc(&w, w.cap_nodes * sizeof(*graph.node));
	graph.initializer = w_alloc(&w, w.cap_inits * sizeof(*graph.initializer));
	model.metadata_props = w_alloc(&w, w.cap_meta * sizeof(*model.metadata_props));
	w.rank = w_alloc(&w, m->num_tensors);
	st = w.oom ? sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", m->name) : build(&w);
	if (!st) {
		size_t len = onnx__model_proto__get_packed_size(&model);
		uint8_t *buf = malloc(len ? len : 1);

		if (!buf) {
			st = sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", m->name);
		} else {
			onnx__model_proto__pack(&model, buf);
			*data = buf, *size = len;
		}
	}
	for (size_t i = 0; i < w.n_allocs; i++)
		free(w.allocs[i]);
	free(w.allocs);
	return st;
}
