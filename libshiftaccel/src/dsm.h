/* SPDX-License-Identifier: MIT */
/*
 * Internal interface of the .dsm code: the reader (dsm_read.c,
 * dsm_read_graph.c), the writer (dsm_write.c), the builder (builder.c) and
 * the public model functions (model_api.c).
 */
#ifndef SA_DSM_H
#define SA_DSM_H

#include <stddef.h>
#include <stdint.h>

#include "dsm_format.h"
#include "model.h"

/* Byte offset of dsm_header.checksum, the 4 bytes the checksum treats as zero. */
#define DSM_CHECKSUM_OFFSET 24

/* CRC-32C of a whole file with its checksum field read as zero (size >= 64). */
uint32_t dsm_checksum(const void *file, size_t size);

/*
 * Validates the file in model->map / model->map_size and fills the rest of
 * *model.  model->name must be set (used in every message).  On failure the
 * caller releases the partly filled model with sa_model_close().
 */
sa_status dsm_parse(struct sa_model *model);

/* "STRINGS", "TENSORS", ... or "unknown" for a section kind. */
const char *dsm_section_name(uint32_t kind);
/* "conv", "fc", ... or "unknown op" for a node op. */
const char *dsm_op_name(uint32_t op);
/* Activation inputs a node of this op reads: 2 for add and concat, else 1. */
uint32_t dsm_op_num_inputs(uint32_t op);
/*
 * The lowest minor version of format 1 that can hold node `n` whose first
 * input is `in`: 1 for concat, clip and average pools whose area is not a
 * power of two, 0 for everything format 1.0 already had.
 */
uint16_t dsm_node_min_minor(const struct dsm_node *n, const struct sa_shape *in);
/* "i8", "i16", "i32", "shift" or "?" for a dtype. */
const char *dsm_dtype_name(uint32_t dtype);
/*
 * NULL when metadata `value` is allowed for `key`, else the allowed values
 * as text (only the input.* keys constrain their values).
 */
const char *dsm_meta_value_rule(const char *key, const char *value);

/* 1 if s[0..len) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
int dsm_utf8_valid(const char *s, size_t len);

/* One section for dsm_write(): `size` bytes at `data` (records of entry_size, or a blob). */
struct dsm_out_section {
	uint32_t kind;
	uint32_t entry_size;
	const void *data;
	uint64_t size;
};

/*
 * Lays out a file: header, section table, then the sections in the given
 * order, each at the next DSM_SECTION_ALIGN boundary (DATA: DSM_DATA_ALIGN),
 * padding zeroed, checksum filled in.  *out is malloc()ed and 64-aligned in
 * content (offsets), not necessarily in memory.
 */
sa_status dsm_write(uint16_t version_minor, const struct dsm_out_section *sections, uint32_t count,
		    void **out, size_t *size);

#endif /* SA_DSM_H */
