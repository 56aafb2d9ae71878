// SPDX-License-Identifier: MIT
/*
 * sa_run_raw: the library's side of the ONNX Runtime oracle test, through the
 * public API only (shiftaccel.h).
 *
 *   sa_run_raw MODEL.dsm IN.f32 FLOAT_OUT.f32 INT_OUT.f32
 *
 * IN.f32 holds K normalised float32 images [C][H][W] (the model's input
 * shape), the same bytes ONNX Runtime gets.  Each runs through a
 * SA_DEVICE_CPU_FLOAT session (the float path, docs/numerics.md section 13)
 * and a SA_DEVICE_CPU session (the integer model, input quantised by
 * sa_session_run); both write K rows of num_outputs float32 logits.
 * Prints "output_exp E" (the integer output's scale is 2^E) on stdout.
 */
#include <stdio.h>
#include <stdlib.h>

#include "shiftaccel.h"

static int fail(const char *what, sa_status st)
{
	fprintf(stderr, "sa_run_raw: %s: %s (%s)\n", what, sa_status_name(st), sa_last_error());
	return 1;
}

static float *read_all(const char *path, size_t per, size_t *count)
{
	FILE *f = fopen(path, "rb");
	float *buf = NULL;
	long len;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0)
		goto out;
	if ((size_t)len % (per * sizeof(float)) != 0) {
		fprintf(stderr, "sa_run_raw: %s: %ld bytes is not a whole number of images\n", path,
			len);
		goto out;
	}
	buf = malloc((size_t)len);
	if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	*count = (size_t)len / (per * sizeof(float));
out:
	if (f)
		fclose(f);
	return buf;
}

/* Runs every image through a session on `device` and writes the logits. */
static int run_all(const sa_model *model, sa_device_kind device, const float *in, size_t count,
		   size_t per, size_t nout, const char *path)
{
	sa_session *s;
	sa_status st = sa_session_create(model, device, &s);
	float *out;
	FILE *f;
	int rc = 0;

	if (st != SA_OK)
		return fail("sa_session_create", st);
	out = malloc(count * nout * sizeof(float));
	if (!out) {
		sa_session_destroy(s);
		return fail("malloc", SA_ERR_NO_MEMORY);
	}
	for (size_t i = 0; i < count && rc == 0; i++) {
		st = sa_session_run(s, in + i * per, out + i * nout);
		if (st != SA_OK)
			rc = fail("sa_session_run", st);
	}
	sa_session_destroy(s);
	f = rc ? NULL : fopen(path, "wb");
	if (!rc && (!f || fwrite(out, sizeof(float), count * nout, f) != count * nout)) {
		fprintf(stderr, "sa_run_raw: cannot write %s\n", path);
		rc = 1;
	}
	if (f && fclose(f) != 0)
		rc = 1;
	free(out);
	return rc;
}

int main(int argc, char **argv)
{
	struct sa_model_info info;
	sa_model *model;
	sa_status st;
	size_t per, count = 0;
	float *in;
	int rc;

	if (argc != 5) {
		fprintf(stderr, "usage: sa_run_raw MODEL.dsm IN.f32 FLOAT_OUT.f32 INT_OUT.f32\n");
		return 1;
	}
	st = sa_model_open(argv[1], &model);
	if (st != SA_OK)
		return fail(argv[1], st);
	sa_model_get_info(model, &info);
	per = (size_t)info.input_c * info.input_h * info.input_w;
	in = read_all(argv[2], per, &count);
	if (!in) {
		sa_model_close(model);
		fprintf(stderr, "sa_run_raw: cannot read %s\n", argv[2]);
		return 1;
	}
	rc = run_all(model, SA_DEVICE_CPU_FLOAT, in, count, per, info.num_outputs, argv[3]) ||
	     run_all(model, SA_DEVICE_CPU, in, count, per, info.num_outputs, argv[4]);
	if (rc == 0)
		printf("output_exp %d\n", info.output_exp);
	free(in);
	sa_model_close(model);
	return rc;
}
