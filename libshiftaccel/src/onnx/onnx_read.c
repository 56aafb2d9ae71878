// SPDX-License-Identifier: MIT
/*
 * Reading an ONNX file into struct sa_onnx_graph.  protobuf-c (code
 * generated at build time from Debian's onnx.proto) decodes the bytes; this
 * file checks what ONNX requires and what the importer needs: one default
 * domain opset in range, initializers whose data matches their dims, one
 * image input, nodes in topological order whose inputs are all defined and
 * whose outputs are defined once, ops from the import table only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../error.h"
#include "../file_in.h"
#include "onnx_graph.h"
#include "onnx_ops.h"

/* Value names -> indices: open addressing, FNV-1a, never more than half full. */
struct name_index {
	uint32_t *slot; /* value index + 1; 0 = empty */
	size_t mask;
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h;
}

struct reader {
	const char *file;
	struct sa_onnx_graph *g;
	uint32_t cap_values;
	struct name_index idx;
};

static uint32_t lookup(const struct reader *r, const char *name)
{
	for (size_t i = fnv1a(name) & r->idx.mask;; i = (i + 1) & r->idx.mask) {
		uint32_t s = r->idx.slot[i];

		if (!s)
			return SA_ONNX_NONE;
		if (strcmp(r->g->values[s - 1].name, name) == 0)
			return s - 1;
	}
}

/* A new value called name; SA_ONNX_NONE (with the message set) if it exists or on OOM. */
static uint32_t add_value(struct reader *r, const char *name, const char *what)
{
	struct sa_onnx_graph *g = r->g;
	size_t i;

	if (!name || !*name) {
		sa_fail(SA_ERR_BAD_MODEL, "%s: %s has no name", r->file, what);
		return SA_ONNX_NONE;
	}
	if (lookup(r, name) != SA_ONNX_NONE) {
		sa_fail(SA_ERR_BAD_MODEL, "%s: %s '%s' is defined twice", r->file, what, name);
		return SA_ONNX_NONE;
	}
	if (g->n_values == r->cap_values) {
		sa_fail(SA_ERR_BAD_MODEL, "%s: more values than the graph declares", r->file);
		return SA_ONNX_NONE;
	}
	struct sa_onnx_value *v = &g->values[g->n_values];
	v->name = strdup(name);
	if (!v->name) {
		sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", r->file);
		return SA_ONNX_NONE;
	}
	for (i = fnv1a(name) & r->idx.mask; r->idx.slot[i]; i = (i + 1) & r->idx.mask)
		;
	r->idx.slot[i] = ++g->n_values;
	return g->n_values - 1;
}

static sa_status read_opset(struct reader *r, const Onnx__ModelProto *m)
{
	int64_t opset = -1;

	for (size_t i = 0; i < m->n_opset_import; i++) {
		const char *d = m->opset_import[i]->domain;

		if (!d || !*d || strcmp(d, "ai.onnx") == 0)
			opset = m->opset_import[i]->version;
	}
	if (opset < 0)
		return sa_fail(SA_ERR_BAD_MODEL,
			       "%s: the model imports no opset of the ONNX domain", r->file);
	if (opset < SA_ONNX_OPSET_MIN || opset > SA_ONNX_OPSET_MAX)
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: opset %lld; the importer reads opsets %d to %d (re-export with "
			       "opset_version in that range)",
			       r->file, (long long)opset, SA_ONNX_OPSET_MIN, SA_ONNX_OPSET_MAX);
	r->g->opset = opset;
	return SA_OK;
}

/* dims and element count of a tensor, checked for sign and overflow. */
static sa_status tensor_shape(const struct reader *r, const Onnx__TensorProto *t,
			      struct sa_onnx_value *v)
{
	uint64_t count = 1;

	if (t->n_dims > SA_ONNX_MAX_DIMS)
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: initializer '%s' has %zu dimensions (at most %u)", r->file,
			       v->name, t->n_dims, SA_ONNX_MAX_DIMS);
	for (size_t i = 0; i < t->n_dims; i++) {
		if (t->dims[i] < 0 || (uint64_t)t->dims[i] > SA_ONNX_MAX_ELEMENTS)
			return sa_fail(SA_ERR_BAD_MODEL, "%s: initializer '%s' has dimension %lld",
				       r->file, v->name, (long long)t->dims[i]);
		count *= (uint64_t)t->dims[i];
		if (count > SA_ONNX_MAX_ELEMENTS)
			return sa_fail(SA_ERR_BAD_MODEL,
				       "%s: initializer '%s' has more than %llu elements", r->file,
				       v->name, (unsigned long long)SA_ONNX_MAX_ELEMENTS);
		v->dims[i] = t->dims[i];
	}
	v->ndim = (uint32_t)t->n_dims;
	v->count = count;
	return SA_OK;
}

/* Copies count little-endian elements of `size` bytes from raw or typed data. */
static sa_status tensor_data(const struct reader *r, const Onnx__TensorProto *t,
			     struct sa_onnx_value *v, size_t size, const void *typed,
			     size_t n_typed, void **out)
{
	size_t bytes = (size_t)v->count * size;
	void *p;

	if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: initializer '%s' keeps its data in an external file; save the "
			       "model with its weights inside",
			       r->file, v->name);
	if (t->has_raw_data ? t->raw_data.len != bytes : n_typed != v->count)
		return sa_fail(SA_ERR_BAD_MODEL,
			       "%s: initializer '%s' holds %zu %s for %llu elements", r->file,
			       v->name, t->has_raw_data ? t->raw_data.len : n_typed,
			       t->has_raw_data ? "bytes" : "values", (unsigned long long)v->count);
	p = malloc(bytes ? bytes : 1);
	if (!p)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory for initializer '%s'", r->file,
			       v->name);
	/* ONNX raw data is little-endian, like every host this library builds for. */
	if (bytes) /* an empty tensor may come with no data pointer at all */
		memcpy(p, t->has_raw_data ? (const void *)t->raw_data.data : typed, bytes);
	*out = p;
	return SA_OK;
}

/* int8 (QDQ zero points): one byte each in raw data, or int32 values; kept as int64. */
static sa_status read_int8(const struct reader *r, const Onnx__TensorProto *t,
			   struct sa_onnx_value *v)
{
	void *p = NULL;
	sa_status st = t->has_raw_data
			       ? tensor_data(r, t, v, 1, NULL, 0, &p)
			       : tensor_data(r, t, v, 4, t->int32_data, t->n_int32_data, &p);

	if (st != SA_OK)
		return st;
	v->i64 = malloc(v->count ? (size_t)v->count * sizeof(int64_t) : 1);
	for (uint64_t i = 0; v->i64 && i < v->count; i++)
		v->i64[i] = t->has_raw_data ? ((const int8_t *)p)[i] : ((const int32_t *)p)[i];
	free(p);
	return v->i64 ? SA_OK
		      : sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory for initializer '%s'", r->file,
				v->name);
}

static sa_status read_initializer(struct reader *r, const Onnx__TensorProto *t)
{
	uint32_t id = add_value(r, t->name, "initializer");
	struct sa_onnx_value *v;
	sa_status st;

	if (id == SA_ONNX_NONE)
		return SA_ERR_BAD_MODEL;
	v = &r->g->values[id];
	v->is_initializer = 1;
	v->elem_type = t->data_type;
	st = tensor_shape(r, t, v);
	if (st != SA_OK)
		return st;
	switch (t->data_type) {
	case SA_ONNX_FLOAT:
		return tensor_data(r, t, v, sizeof(float), t->float_data, t->n_float_data,
				   (void **)&v->f32);
	case SA_ONNX_INT64:
		return tensor_data(r, t, v, sizeof(int64_t), t->int64_data, t->n_int64_data,
				   (void **)&v->i64);
	case SA_ONNX_INT8: return read_int8(r, t, v);
	default:
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: initializer '%s' has element type %d; the importer reads float "
			       "(1), int64 (7) and int8 (3) tensors",
			       r->file, v->name, (int)t->data_type);
	}
}

/*
 * A Constant node (PyTorch writes Clip's bounds and Pad's pads so) is an
 * initializer under its output's name; only its tensor form is read.
 */
static sa_status read_constant(struct reader *r, const Onnx__NodeProto *np, uint32_t index)
{
	Onnx__TensorProto t;
	char name[16];

	snprintf(name, sizeof(name), "#%u", index);
	if (np->n_input != 0 || np->n_output != 1 || np->n_attribute != 1 ||
	    !np->attribute[0]->name || strcmp(np->attribute[0]->name, "value") ||
	    !np->attribute[0]->t)
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: node '%.64s' (Constant, opset %lld): only a Constant with one "
			       "'value' tensor and one output is supported",
			       r->file, np->name && *np->name ? np->name : name,
			       (long long)r->g->opset);
	t = *np->attribute[0]->t;
	t.name = np->output[0];
	return read_initializer(r, &t);
}

/* The graph's image input: the one input that is not an initializer. */
static sa_status read_input(struct reader *r, const Onnx__GraphProto *gp)
{
	const Onnx__ValueInfoProto *in = NULL;
	const Onnx__TypeProto__Tensor *tt;
	struct sa_onnx_value *v;
	uint32_t id;

	for (size_t i = 0; i < gp->n_input; i++) {
		uint32_t known = gp->input[i]->name ? lookup(r, gp->input[i]->name) : SA_ONNX_NONE;

		if (known != SA_ONNX_NONE && r->g->values[known].is_initializer)
			continue; /* older exporters list initializers as inputs too */
		if (in)
			return sa_fail(SA_ERR_UNSUPPORTED,
				       "%s: the graph has more than one input ('%s', '%s'); the "
				       "importer takes models with one image input",
				       r->file, in->name,
				       gp->input[i]->name ? gp->input[i]->name : "");
		in = gp->input[i];
	}
	if (!in)
		return sa_fail(SA_ERR_BAD_MODEL, "%s: the graph has no input", r->file);
	id = add_value(r, in->name, "graph input");
	if (id == SA_ONNX_NONE)
		return SA_ERR_BAD_MODEL;
	v = &r->g->values[id];
	v->is_input = 1;
	r->g->input = id;
	tt = in->type ? in->type->tensor_type : NULL;
	if (!tt || !tt->shape)
		return sa_fail(SA_ERR_BAD_MODEL, "%s: input '%s' is no tensor with a shape",
			       r->file, v->name);
	v->elem_type = tt->elem_type;
	if (tt->elem_type != SA_ONNX_FLOAT)
		return sa_fail(SA_ERR_UNSUPPORTED, "%s: input '%s' has element type %d, not float",
			       r->file, v->name, (int)tt->elem_type);
	if (tt->shape->n_dim > SA_ONNX_MAX_DIMS)
		return sa_fail(SA_ERR_UNSUPPORTED, "%s: input '%s' has %zu dimensions", r->file,
			       v->name, tt->shape->n_dim);
	v->ndim = (uint32_t)tt->shape->n_dim;
	for (size_t i = 0; i < tt->shape->n_dim; i++) {
		const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];

		v->dims[i] = d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE
				     ? d->dim_value
				     : -1;
		if (v->dims[i] == 0 || v->dims[i] < -1 || v->dims[i] > INT32_MAX)
			return sa_fail(SA_ERR_BAD_MODEL, "%s: input '%s' has dimension %lld",
				       r->file, v->name, (long long)v->dims[i]);
	}
	return SA_OK;
}

static sa_status read_node(struct reader *r, const Onnx__NodeProto *np, uint32_t index)
{
	struct sa_onnx_node *n = &r->g->nodes[index];
	char where[192];
	const char *op_type = np->op_type ? np->op_type : "";
	sa_status st;

	if (np->name && *np->name)
		n->name = strdup(np->name);
	else if (asprintf(&n->name, "#%u", index) < 0)
		n->name = NULL;
	if (!n->name)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", r->file);
	snprintf(where, sizeof(where), "%s: node '%.64s' (%.32s, opset %lld)", r->file, n->name,
		 op_type, (long long)r->g->opset);
	if (np->domain && *np->domain && strcmp(np->domain, "ai.onnx") != 0)
		return sa_fail(SA_ERR_UNSUPPORTED, "%s: operator domain '%s' is not supported",
			       where, np->domain);
	n->op = sa_onnx_op_lookup(op_type);
	if (n->op == SA_ONNX_NUM_OPS)
		return sa_fail(SA_ERR_UNSUPPORTED,
			       "%s: op %s is not supported (docs/import.md lists the ops)", where,
			       op_type);
	st = sa_onnx_node_attrs(n->op, r->g->opset, np, where, &n->a);
	if (st != SA_OK)
		return st;

	n->inputs = calloc(np->n_input ? np->n_input : 1, sizeof(*n->inputs));
	n->outputs = calloc(np->n_output ? np->n_output : 1, sizeof(*n->outputs));
	if (!n->inputs || !n->outputs)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", r->file);
	for (size_t i = 0; i < np->n_input; i++) {
		const char *in = np->input[i];

		/* An empty name is an omitted optional input. */
		n->inputs[i] = in && *in ? lookup(r, in) : SA_ONNX_NONE;
		if (in && *in && n->inputs[i] == SA_ONNX_NONE)
			return sa_fail(SA_ERR_BAD_MODEL,
				       "%s: input '%s' is not defined before the node (the graph "
				       "must be in topological order)",
				       where, in);
		n->n_inputs++;
	}
	if (n->n_inputs < 1 || n->inputs[0] == SA_ONNX_NONE)
		return sa_fail(SA_ERR_BAD_MODEL, "%s: the first input is missing", where);
	for (size_t i = 0; i < np->n_output; i++) {
		n->outputs[i] = add_value(r, np->output[i], "node output");
		if (n->outputs[i] == SA_ONNX_NONE)
			return SA_ERR_BAD_MODEL;
		n->n_outputs++;
	}
	if (n->op == SA_ONNX_QUANTIZE || n->op == SA_ONNX_DEQUANTIZE)
		return sa_onnx_check_qdq(r->g, n, where);
	return SA_OK;
}

static sa_status read_outputs(struct reader *r, const Onnx__GraphProto *gp)
{
	struct sa_onnx_graph *g = r->g;

	if (!gp->n_output)
		return sa_fail(SA_ERR_BAD_MODEL, "%s: the graph has no output", r->file);
	g->outputs = calloc(gp->n_output, sizeof(*g->outputs));
	if (!g->outputs)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", r->file);
	for (size_t i = 0; i < gp->n_output; i++) {
		const char *name = gp->output[i]->name;

		g->outputs[i] = name ? lookup(r, name) : SA_ONNX_NONE;
		if (g->outputs[i] == SA_ONNX_NONE)
			return sa_fail(SA_ERR_BAD_MODEL,
				       "%s: graph output '%s' is computed by no node", r->file,
				       name ? name : "");
		g->n_outputs++;
	}
	return SA_OK;
}

static sa_status read_graph(struct reader *r, const Onnx__ModelProto *m)
{
	const Onnx__GraphProto *gp = m->graph;
	struct sa_onnx_graph *g = r->g;
	size_t outputs = 0, slots = 2;
	sa_status st;

	if (!gp)
		return sa_fail(SA_ERR_BAD_MODEL, "%s: the model has no graph", r->file);
	if (gp->n_node == 0 || gp->n_node > SA_ONNX_MAX_NODES)
		return sa_fail(SA_ERR_BAD_MODEL, "%s: the graph has %zu nodes (1 to %u)", r->file,
			       gp->n_node, SA_ONNX_MAX_NODES);
	for (size_t i = 0; i < gp->n_node; i++)
		outputs += gp->node[i]->n_output;
	/* Every value the graph can define: initializers, one input, node outputs. */
	r->cap_values = (uint32_t)(gp->n_initializer + 1 + outputs);
	while (slots < 2 * (size_t)r->cap_values)
		slots *= 2;
	r->idx.mask = slots - 1;
	r->idx.slot = calloc(slots, sizeof(*r->idx.slot));
	g->values = calloc(r->cap_values, sizeof(*g->values));
	g->nodes = calloc(gp->n_node, sizeof(*g->nodes));
	if (!r->idx.slot || !g->values || !g->nodes)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", r->file);

	for (size_t i = 0; i < gp->n_initializer; i++) {
		st = read_initializer(r, gp->initializer[i]);
		if (st != SA_OK)
			return st;
	}
	st = read_input(r, gp);
	if (st != SA_OK)
		return st;
	for (size_t i = 0; i < gp->n_node; i++) {
		if (gp->node[i]->op_type && !strcmp(gp->node[i]->op_type, "Constant") &&
		    (!gp->node[i]->domain || !*gp->node[i]->domain)) {
			st = read_constant(r, gp->node[i], (uint32_t)i);
			if (st != SA_OK)
				return st;
			continue;
		}
		st = read_node(r, gp->node[i], g->n_nodes);
		g->n_nodes++; /* freed on failure too */
		if (st != SA_OK)
			return st;
	}
	if (g->n_nodes == 0)
		return sa_fail(SA_ERR_BAD_MODEL, "%s: the graph computes nothing (only constants)",
			       r->file);
	return read_outputs(r, gp);
}

sa_status sa_onnx_parse(const void *data, size_t size, const char *name, struct sa_onnx_graph **out)
{
	struct reader r = {.file = name ? name : "<memory>"};
	Onnx__ModelProto *m;
	sa_status st;

	if (!out || (!data && size))
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_onnx_parse: data and out must be set");
	*out = NULL;
	if (size > SA_ONNX_MAX_FILE_SIZE)
		return sa_fail(SA_ERR_BAD_MODEL, "%s: %zu bytes, more than an ONNX file can hold",
			       r.file, size);
	/* An empty protobuf decodes as an empty model: say what it really is. */
	m = size ? onnx__model_proto__unpack(NULL, size, data) : NULL;
	if (!m)
		return sa_fail(SA_ERR_BAD_MODEL,
			       "%s: not an ONNX model (the protobuf does not decode)", r.file);
	r.g = calloc(1, sizeof(*r.g));
	if (!r.g) {
		onnx__model_proto__free_unpacked(m, NULL);
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", r.file);
	}
	r.g->input = SA_ONNX_NONE;
	if (asprintf(&r.g->producer, "%s %s", m->producer_name ? m->producer_name : "?",
		     m->producer_version ? m->producer_version : "") < 0)
		r.g->producer = NULL;
	st = read_opset(&r, m);
	if (st == SA_OK)
		st = read_graph(&r, m);
	onnx__model_proto__free_unpacked(m, NULL);
	free(r.idx.slot);
	if (st != SA_OK) {
		sa_onnx_free(r.g);
		return st;
	}
	*out = r.g;
	sa_clear_error();
	return SA_OK;
}

sa_status sa_onnx_read_file(const char *path, void **data, size_t *data_size)
{
	uint64_t size;
	sa_status st;
	ssize_t got;
	size_t off = 0;
	void *buf;
	int fd;

	st = sa_file_open_regular(path, &fd, &size);
	if (st != SA_OK)
		return st;
	if (size > SA_ONNX_MAX_FILE_SIZE) {
		close(fd);
		return sa_fail(SA_ERR_BAD_MODEL, "%s: %llu bytes, more than an ONNX file can hold",
			       path, (unsigned long long)size);
	}
	buf = malloc(size ? (size_t)size : 1);
	if (!buf) {
		close(fd);
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", path);
	}
	while (off < size) {
		got = read(fd, (char *)buf + off, (size_t)size - off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		off += (size_t)got;
	}
	close(fd);
	if (off != size) {
		free(buf);
		return sa_fail(SA_ERR_IO, "%s: read %zu of %llu bytes", path, off,
			       (unsigned long long)size);
	}
	*data = buf, *data_size = off;
	return SA_OK;
}

sa_status sa_onnx_load(const char *path, struct sa_onnx_graph **out)
{
	size_t size;
	sa_status st;
	void *buf;

	if (!path || !out)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_onnx_load: path and out must be set");
	if ((st = sa_onnx_read_file(path, &buf, &size)))
		return st;
	st = sa_onnx_parse(buf, size, path, out);
	free(buf);
	return st;
}

void sa_onnx_free(struct sa_onnx_graph *g)
{
	if (!g)
		return;
	for (uint32_t i = 0; i < g->n_values; i++) {
		free(g->values[i].name);
		free(g->values[i].f32);
		free(g->values[i].i64);
	}
	for (uint32_t i = 0; i < g->n_nodes; i++) {
		free(g->nodes[i].name);
		free(g->nodes[i].inputs);
		free(g->nodes[i].outputs);
	}
	free(g->values);
	free(g->nodes);
	free(g->outputs);
	free(g->producer);
	free(g);
}
