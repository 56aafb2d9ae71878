/* SPDX-License-Identifier: MIT */
/*
 * The .dsm file layout (docs/model-format.md is the prose specification).
 * All fields little-endian; every structure has a fixed size with explicit
 * reserved fields that writers zero and readers check.
 */
#ifndef DSM_FORMAT_H
#define DSM_FORMAT_H

#include <stdint.h>

#include "../../uapi/shiftaccel_numerics.h"

#define DSM_MAGIC "SHIFTDSM" /* 8 bytes, no terminator in the file */
#define DSM_VERSION_MAJOR 1
/* The newest minor version this library reads and writes (1.1: concat, clip, any pool area). */
#define DSM_VERSION_MINOR 1
#define DSM_DATA_ALIGN 64 /* tensor data offsets and the DATA section */
#define DSM_SECTION_ALIGN 8
#define DSM_NONE 0xffffffffu /* "no tensor" in a tensor-id field */
#define DSM_MAX_FILE_SIZE (1ull << 32)
#define DSM_MAX_TENSOR_ELEMS (1u << 28)

struct dsm_header {
	char magic[8];
	uint16_t version_major;
	uint16_t version_minor;
	uint32_t header_size; /* >= sizeof(struct dsm_header) */
	uint64_t file_size;
	uint32_t checksum; /* CRC-32C of the whole file, this field read as 0 */
	uint32_t section_count;
	uint64_t section_table_offset;
	uint8_t reserved[24];
}; /* 64 bytes */

enum dsm_section_kind {
	DSM_SEC_STRINGS = 1, /* NUL-terminated UTF-8 strings; ids are byte offsets */
	DSM_SEC_META = 2,    /* struct dsm_meta[] */
	DSM_SEC_LABELS = 3,  /* struct dsm_label[] */
	DSM_SEC_TENSORS = 4, /* struct dsm_tensor[] */
	DSM_SEC_NODES = 5,   /* struct dsm_node[], in topological order */
	DSM_SEC_GRAPH = 6,   /* one struct dsm_graph */
	DSM_SEC_DATA = 7,    /* tensor data, DSM_DATA_ALIGN aligned */
};

struct dsm_section {
	uint32_t kind;
	uint32_t entry_size; /* record size (>= the size this reader knows); 0 for blobs */
	uint64_t offset;
	uint64_t size;
	uint64_t reserved;
}; /* 32 bytes */

struct dsm_meta {
	uint32_t key; /* string ids */
	uint32_t value;
}; /* 8 bytes */

struct dsm_label {
	uint32_t name; /* string id */
};		       /* 4 bytes */

enum dsm_tensor_kind {
	DSM_TENSOR_ACTIVATION = 1, /* produced at run time; dims = {c, h, w} */
	DSM_TENSOR_CONSTANT = 2,   /* weights or bias, data in DATA */
};

struct dsm_tensor {
	uint32_t name;	      /* string id */
	uint8_t dtype;	      /* SA_DTYPE_* */
	int8_t exp;	      /* activations: scale exponent; constants: 0 */
	uint8_t weight_bits;  /* SA_DTYPE_SHIFT: bits per code; else 0 */
	uint8_t kind;	      /* enum dsm_tensor_kind */
	uint32_t rank;	      /* 1..4 */
	uint32_t dims[4];     /* unused dims are 0 */
	uint32_t reserved;    /* here, not last: keeps data_offset 8-aligned without padding */
	uint64_t data_offset; /* constants: offset inside DATA, aligned */
	uint64_t data_size;   /* constants: exact size of the data */
};			      /* 48 bytes */

enum dsm_op {
	DSM_OP_CONV = 1,
	DSM_OP_FC = 2,
	DSM_OP_MAXPOOL = 3,
	DSM_OP_AVGPOOL = 4,
	DSM_OP_GLOBAL_AVGPOOL = 5,
	DSM_OP_ADD = 6,
	DSM_OP_FLATTEN = 7,
	DSM_OP_CONCAT = 8, /* format 1.1 */
	DSM_OP_CLIP = 9,   /* format 1.1 */
	DSM_OP_LAST = DSM_OP_CLIP,
};

struct dsm_node {
	uint32_t op;	    /* enum dsm_op */
	uint32_t inputs[2]; /* activation tensor ids; inputs[1] only for ADD and CONCAT */
	uint32_t output;    /* activation tensor id */
	uint32_t weights;   /* constant tensor id or DSM_NONE */
	uint32_t bias;	    /* constant tensor id or DSM_NONE */
	uint32_t reserved[2];
	union {
		struct sa_conv_params conv;
		struct sa_fc_params fc;
		struct sa_pool_params pool;
		struct sa_add_params add;
		struct sa_concat_params concat;
		struct sa_clip_params clip;
		uint8_t raw[32];
	} params;
}; /* 64 bytes */

struct dsm_graph {
	uint32_t input;	 /* activation tensor id, produced by no node */
	uint32_t output; /* activation tensor id */
	float mean[4];	 /* per input channel; unused entries 0 */
	float std[4];	 /* per input channel, > 0; unused entries 0 */
	uint32_t reserved[6];
}; /* 64 bytes */

_Static_assert(sizeof(struct dsm_header) == 64, "dsm_header layout");
_Static_assert(sizeof(struct dsm_section) == 32, "dsm_section layout");
_Static_assert(sizeof(struct dsm_tensor) == 48, "dsm_tensor layout");
_Static_assert(sizeof(struct dsm_node) == 64, "dsm_node layout");
_Static_assert(sizeof(struct dsm_graph) == 64, "dsm_graph layout");
_Static_assert(sizeof(struct sa_conv_params) == 32, "sa_conv_params layout");
_Static_assert(sizeof(struct sa_fc_params) == 16, "sa_fc_params layout");
_Static_assert(sizeof(struct sa_pool_params) == 16, "sa_pool_params layout");
_Static_assert(sizeof(struct sa_add_params) == 16, "sa_add_params layout");
_Static_assert(sizeof(struct sa_concat_params) == 16, "sa_concat_params layout");
_Static_assert(sizeof(struct sa_clip_params) == 16, "sa_clip_params layout");

#endif /* DSM_FORMAT_H */
