// SPDX-License-Identifier: MIT
/*
 * A ShiftAccel export (onnx_write.c, marked by the shiftaccel.format
 * metadata) back to its .dsm, with no calibration: activation exponents
 * from the QuantizeLinear scales (int16 tensors: metadata), weights from
 * the +-2^k floats with the bits and base of the metadata, and metadata,
 * labels and normalisation restored.  The builder is called in the .dsm's
 * node order, so a model the library wrote comes back byte for byte.
 * Anything that is not what the exporter writes is refused, naming it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../builder.h"
#include "../error.h"
#include "../model.h"
#include "onnx/onnx.pb-c.h"
#include "onnx_export.h"
#include "onnx_graph.h"

/* Strings protobuf-c leaves NULL when the field is absent compare as "". */
static int same(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

struct value_map {
	const char *name; /* an ONNX value */
	uint32_t tensor;  /* the builder's tensor */
};

struct rd {
	const char *file;
	const Onnx__ModelProto *m;
	const Onnx__GraphProto *g;
	sa_builder *b;
	struct value_map *map;
	size_t n_map;
	struct sa_shape *shape; /* per builder tensor (activations) */
};

static const char *meta(const struct rd *r, const char *key)
{
	for (size_t i = 0; i < r->m->n_metadata_props; i++)
		if (r->m->metadata_props[i]->key && !strcmp(r->m->metadata_props[i]->key, key))
			return r->m->metadata_props[i]->value ? r->m->metadata_props[i]->value : "";
	return NULL;
}

static const Onnx__NodeProto *node_named(const struct rd *r, const char *base, const char *suffix)
{
	size_t len = strlen(base);

	for (size_t i = 0; i < r->g->n_node; i++) {
		const char *n = r->g->node[i]->name;

		if (n && !strncmp(n, base, len) && !strcmp(n + len, suffix))
			return r->g->node[i];
	}
	return NULL;
}

static const Onnx__TensorProto *init_named(const struct rd *r, const char *name)
{
	for (size_t i = 0; name && i < r->g->n_initializer; i++)
		if (r->g->initializer[i]->name && !strcmp(r->g->initializer[i]->name, name))
			return r->g->initializer[i];
	return NULL;
}

/* The float values of an initializer (raw_data or float_data), count checked. */
static sa_status floats_of(const struct rd *r, const char *name, uint64_t count, float *out)
{
	const Onnx__TensorProto *t = init_named(r, name);

	if (!t || t->data_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
		return sa_fail(SA_ERR_BAD_MODEL, "%s: no float initializer '%s'", r->file,
			       name ? name : "");
	if (t->has_raw_data && t->raw_data.len == 4 * count)
		memcpy(out, t->raw_data.data, 4 * count);
	else if (t->n_float_data == count)
		memcpy(out, t->float_data, 4 * count);
	else
		return sa_fail(SA_ERR_BAD_MODEL, "%s: initializer '%s' does not hold %llu floats",
			       r->file, name, (unsigned long long)count);
	return SA_OK;
}

static sa_status lookup(const struct rd *r, const char *value, uint32_t *tensor)
{
	for (size_t i = 0; value && i < r->n_map; i++)
		if (!strcmp(r->map[i].name, value)) {
			*tensor = r->map[i].tensor;
			return SA_OK;
		}
	return sa_fail(SA_ERR_BAD_MODEL, "%s: value '%s' is not a tensor of the export", r->file,
		       value ? value : "");
}

static sa_status bind(struct rd *r, const char *value, uint32_t tensor)
{
	struct value_map *m = realloc(r->map, (r->n_map + 1) * sizeof(*m));

	if (!m)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", r->file);
	r->map = m;
	r->map[r->n_map++] = (struct value_map){value, tensor};
	return SA_OK;
}

/* dtype and exponent of tensor `name`: its QuantizeLinear's scale, or the int16 metadata. */
static sa_status dtype_exp(const struct rd *r, const char *name, uint8_t *dtype, int8_t *exp)
{
	const Onnx__NodeProto *q = node_named(r, name, SA_EXPORT_SUFFIX_Q);
	char key[512];
	float s;
	int e;

	if (q) {
		if (!same(q->op_type, "QuantizeLinear") || q->n_input < 2 ||
		    floats_of(r, q->input[1], 1, &s))
			return sa_fail(SA_ERR_BAD_MODEL, "%s: node '%s' is not a QuantizeLinear",
				       r->file, q->name);
		if (!(s > 0.0f) || frexpf(s, &e) != 0.5f || e - 1 < SA_EXP_MIN ||
		    e - 1 > SA_EXP_MAX)
			return sa_fail(SA_ERR_UNSUPPORTED,
				       "%s: node '%s': scale %g is not a power of two 2^%d..2^%d",
				       r->file, q->name, (double)s, SA_EXP_MIN, SA_EXP_MAX);
		*dtype = SA_DTYPE_I8, *exp = (int8_t)(e - 1);
		return SA_OK;
	}
	snprintf(key, sizeof(key), SA_EXPORT_KEY_INT16 "%s", name);
	const char *v = meta(r, key);
	char *end;
	long l = v ? strtol(v, &end, 10) : 0;

	if (!v || end == v || *end || l < SA_EXP_MIN || l > SA_EXP_MAX)
		return sa_fail(SA_ERR_BAD_MODEL, "%s: tensor '%s' has no QuantizeLinear and no %s",
			       r->file, name, key);
	*dtype = SA_DTYPE_I16, *exp = (int8_t)l;
	return SA_OK;
}

static uint8_t act_of(const struct rd *r, const char *name)
{
	return node_named(r, name, SA_EXPORT_SUFFIX_RELU)    ? SA_ACT_RELU
	       : node_named(r, name, SA_EXPORT_SUFFIX_RELU6) ? SA_ACT_RELU6
							     : SA_ACT_NONE;
}

/* An attribute value (ints or int); dflt when absent (attrs_fit() checked its range). */
static int64_t attr(const Onnx__NodeProto *n, const char *name, size_t i, int64_t dflt)
{
	for (size_t a = 0; a < n->n_attribute; a++) {
		const Onnx__AttributeProto *at = n->attribute[a];

		if (!same(at->name, name))
			continue;
		return at->n_ints > i ? at->ints[i] : at->has_i && i == 0 ? at->i : dflt;
	}
	return dflt;
}

/* Weight floats back to signed k: each 0 or +-2^(base + k - 1), 1 <= k <= kmax. */
static sa_status weights_of(const struct rd *r, const Onnx__NodeProto *n, uint64_t count,
			    unsigned *bits, int *base, int8_t *k)
{
	char key[512];
	float *f = malloc(4 * (count ? count : 1));
	sa_status st;
	int e;

	snprintf(key, sizeof(key), SA_EXPORT_KEY_WEIGHTS "%s", n->name);
	const char *v = meta(r, key);

	if (!v || sscanf(v, "bits=%u base=%d", bits, base) != 2 || *bits < SA_WEIGHT_BITS_MIN ||
	    *bits > SA_WEIGHT_BITS_MAX) {
		free(f);
		return sa_fail(SA_ERR_BAD_MODEL, "%s: node '%s' has no valid %s", r->file, n->name,
			       key);
	}
	if (!f)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", r->file);
	st = floats_of(r, n->input[1], count, f);
	for (uint64_t i = 0; !st && i < count; i++) {
		float m = fabsf(f[i]);
		int kk = m == 0.0f ? 0 : (frexpf(m, &e), e - 1 - *base + 1);

		if (m != 0.0f && (frexpf(m, &e) != 0.5f || kk < 1 || kk > SA_WEIGHT_K_MAX(*bits)))
			st = sa_fail(SA_ERR_UNSUPPORTED,
				     "%s: node '%s': weight %llu (%g) is not +-2^k of its %u-bit "
				     "code range",
				     r->file, n->name, (unsigned long long)i, (double)f[i], *bits);
		k[i] = (int8_t)(f[i] < 0.0f ? -kk : kk);
	}
	free(f);
	return st;
}

/* Bias floats at the accumulator scale 2^scale_exp back to int32 (or the exact metadata). */
static sa_status bias_of(const struct rd *r, const Onnx__NodeProto *n, uint64_t count,
			 int scale_exp, int32_t *bias)
{
	char key[512];
	float *f = malloc(4 * (count ? count : 1));
	sa_status st;

	snprintf(key, sizeof(key), SA_EXPORT_KEY_BIAS "%s", n->name);
	const char *exact = meta(r, key);

	if (!f)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", r->file);
	st = floats_of(r, n->input[2], count, f);
	for (uint64_t i = 0; !st && i < count; i++) {
		double v = ldexp((double)f[i], -scale_exp);
		char *end;

		if (exact) {
			v = strtod(exact, &end);
			if (end == exact || (*end != ',' && *end))
				v = NAN; /* a short or malformed list */
			exact = *end == ',' ? end + 1 : end;
		}
		if (v != floor(v) || v < INT32_MIN || v > INT32_MAX) /* NaN too */
			st = sa_fail(SA_ERR_UNSUPPORTED,
				     "%s: node '%s': bias %llu is not an int32 at scale 2^%d",
				     r->file, n->name, (unsigned long long)i, scale_exp);
		else
			bias[i] = (int32_t)v;
	}
	free(f);
	return st;
}

/* The output tensor of a builder op just added: name it, bind its value. */
static sa_status added(struct rd *r, const Onnx__NodeProto *n, sa_status st, uint32_t out,
		       uint8_t dtype, int8_t exp)
{
	struct sa_shape *s;

	if (st)
		return st;
	if (!(s = realloc(r->shape, (out + 1) * sizeof(*s))))
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", r->file);
	r->shape = s;
	r->shape[out].dtype = dtype, r->shape[out].exp = exp;
	if ((st = sa_builder_name_tensor(r->b, out, n->name)))
		return st;
	return bind(r, n->output[0], out);
}

/* The window attributes Conv and the pools share (kernel_shape for the pools). */
static struct sa_pool_params window_of(const Onnx__NodeProto *n)
{
	return (struct sa_pool_params){
		.kernel_h = (uint16_t)attr(n, "kernel_shape", 0, 1),
		.kernel_w = (uint16_t)attr(n, "kernel_shape", 1, 1),
		.stride_h = (uint16_t)attr(n, "strides", 0, 1),
		.stride_w = (uint16_t)attr(n, "strides", 1, 1),
		.pad_top = (uint16_t)attr(n, "pads", 0, 0),
		.pad_left = (uint16_t)attr(n, "pads", 1, 0),
		.pad_bottom = (uint16_t)attr(n, "pads", 2, 0),
		.pad_right = (uint16_t)attr(n, "pads", 3, 0),
	};
}

/*
 * The builder sizes a conv's or fc's weights from its input (and the conv's
 * groups), so a weight tensor of another size must be refused here: the
 * builder would read past it.
 */
static sa_status weights_fit(const struct rd *r, const Onnx__NodeProto *n, uint32_t in,
			     const Onnx__TensorProto *wt, int conv)
{
	const struct dsm_tensor *t = in < r->b->num_tensors ? &r->b->tensors[in].rec : NULL;
	uint64_t want, got = (uint64_t)wt->dims[1];

	if (!t || t->kind != DSM_TENSOR_ACTIVATION)
		return SA_OK; /* not an activation: the builder refuses it by name */
	want = conv ? t->dims[0] : (uint64_t)t->dims[0] * t->dims[1] * t->dims[2];
	if (conv)
		got *= (uint64_t)attr(n, "group", 0, 1);
	if (got == want)
		return SA_OK;
	if (conv)
		return sa_fail(SA_ERR_BAD_MODEL,
			       "%s: node '%s': weights for %lld input channels x %lld groups do "
			       "not fit its input of %u channels",
			       r->file, n->name, (long long)wt->dims[1],
			       (long long)attr(n, "group", 0, 1), t->dims[0]);
	return sa_fail(SA_ERR_BAD_MODEL,
		       "%s: node '%s': weights for %lld inputs do not fit its input of %ux%ux%u",
		       r->file, n->name, (long long)wt->dims[1], t->dims[0], t->dims[1],
		       t->dims[2]);
}

static sa_status weighted(struct rd *r, const Onnx__NodeProto *n, uint32_t in, int conv)
{
	const Onnx__TensorProto *wt = init_named(r, n->n_input > 1 ? n->input[1] : NULL);
	uint8_t dtype = 0, act = act_of(r, n->name);
	int8_t exp = 0;
	uint64_t count = 1;
	unsigned bits;
	int base, has_bias = n->n_input > 2;
	uint32_t out;
	sa_status st;

	if (!wt || wt->n_dims != (conv ? 4u : 2u))
		return sa_fail(SA_ERR_BAD_MODEL, "%s: node '%s' has no weights of rank %d", r->file,
			       n->name, conv ? 4 : 2);
	for (size_t i = 0; i < wt->n_dims; i++) {
		if (wt->dims[i] < 1 || (uint64_t)wt->dims[i] > SA_ONNX_MAX_ELEMENTS)
			return sa_fail(SA_ERR_BAD_MODEL, "%s: node '%s': weight dimension %lld",
				       r->file, n->name, (long long)wt->dims[i]);
		count *= (uint64_t)wt->dims[i];
		if (count > SA_ONNX_MAX_ELEMENTS)
			return sa_fail(SA_ERR_BAD_MODEL, "%s: node '%s': too many weights", r->file,
				       n->name);
	}
	if ((st = weights_fit(r, n, in, wt, conv)))
		return st;
	int8_t *k = malloc(count ? count : 1);
	int32_t *bias = malloc(4 * (size_t)wt->dims[0]);

	st = !k || !bias ? sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", r->file)
			 : dtype_exp(r, n->name, &dtype, &exp);
	if (!st)
		st = weights_of(r, n, count, &bits, &base, k);
	if (!st && has_bias)
		st = bias_of(r, n, (uint64_t)wt->dims[0], r->shape[in].exp + base, bias);
	if (!st && conv) {
		struct sa_pool_params w = window_of(n);
		struct sa_conv_params p = {
			.kernel_h = (uint16_t)wt->dims[2],
			.kernel_w = (uint16_t)wt->dims[3],
			.stride_h = w.stride_h,
			.stride_w = w.stride_w,
			.dilation_h = (uint16_t)attr(n, "dilations", 0, 1),
			.dilation_w = (uint16_t)attr(n, "dilations", 1, 1),
			.pad_top = w.pad_top,
			.pad_left = w.pad_left,
			.pad_bottom = w.pad_bottom,
			.pad_right = w.pad_right,
			.groups = (uint32_t)attr(n, "group", 0, 1),
			.out_channels = (uint32_t)wt->dims[0],
			.weight_bits = (uint8_t)bits,
			.weight_base = (int8_t)base,
			.act = act,
			.flags = has_bias ? SA_PARAM_HAS_BIAS : 0,
		};
		st = sa_builder_conv(r->b, in, &p, k, has_bias ? bias : NULL, dtype, exp, &out);
	} else if (!st) {
		struct sa_fc_params p = {
			.out_features = (uint32_t)wt->dims[0],
			.weight_bits = (uint8_t)bits,
			.weight_base = (int8_t)base,
			.act = act,
			.flags = has_bias ? SA_PARAM_HAS_BIAS : 0,
		};
		st = sa_builder_fc(r->b, in, &p, k, has_bias ? bias : NULL, dtype, exp, &out);
	}
	free(k), free(bias);
	if (!st)
		st = sa_builder_name_tensor(r->b, out - 1 - (uint32_t)has_bias, n->input[1]);
	if (!st && has_bias)
		st = sa_builder_name_tensor(r->b, out - 1, n->input[2]);
	return added(r, n, st, st ? 0 : out, dtype, exp);
}

/* Every integer attribute fits the .dsm's 16-bit window fields, or the node is refused. */
static sa_status attrs_fit(const struct rd *r, const Onnx__NodeProto *n)
{
	for (size_t a = 0; a < n->n_attribute; a++) {
		const Onnx__AttributeProto *at = n->attribute[a];
		int bad = at->has_i && (at->i < 0 || at->i > UINT16_MAX);

		for (size_t i = 0; i < at->n_ints; i++)
			bad |= at->ints[i] < 0 || at->ints[i] > UINT16_MAX;
		if (bad)
			return sa_fail(SA_ERR_BAD_MODEL,
				       "%s: node '%s': attribute %s is out of range", r->file,
				       n->name, at->name ? at->name : "");
	}
	return SA_OK;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

static sa_status one_node(struct rd *r, const Onnx__NodeProto *n)
{
	static const char *const helpers[] = {SA_EXPORT_SUFFIX_Q,	SA_EXPORT_SUFFIX_DQ,
					      SA_EXPORT_SUFFIX_RELU,	SA_EXPORT_SUFFIX_RELU6,
					      SA_EXPORT_SUFFIX_FLATTEN, SA_EXPORT_SUFFIX_TIE};
	uint32_t in = 0, in2 = 0, out = 0;
	struct sa_pool_params pool;
	uint8_t dtype;
	int8_t exp;
	sa_status st;

	if (!n->name || !n->op_type || n->n_output != 1 || n->n_input < 1)
		return sa_fail(SA_ERR_BAD_MODEL, "%s: a node without a name, an input or an output",
			       r->file);
	if ((st = lookup(r, n->input[0], &in)))
		return st;
	for (size_t i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++)
		if (has_suffix(n->name, helpers[i]))
			return bind(r, n->output[0], in); /* the same tensor, on the way */
	if ((st = attrs_fit(r, n)))
		return st;
	if (same(n->op_type, "Conv"))
		return weighted(r, n, in, 1);
	if (same(n->op_type, "Gemm"))
		return weighted(r, n, in, 0);
	pool = window_of(n);
	dtype = r->shape[in].dtype, exp = r->shape[in].exp;
	if (same(n->op_type, "MaxPool"))
		st = sa_builder_maxpool(r->b, in, &pool, &out);
	else if (same(n->op_type, "AveragePool"))
		st = sa_builder_avgpool(r->b, in, &pool, &out);
	else if (same(n->op_type, "GlobalAveragePool"))
		st = sa_builder_global_avgpool(r->b, in, &out);
	else if (same(n->op_type, "Flatten"))
		st = sa_builder_flatten(r->b, in, &out);
	else if (same(n->op_type, "Add") || same(n->op_type, "Concat")) {
		struct sa_add_params p = {.act = act_of(r, n->name)};
		struct sa_concat_params pc = {.act = p.act};

		st = n->n_input == 2 ? lookup(r, n->input[1], &in2)
				     : sa_fail(SA_ERR_BAD_MODEL, "%s: %s '%s' without two inputs",
					       r->file, n->op_type, n->name);
		if (!st && same(n->op_type, "Concat") && attr(n, "axis", 0, -1) != 1)
			st = sa_fail(SA_ERR_UNSUPPORTED,
				     "%s: Concat '%s' not along channels (axis 1)", r->file,
				     n->name);
		if (!st)
			st = dtype_exp(r, n->name, &dtype, &exp);
		if (!st && same(n->op_type, "Add"))
			st = sa_builder_add(r->b, in, in2, &p, dtype, exp, &out);
		else if (!st)
			st = sa_builder_concat(r->b, in, in2, &pc, dtype, exp, &out);
	} else if (same(n->op_type, "Identity")) {
		struct sa_clip_params p = {.act = act_of(r, n->name)};

		st = dtype_exp(r, n->name, &dtype, &exp);
		if (!st)
			st = sa_builder_clip(r->b, in, &p, dtype, exp, &out);
	} else
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: node '%s' (%s) is not one the exporter writes", r->file,
			       n->name, n->op_type);
	return added(r, n, st, out, dtype, exp);
}

static sa_status floats_meta(const struct rd *r, const char *key, uint32_t c, float *v)
{
	const char *s = meta(r, key);
	char *end;

	for (uint32_t i = 0; s && i < c; i++) {
		v[i] = strtof(s, &end);
		if (end == s || (*end != ',' && *end))
			s = NULL;
		else
			s = *end ? end + 1 : end;
	}
	return s ? SA_OK : sa_fail(SA_ERR_BAD_MODEL, "%s: no valid %s", r->file, key);
}

static sa_status input_of(struct rd *r)
{
	const Onnx__ValueInfoProto *v = r->g->n_input == 1 ? r->g->input[0] : NULL;
	const Onnx__TensorShapeProto *s =
		v && v->type && v->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE
			? v->type->tensor_type->shape
			: NULL;
	float mean[SA_MAX_INPUT_CHANNELS], std[SA_MAX_INPUT_CHANNELS];
	char name[512];
	uint8_t dtype;
	int8_t exp;
	uint32_t t;
	sa_status st;

	/* The batch (dimension 0) is named (SA_EXPORT_BATCH_DIM) or, in older exports, 1. */
	for (size_t i = 0; s && i < s->n_dim; i++) {
		const Onnx__TensorShapeProto__Dimension *d = s->dim[i];

		if (i == 0 && d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM)
			continue;
		if (d->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE ||
		    d->dim_value < 1 || d->dim_value > SA_MAX_ACTIVATION_ELEMS ||
		    (i == 0 && d->dim_value != 1))
			s = NULL;
	}
	if (!s || s->n_dim != 4 || !v->name)
		return sa_fail(SA_ERR_BAD_MODEL,
			       "%s: the graph input is not a [N,C,H,W] tensor (N named, or 1)",
			       r->file);
	uint32_t c = (uint32_t)s->dim[1]->dim_value;

	snprintf(name, sizeof(name), "%s", v->name);
	if (has_suffix(name, SA_EXPORT_SUFFIX_FLOAT))
		name[strlen(name) - strlen(SA_EXPORT_SUFFIX_FLOAT)] = '\0';
	if (c < 1 || c > SA_MAX_INPUT_CHANNELS)
		return sa_fail(SA_ERR_BAD_MODEL, "%s: %u input channels", r->file, c);
	if ((st = floats_meta(r, SA_EXPORT_KEY_MEAN, c, mean)) ||
	    (st = floats_meta(r, SA_EXPORT_KEY_STD, c, std)) ||
	    (st = dtype_exp(r, name, &dtype, &exp)))
		return st;
	st = sa_builder_input(r->b, c, (uint32_t)s->dim[2]->dim_value,
			      (uint32_t)s->dim[3]->dim_value, dtype, exp, mean, std, &t);
	struct sa_shape *sh = st ? NULL : calloc(1, sizeof(*sh));

	if (st)
		return st;
	if (!sh)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", r->file);
	r->shape = sh;
	sh->dtype = dtype, sh->exp = exp;
	if ((st = sa_builder_name_tensor(r->b, t, name)))
		return st;
	return bind(r, v->name, t);
}

/* META in order, then labels. */
static sa_status restore_meta(struct rd *r)
{
	size_t lp = strlen(SA_EXPORT_KEY_META), ll = strlen(SA_EXPORT_KEY_LABEL);
	sa_status st = SA_OK;

	for (size_t i = 0; !st && i < r->m->n_metadata_props; i++) {
		const Onnx__StringStringEntryProto *e = r->m->metadata_props[i];

		if (e->key && !strncmp(e->key, SA_EXPORT_KEY_META, lp))
			st = sa_builder_set_meta(r->b, e->key + lp, e->value ? e->value : "");
		else if (e->key && !strncmp(e->key, SA_EXPORT_KEY_LABEL, ll))
			st = sa_builder_add_label(r->b, e->value ? e->value : "");
	}
	return st;
}

static sa_status rebuild(struct rd *r, void **data, size_t *size)
{
	sa_status st;
	uint32_t out;

	if (!r->g || r->g->n_output != 1)
		return sa_fail(SA_ERR_BAD_MODEL, "%s: the export has no graph with one output",
			       r->file);
	if ((st = sa_builder_create(&r->b)))
		return st;
	st = input_of(r);
	for (size_t i = 0; !st && i < r->g->n_node; i++)
		st = one_node(r, r->g->node[i]);
	if (!st)
		st = lookup(r, r->g->output[0]->name, &out);
	if (!st)
		st = sa_builder_set_output(r->b, out);
	if (!st)
		st = restore_meta(r);
	if (!st)
		st = sa_builder_write_memory(r->b, data, size);
	sa_builder_destroy(r->b);
	return st;
}

sa_status sa_onnx_parse_export(const void *bytes, size_t len, const char *name, int *is_export,
			       void **data, size_t *size)
{
	struct rd r = {.file = name ? name : "<memory>"};
	Onnx__ModelProto *m;
	sa_status st = SA_OK;

	if (!is_export || !data || !size || (!bytes && len))
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_onnx_parse_export: NULL argument");
	*is_export = 0;
	m = len ? onnx__model_proto__unpack(NULL, len, bytes) : NULL;
	if (!m)
		return sa_fail(SA_ERR_BAD_MODEL,
			       "%s: not an ONNX model (the protobuf does not decode)", r.file);
	r.m = m, r.g = m->graph;
	if (meta(&r, SA_EXPORT_KEY_FORMAT)) {
		*is_export = 1;
		st = rebuild(&r, data, size);
	}
	onnx__model_proto__free_unpacked(m, NULL);
	free(r.map);
	free(r.shape);
	return st;
}

sa_status sa_onnx_read_export(const char *path, int *is_export, void **data, size_t *size)
{
	size_t len;
	void *buf;
	sa_status st;

	if (!path || !is_export || !data || !size)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_onnx_read_export: NULL argument");
	*is_export = 0;
	if ((st = sa_onnx_read_file(path, &buf, &len)))
		return st;
	st = sa_onnx_parse_export(buf, len, path, is_export, data, size);
	free(buf);
	return st;
}
