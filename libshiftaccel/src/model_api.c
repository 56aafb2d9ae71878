// SPDX-License-Identifier: MIT
/*
 * Opening, closing and querying models.  A file is mapped read-only and
 * stays mapped while the model is open, so tensor data is used in place
 * (like GGUF in llama.cpp); memory images are copied into a 64-byte
 * aligned buffer so tensor data has the same alignment as in a mapping.
 * As with any mapped file, the file must not be truncated or rewritten
 * while a model is open on it (write a new file and rename it instead).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dsm.h"
#include "error.h"
#include "file_in.h"

static struct sa_model *model_new(const char *name)
{
	struct sa_model *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->name = strdup(name);
	if (!m->name) {
		free(m);
		return NULL;
	}
	return m;
}

/* Validates the bytes in m->map; on success hands the model to the caller. */
static sa_status model_finish(struct sa_model *m, sa_model **out)
{
	sa_status st = dsm_parse(m);
	if (st != SA_OK) {
		sa_model_close(m);
		return st;
	}
	sa_clear_error();
	*out = m;
	return SA_OK;
}

sa_status sa_model_open(const char *path, sa_model **out)
{
	struct stat sb;

	if (!path || !out)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "sa_model_open: path and out must not be NULL");
	int fd;
	uint64_t file_size;
	sa_status st = sa_file_open_regular(path, &fd, &file_size);

	if (st != SA_OK)
		return st;
	sb.st_size = (off_t)file_size;
	if ((uint64_t)sb.st_size > DSM_MAX_FILE_SIZE) {
		close(fd);
		return sa_fail(SA_ERR_BAD_MODEL,
			       "%s: file is %lld bytes, larger than the %llu-byte "
			       "limit of .dsm files",
			       path, (long long)sb.st_size, (unsigned long long)DSM_MAX_FILE_SIZE);
	}
	if (sb.st_size == 0) {
		/* mmap cannot map 0 bytes; the reader reports the empty file. */
		close(fd);
		return sa_model_open_memory("", 0, path, out);
	}

	struct sa_model *m = model_new(path);
	if (!m) {
		close(fd);
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", path);
	}
	void *map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	int err = errno;
	close(fd);
	if (map == MAP_FAILED) {
		sa_model_close(m);
		return sa_fail(SA_ERR_IO, "%s: cannot map: %s", path, strerror(err));
	}
	m->map = map;
	m->map_size = (size_t)sb.st_size;
	m->mapped = 1;
	return model_finish(m, out);
}

sa_status sa_model_open_memory(const void *data, size_t size, const char *name, sa_model **out)
{
	if (!name)
		name = "<memory>";
	if (!out || (!data && size > 0))
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: data and out must not be NULL", name);
	if ((uint64_t)size > DSM_MAX_FILE_SIZE)
		return sa_fail(SA_ERR_BAD_MODEL,
			       "%s: %zu bytes, larger than the %llu-byte limit of "
			       ".dsm files",
			       name, size, (unsigned long long)DSM_MAX_FILE_SIZE);

	struct sa_model *m = model_new(name);
	/* aligned_alloc wants a multiple of the alignment; never 0 bytes. */
	size_t alloc = (size + DSM_DATA_ALIGN) & ~(size_t)(DSM_DATA_ALIGN - 1);
	if (m)
		m->map = aligned_alloc(DSM_DATA_ALIGN, alloc);
	if (!m || !m->map) {
		sa_model_close(m);
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory for a %zu-byte model", name,
			       size);
	}
	if (size > 0)
		memcpy(m->map, data, size);
	m->map_size = size;
	m->mapped = 0;
	return model_finish(m, out);
}

void sa_model_close(sa_model *m)
{
	if (!m)
		return;
	if (m->map) {
		if (m->mapped)
			munmap(m->map, m->map_size);
		else
			free(m->map);
	}
	free(m->tensors);
	free(m->nodes); /* the node records live in the same block */
	free(m->labels);
	free(m->meta_keys);
	free(m->meta_values);
	free(m->name);
	free(m);
}

sa_status sa_model_get_info(const sa_model *m, struct sa_model_info *info)
{
	if (!m || !info)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_model_get_info: NULL argument");
	const struct sa_shape *in = &m->tensors[m->input].shape;
	const struct sa_shape *out = &m->tensors[m->output].shape;

	memset(info, 0, sizeof(*info));
	info->format_major = m->version_major;
	info->format_minor = m->version_minor;
	info->input_c = in->c;
	info->input_h = in->h;
	info->input_w = in->w;
	info->input_dtype = in->dtype;
	info->input_exp = in->exp;
	info->output_dtype = out->dtype;
	info->output_exp = out->exp;
	info->num_outputs = (uint32_t)m->tensors[m->output].elems;
	info->num_labels = m->num_labels;
	info->num_nodes = m->num_nodes;
	info->num_tensors = m->num_tensors;
	memcpy(info->mean, m->mean, sizeof(info->mean));
	memcpy(info->std, m->std, sizeof(info->std));
	return SA_OK;
}

const char *sa_model_label(const sa_model *m, uint32_t i)
{
	if (!m || i >= m->num_labels)
		return NULL;
	return m->labels[i];
}

const char *sa_model_meta(const sa_model *m, const char *key)
{
	if (!m || !key)
		return NULL;
	for (uint32_t i = 0; i < m->num_meta; i++) {
		if (strcmp(m->meta_keys[i], key) == 0)
			return m->meta_values[i];
	}
	return NULL;
}

sa_status sa_model_meta_at(const sa_model *m, uint32_t i, const char **key, const char **value)
{
	if (!m || !key || !value)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_model_meta_at: NULL argument");
	if (i >= m->num_meta)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "%s: metadata index %u is past the end (%u entries)", m->name, i,
			       m->num_meta);
	*key = m->meta_keys[i];
	*value = m->meta_values[i];
	return SA_OK;
}
