// SPDX-License-Identifier: MIT
/*
 * sa_builder_write_*: turns the builder's state into .dsm sections
 * (string table, metadata, labels, tensors, nodes, graph, data) and hands
 * them to dsm_write().  The result is read back with the real reader before
 * it is returned, so the builder can never produce a file the library would
 * reject.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "error.h"

/* A growing byte buffer for the string table and the DATA blob. */
struct blob {
	uint8_t *bytes;
	uint64_t size, cap;
};

static int blob_append(struct blob *bl, const void *src, uint64_t len, uint64_t align)
{
	uint64_t start = (bl->size + align - 1) & ~(align - 1);
	if (start + len > DSM_MAX_FILE_SIZE)
		return -1;
	if (start + len > bl->cap) {
		uint64_t cap = bl->cap ? bl->cap * 2 : 256;
		while (cap < start + len)
			cap *= 2;
		uint8_t *p = realloc(bl->bytes, (size_t)cap);
		if (!p)
			return -1;
		bl->bytes = p;
		bl->cap = cap;
	}
	memset(bl->bytes + bl->size, 0, (size_t)(start - bl->size));
	memcpy(bl->bytes + start, src, (size_t)len);
	bl->size = start + len;
	return 0;
}

/* Adds a string to the table; its id is its offset.  "" is always id 0. */
static int intern(struct blob *strings, const char *s, uint32_t *id)
{
	if (!s || !s[0]) {
		*id = 0;
		return 0;
	}
	if (strings->size > UINT32_MAX)
		return -1;
	*id = (uint32_t)strings->size;
	return blob_append(strings, s, strlen(s) + 1, 1);
}

/* The parts of a file, owned until written. */
struct parts {
	struct blob strings, data;
	struct dsm_meta *meta;
	struct dsm_label *labels;
	struct dsm_tensor *tensors;
	struct dsm_graph graph;
};

static void parts_free(struct parts *p)
{
	free(p->strings.bytes);
	free(p->data.bytes);
	free(p->meta);
	free(p->labels);
	free(p->tensors);
}

static sa_status collect_parts(const sa_builder *b, struct parts *p)
{
	static const char fn[] = "sa_builder_write";

	p->meta = calloc(b->num_meta ? b->num_meta : 1, sizeof(*p->meta));
	p->labels = calloc(b->num_labels ? b->num_labels : 1, sizeof(*p->labels));
	p->tensors = calloc(b->num_tensors, sizeof(*p->tensors));
	if (!p->meta || !p->labels || !p->tensors || blob_append(&p->strings, "", 1, 1))
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", fn);

	int fail = 0;
	for (uint32_t i = 0; i < b->num_meta; i++) {
		fail |= intern(&p->strings, b->meta_keys[i], &p->meta[i].key);
		fail |= intern(&p->strings, b->meta_values[i], &p->meta[i].value);
	}
	for (uint32_t i = 0; i < b->num_labels; i++)
		fail |= intern(&p->strings, b->labels[i], &p->labels[i].name);
	for (uint32_t i = 0; i < b->num_tensors && !fail; i++) {
		const struct builder_tensor *t = &b->tensors[i];
		p->tensors[i] = t->rec;
		fail |= intern(&p->strings, t->name, &p->tensors[i].name);
		if (t->rec.kind == DSM_TENSOR_CONSTANT) {
			fail |= blob_append(&p->data, t->data, t->rec.data_size, DSM_DATA_ALIGN);
			p->tensors[i].data_offset = p->data.size - t->rec.data_size;
		}
	}
	if (fail)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "%s: model too large for a .dsm file (or out "
			       "of memory)",
			       fn);

	p->graph.input = b->input;
	p->graph.output = b->output;
	memcpy(p->graph.mean, b->mean, sizeof(p->graph.mean));
	memcpy(p->graph.std, b->std, sizeof(p->graph.std));
	return SA_OK;
}

static sa_status check_complete(const sa_builder *b)
{
	static const char fn[] = "sa_builder_write";

	if (!b->have_input)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: no graph input (sa_builder_input)",
			       fn);
	if (b->num_nodes == 0)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: the graph has no ops", fn);
	if (!b->have_output)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "%s: no graph output (sa_builder_set_output)", fn);
	const struct dsm_tensor *out = &b->tensors[b->output].rec;
	uint64_t elems = (uint64_t)out->dims[0] * out->dims[1] * out->dims[2];
	if (b->num_labels != 0 && b->num_labels != elems)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "%s: %u labels but the output has %llu "
			       "elements (give one label per output, or none)",
			       fn, b->num_labels, (unsigned long long)elems);
	return SA_OK;
}

sa_status sa_builder_write_memory(sa_builder *b, void **data, size_t *size)
{
	struct parts p = {0};
	sa_status st;

	if (!b || !data || !size)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_builder_write_memory: NULL argument");
	if ((st = check_complete(b)) || (st = collect_parts(b, &p))) {
		parts_free(&p);
		return st;
	}

	struct dsm_out_section secs[7];
	uint32_t n = 0;
	secs[n++] = (struct dsm_out_section){DSM_SEC_STRINGS, 0, p.strings.bytes, p.strings.size};
	if (b->num_meta)
		secs[n++] = (struct dsm_out_section){DSM_SEC_META, sizeof(struct dsm_meta), p.meta,
						     (uint64_t)b->num_meta * sizeof(*p.meta)};
	if (b->num_labels)
		secs[n++] =
			(struct dsm_out_section){DSM_SEC_LABELS, sizeof(struct dsm_label), p.labels,
						 (uint64_t)b->num_labels * sizeof(*p.labels)};
	secs[n++] = (struct dsm_out_section){DSM_SEC_TENSORS, sizeof(struct dsm_tensor), p.tensors,
					     (uint64_t)b->num_tensors * sizeof(*p.tensors)};
	secs[n++] = (struct dsm_out_section){DSM_SEC_NODES, sizeof(struct dsm_node), b->nodes,
					     (uint64_t)b->num_nodes * sizeof(*b->nodes)};
	secs[n++] = (struct dsm_out_section){DSM_SEC_GRAPH, sizeof(struct dsm_graph), &p.graph,
					     sizeof(p.graph)};
	if (p.data.size)
		secs[n++] = (struct dsm_out_section){DSM_SEC_DATA, 0, p.data.bytes, p.data.size};

	void *file;
	size_t file_size;
	st = dsm_write(b->version_minor, secs, n, &file, &file_size);
	parts_free(&p);
	if (st != SA_OK)
		return st;

	sa_model *check;
	st = sa_model_open_memory(file, file_size, "sa_builder_write", &check);
	if (st != SA_OK) {
		char why[512];
		snprintf(why, sizeof(why), "%s", sa_last_error());
		free(file);
		return sa_fail(st,
			       "internal error: the builder wrote a model the reader rejects: %s",
			       why);
	}
	sa_model_close(check);
	*data = file;
	*size = file_size;
	return SA_OK;
}

sa_status sa_builder_write_file(sa_builder *b, const char *path)
{
	void *data;
	size_t size;
	sa_status st;

	if (!path)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_builder_write_file: path is NULL");
	if ((st = sa_builder_write_memory(b, &data, &size)))
		return st;
	st = sa_output_write_file(path, data, size);
	free(data);
	return st;
}
