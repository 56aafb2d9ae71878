// SPDX-License-Identifier: MIT
/* Data sets: named sets, spec parsing, copies and accessors. */
#include "dataset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../error.h"

static const char *const fashion_names[10] = {
	"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
	"Sandal",      "Shirt",	  "Sneaker",  "Bag",   "Ankle boot",
};

sa_status tr_dataset_alloc(const char *name, uint32_t count, uint32_t c, uint32_t h, uint32_t w,
			   struct sa_dataset **out)
{
	struct sa_dataset *ds = calloc(1, sizeof(*ds));
	size_t image = (size_t)c * h * w;

	if (!ds)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", name);
	ds->name = strdup(name);
	ds->count = count;
	ds->c = c, ds->h = h, ds->w = w;
	ds->pixels = calloc(count && image ? (size_t)count * image : 1, 1);
	ds->labels = calloc(count ? count : 1, sizeof(*ds->labels));
	if (!ds->name || !ds->pixels || !ds->labels) {
		sa_dataset_close(ds);
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory for %u images", name, count);
	}
	*out = ds;
	return SA_OK;
}

static void free_class_names(struct sa_dataset *ds)
{
	for (uint32_t i = 0; ds->class_names && i < ds->num_classes; i++)
		free(ds->class_names[i]);
	free(ds->class_names);
	ds->class_names = NULL;
	ds->num_classes = 0;
}

static sa_status set_class_names(struct sa_dataset *ds, uint32_t n, const char *const *names)
{
	free_class_names(ds);
	ds->class_names = calloc(n ? n : 1, sizeof(char *));
	if (!ds->class_names)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", ds->name);
	ds->num_classes = n;
	for (uint32_t i = 0; i < n; i++) {
		char num[16];

		snprintf(num, sizeof(num), "%u", i);
		ds->class_names[i] = strdup(names ? names[i] : num);
		if (!ds->class_names[i])
			return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", ds->name);
	}
	return SA_OK;
}

sa_status tr_dataset_copy_classes(struct sa_dataset *ds, const struct sa_dataset *src)
{
	return set_class_names(ds, src->num_classes, (const char *const *)src->class_names);
}

sa_status tr_dataset_number_classes(struct sa_dataset *ds, uint32_t num_classes)
{
	return set_class_names(ds, num_classes, NULL);
}

void sa_dataset_close(sa_dataset *ds)
{
	if (!ds)
		return;
	free_class_names(ds);
	free(ds->name);
	free(ds->pixels);
	free(ds->labels);
	free(ds);
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static sa_status open_named(const char *set, sa_split split, const char *data_dir, sa_dataset **out)
{
	const char *prefix = split == SA_SPLIT_TRAIN ? "train" : "t10k";
	char images[4096], labels[4096], name[64];
	sa_status st;

	if (!data_dir)
		data_dir = getenv("SHIFTACCEL_DATA");
	if (!data_dir || !*data_dir)
		data_dir = "data";
	snprintf(images, sizeof(images), "%s/%s/%s-images-idx3-ubyte", data_dir, set, prefix);
	snprintf(labels, sizeof(labels), "%s/%s/%s-labels-idx1-ubyte", data_dir, set, prefix);
	snprintf(name, sizeof(name), "%s (%s)", set, split == SA_SPLIT_TRAIN ? "train" : "test");
	st = tr_dataset_read_idx(images, labels, name, out);
	if (st == SA_ERR_IO) {
		char msg[400];

		snprintf(msg, sizeof(msg), "%s", sa_last_error());
		return sa_fail(SA_ERR_IO, "%s (run `make data` to fetch %s)", msg, set);
	}
	if (st)
		return st;
	(*out)->has_split = 1;
	if ((*out)->num_classes > 10) {
		sa_dataset_close(*out);
		return sa_fail(SA_ERR_BAD_DATA, "%s: labels above 9 in a 10-class set", labels);
	}
	if (!strcmp(set, "fashion-mnist"))
		return set_class_names(*out, 10, fashion_names);
	return set_class_names(*out, 10, NULL);
}

sa_status sa_dataset_open(const char *spec, sa_split split, const char *data_dir, sa_dataset **out)
{
	if (!spec || !out)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_dataset_open: NULL argument");
	if (!strcmp(spec, "mnist") || !strcmp(spec, "fashion-mnist"))
		return open_named(spec, split, data_dir, out);
	if (!strncmp(spec, "idx:", 4)) {
		char buf[8192];
		char *comma;

		snprintf(buf, sizeof(buf), "%s", spec + 4);
		comma = strchr(buf, ',');
		if (!comma || !comma[1] || comma == buf)
			return sa_fail(SA_ERR_INVALID_ARGUMENT,
				       "data set '%s': expected idx:IMAGES,LABELS", spec);
		*comma = '\0';
		return tr_dataset_read_idx(buf, comma + 1, spec, out);
	}
	if (!strncmp(spec, "pngdir:", 7)) {
		const char *dir = spec + 7;
		char train[4096], test[4096];

		snprintf(train, sizeof(train), "%s/train", dir);
		snprintf(test, sizeof(test), "%s/test", dir);
		if (is_dir(train) && is_dir(test)) {
			sa_status st = tr_dataset_read_pngdir(
				split == SA_SPLIT_TRAIN ? train : test, spec, out);

			if (!st)
				(*out)->has_split = 1;
			return st;
		}
		return tr_dataset_read_pngdir(dir, spec, out);
	}
	return sa_fail(SA_ERR_INVALID_ARGUMENT,
		       "unknown data set '%s' (mnist, fashion-mnist, idx:IMAGES,LABELS or "
		       "pngdir:DIR)",
		       spec);
}

sa_status sa_dataset_from_memory(const char *name, uint32_t count, uint32_t c, uint32_t h,
				 uint32_t w, const uint8_t *pixels, const sa_label *labels,
				 uint32_t num_classes, const char *const *class_names,
				 sa_dataset **out)
{
	struct sa_dataset *ds;
	sa_status st;

	if (!name || !pixels || !labels || !out || !c || !h || !w || !count)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_dataset_from_memory: empty argument");
	if (c > SA_MAX_INPUT_CHANNELS || num_classes < 2 || num_classes > TR_MAX_CLASSES)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "%s: %u channels and %u classes (need 1..%d and 2..%d)", name, c,
			       num_classes, SA_MAX_INPUT_CHANNELS, TR_MAX_CLASSES);
	for (uint32_t i = 0; i < count; i++)
		if (labels[i] >= num_classes)
			return sa_fail(SA_ERR_BAD_DATA, "%s: image %u has label %u of %u classes",
				       name, i, labels[i], num_classes);
	st = tr_dataset_alloc(name, count, c, h, w, &ds);
	if (st)
		return st;
	memcpy(ds->pixels, pixels, (size_t)count * tr_dataset_image_size(ds));
	memcpy(ds->labels, labels, (size_t)count * sizeof(*labels));
	st = set_class_names(ds, num_classes, class_names);
	if (st) {
		sa_dataset_close(ds);
		return st;
	}
	*out = ds;
	return SA_OK;
}

sa_status sa_dataset_take(const sa_dataset *src, const uint32_t *indices, uint32_t n,
			  sa_dataset **out)
{
	struct sa_dataset *ds;
	size_t image = tr_dataset_image_size(src);
	sa_status st;

	for (uint32_t i = 0; i < n; i++)
		if (indices[i] >= src->count)
			return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: image %u of %u does not exist",
				       src->name, indices[i], src->count);
	st = tr_dataset_alloc(src->name, n, src->c, src->h, src->w, &ds);
	if (st)
		return st;
	for (uint32_t i = 0; i < n; i++) {
		memcpy(ds->pixels + i * image, src->pixels + (size_t)indices[i] * image, image);
		ds->labels[i] = src->labels[indices[i]];
	}
	st = tr_dataset_copy_classes(ds, src);
	if (st) {
		sa_dataset_close(ds);
		return st;
	}
	ds->has_split = src->has_split;
	*out = ds;
	return SA_OK;
}

void sa_dataset_get_info(const sa_dataset *ds, struct sa_dataset_info *info)
{
	info->name = ds->name;
	info->count = ds->count;
	info->channels = ds->c;
	info->height = ds->h;
	info->width = ds->w;
	info->num_classes = ds->num_classes;
	info->has_split = ds->has_split;
}

const uint8_t *sa_dataset_image(const sa_dataset *ds, uint32_t i)
{
	return i < ds->count ? ds->pixels + (size_t)i * tr_dataset_image_size(ds) : NULL;
}

uint32_t sa_dataset_label(const sa_dataset *ds, uint32_t i)
{
	return i < ds->count ? ds->labels[i] : 0;
}

const char *sa_dataset_class_name(const sa_dataset *ds, uint32_t c)
{
	return c < ds->num_classes ? ds->class_names[c] : NULL;
}

sa_status sa_dataset_get_image(const sa_dataset *ds, uint32_t i, sa_image *out)
{
	size_t plane = (size_t)ds->h * ds->w;
	const uint8_t *src;

	if (i >= ds->count)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: image %u of %u does not exist",
			       ds->name, i, ds->count);
	if (ds->c != 1 && ds->c != 3)
		return sa_fail(SA_ERR_UNSUPPORTED, "%s: %u-channel images have no sa_image form",
			       ds->name, ds->c);
	out->pixels = malloc(plane * ds->c);
	if (!out->pixels)
		return sa_fail(SA_ERR_NO_MEMORY, "out of memory");
	out->width = ds->w;
	out->height = ds->h;
	out->channels = ds->c;
	src = sa_dataset_image(ds, i);
	for (size_t p = 0; p < plane; p++)
		for (uint32_t c = 0; c < ds->c; c++)
			out->pixels[p * ds->c + c] = src[c * plane + p];
	return SA_OK;
}
