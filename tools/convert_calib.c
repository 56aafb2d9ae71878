// SPDX-License-Identifier: MIT
/* Calibration images for shiftaccel-convert (convert_calib.h). */
#include "convert_calib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "0".."classes-1", for models whose classes have no names. */
static char **number_names(uint32_t classes)
{
	char **names = calloc(classes, sizeof(char *));

	for (uint32_t i = 0; names && i < classes; i++) {
		char buf[16];

		snprintf(buf, sizeof(buf), "%u", i);
		if (!(names[i] = strdup(buf))) {
			for (uint32_t j = 0; j < i; j++)
				free(names[j]);
			free(names);
			return NULL;
		}
	}
	return names;
}

static sa_status make_set(const struct calib_set *cs, const uint8_t *pixels, const sa_label *labels,
			  sa_dataset **out)
{
	struct sa_dataset_info info;

	sa_dataset_get_info(cs->images, &info);
	return sa_dataset_from_memory(info.name, cs->count, info.channels, info.height, info.width,
				      pixels, labels, cs->classes, cs->class_names, out);
}

sa_status calib_set_make(const sa_dataset *ds, uint32_t count, uint32_t classes,
			 const char *const *class_names, struct calib_set *out)
{
	struct sa_dataset_info info;
	uint8_t *pixels;
	sa_label *labels;
	char **numbered = NULL;
	sa_status st;

	memset(out, 0, sizeof(*out));
	sa_dataset_get_info(ds, &info);
	if (count == 0 || count > info.count)
		count = info.count;
	size_t image = (size_t)info.channels * info.height * info.width;

	/* Labels counted from a file (idx) reach only the highest class it has. */
	out->labelled = info.num_classes <= classes;
	if (!class_names && info.num_classes == classes) {
		numbered = calloc(classes, sizeof(char *));
		for (uint32_t i = 0; numbered && i < classes; i++)
			numbered[i] = (char *)sa_dataset_class_name(ds, i);
		class_names = (const char *const *)numbered;
	} else if (!class_names) {
		numbered = number_names(classes);
		class_names = (const char *const *)numbered;
	}
	pixels = malloc(image * count);
	labels = malloc(sizeof(*labels) * count);
	if (!pixels || !labels || !class_names) {
		free(pixels);
		free(labels);
		free(numbered);
		return SA_ERR_NO_MEMORY;
	}
	/* Evenly spread, so a data set sorted by class still gives every class. */
	for (uint32_t i = 0; i < count; i++) {
		uint32_t k = (uint32_t)((uint64_t)i * info.count / count);

		memcpy(pixels + image * i, sa_dataset_image(ds, k), image);
		labels[i] = out->labelled ? (sa_label)sa_dataset_label(ds, k) : 0;
	}
	out->count = count;
	out->classes = classes;
	st = sa_dataset_from_memory(info.name, count, info.channels, info.height, info.width,
				    pixels, labels, classes, class_names, &out->images);
	if (numbered && info.num_classes != classes)
		for (uint32_t i = 0; i < classes; i++)
			free(numbered[i]);
	free(numbered);
	free(pixels);
	free(labels);
	/* The data set keeps its own copy of the names. */
	out->class_names = NULL;
	return st;
}

sa_status calib_set_relabel(const struct calib_set *cs, const sa_label *top1, sa_dataset **out)
{
	struct sa_dataset_info info;
	uint8_t *pixels;
	const char **names;
	sa_status st;

	sa_dataset_get_info(cs->images, &info);
	size_t image = (size_t)info.channels * info.height * info.width;

	pixels = malloc(image * cs->count);
	names = calloc(cs->classes, sizeof(char *));
	if (!pixels || !names) {
		free(pixels);
		free(names);
		return SA_ERR_NO_MEMORY;
	}
	for (uint32_t i = 0; i < cs->count; i++)
		memcpy(pixels + image * i, sa_dataset_image(cs->images, i), image);
	for (uint32_t c = 0; c < cs->classes; c++)
		names[c] = sa_dataset_class_name(cs->images, c);
	struct calib_set named = *cs;

	named.class_names = names;
	st = make_set(&named, pixels, top1, out);
	free(pixels);
	free(names);
	return st;
}

void calib_set_free(struct calib_set *cs)
{
	sa_dataset_close(cs->images);
	memset(cs, 0, sizeof(*cs));
}
