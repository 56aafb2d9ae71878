/* SPDX-License-Identifier: MIT */
/*
 * A .dsm model lowered to card descriptors for the firmware tests, by the
 * library's compiler (libshiftaccel/src/accel_compile.h): its constants and
 * activation arena placed in the harness's device memory of one context.
 */
#ifndef FW_LOWER_H
#define FW_LOWER_H

#include "shiftaccel.h"

#include "fw_host.h"

struct fw_lowered {
	uint32_t num_desc;
	struct sa_hw_desc *desc; /* malloc()ed */
	uint64_t input_bus, output_bus;
	size_t input_bytes, output_bytes;
};

/* 0, or -1 with a message on stderr. */
int fw_lower(struct fwh *f, struct fwh_ctx *c, const sa_model *model, struct fw_lowered *out);
void fw_lowered_free(struct fw_lowered *l);

/* A residual test network using every layer op; *data is malloc()ed. */
int fw_test_network(uint32_t seed, void **data, size_t *size);

#endif /* FW_LOWER_H */
