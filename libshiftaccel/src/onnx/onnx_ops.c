// SPDX-License-Identifier: MIT
/*
 * The import table (docs/import.md): for each ONNX op the importer reads,
 * its arity and the attributes it may carry.  An attribute the table does
 * not list is refused rather than ignored: a later opset's attribute could
 * change what the op computes.
 */
#include "onnx_ops.h"

#include <string.h>

#include "../error.h"

#define MAX_ATTRS 8

struct op_rule {
	const char *name;
	uint8_t min_in, max_in; /* max_in 255: any number (Concat) */
	uint8_t min_out, max_out;
	const char *attrs[MAX_ATTRS];
};

#define POOL_ATTRS "auto_pad", "ceil_mode", "kernel_shape", "pads", "strides"

static const struct op_rule rules[SA_ONNX_NUM_OPS] = {
	[SA_ONNX_CONV] = {"Conv",
			  2,
			  3,
			  1,
			  1,
			  {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}},
	[SA_ONNX_GEMM] = {"Gemm", 2, 3, 1, 1, {"alpha", "beta", "transA", "transB"}},
	[SA_ONNX_MATMUL] = {"MatMul", 2, 2, 1, 1, {0}},
	[SA_ONNX_ADD] = {"Add", 2, 2, 1, 1, {0}},
	/* momentum only matters when training; training_mode must be 0. */
	[SA_ONNX_BATCHNORM] =
		{"BatchNormalization", 5, 5, 1, 1, {"epsilon", "momentum", "training_mode"}},
	[SA_ONNX_RELU] = {"Relu", 1, 1, 1, 1, {0}},
	[SA_ONNX_CLIP] = {"Clip", 1, 3, 1, 1, {0}},
	[SA_ONNX_MAXPOOL] = {"MaxPool", 1, 1, 1, 1, {POOL_ATTRS, "dilations", "storage_order"}},
	[SA_ONNX_AVGPOOL] = {"AveragePool", 1, 1, 1, 1, {POOL_ATTRS, "count_include_pad"}},
	[SA_ONNX_GLOBALAVGPOOL] = {"GlobalAveragePool", 1, 1, 1, 1, {0}},
	[SA_ONNX_CONCAT] = {"Concat", 1, 255, 1, 1, {"axis"}},
	[SA_ONNX_FLATTEN] = {"Flatten", 1, 1, 1, 1, {"axis"}},
	[SA_ONNX_RESHAPE] = {"Reshape", 2, 2, 1, 1, {"allowzero"}},
	/* Inference: the mask output may be asked for and is never used. */
	[SA_ONNX_DROPOUT] = {"Dropout", 1, 3, 1, 2, {"seed"}},
	[SA_ONNX_IDENTITY] = {"Identity", 1, 1, 1, 1, {0}},
	[SA_ONNX_SOFTMAX] = {"Softmax", 1, 1, 1, 1, {"axis"}},
	[SA_ONNX_LOGSOFTMAX] = {"LogSoftmax", 1, 1, 1, 1, {"axis"}},
	/* PyTorch writes a Pad of zeros before some pools; pads and value are inputs. */
	[SA_ONNX_PAD] = {"Pad", 1, 3, 1, 1, {"mode"}},
	/* Activation quantisation (our exports write it): per-tensor only, so no axis. */
	[SA_ONNX_QUANTIZE] = {"QuantizeLinear", 3, 3, 1, 1, {0}},
	[SA_ONNX_DEQUANTIZE] = {"DequantizeLinear", 3, 3, 1, 1, {0}},
};

const char *sa_onnx_op_name(enum sa_onnx_op op)
{
	return op < SA_ONNX_NUM_OPS ? rules[op].name : "?";
}

enum sa_onnx_op sa_onnx_op_lookup(const char *op_type)
{
	for (int i = 0; i < SA_ONNX_NUM_OPS; i++)
		if (op_type && strcmp(op_type, rules[i].name) == 0)
			return (enum sa_onnx_op)i;
	return SA_ONNX_NUM_OPS;
}

static int attr_allowed(const struct op_rule *r, const char *name)
{
	for (int i = 0; i < MAX_ATTRS && r->attrs[i]; i++)
		if (strcmp(r->attrs[i], name) == 0)
			return 1;
	return 0;
}

static const Onnx__AttributeProto *find_attr(const Onnx__NodeProto *n, const char *name)
{
	for (size_t i = 0; i < n->n_attribute; i++)
		if (n->attribute[i]->name && strcmp(n->attribute[i]->name, name) == 0)
			return n->attribute[i];
	return NULL;
}

/* An INT attribute, or `def` when absent. */
static sa_status get_int(const Onnx__NodeProto *n, const char *where, const char *name, int64_t def,
			 int64_t *out)
{
	const Onnx__AttributeProto *at = find_attr(n, name);

	*out = def;
	if (!at)
		return SA_OK;
	if (at->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT)
		return sa_fail(SA_ERR_BAD_MODEL, "%s: attribute %s is not an integer", where, name);
	*out = at->i;
	return SA_OK;
}

static sa_status get_float(const Onnx__NodeProto *n, const char *where, const char *name, float def,
			   float *out)
{
	const Onnx__AttributeProto *at = find_attr(n, name);

	*out = def;
	if (!at)
		return SA_OK;
	if (at->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT)
		return sa_fail(SA_ERR_BAD_MODEL, "%s: attribute %s is not a float", where, name);
	*out = at->f;
	return SA_OK;
}

/*
 * An INTS attribute of exactly `len` values (2-D ops: 2, or 4 for pads) into
 * out; left at its defaults when absent.
 */
static sa_status get_ints(const Onnx__NodeProto *n, const char *where, const char *name, size_t len,
			  int64_t *out)
{
	const Onnx__AttributeProto *at = find_attr(n, name);

	if (!at)
		return SA_OK;
	if (at->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS)
		return sa_fail(SA_ERR_BAD_MODEL, "%s: attribute %s is not a list of integers",
			       where, name);
	if (at->n_ints != len)
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: attribute %s has %zu values; only 2-D operations (%zu values) "
			       "are supported",
			       where, name, at->n_ints, len);
	for (size_t i = 0; i < len; i++) {
		if (at->ints[i] < 0 || at->ints[i] > INT32_MAX)
			return sa_fail(SA_ERR_BAD_MODEL,
				       "%s: attribute %s[%zu] = %lld is out of range", where, name,
				       i, (long long)at->ints[i]);
		out[i] = at->ints[i];
	}
	return SA_OK;
}

/* auto_pad: explicit pads (NOTSET) and VALID are read; SAME_* is not. */
static sa_status check_auto_pad(const Onnx__NodeProto *n, const char *where)
{
	const Onnx__AttributeProto *at = find_attr(n, "auto_pad");
	char pad[16] = "NOTSET";

	if (!at)
		return SA_OK;
	if (at->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING || at->s.len >= sizeof(pad))
		return sa_fail(SA_ERR_BAD_MODEL, "%s: attribute auto_pad is not a padding mode",
			       where);
	if (at->s.len) /* an empty string may come with no data pointer */
		memcpy(pad, at->s.data, at->s.len);
	pad[at->s.len] = 0;
	if (strcmp(pad, "NOTSET") == 0 || strcmp(pad, "VALID") == 0)
		return SA_OK;
	if (strcmp(pad, "SAME_UPPER") == 0 || strcmp(pad, "SAME_LOWER") == 0)
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: auto_pad %s is not supported; export with explicit pads", where,
			       pad);
	return sa_fail(SA_ERR_BAD_MODEL, "%s: auto_pad '%s' is no ONNX padding mode", where, pad);
}

/* kernel_shape, strides, pads, dilations of a 2-D window op. */
static sa_status window_attrs(const Onnx__NodeProto *n, const char *where, int kernel_required,
			      struct sa_onnx_attrs *a)
{
	sa_status st = check_auto_pad(n, where);

	if (st == SA_OK)
		st = get_ints(n, where, "kernel_shape", 2, a->kernel);
	if (st == SA_OK)
		st = get_ints(n, where, "strides", 2, a->strides);
	if (st == SA_OK)
		st = get_ints(n, where, "pads", 4, a->pads);
	if (st == SA_OK)
		st = get_ints(n, where, "dilations", 2, a->dilations);
	if (st != SA_OK)
		return st;
	if (kernel_required && (a->kernel[0] < 1 || a->kernel[1] < 1))
		return sa_fail(SA_ERR_BAD_MODEL, "%s: kernel_shape is missing or zero", where);
	if (a->strides[0] < 1 || a->strides[1] < 1 || a->dilations[0] < 1 || a->dilations[1] < 1)
		return sa_fail(SA_ERR_BAD_MODEL, "%s: strides and dilations must be at least 1",
			       where);
	/* ONNX pads are begin values then end values: (top, left, bottom, right). */
	return SA_OK;
}

static sa_status op_attrs(enum sa_onnx_op op, int64_t opset, const Onnx__NodeProto *n,
			  const char *where, struct sa_onnx_attrs *a)
{
	sa_status st = SA_OK;
	int64_t v;

	switch (op) {
	case SA_ONNX_CONV:
		st = window_attrs(n, where, 0, a);
		if (st == SA_OK)
			st = get_int(n, where, "group", 1, &a->group);
		if (st == SA_OK && a->group < 1)
			st = sa_fail(SA_ERR_BAD_MODEL, "%s: group must be at least 1", where);
		return st;
	case SA_ONNX_MAXPOOL:
		st = window_attrs(n, where, 1, a);
		if (st == SA_OK)
			st = get_int(n, where, "ceil_mode", 0, &a->ceil_mode);
		if (st == SA_OK)
			st = get_int(n, where, "storage_order", 0, &v);
		if (st == SA_OK && v != 0)
			st = sa_fail(SA_ERR_UNSUPPORTED, "%s: storage_order %lld is not supported",
				     where, (long long)v);
		return st;
	case SA_ONNX_AVGPOOL:
		st = window_attrs(n, where, 1, a);
		if (st == SA_OK)
			st = get_int(n, where, "ceil_mode", 0, &a->ceil_mode);
		if (st == SA_OK)
			st = get_int(n, where, "count_include_pad", 0, &a->count_include_pad);
		return st;
	case SA_ONNX_GEMM:
		st = get_float(n, where, "alpha", 1.0f, &a->alpha);
		if (st == SA_OK)
			st = get_float(n, where, "beta", 1.0f, &a->beta);
		if (st == SA_OK)
			st = get_int(n, where, "transA", 0, &a->trans_a);
		if (st == SA_OK)
			st = get_int(n, where, "transB", 0, &a->trans_b);
		return st;
	case SA_ONNX_BATCHNORM:
		st = get_float(n, where, "epsilon", 1e-5f, &a->epsilon);
		if (st == SA_OK)
			st = get_int(n, where, "training_mode", 0, &v);
		if (st == SA_OK && v != 0)
			st = sa_fail(SA_ERR_UNSUPPORTED,
				     "%s: training_mode is set; export the model in eval mode",
				     where);
		return st;
	case SA_ONNX_CONCAT:
		if (!find_attr(n, "axis"))
			return sa_fail(SA_ERR_BAD_MODEL, "%s: Concat needs an axis", where);
		return get_int(n, where, "axis", 0, &a->axis);
	case SA_ONNX_FLATTEN: return get_int(n, where, "axis", 1, &a->axis);
	case SA_ONNX_SOFTMAX:
	case SA_ONNX_LOGSOFTMAX:
		/* The default axis changed from 1 to -1 in opset 13. */
		return get_int(n, where, "axis", opset >= 13 ? -1 : 1, &a->axis);
	case SA_ONNX_PAD: {
		const Onnx__AttributeProto *mode = find_attr(n, "mode");

		if (mode && (mode->s.len != 8 || memcmp(mode->s.data, "constant", 8)))
			return sa_fail(SA_ERR_UNSUPPORTED, "%s: only constant padding is supported",
				       where);
		return SA_OK;
	}
	case SA_ONNX_RESHAPE:
		st = get_int(n, where, "allowzero", 0, &v);
		if (st == SA_OK && v != 0)
			st = sa_fail(SA_ERR_UNSUPPORTED, "%s: allowzero is not supported", where);
		return st;
	default: return SA_OK;
	}
}

sa_status sa_onnx_node_attrs(enum sa_onnx_op op, int64_t opset, const Onnx__NodeProto *n,
			     const char *where, struct sa_onnx_attrs *a)
{
	const struct op_rule *r = &rules[op];

	if (n->n_input < r->min_in || (r->max_in != 255 && n->n_input > r->max_in))
		return sa_fail(SA_ERR_BAD_MODEL, "%s: %zu inputs; %s takes %u to %u", where,
			       n->n_input, r->name, r->min_in, r->max_in);
	if (n->n_output < r->min_out || n->n_output > r->max_out) {
		/* More outputs than inference uses: BatchNormalization's running statistics. */
		return sa_fail(SA_ERR_UNSUPPORTED, "%s: %zu outputs; the importer reads %u to %u",
			       where, n->n_output, r->min_out, r->max_out);
	}
	for (size_t i = 0; i < n->n_attribute; i++) {
		const char *an = n->attribute[i]->name;

		if (!an || !attr_allowed(r, an))
			return sa_fail(SA_ERR_UNSUPPORTED, "%s: attribute '%s' is not supported",
				       where, an ? an : "");
	}
	memset(a, 0, sizeof(*a));
	a->strides[0] = a->strides[1] = 1;
	a->dilations[0] = a->dilations[1] = 1;
	a->group = 1;
	a->alpha = a->beta = 1.0f;
	a->clip_min = -3.402823466e38f;
	a->clip_max = 3.402823466e38f;
	return op_attrs(op, opset, n, where, a);
}
