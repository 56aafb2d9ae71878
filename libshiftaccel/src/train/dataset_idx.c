// SPDX-License-Identifier: MIT
/*
 * idx files (the MNIST format): a big-endian header of magic 0x00000803
 * (uint8, 3 dimensions: count, rows, columns) for images or 0x00000801
 * (uint8, 1 dimension: count) for labels, then the bytes.  Every size is
 * checked against the file's length before anything is read.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../error.h"
#include "../file_in.h"
#include "dataset.h"

#define IDX_IMAGES 0x00000803u
#define IDX_LABELS 0x00000801u

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Opens `path` and reads its header of `words` big-endian words; *size gets the file size. */
static sa_status read_header(const char *path, FILE **f, uint32_t *hdr, int words, long *size)
{
	uint8_t raw[16];
	uint64_t file_size;
	sa_status st = sa_file_fopen_regular(path, f, &file_size);

	if (st != SA_OK)
		return st;
	*size = file_size > LONG_MAX ? LONG_MAX : (long)file_size;
	if (*size < 4L * words || fread(raw, 4, (size_t)words, *f) != (size_t)words) {
		fclose(*f);
		return sa_fail(SA_ERR_BAD_DATA, "%s: too short for an idx header (%ld bytes)", path,
			       *size);
	}
	for (int i = 0; i < words; i++)
		hdr[i] = be32(raw + 4 * i);
	return SA_OK;
}

/* n one-byte labels (the idx1 format's) into the data set's wider ones; -1 on a short read. */
static int fread_labels(FILE *f, sa_label *labels, uint32_t n)
{
	uint8_t buf[4096];

	for (uint32_t done = 0; done < n;) {
		size_t want = n - done < sizeof(buf) ? n - done : sizeof(buf);

		if (fread(buf, 1, want, f) != want)
			return -1;
		for (size_t i = 0; i < want; i++)
			labels[done + i] = buf[i];
		done += (uint32_t)want;
	}
	return 0;
}

sa_status tr_dataset_read_idx(const char *images, const char *labels, const char *name,
			      struct sa_dataset **out)
{
	uint32_t ih[4] = {0}, lh[2] = {0};
	long isize = 0, lsize = 0;
	FILE *fi, *fl;
	struct sa_dataset *ds;
	sa_status st;

	st = read_header(images, &fi, ih, 4, &isize);
	if (st)
		return st;
	st = read_header(labels, &fl, lh, 2, &lsize);
	if (st) {
		fclose(fi);
		return st;
	}
	if (ih[0] != IDX_IMAGES)
		st = sa_fail(SA_ERR_BAD_DATA,
			     "%s: not an idx image file (magic 0x%08x, expected 0x%08x: uint8, 3 "
			     "dimensions)",
			     images, ih[0], IDX_IMAGES);
	else if (lh[0] != IDX_LABELS)
		st = sa_fail(SA_ERR_BAD_DATA,
			     "%s: not an idx label file (magic 0x%08x, expected 0x%08x: uint8, 1 "
			     "dimension)",
			     labels, lh[0], IDX_LABELS);
	else if (ih[1] == 0 || ih[1] > SA_DATASET_MAX_IMAGES || ih[2] == 0 ||
		 ih[2] > SA_IDX_MAX_SIDE || ih[3] == 0 || ih[3] > SA_IDX_MAX_SIDE)
		st = sa_fail(SA_ERR_BAD_DATA, "%s: implausible dimensions %u x %u x %u", images,
			     ih[1], ih[2], ih[3]);
	else if ((uint64_t)isize != 16 + (uint64_t)ih[1] * ih[2] * ih[3])
		st = sa_fail(SA_ERR_BAD_DATA,
			     "%s: %ld bytes, but the header says %u images of %ux%u (%llu bytes)",
			     images, isize, ih[1], ih[2], ih[3],
			     16 + (unsigned long long)ih[1] * ih[2] * ih[3]);
	else if ((uint64_t)lsize != 8 + (uint64_t)lh[1])
		st = sa_fail(SA_ERR_BAD_DATA,
			     "%s: %ld bytes, but the header says %u labels (%llu bytes)", labels,
			     lsize, lh[1], 8 + (unsigned long long)lh[1]);
	else if (lh[1] != ih[1])
		st = sa_fail(SA_ERR_BAD_DATA, "%s has %u images but %s has %u labels", images,
			     ih[1], labels, lh[1]);
	if (!st)
		st = tr_dataset_alloc(name, ih[1], 1, ih[2], ih[3], &ds);
	if (!st) {
		size_t bytes = (size_t)ih[1] * ih[2] * ih[3];
		uint32_t max_label = 0;

		if (fread(ds->pixels, 1, bytes, fi) != bytes)
			st = sa_fail(SA_ERR_IO, "%s: read error", images);
		else if (fread_labels(fl, ds->labels, ih[1]))
			st = sa_fail(SA_ERR_IO, "%s: read error", labels);
		for (uint32_t i = 0; !st && i < ih[1]; i++)
			max_label = ds->labels[i] > max_label ? ds->labels[i] : max_label;
		if (!st && max_label < 1)
			st = sa_fail(SA_ERR_BAD_DATA,
				     "%s: every label is 0 (need 2 classes or more)", labels);
		if (!st)
			st = tr_dataset_number_classes(ds, max_label + 1);
		if (st)
			sa_dataset_close(ds);
		else
			*out = ds;
	}
	fclose(fi);
	fclose(fl);
	return st;
}
