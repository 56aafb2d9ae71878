// SPDX-License-Identifier: MIT
/*
 * The .dsm reader, second half: the GRAPH record, the nodes and the labels.
 *
 * Nodes are checked in file order, which must be a topological order: a
 * node may read only the graph input or tensors that earlier nodes
 * produced, and each activation has exactly one producer.  That single rule
 * excludes cycles, so backends can run the nodes in order.  Every op's
 * parameters go through the same sa_check_* functions the builder and the
 * kernels use, and the stored output shape must equal the computed one.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsm_reader.h"
#include "error.h"

/* producer[] value of the graph input (other values: 0 = none yet, i + 1 = node i). */
#define PRODUCED_BY_INPUT UINT32_MAX

const char *dsm_op_name(uint32_t op)
{
	switch (op) {
	case DSM_OP_CONV: return "conv";
	case DSM_OP_FC: return "fc";
	case DSM_OP_MAXPOOL: return "maxpool";
	case DSM_OP_AVGPOOL: return "avgpool";
	case DSM_OP_GLOBAL_AVGPOOL: return "global_avgpool";
	case DSM_OP_ADD: return "add";
	case DSM_OP_FLATTEN: return "flatten";
	case DSM_OP_CONCAT: return "concat";
	case DSM_OP_CLIP: return "clip";
	}
	return "unknown op";
}

/* "[8,3,3,3]" */
static const char *format_dims(char *buf, size_t len, uint32_t rank, const uint32_t *dims)
{
	size_t used = 0;

	buf[0] = '\0';
	for (uint32_t d = 0; d < rank && used < len; d++)
		used += (size_t)snprintf(buf + used, len - used, "%s%u", d ? "," : "[", dims[d]);
	if (used < len)
		snprintf(buf + used, len - used, "]");
	return buf;
}

/* "[8,16,16] i8 2^-4" */
static const char *format_shape(char *buf, size_t len, const struct sa_shape *s)
{
	snprintf(buf, len, "[%u,%u,%u] %s 2^%d", s->c, s->h, s->w, dsm_dtype_name(s->dtype),
		 s->exp);
	return buf;
}

/* Tensor `id` exists and is of `kind`; `where` and `role` say who refers to it. */
static sa_status need_tensor(const struct dsm_reader *r, const char *where, const char *role,
			     uint32_t id, uint8_t kind)
{
	const struct sa_model *m = r->m;

	if (id >= m->num_tensors)
		return dsm_bad(r, "%s: %s %u does not exist (the model has %u tensors)", where,
			       role, id, m->num_tensors);
	if (m->tensors[id].kind != kind)
		return dsm_bad(r, "%s: %s %u (%s) is %s", where, role, id, m->tensors[id].name,
			       kind == DSM_TENSOR_ACTIVATION ? "a constant, not an activation"
							     : "an activation, not a constant");
	return SA_OK;
}

static sa_status read_graph_record(struct dsm_reader *r)
{
	struct sa_model *m = r->m;
	struct dsm_graph g;
	sa_status st;

	if (dsm_record_count(r, DSM_SEC_GRAPH) != 1)
		return dsm_bad(r, "section GRAPH must hold exactly one record, not %u",
			       dsm_record_count(r, DSM_SEC_GRAPH));
	dsm_record_read(r, DSM_SEC_GRAPH, 0, &g, sizeof(g));
	if ((st = need_tensor(r, "graph", "input tensor", g.input, DSM_TENSOR_ACTIVATION)) ||
	    (st = need_tensor(r, "graph", "output tensor", g.output, DSM_TENSOR_ACTIVATION)))
		return st;
	if (g.input == g.output)
		return dsm_bad(r, "graph: the output tensor is the graph input");

	uint32_t c = m->tensors[g.input].shape.c;
	if (c > SA_MAX_INPUT_CHANNELS)
		return dsm_bad(r, "graph: the input has %u channels; at most %d are supported", c,
			       SA_MAX_INPUT_CHANNELS);
	for (uint32_t k = 0; k < 4; k++) {
		if (k >= c) {
			if (g.mean[k] != 0.0f || g.std[k] != 0.0f)
				return dsm_bad(r,
					       "graph: mean[%u]/std[%u] are set but the input has "
					       "%u channels (unused entries must be 0)",
					       k, k, c);
			continue;
		}
		if (!isfinite(g.mean[k]))
			return dsm_bad(r, "graph: mean[%u] is not a finite number", k);
		if (!isfinite(g.std[k]) || !(g.std[k] > 0.0f))
			return dsm_bad(r, "graph: std[%u] is %g; it must be positive and finite", k,
				       (double)g.std[k]);
	}
	for (size_t k = 0; k < sizeof(g.reserved) / sizeof(g.reserved[0]); k++) {
		if (g.reserved[k] != 0)
			return dsm_bad(r, "graph: reserved fields are not zero");
	}
	m->input = g.input;
	m->output = g.output;
	memcpy(m->mean, g.mean, sizeof(m->mean));
	memcpy(m->std, g.std, sizeof(m->std));
	return SA_OK;
}

/* Weights and bias of conv/fc: right kind, dtype, code width and shape. */
static sa_status check_weights(const struct dsm_reader *r, const char *where,
			       const struct dsm_node *n, const struct sa_shape *in,
			       const struct sa_shape *out)
{
	const struct sa_model *m = r->m;
	uint32_t want[4], rank, bits, flags;
	char have_s[64];
	sa_status st;

	if (n->op == DSM_OP_CONV) {
		const struct sa_conv_params *p = &n->params.conv;
		rank = 4;
		want[0] = p->out_channels;
		want[1] = in->c / p->groups;
		want[2] = p->kernel_h;
		want[3] = p->kernel_w;
		bits = p->weight_bits;
		flags = p->flags;
	} else if (n->op == DSM_OP_FC) {
		rank = 2;
		want[0] = n->params.fc.out_features;
		want[1] = in->c * in->h * in->w; /* <= SA_MAX_FAN_IN, checked by sa_check_fc */
		bits = n->params.fc.weight_bits;
		flags = n->params.fc.flags;
	} else {
		if (n->weights != DSM_NONE || n->bias != DSM_NONE)
			return dsm_bad(r,
				       "%s: this op takes no weights or bias (both must be "
				       "0xffffffff)",
				       where);
		return SA_OK;
	}

	if ((st = need_tensor(r, where, "weights tensor", n->weights, DSM_TENSOR_CONSTANT)))
		return st;
	const struct sa_model_tensor *w = &m->tensors[n->weights];
	if (w->dtype != SA_DTYPE_SHIFT)
		return dsm_bad(r, "%s: weights tensor %u (%s) has dtype %s, not shift", where,
			       n->weights, w->name, dsm_dtype_name(w->dtype));
	if (w->weight_bits != bits)
		return dsm_bad(r,
			       "%s: the params say %u-bit weights but weights tensor %u (%s) "
			       "holds %u-bit codes",
			       where, bits, n->weights, w->name, w->weight_bits);
	if (w->rank != rank || memcmp(w->dims, want, rank * sizeof(want[0])) != 0) {
		char want_s[64];
		return dsm_bad(r, "%s: weights tensor %u (%s) has shape %s but the op needs %s",
			       where, n->weights, w->name,
			       format_dims(have_s, sizeof(have_s), w->rank, w->dims),
			       format_dims(want_s, sizeof(want_s), rank, want));
	}

	if (!(flags & SA_PARAM_HAS_BIAS)) {
		if (n->bias != DSM_NONE)
			return dsm_bad(r, "%s: has bias tensor %u but SA_PARAM_HAS_BIAS is not set",
				       where, n->bias);
		return SA_OK;
	}
	if ((st = need_tensor(r, where, "bias tensor", n->bias, DSM_TENSOR_CONSTANT)))
		return st;
	const struct sa_model_tensor *b = &m->tensors[n->bias];
	if (b->dtype != SA_DTYPE_I32)
		return dsm_bad(r, "%s: bias tensor %u (%s) has dtype %s, not i32", where, n->bias,
			       b->name, dsm_dtype_name(b->dtype));
	if (b->rank != 1 || b->dims[0] != out->c)
		return dsm_bad(r, "%s: bias tensor %u (%s) has shape %s but the op needs [%u]",
			       where, n->bias, b->name,
			       format_dims(have_s, sizeof(have_s), b->rank, b->dims), out->c);
	return SA_OK;
}

/* Parameters and output shape of one node whose tensor references are already checked. */
static sa_status check_node_shape(const struct dsm_reader *r, const char *where,
				  const struct dsm_node *n)
{
	const struct sa_model *m = r->m;
	const struct sa_model_tensor *ot = &m->tensors[n->output];
	struct sa_shape in = m->tensors[n->inputs[0]].shape;
	struct sa_shape out = {.dtype = ot->shape.dtype, .exp = ot->shape.exp};
	const char *err = NULL;
	size_t used; /* bytes of params.raw the op uses; the rest must be zero */

	switch (n->op) {
	case DSM_OP_CONV:
		used = sizeof(n->params.conv);
		err = sa_check_conv(&in, &n->params.conv, &out);
		break;
	case DSM_OP_FC:
		used = sizeof(n->params.fc);
		err = sa_check_fc(&in, &n->params.fc, &out);
		break;
	case DSM_OP_MAXPOOL:
		used = sizeof(n->params.pool);
		err = sa_check_maxpool(&in, &n->params.pool, &out);
		break;
	case DSM_OP_AVGPOOL:
		used = sizeof(n->params.pool);
		err = sa_check_avgpool(&in, &n->params.pool, &out);
		break;
	case DSM_OP_GLOBAL_AVGPOOL:
		used = 0;
		err = sa_check_global_avgpool(&in, &out);
		break;
	case DSM_OP_ADD:
		used = sizeof(n->params.add);
		err = sa_check_add(&in, &m->tensors[n->inputs[1]].shape, &n->params.add, &out);
		break;
	case DSM_OP_CONCAT:
		used = sizeof(n->params.concat);
		err = sa_check_concat(&in, &m->tensors[n->inputs[1]].shape, &n->params.concat,
				      &out);
		break;
	case DSM_OP_CLIP:
		used = sizeof(n->params.clip);
		err = sa_check_clip(&in, &n->params.clip, &out);
		break;
	default: /* DSM_OP_FLATTEN: activation limits keep C*H*W in range */
		used = 0;
		out = (struct sa_shape){in.c * in.h * in.w, 1, 1, in.dtype, in.exp};
		break;
	}
	for (size_t k = used; k < sizeof(n->params.raw); k++) {
		if (n->params.raw[k] != 0)
			return dsm_bad(r,
				       "%s: parameter byte %zu is unused by this op but not zero",
				       where, k);
	}
	if (err)
		return dsm_bad(r, "%s: %s", where, err);
	uint16_t minor = dsm_node_min_minor(n, &in);
	if (m->version_minor < minor)
		return dsm_bad(r,
			       "%s: this node needs format version 1.%u (concat, clip, or an "
			       "average pool whose area is not a power of two) but the file says "
			       "%u.%u",
			       where, minor, m->version_major, m->version_minor);
	sa_status st = check_weights(r, where, n, &in, &out);
	if (st != SA_OK)
		return st;

	const struct sa_shape *have = &ot->shape;
	if (have->c != out.c || have->h != out.h || have->w != out.w || have->dtype != out.dtype ||
	    have->exp != out.exp) {
		char have_s[64], want_s[64];
		return dsm_bad(r,
			       "%s: output tensor %u (%s) is %s, which does not match the %s the "
			       "op produces",
			       where, n->output, ot->name,
			       format_shape(have_s, sizeof(have_s), have),
			       format_shape(want_s, sizeof(want_s), &out));
	}
	return SA_OK;
}

static sa_status check_node(const struct dsm_reader *r, uint32_t i, const struct dsm_node *n,
			    const uint32_t *producer)
{
	const struct sa_model *m = r->m;
	char where[48];
	sa_status st;

	if (n->op < DSM_OP_CONV || n->op > DSM_OP_LAST)
		return dsm_bad(r,
			       "node %u: unknown op %u (the file is format version %u.%u; this "
			       "library knows ops 1..%u of format %u.%u)",
			       i, n->op, m->version_major, m->version_minor, DSM_OP_LAST,
			       DSM_VERSION_MAJOR, DSM_VERSION_MINOR);
	snprintf(where, sizeof(where), "node %u (%s)", i, dsm_op_name(n->op));
	if (n->reserved[0] != 0 || n->reserved[1] != 0)
		return dsm_bad(r, "%s: reserved fields are not zero", where);

	uint32_t num_inputs = dsm_op_num_inputs(n->op);
	for (uint32_t j = 0; j < num_inputs; j++) {
		uint32_t id = n->inputs[j];
		if ((st = need_tensor(r, where, "input tensor", id, DSM_TENSOR_ACTIVATION)))
			return st;
		if (producer[id] == 0)
			return dsm_bad(r, "%s: input tensor %u (%s) is used before it is produced",
				       where, id, m->tensors[id].name);
	}
	if (num_inputs == 1 && n->inputs[1] != DSM_NONE)
		return dsm_bad(r,
			       "%s: inputs[1] is %u but only add and concat have a second "
			       "input (must be 0xffffffff)",
			       where, n->inputs[1]);

	uint32_t out = n->output;
	if ((st = need_tensor(r, where, "output tensor", out, DSM_TENSOR_ACTIVATION)))
		return st;
	if (producer[out] == PRODUCED_BY_INPUT)
		return dsm_bad(r,
			       "%s: output tensor %u (%s) is the graph input, which no node may "
			       "produce",
			       where, out, m->tensors[out].name);
	if (producer[out] != 0)
		return dsm_bad(r, "%s: output tensor %u (%s) is already produced by node %u", where,
			       out, m->tensors[out].name, producer[out] - 1);
	return check_node_shape(r, where, n);
}

static sa_status read_nodes(struct dsm_reader *r)
{
	struct sa_model *m = r->m;
	uint32_t n = dsm_record_count(r, DSM_SEC_NODES);

	if (n == 0)
		return dsm_bad(r, "section NODES holds no nodes");
	/* Node records are copied next to the node array: aligned, and owned by the model. */
	m->nodes = calloc(n, sizeof(struct sa_model_node) + sizeof(struct dsm_node));
	uint32_t *producer = calloc(m->num_tensors, sizeof(*producer));
	if (!m->nodes || !producer) {
		free(producer);
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory for %u nodes", m->name, n);
	}
	struct dsm_node *recs = (struct dsm_node *)(m->nodes + n);
	producer[m->input] = PRODUCED_BY_INPUT;

	sa_status st = SA_OK;
	for (uint32_t i = 0; i < n && st == SA_OK; i++) {
		dsm_record_read(r, DSM_SEC_NODES, i, &recs[i], sizeof(recs[i]));
		st = check_node(r, i, &recs[i], producer);
		if (st != SA_OK)
			break;
		producer[recs[i].output] = i + 1;
		m->nodes[i] = (struct sa_model_node){
			.op = recs[i].op,
			.inputs = {recs[i].inputs[0], recs[i].inputs[1]},
			.output = recs[i].output,
			.weights = recs[i].weights,
			.bias = recs[i].bias,
			.rec = &recs[i],
		};
	}
	for (uint32_t t = 0; t < m->num_tensors && st == SA_OK; t++) {
		if (m->tensors[t].kind == DSM_TENSOR_ACTIVATION && producer[t] == 0)
			st = dsm_bad(r, "tensor %u (%s) is an activation that no node produces", t,
				     m->tensors[t].name);
	}
	free(producer);
	if (st == SA_OK)
		m->num_nodes = n;
	return st;
}

static sa_status read_labels(struct dsm_reader *r)
{
	struct sa_model *m = r->m;

	if (!r->present[DSM_SEC_LABELS])
		return SA_OK;
	uint32_t n = dsm_record_count(r, DSM_SEC_LABELS);
	const struct sa_model_tensor *out = &m->tensors[m->output];
	if (n != out->elems)
		return dsm_bad(r,
			       "section LABELS holds %u labels but the output tensor %u (%s) has "
			       "%" PRIu64 " elements",
			       n, m->output, out->name, out->elems);
	m->labels = calloc(n, sizeof(*m->labels));
	if (!m->labels)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory for %u labels", m->name, n);
	for (uint32_t i = 0; i < n; i++) {
		struct dsm_label rec;
		char what[32];
		sa_status st;

		dsm_record_read(r, DSM_SEC_LABELS, i, &rec, sizeof(rec));
		snprintf(what, sizeof(what), "label %u", i);
		if ((st = dsm_string_at(r, rec.name, what, &m->labels[i])) != SA_OK)
			return st;
	}
	m->num_labels = n;
	return SA_OK;
}

sa_status dsm_read_graph(struct dsm_reader *r)
{
	sa_status st;

	if ((st = read_graph_record(r)) != SA_OK || (st = read_nodes(r)) != SA_OK ||
	    (st = read_labels(r)) != SA_OK)
		return st;
	return SA_OK;
}
