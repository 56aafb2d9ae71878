// SPDX-License-Identifier: MIT
/*
 * A folder of PNGs per class: DIR/<class>/<image>.png.  Classes are the
 * subfolders in byte order of their names, images the *.png files in each,
 * also sorted, so the order (and so training with a seed) is reproducible.
 * Every image must have the size and channel count of the first one.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "../error.h"
#include "dataset.h"

struct names {
	char **v;
	size_t n, cap;
};

static void names_free(struct names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_png_suffix(const char *s)
{
	size_t n = strlen(s);

	return n > 4 && !strcasecmp(s + n - 4, ".png");
}

/* Sorted entries of `dir` that are directories (want_dirs) or *.png files. */
static sa_status list_dir(const char *dir, int want_dirs, struct names *out)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return sa_fail(SA_ERR_IO, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		char path[4096];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		int len = snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);

		if (len < 0 || (size_t)len >= sizeof(path)) {
			closedir(d);
			return sa_fail(SA_ERR_IO, "%s/%s: path too long", dir, e->d_name);
		}
		if (stat(path, &st))
			continue;
		if (want_dirs ? !S_ISDIR(st.st_mode)
			      : !S_ISREG(st.st_mode) || !has_png_suffix(e->d_name))
			continue;
		if (out->n == out->cap) {
			size_t cap = out->cap ? 2 * out->cap : 64;
			char **v = realloc(out->v, cap * sizeof(char *));

			if (!v) {
				closedir(d);
				return sa_fail(SA_ERR_NO_MEMORY, "out of memory");
			}
			out->v = v;
			out->cap = cap;
		}
		if (!(out->v[out->n] = strdup(e->d_name))) {
			closedir(d);
			return sa_fail(SA_ERR_NO_MEMORY, "out of memory");
		}
		out->n++;
	}
	closedir(d);
	qsort(out->v, out->n, sizeof(char *), cmp_names);
	return SA_OK;
}

sa_status tr_dataset_read_pngdir(const char *dir, const char *name, struct sa_dataset **out)
{
	struct names classes = {0};
	struct names *files = NULL;
	struct sa_dataset *ds = NULL;
	size_t total = 0;
	sa_status st = list_dir(dir, 1, &classes);

	if (!st && classes.n < 2)
		st = sa_fail(SA_ERR_BAD_DATA, "%s: %zu class folders (need 2 or more)", dir,
			     classes.n);
	if (!st && classes.n > TR_MAX_CLASSES)
		st = sa_fail(SA_ERR_BAD_DATA, "%s: %zu class folders (at most %d)", dir, classes.n,
			     TR_MAX_CLASSES);
	if (!st && !(files = calloc(classes.n, sizeof(*files))))
		st = sa_fail(SA_ERR_NO_MEMORY, "out of memory");
	for (size_t c = 0; !st && c < classes.n; c++) {
		char sub[4096];

		snprintf(sub, sizeof(sub), "%s/%s", dir, classes.v[c]);
		st = list_dir(sub, 0, &files[c]);
		if (!st && files[c].n == 0)
			st = sa_fail(SA_ERR_BAD_DATA, "%s: no .png files", sub);
		total += files[c].n;
	}
	if (!st && total > SA_DATASET_MAX_IMAGES)
		st = sa_fail(SA_ERR_BAD_DATA, "%s: %zu images (at most %u)", dir, total,
			     SA_DATASET_MAX_IMAGES);
	uint32_t k = 0;

	for (size_t c = 0; !st && c < classes.n; c++) {
		for (size_t i = 0; !st && i < files[c].n; i++) {
			char path[8192];
			sa_image img;

			snprintf(path, sizeof(path), "%s/%s/%s", dir, classes.v[c], files[c].v[i]);
			st = sa_image_load_png(path, &img);
			if (st)
				break;
			/* The first image sets the size; all of them together must fit the limit.
			 */
			if (!ds && (uint64_t)total * img.channels * img.height * img.width >
					   SA_DATASET_MAX_BYTES)
				st = sa_fail(
					SA_ERR_BAD_DATA,
					"%s: %zu images of %ux%ux%u exceed the %llu-byte limit",
					dir, total, img.channels, img.height, img.width,
					(unsigned long long)SA_DATASET_MAX_BYTES);
			else if (!ds)
				st = tr_dataset_alloc(name, (uint32_t)total, img.channels,
						      img.height, img.width, &ds);
			else if (img.width != ds->w || img.height != ds->h || img.channels != ds->c)
				st = sa_fail(SA_ERR_SHAPE,
					     "%s: %ux%u with %u channels, but the first image is "
					     "%ux%u with %u",
					     path, img.width, img.height, img.channels, ds->w,
					     ds->h, ds->c);
			if (!st) {
				size_t plane = (size_t)ds->h * ds->w;
				uint8_t *dst = ds->pixels + (size_t)k * plane * ds->c;

				for (size_t p = 0; p < plane; p++)
					for (uint32_t ch = 0; ch < ds->c; ch++)
						dst[ch * plane + p] = img.pixels[p * ds->c + ch];
				ds->labels[k++] = (sa_label)c;
			}
			sa_image_free(&img);
		}
	}
	if (!st) {
		ds->class_names = calloc(classes.n, sizeof(char *));
		if (!ds->class_names) {
			st = sa_fail(SA_ERR_NO_MEMORY, "out of memory");
		} else {
			ds->num_classes = (uint32_t)classes.n;
			for (size_t c = 0; c < classes.n; c++) {
				ds->class_names[c] = classes.v[c];
				classes.v[c] = NULL;
			}
		}
	}
	for (size_t c = 0; files && c < classes.n; c++)
		names_free(&files[c]);
	free(files);
	names_free(&classes);
	if (st) {
		sa_dataset_close(ds);
		return st;
	}
	*out = ds;
	return SA_OK;
}
