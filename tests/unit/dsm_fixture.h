/* SPDX-License-Identifier: MIT */
/*
 * A small residual model for the .dsm tests, and helpers to find and edit
 * fields inside a file image and fix its checksum afterwards, so a test can
 * hand the reader a file whose only defect is the one it means to test.
 */
#ifndef DSM_FIXTURE_H
#define DSM_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "../../libshiftaccel/include/shiftaccel.h"
#include "../../libshiftaccel/src/dsm.h"

/*
 * input [3,8,8] i8 2^-7
 * conv1  3->8, 3x3 pad 1, 4-bit, bias, relu       -> [8,8,8] i8 2^-4
 * conv2  8->8, 3x3 pad 1, groups 2, 3-bit          -> [8,8,8] i8 2^-4
 * add    conv1 + conv2, relu                       -> [8,8,8] i16 2^-5
 * global avgpool                                   -> [8,1,1] i16 2^-5
 * fc     8->10, 5-bit, bias                        -> [10,1,1] i16 2^-6
 * 10 labels, 3 metadata entries.
 */
#define FX_CONV1_WEIGHTS (8 * 3 * 3 * 3)
#define FX_CONV2_WEIGHTS (8 * 4 * 3 * 3)
#define FX_FC_WEIGHTS (10 * 8)
#define FX_NUM_CLASSES 10

struct fx_model {
	int8_t conv1_w[FX_CONV1_WEIGHTS];
	int32_t conv1_b[8];
	int8_t conv2_w[FX_CONV2_WEIGHTS];
	int8_t fc_w[FX_FC_WEIGHTS];
	int32_t fc_b[FX_NUM_CLASSES];
	struct sa_conv_params conv1, conv2;
	struct sa_fc_params fc;
	struct sa_add_params add;
	float mean[3], std[3];
	const char *labels[FX_NUM_CLASSES];
	/* tensor ids the builder returned */
	uint32_t t_input, t_conv1, t_conv2, t_add, t_gap, t_fc;
};

/* Fills the parameters and weights (deterministic). */
void fx_model_init(struct fx_model *fx);
/* Declares the model in a new builder; returns NULL (and prints why) on failure. */
sa_builder *fx_builder(struct fx_model *fx);
/*
 * A model of format 1.1 (every node of it after the conv needs 1.1 or is
 * fed by one that does):
 * input [2,7,7] i8 2^-5
 * conv   2->2, 1x1, 3-bit, relu                    -> [2,7,7] i8 2^-4
 * concat input, conv                               -> [4,7,7] i8 2^-4
 * clip   relu6                                     -> [4,7,7] i16 2^-6
 * avgpool 3x3 stride 1 pad 1 (area 9)              -> [4,7,7] i16 2^-6
 * global avgpool (area 49)                         -> [4,1,1] i16 2^-6
 * fc     4->3, 3-bit                               -> [3,1,1] i16 2^-6
 */
sa_builder *fx_v11_builder(void);
/* Builds and writes the model to memory; 0 on success.  *data is malloc()ed. */
int fx_build(struct fx_model *fx, void **data, size_t *size);

/* The section table entry of the first section of `kind`, or NULL. */
struct dsm_section *fx_section(void *file, uint32_t kind);
/* Record i of the section of `kind` (the file's own entry_size), or NULL. */
void *fx_record(void *file, uint32_t kind, uint32_t i);
/* Recomputes and stores the checksum. */
void fx_rechecksum(void *file, size_t size);
/* Opens a file image under the name "model.dsm"; closes the model unless out is given. */
sa_status fx_open(const void *file, size_t size, sa_model **out);
/*
 * The sections of a file as dsm_write() input (pointing into the file), in
 * table order; returns their number (at most max).  Lets a test re-lay a
 * file out with a changed entry_size or an extra section.
 */
uint32_t fx_sections(void *file, struct dsm_out_section *out, uint32_t max);
/* A malloc()ed copy. */
void *fx_dup(const void *file, size_t size);

#endif /* DSM_FIXTURE_H */
