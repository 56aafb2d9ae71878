/* SPDX-License-Identifier: MIT */
/*
 * State shared by the two halves of the .dsm reader: dsm_read.c (header,
 * section table, strings, metadata, tensors) and dsm_read_graph.c (graph,
 * nodes, labels).  Not used outside the reader.
 */
#ifndef SA_DSM_READER_H
#define SA_DSM_READER_H

#include "dsm.h"

#define DSM_NUM_KNOWN_KINDS (DSM_SEC_DATA + 1)

struct dsm_reader {
	struct sa_model *m;
	const uint8_t *base; /* the whole file */
	uint64_t size;
	struct dsm_header hdr;
	/* Known sections by kind; present[kind] is 0 when the file has none. */
	int present[DSM_NUM_KNOWN_KINDS];
	uint32_t index[DSM_NUM_KNOWN_KINDS]; /* position in the section table */
	struct dsm_section sec[DSM_NUM_KNOWN_KINDS];
	const char *strings;
	uint64_t strings_size;
};

/* Fails with SA_ERR_BAD_MODEL and "<file name>: <message>". */
sa_status dsm_bad(const struct dsm_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Number of records of a present record section. */
uint32_t dsm_record_count(const struct dsm_reader *r, uint32_t kind);
/* Copies record i of a record section (its first `len` bytes, len <= entry_size). */
void dsm_record_read(const struct dsm_reader *r, uint32_t kind, uint32_t i, void *dst, size_t len);

/* String `id` of the table; `what` names the referring field in the message. */
sa_status dsm_string_at(const struct dsm_reader *r, uint32_t id, const char *what,
			const char **out);

/* Graph, nodes and labels: the second half of dsm_parse(). */
sa_status dsm_read_graph(struct dsm_reader *r);

#endif /* SA_DSM_READER_H */
