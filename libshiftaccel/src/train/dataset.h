/* SPDX-License-Identifier: MIT */
/* The data set object behind sa_dataset: every image in memory as bytes. */
#ifndef TR_DATASET_H
#define TR_DATASET_H

#include "../../include/shiftaccel_train.h"

#define TR_MAX_CLASSES SA_DATASET_MAX_CLASSES

struct sa_dataset {
	char *name;
	uint32_t count, c, h, w;
	uint32_t num_classes;
	int has_split;
	uint8_t *pixels;    /* count x [C][H][W] */
	sa_label *labels;   /* count */
	char **class_names; /* num_classes */
};

static inline size_t tr_dataset_image_size(const struct sa_dataset *ds)
{
	return (size_t)ds->c * ds->h * ds->w;
}

/* Allocates an empty set of `count` images (pixels and labels zeroed, no class names). */
sa_status tr_dataset_alloc(const char *name, uint32_t count, uint32_t c, uint32_t h, uint32_t w,
			   struct sa_dataset **out);
/* The class names of src, copied into ds. */
sa_status tr_dataset_copy_classes(struct sa_dataset *ds, const struct sa_dataset *src);
/* Class names "0", "1", ... for num_classes classes. */
sa_status tr_dataset_number_classes(struct sa_dataset *ds, uint32_t num_classes);

/* Readers. */
sa_status tr_dataset_read_idx(const char *images, const char *labels, const char *name,
			      struct sa_dataset **out);
sa_status tr_dataset_read_pngdir(const char *dir, const char *name, struct sa_dataset **out);

#endif /* TR_DATASET_H */
