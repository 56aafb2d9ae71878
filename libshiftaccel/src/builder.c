// SPDX-License-Identifier: MIT
/*
 * sa_builder: records a model op by op.  Each op is validated at once with
 * the same sa_check_* functions the reader applies, so a mistake is
 * reported at the call that made it, not when the file is written or read.
 * Tensor ids are handed out in creation order: for each op its weights,
 * then its bias, then its output.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "error.h"

int builder_reserve(void **array, uint32_t *cap, uint32_t need, size_t elem_size)
{
	if (need <= *cap)
		return 0;
	uint64_t want = *cap ? (uint64_t)*cap * 2 : 8;
	if (want < need)
		want = need;
	if (want > UINT32_MAX - 1)
		want = UINT32_MAX - 1;
	if (want < need)
		return -1;
	void *p = realloc(*array, (size_t)want * elem_size);
	if (!p)
		return -1;
	*array = p;
	*cap = (uint32_t)want;
	return 0;
}

sa_status sa_builder_create(sa_builder **out)
{
	if (!out)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_builder_create: out is NULL");
	sa_builder *b = calloc(1, sizeof(*b));
	if (!b)
		return sa_fail(SA_ERR_NO_MEMORY, "sa_builder_create: out of memory");
	*out = b;
	return SA_OK;
}

void sa_builder_destroy(sa_builder *b)
{
	if (!b)
		return;
	for (uint32_t i = 0; i < b->num_tensors; i++) {
		free(b->tensors[i].name);
		free(b->tensors[i].data);
	}
	for (uint32_t i = 0; i < b->num_labels; i++)
		free(b->labels[i]);
	for (uint32_t i = 0; i < b->num_meta; i++) {
		free(b->meta_keys[i]);
		free(b->meta_values[i]);
	}
	free(b->tensors);
	free(b->nodes);
	free(b->labels);
	free(b->meta_keys);
	free(b->meta_values);
	free(b);
}

/* A string the file will store: valid UTF-8 (C strings cannot hold NUL). */
static sa_status check_text(const char *fn, const char *what, const char *s)
{
	if (!s)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: %s is NULL", fn, what);
	if (!dsm_utf8_valid(s, strlen(s)))
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: %s is not valid UTF-8", fn, what);
	return SA_OK;
}

sa_status sa_builder_set_meta(sa_builder *b, const char *key, const char *value)
{
	static const char fn[] = "sa_builder_set_meta";
	sa_status st;

	if (!b)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: builder is NULL", fn);
	if ((st = check_text(fn, "key", key)) || (st = check_text(fn, "value", value)))
		return st;
	if (key[0] == '\0')
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: key is empty", fn);
	const char *allowed = dsm_meta_value_rule(key, value);
	if (allowed)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: %s is \"%.64s\"; it must be %s", fn,
			       key, value, allowed);
	char *v = strdup(value);
	if (!v)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", fn);
	for (uint32_t i = 0; i < b->num_meta; i++) {
		if (strcmp(b->meta_keys[i], key) == 0) {
			free(b->meta_values[i]);
			b->meta_values[i] = v;
			return SA_OK;
		}
	}
	uint32_t cap = b->cap_meta;
	char *k = strdup(key);
	if (!k || builder_reserve((void **)&b->meta_keys, &cap, b->num_meta + 1, sizeof(char *)) ||
	    builder_reserve((void **)&b->meta_values, &b->cap_meta, b->num_meta + 1,
			    sizeof(char *))) {
		free(k);
		free(v);
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", fn);
	}
	b->meta_keys[b->num_meta] = k;
	b->meta_values[b->num_meta] = v;
	b->num_meta++;
	return SA_OK;
}

sa_status sa_builder_add_label(sa_builder *b, const char *label)
{
	static const char fn[] = "sa_builder_add_label";
	sa_status st;

	if (!b)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: builder is NULL", fn);
	if ((st = check_text(fn, "label", label)))
		return st;
	char *copy = strdup(label);
	if (!copy || builder_reserve((void **)&b->labels, &b->cap_labels, b->num_labels + 1,
				     sizeof(char *))) {
		free(copy);
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", fn);
	}
	b->labels[b->num_labels++] = copy;
	return SA_OK;
}

/* Room for one more node and the up to three tensors it creates, so adding cannot fail. */
static sa_status reserve_op(sa_builder *b, const char *fn)
{
	if (b->num_tensors > DSM_NONE - 4 ||
	    builder_reserve((void **)&b->tensors, &b->cap_tensors, b->num_tensors + 3,
			    sizeof(*b->tensors)) ||
	    builder_reserve((void **)&b->nodes, &b->cap_nodes, b->num_nodes + 1, sizeof(*b->nodes)))
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", fn);
	return SA_OK;
}

/* Appends a tensor (room reserved); takes ownership of data.  Returns its id. */
static uint32_t push_tensor(sa_builder *b, const struct dsm_tensor *rec, char *name, uint8_t *data)
{
	struct builder_tensor *t = &b->tensors[b->num_tensors];
	t->rec = *rec;
	t->name = name;
	t->data = data;
	return b->num_tensors++;
}

static struct dsm_tensor activation_rec(const struct sa_shape *s)
{
	return (struct dsm_tensor){.kind = DSM_TENSOR_ACTIVATION,
				   .dtype = s->dtype,
				   .exp = s->exp,
				   .rank = 3,
				   .dims = {s->c, s->h, s->w}};
}

/* "conv3.out": the op's kind, its 1-based number among ops of that kind, and a role. */
static char *default_name(const sa_builder *b, uint32_t op, const char *role)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s%u.%s", dsm_op_name(op), b->ops_of_kind[op] + 1, role);
	return strdup(buf);
}

sa_status sa_builder_input(sa_builder *b, uint32_t c, uint32_t h, uint32_t w, uint8_t dtype,
			   int8_t exp, const float *mean, const float *std, uint32_t *tensor)
{
	static const char fn[] = "sa_builder_input";

	if (!b || !tensor)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: NULL argument", fn);
	if (b->have_input)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: the graph input is already declared",
			       fn);
	if (c < 1 || c > SA_MAX_INPUT_CHANNELS)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: %u channels; the input has 1 to %d",
			       fn, c, SA_MAX_INPUT_CHANNELS);
	if (h == 0 || w == 0)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: height and width must be at least 1",
			       fn);
	if ((uint64_t)c * h * w > SA_MAX_ACTIVATION_ELEMS)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: more than %u elements", fn,
			       SA_MAX_ACTIVATION_ELEMS);
	if (dtype != SA_DTYPE_I8 && dtype != SA_DTYPE_I16)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "%s: dtype %u is not SA_DTYPE_I8 or "
			       "SA_DTYPE_I16",
			       fn, dtype);
	if (exp < SA_EXP_MIN || exp > SA_EXP_MAX)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: exponent %d is outside [%d, %d]", fn,
			       exp, SA_EXP_MIN, SA_EXP_MAX);
	/* NULL mean/std mean no normalisation: mean 0, std 1. */
	float mv[SA_MAX_INPUT_CHANNELS] = {0}, sv[SA_MAX_INPUT_CHANNELS] = {0};
	for (uint32_t k = 0; k < c; k++) {
		mv[k] = mean ? mean[k] : 0.0f;
		sv[k] = std ? std[k] : 1.0f;
		if (!isfinite(mv[k]))
			return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: mean[%u] is not finite", fn,
				       k);
		if (!isfinite(sv[k]) || !(sv[k] > 0.0f))
			return sa_fail(SA_ERR_INVALID_ARGUMENT,
				       "%s: std[%u] is %g; it must be positive and finite", fn, k,
				       (double)sv[k]);
	}
	if (reserve_op(b, fn))
		return SA_ERR_NO_MEMORY;
	char *name = strdup("input");
	if (!name)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", fn);
	struct sa_shape s = {c, h, w, dtype, exp};
	struct dsm_tensor rec = activation_rec(&s);
	b->input = push_tensor(b, &rec, name, NULL);
	b->have_input = 1;
	memcpy(b->mean, mv, sizeof(mv));
	memcpy(b->std, sv, sizeof(sv));
	*tensor = b->input;
	return SA_OK;
}

/* Shape of activation tensor `id`, or an error naming the function. */
static sa_status get_activation(const sa_builder *b, const char *fn, uint32_t id,
				struct sa_shape *s)
{
	if (id >= b->num_tensors)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: tensor %u does not exist%s", fn, id,
			       b->have_input ? "" : " (declare the input with sa_builder_input)");
	const struct dsm_tensor *t = &b->tensors[id].rec;
	if (t->kind != DSM_TENSOR_ACTIVATION)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "%s: tensor %u (%s) is a constant, not an "
			       "activation",
			       fn, id, b->tensors[id].name);
	*s = (struct sa_shape){t->dims[0], t->dims[1], t->dims[2], t->dtype, t->exp};
	return SA_OK;
}

/*
 * Everything but the numerics of the op: the output's size, alone and with
 * the activations before it (the reader's limits, so no model it refuses is
 * written).
 */
static sa_status check_output(const sa_builder *b, const char *fn, const struct sa_shape *out)
{
	uint64_t elems = (uint64_t)out->c * out->h * out->w, total = elems;

	if (elems > SA_MAX_ACTIVATION_ELEMS)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "%s: the output [%u,%u,%u] has more than %u "
			       "elements",
			       fn, out->c, out->h, out->w, SA_MAX_ACTIVATION_ELEMS);
	for (uint32_t i = 0; i < b->num_tensors; i++) {
		const struct dsm_tensor *t = &b->tensors[i].rec;

		if (t->kind == DSM_TENSOR_ACTIVATION)
			total += (uint64_t)t->dims[0] * t->dims[1] * t->dims[2];
	}
	if (total > SA_MAX_ACTIVATION_TOTAL)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "%s: the activations together would exceed %u elements", fn,
			       SA_MAX_ACTIVATION_TOTAL);
	return SA_OK;
}

/* Appends the output tensor and the node (room reserved). */
static uint32_t push_node(sa_builder *b, struct dsm_node *n, const struct sa_shape *out)
{
	const struct dsm_tensor *in_rec = &b->tensors[n->inputs[0]].rec;
	struct sa_shape in = {in_rec->dims[0], in_rec->dims[1], in_rec->dims[2], in_rec->dtype,
			      in_rec->exp};
	uint16_t minor = dsm_node_min_minor(n, &in);
	struct dsm_tensor rec = activation_rec(out);
	char *name = default_name(b, n->op, "out"); /* NULL only without memory; then "" */
	n->output = push_tensor(b, &rec, name, NULL);
	b->nodes[b->num_nodes++] = *n;
	b->ops_of_kind[n->op]++;
	/* The file is 1.0 unless a node needs more, so older readers keep reading it. */
	if (minor > b->version_minor)
		b->version_minor = minor;
	return n->output;
}

/* Weights as signed k: validated against the code width, then packed into a new tensor. */
static sa_status push_weights(sa_builder *b, const char *fn, uint32_t op, const int8_t *k,
			      uint32_t rank, const uint32_t *dims, unsigned bits, uint32_t *id)
{
	uint64_t count = 1;
	for (uint32_t d = 0; d < rank; d++)
		count *= dims[d]; /* each factor < 2^32 and the running product <= 2^28 */
	if (count > DSM_MAX_TENSOR_ELEMS)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: %llu weights, more than %u", fn,
			       (unsigned long long)count, DSM_MAX_TENSOR_ELEMS);
	if (!k)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: weights are NULL", fn);
	int kmax = SA_WEIGHT_K_MAX(bits);
	for (uint64_t i = 0; i < count; i++) {
		if (k[i] > kmax || k[i] < -kmax)
			return sa_fail(SA_ERR_INVALID_ARGUMENT,
				       "%s: weight %llu is %d, outside "
				       "[-%d, %d] for %u-bit codes",
				       fn, (unsigned long long)i, k[i], kmax, kmax, bits);
	}
	size_t size = sa_weight_packed_size((size_t)count, bits);
	uint8_t *packed = malloc(size);
	char *name = default_name(b, op, "weights");
	if (!packed || !name) {
		free(packed);
		free(name);
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", fn);
	}
	sa_weight_pack(k, (size_t)count, bits, packed);
	struct dsm_tensor rec = {.kind = DSM_TENSOR_CONSTANT,
				 .dtype = SA_DTYPE_SHIFT,
				 .weight_bits = (uint8_t)bits,
				 .rank = rank,
				 .data_size = size};
	memcpy(rec.dims, dims, rank * sizeof(dims[0]));
	*id = push_tensor(b, &rec, name, packed);
	return SA_OK;
}

/* Bias present iff SA_PARAM_HAS_BIAS; stored as little-endian int32 (the host's order). */
static sa_status push_bias(sa_builder *b, const char *fn, uint32_t op, const int32_t *bias,
			   uint8_t flags, uint32_t channels, uint32_t *id)
{
	*id = DSM_NONE;
	if (!(flags & SA_PARAM_HAS_BIAS)) {
		if (bias)
			return sa_fail(SA_ERR_INVALID_ARGUMENT,
				       "%s: a bias is given but "
				       "SA_PARAM_HAS_BIAS is not set in flags",
				       fn);
		return SA_OK;
	}
	if (!bias)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "%s: SA_PARAM_HAS_BIAS is set but bias is "
			       "NULL",
			       fn);
	size_t size = (size_t)channels * 4;
	uint8_t *data = malloc(size);
	char *name = default_name(b, op, "bias");
	if (!data || !name) {
		free(data);
		free(name);
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", fn);
	}
	memcpy(data, bias, size);
	struct dsm_tensor rec = {.kind = DSM_TENSOR_CONSTANT,
				 .dtype = SA_DTYPE_I32,
				 .rank = 1,
				 .dims = {channels},
				 .data_size = size};
	*id = push_tensor(b, &rec, name, data);
	return SA_OK;
}

/* Drops tensors added by an op that then failed (they are the newest ones). */
static void pop_tensors(sa_builder *b, uint32_t keep)
{
	while (b->num_tensors > keep) {
		b->num_tensors--;
		free(b->tensors[b->num_tensors].name);
		free(b->tensors[b->num_tensors].data);
	}
}

/*
 * A node record with every byte defined: params are copied into the zeroed
 * union, because assigning a smaller member would leave its tail unspecified.
 */
static struct dsm_node node_rec(uint32_t op, uint32_t in0, uint32_t in1, const void *params,
				size_t len)
{
	struct dsm_node n;

	memset(&n, 0, sizeof(n));
	n.op = op;
	n.inputs[0] = in0;
	n.inputs[1] = in1;
	n.weights = DSM_NONE;
	n.bias = DSM_NONE;
	if (params)
		memcpy(n.params.raw, params, len);
	return n;
}

/*
 * The start every op shares: the builder and the op's pointer arguments are
 * present (`args_ok`), and `in` is an activation, whose shape goes to *s_in.
 */
static sa_status begin_op(sa_builder *b, const char *fn, int args_ok, uint32_t in,
			  struct sa_shape *s_in)
{
	if (!b || !args_ok)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: NULL argument", fn);
	return get_activation(b, fn, in, s_in);
}

/* A kernel check's verdict (NULL, or what is wrong) as the builder's error. */
static sa_status check_verdict(const char *fn, const char *err)
{
	return err ? sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: %s", fn, err) : SA_OK;
}

/* conv and fc: check, then weights, bias, output, node. */
static sa_status add_weighted_op(sa_builder *b, const char *fn, struct dsm_node *n,
				 const int8_t *weights, const int32_t *bias, uint32_t rank,
				 const uint32_t *wdims, unsigned bits, uint8_t flags,
				 const struct sa_shape *out, uint32_t *out_id)
{
	uint32_t keep = b->num_tensors;
	sa_status st;

	if ((st = check_output(b, fn, out)) || (st = reserve_op(b, fn)))
		return st;
	if ((st = push_weights(b, fn, n->op, weights, rank, wdims, bits, &n->weights)) ||
	    (st = push_bias(b, fn, n->op, bias, flags, out->c, &n->bias))) {
		pop_tensors(b, keep);
		return st;
	}
	*out_id = push_node(b, n, out);
	return SA_OK;
}

sa_status sa_builder_conv(sa_builder *b, uint32_t in, const struct sa_conv_params *p,
			  const int8_t *weights, const int32_t *bias, uint8_t out_dtype,
			  int8_t out_exp, uint32_t *out)
{
	static const char fn[] = "sa_builder_conv";
	struct sa_shape s_in, s_out = {.dtype = out_dtype, .exp = out_exp};
	sa_status st;

	if ((st = begin_op(b, fn, p && out, in, &s_in)) ||
	    (st = check_verdict(fn, sa_check_conv(&s_in, p, &s_out))))
		return st;
	struct dsm_node n = node_rec(DSM_OP_CONV, in, DSM_NONE, p, sizeof(*p));
	uint32_t wdims[4] = {p->out_channels, s_in.c / p->groups, p->kernel_h, p->kernel_w};
	return add_weighted_op(b, fn, &n, weights, bias, 4, wdims, p->weight_bits, p->flags, &s_out,
			       out);
}

sa_status sa_builder_fc(sa_builder *b, uint32_t in, const struct sa_fc_params *p,
			const int8_t *weights, const int32_t *bias, uint8_t out_dtype,
			int8_t out_exp, uint32_t *out)
{
	static const char fn[] = "sa_builder_fc";
	struct sa_shape s_in, s_out = {.dtype = out_dtype, .exp = out_exp};
	sa_status st;

	if ((st = begin_op(b, fn, p && out, in, &s_in)) ||
	    (st = check_verdict(fn, sa_check_fc(&s_in, p, &s_out))))
		return st;
	struct dsm_node n = node_rec(DSM_OP_FC, in, DSM_NONE, p, sizeof(*p));
	uint32_t wdims[2] = {p->out_features, s_in.c * s_in.h * s_in.w};
	return add_weighted_op(b, fn, &n, weights, bias, 2, wdims, p->weight_bits, p->flags, &s_out,
			       out);
}

/* Ops without weights: pools, add, flatten. */
static sa_status add_plain_op(sa_builder *b, const char *fn, struct dsm_node *n,
			      const struct sa_shape *out, uint32_t *out_id)
{
	sa_status st;

	if ((st = check_output(b, fn, out)) || (st = reserve_op(b, fn)))
		return st;
	*out_id = push_node(b, n, out);
	return SA_OK;
}

static sa_status add_pool(sa_builder *b, const char *fn, uint32_t op, uint32_t in,
			  const struct sa_pool_params *p, uint32_t *out)
{
	struct sa_shape s_in, s_out = {0};
	sa_status st;

	if ((st = begin_op(b, fn, (p || op == DSM_OP_GLOBAL_AVGPOOL) && out, in, &s_in)))
		return st;
	const char *err = op == DSM_OP_MAXPOOL	 ? sa_check_maxpool(&s_in, p, &s_out)
			  : op == DSM_OP_AVGPOOL ? sa_check_avgpool(&s_in, p, &s_out)
						 : sa_check_global_avgpool(&s_in, &s_out);
	if ((st = check_verdict(fn, err)))
		return st;
	struct dsm_node n = node_rec(op, in, DSM_NONE, p, p ? sizeof(*p) : 0);
	return add_plain_op(b, fn, &n, &s_out, out);
}

sa_status sa_builder_maxpool(sa_builder *b, uint32_t in, const struct sa_pool_params *p,
			     uint32_t *out)
{
	return add_pool(b, "sa_builder_maxpool", DSM_OP_MAXPOOL, in, p, out);
}

sa_status sa_builder_avgpool(sa_builder *b, uint32_t in, const struct sa_pool_params *p,
			     uint32_t *out)
{
	return add_pool(b, "sa_builder_avgpool", DSM_OP_AVGPOOL, in, p, out);
}

sa_status sa_builder_global_avgpool(sa_builder *b, uint32_t in, uint32_t *out)
{
	return add_pool(b, "sa_builder_global_avgpool", DSM_OP_GLOBAL_AVGPOOL, in, NULL, out);
}

/* add and concat: two activation inputs, a caller-chosen output type. */
static sa_status add_two_input_op(sa_builder *b, const char *fn, uint32_t op, uint32_t in_a,
				  uint32_t in_b, const void *p, size_t len, uint8_t out_dtype,
				  int8_t out_exp, uint32_t *out)
{
	struct sa_shape sa, sb, s_out = {.dtype = out_dtype, .exp = out_exp};
	sa_status st;

	if ((st = begin_op(b, fn, p && out, in_a, &sa)) || (st = get_activation(b, fn, in_b, &sb)))
		return st;
	const char *err = op == DSM_OP_ADD ? sa_check_add(&sa, &sb, p, &s_out)
					   : sa_check_concat(&sa, &sb, p, &s_out);
	if ((st = check_verdict(fn, err)))
		return st;
	struct dsm_node n = node_rec(op, in_a, in_b, p, len);
	return add_plain_op(b, fn, &n, &s_out, out);
}

sa_status sa_builder_add(sa_builder *b, uint32_t in_a, uint32_t in_b, const struct sa_add_params *p,
			 uint8_t out_dtype, int8_t out_exp, uint32_t *out)
{
	return add_two_input_op(b, "sa_builder_add", DSM_OP_ADD, in_a, in_b, p, sizeof(*p),
				out_dtype, out_exp, out);
}

sa_status sa_builder_concat(sa_builder *b, uint32_t in_a, uint32_t in_b,
			    const struct sa_concat_params *p, uint8_t out_dtype, int8_t out_exp,
			    uint32_t *out)
{
	return add_two_input_op(b, "sa_builder_concat", DSM_OP_CONCAT, in_a, in_b, p, sizeof(*p),
				out_dtype, out_exp, out);
}

sa_status sa_builder_clip(sa_builder *b, uint32_t in, const struct sa_clip_params *p,
			  uint8_t out_dtype, int8_t out_exp, uint32_t *out)
{
	static const char fn[] = "sa_builder_clip";
	struct sa_shape s_in, s_out = {.dtype = out_dtype, .exp = out_exp};
	sa_status st;

	if ((st = begin_op(b, fn, p && out, in, &s_in)) ||
	    (st = check_verdict(fn, sa_check_clip(&s_in, p, &s_out))))
		return st;
	struct dsm_node n = node_rec(DSM_OP_CLIP, in, DSM_NONE, p, sizeof(*p));
	return add_plain_op(b, fn, &n, &s_out, out);
}

sa_status sa_builder_flatten(sa_builder *b, uint32_t in, uint32_t *out)
{
	static const char fn[] = "sa_builder_flatten";
	struct sa_shape s_in;
	sa_status st;

	if ((st = begin_op(b, fn, out != NULL, in, &s_in)))
		return st;
	struct sa_shape s_out = {s_in.c * s_in.h * s_in.w, 1, 1, s_in.dtype, s_in.exp};
	struct dsm_node n = node_rec(DSM_OP_FLATTEN, in, DSM_NONE, NULL, 0);
	return add_plain_op(b, fn, &n, &s_out, out);
}

sa_status sa_builder_name_tensor(sa_builder *b, uint32_t tensor, const char *name)
{
	static const char fn[] = "sa_builder_name_tensor";
	sa_status st;

	if (!b)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: builder is NULL", fn);
	if (tensor >= b->num_tensors)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: tensor %u does not exist", fn, tensor);
	if ((st = check_text(fn, "name", name)))
		return st;
	char *copy = strdup(name);
	if (!copy)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", fn);
	free(b->tensors[tensor].name);
	b->tensors[tensor].name = copy;
	return SA_OK;
}

sa_status sa_builder_set_output(sa_builder *b, uint32_t tensor)
{
	static const char fn[] = "sa_builder_set_output";
	struct sa_shape s;
	sa_status st;

	if (!b)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: builder is NULL", fn);
	if ((st = get_activation(b, fn, tensor, &s)))
		return st;
	if (b->have_input && tensor == b->input)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "%s: the output must be produced by an op, "
			       "not be the graph input",
			       fn);
	b->output = tensor;
	b->have_output = 1;
	return SA_OK;
}
