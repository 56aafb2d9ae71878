// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the data-set readers.  Byte 0 picks the reader:
 *   even: idx; bytes 1-2 (little-endian) split the rest into the images
 *         file and the labels file ("idx:IMAGES,LABELS")
 *   odd:  PNG folder; the rest is one PNG, written as the only image of two
 *         classes ("pngdir:DIR")
 * An accepted set must be internally consistent (labels below the class
 * count, every image readable); a rejection must say why.  Run with
 * -rss_limit_mb so sizes the files cannot back show up as failures.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_file.h"
#include "shiftaccel_train.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t sink;

static void check_set(sa_dataset *ds)
{
	struct sa_dataset_info info;
	uint64_t sum = 0;

	sa_dataset_get_info(ds, &info);
	FUZZ_REQUIRE(info.count >= 1 && info.num_classes >= 2);
	FUZZ_REQUIRE(info.channels >= 1 && info.height >= 1 && info.width >= 1);
	FUZZ_REQUIRE((uint64_t)info.count * info.channels * info.height * info.width <=
		     SA_DATASET_MAX_BYTES);
	for (uint32_t i = 0; i < info.count; i++) {
		const uint8_t *p = sa_dataset_image(ds, i);

		FUZZ_REQUIRE(p != NULL && sa_dataset_label(ds, i) < info.num_classes);
		sum += p[0] + p[(size_t)info.channels * info.height * info.width - 1];
	}
	sink += sum;
}

static void open_and_check(const char *spec)
{
	sa_dataset *ds = NULL;

	if (sa_dataset_open(spec, SA_SPLIT_TRAIN, NULL, &ds) != SA_OK) {
		FUZZ_REQUIRE(sa_last_error()[0] != '\0');
		return;
	}
	check_set(ds);
	sa_dataset_close(ds);
}

static void fuzz_idx(const uint8_t *data, size_t size)
{
	char images[64], labels[64];
	size_t split;
	int a, b;

	if (size < 2)
		return;
	split = (size_t)(data[0] | data[1] << 8);
	data += 2, size -= 2;
	split = size ? split % (size + 1) : 0;
	a = fuzz_memfd(data, split, images, sizeof(images));
	b = fuzz_memfd(data + split, size - split, labels, sizeof(labels));
	if (a >= 0 && b >= 0) {
		char spec[160];

		snprintf(spec, sizeof(spec), "idx:%s,%s", images, labels);
		open_and_check(spec);
	}
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
}

static char dir[64];

/* The folder goes when the run ends. */
static void remove_dir(void)
{
	char path[128];

	for (int c = 0; c < 2; c++) {
		snprintf(path, sizeof(path), "%s/%c/x.png", dir, "ab"[c]);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%c", dir, "ab"[c]);
		rmdir(path);
	}
	rmdir(dir);
}

/* One folder for the whole run: DIR/a/x.png and DIR/b/x.png, rewritten per input. */
static void fuzz_pngdir(const uint8_t *data, size_t size)
{
	char path[128], spec[80];

	if (!dir[0]) {
		atexit(remove_dir);
		snprintf(dir, sizeof(dir), "/tmp/fuzz_dataset.%d", (int)getpid());
		mkdir(dir, 0700);
		snprintf(path, sizeof(path), "%s/a", dir);
		mkdir(path, 0700);
		snprintf(path, sizeof(path), "%s/b", dir);
		mkdir(path, 0700);
	}
	for (int c = 0; c < 2; c++) {
		snprintf(path, sizeof(path), "%s/%c/x.png", dir, "ab"[c]);
		FILE *f = fopen(path, "wb");

		if (!f)
			return;
		if (size)
			fwrite(data, 1, size, f);
		fclose(f);
	}
	snprintf(spec, sizeof(spec), "pngdir:%s", dir);
	open_and_check(spec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		fuzz_pngdir(data + 1, size - 1);
	else
		fuzz_idx(data + 1, size - 1);
	return 0;
}
