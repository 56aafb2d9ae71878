// SPDX-License-Identifier: MIT
/*
 * The reader of ShiftAccel exports against damaged files: every prefix of
 * an export and the export with each byte inverted in turn must give either
 * a clean error with a message, or a .dsm that the model reader accepts
 * (run under ASan/UBSan by make check).  The intact file must come back as
 * the .dsm it was exported from.
 *
 * Usage: test_export_hostile MODEL.onnx MODEL.dsm
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../libshiftaccel/src/onnx/onnx_graph.h"

static int passed, failed;

static void expect(int ok, const char *what, size_t at)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("not ok - %s (at %zu): %s\n", what, at, sa_last_error());
}

static void *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	void *buf = NULL;
	long n;

	if (f && !fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET) &&
	    (buf = malloc((size_t)n)) && fread(buf, 1, (size_t)n, f) == (size_t)n)
		*size = (size_t)n;
	else
		free(buf), buf = NULL;
	if (f)
		fclose(f);
	return buf;
}

/* One damaged input: a clean error with a message, or a .dsm the reader takes. */
static void one(const uint8_t *bytes, size_t len, const char *what, size_t at)
{
	int is_export = 0;
	void *dsm = NULL;
	size_t size = 0;
	sa_model *m = NULL;
	sa_status st = sa_onnx_parse_export(bytes, len, "damaged", &is_export, &dsm, &size);

	if (st == SA_OK && is_export) {
		expect(sa_model_open_memory(dsm, size, "rebuilt", &m) == SA_OK, what, at);
		sa_model_close(m);
	} else {
		expect(st == SA_OK || (st != SA_ERR_NO_MEMORY && *sa_last_error()), what, at);
	}
	free(dsm);
}

int main(int argc, char **argv)
{
	size_t len = 0, dsm_len = 0, size = 0;
	uint8_t *onnx, *dsm, *copy;
	void *back = NULL;
	int is_export = 0;

	if (argc != 3 || !(onnx = slurp(argv[1], &len)) || !(dsm = slurp(argv[2], &dsm_len))) {
		fprintf(stderr, "usage: test_export_hostile MODEL.onnx MODEL.dsm\n");
		return 1;
	}
	expect(sa_onnx_parse_export(onnx, len, argv[1], &is_export, &back, &size) == SA_OK &&
		       is_export && size == dsm_len && !memcmp(back, dsm, size),
	       "the intact export gives back its .dsm", 0);
	free(back);
	for (size_t i = 0; i < len; i++)
		one(onnx, i, "prefix", i);
	copy = malloc(len);
	for (size_t i = 0; copy && i < len; i++) {
		memcpy(copy, onnx, len);
		copy[i] ^= 0xff;
		one(copy, len, "inverted byte", i);
	}
	free(copy), free(onnx), free(dsm);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
