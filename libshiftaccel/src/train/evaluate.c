// SPDX-License-Identifier: MIT
/*
 * Accuracy of a .dsm model on a data set, through the public inference API
 * (sa_preprocess + sa_session_run), the integer path shiftaccel-run runs.
 * Each image is resized into a buffer sized from the model's input, which
 * need not be the data set's size.  Threads each own a session and a
 * contiguous range of images; their counts are added at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../error.h"
#include "dataset.h"
#include "threadpool.h"

struct eval_job {
	const sa_model *model;
	const sa_dataset *ds;
	const char *device;
	uint32_t first, count, outputs;
	size_t input_elems; /* the model's input, which sa_preprocess fills */
	int parts;
	uint32_t *class_total, *class_correct, *confusion; /* per part */
	sa_status *status;
	char (*message)[256];
};

static void eval_task(void *ctx, int part, int thread)
{
	struct eval_job *j = ctx;
	uint32_t k = j->ds->num_classes;
	uint32_t lo = j->first + (uint32_t)((uint64_t)j->count * part / j->parts);
	uint32_t hi = j->first + (uint32_t)((uint64_t)j->count * (part + 1) / j->parts);
	uint32_t *total = j->class_total + (size_t)part * k;
	uint32_t *correct = j->class_correct + (size_t)part * k;
	uint32_t *confusion = j->confusion + (size_t)part * k * k;
	sa_session *s = NULL;
	/* Sized from the model, not the data: the image is resized to the model's input. */
	float *input = malloc(sizeof(float) * j->input_elems);
	float *out = malloc(sizeof(float) * j->outputs);
	sa_status st = input && out ? SA_OK : sa_fail(SA_ERR_NO_MEMORY, "out of memory");

	(void)thread;
	if (!st)
		st = sa_session_create_on(j->model, j->device, &s);
	for (uint32_t i = lo; !st && i < hi; i++) {
		sa_image img;
		uint32_t best;

		st = sa_dataset_get_image(j->ds, i, &img);
		if (st)
			break;
		st = sa_preprocess(j->model, &img, 0, input);
		sa_image_free(&img);
		if (!st)
			st = sa_session_run(s, input, out);
		if (st)
			break;
		sa_topk(out, j->outputs, 1, &best);
		uint32_t label = sa_dataset_label(j->ds, i);

		total[label]++;
		correct[label] += best == label;
		confusion[label * k + best]++;
	}
	if (st)
		snprintf(j->message[part], sizeof(j->message[part]), "%s", sa_last_error());
	j->status[part] = st;
	sa_session_destroy(s);
	free(input);
	free(out);
}

void sa_eval_result_free(struct sa_eval_result *r)
{
	free(r->class_total);
	free(r->class_correct);
	free(r->confusion);
	memset(r, 0, sizeof(*r));
}

sa_status sa_evaluate(const sa_model *model, const sa_dataset *ds, uint32_t first, uint32_t count,
		      sa_device_kind device, unsigned threads, struct sa_eval_result *r)
{
	const char *name = sa_device_kind_name(device);

	if (!name)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_evaluate: unknown device kind %d",
			       (int)device);
	return sa_evaluate_on(model, ds, first, count, name, threads, r);
}

sa_status sa_evaluate_on(const sa_model *model, const sa_dataset *ds, uint32_t first,
			 uint32_t count, const char *device, unsigned threads,
			 struct sa_eval_result *r)
{
	struct sa_model_info info;
	struct eval_job j = {model, ds,	  device, first, count, 0,   0,
			     0,	    NULL, NULL,	  NULL,	 NULL,	NULL};
	struct tr_pool *pool = NULL;
	struct timespec t0, t1;
	uint32_t k = ds ? ds->num_classes : 0;
	sa_status st;

	if (!model || !ds || !r)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_evaluate: NULL argument");
	memset(r, 0, sizeof(*r));
	st = sa_model_get_info(model, &info);
	if (st)
		return st;
	if (info.num_outputs != k)
		return sa_fail(SA_ERR_SHAPE, "the model has %u outputs but %s has %u classes",
			       info.num_outputs, ds->name, k);
	if (first > ds->count || count > ds->count - first)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: images %u..%u of %u", ds->name, first,
			       first + count, ds->count);
	if (count == 0)
		count = j.count = ds->count - first;
	if (count == 0)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: no images to evaluate", ds->name);
	j.outputs = info.num_outputs;
	j.input_elems = (size_t)info.input_c * info.input_h * info.input_w;
	/* A channel mismatch is refused here, once, rather than by every image. */
	if (ds->c != info.input_c)
		return sa_fail(SA_ERR_SHAPE, "%s has %u-channel images but the model expects %u",
			       ds->name, ds->c, info.input_c);
	if (threads == 0)
		threads = 1;
	/* More parts than threads evens out uneven progress. */
	j.parts = (int)(count < 4 * threads ? count : 4 * threads);
	j.class_total = calloc((size_t)j.parts * k, sizeof(uint32_t));
	j.class_correct = calloc((size_t)j.parts * k, sizeof(uint32_t));
	j.confusion = calloc((size_t)j.parts * k * k, sizeof(uint32_t));
	j.status = calloc((size_t)j.parts, sizeof(sa_status));
	j.message = calloc((size_t)j.parts, sizeof(*j.message));
	r->class_total = calloc(k, sizeof(uint32_t));
	r->class_correct = calloc(k, sizeof(uint32_t));
	r->confusion = calloc((size_t)k * k, sizeof(uint32_t));
	pool = tr_pool_create((int)threads);
	if (!j.class_total || !j.class_correct || !j.confusion || !j.status || !j.message ||
	    !r->class_total || !r->class_correct || !r->confusion || !pool)
		st = sa_fail(SA_ERR_NO_MEMORY, "sa_evaluate: out of memory");
	if (!st) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		tr_pool_run(pool, j.parts, eval_task, &j);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		r->seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
		for (int p = 0; p < j.parts && !st; p++)
			if (j.status[p])
				st = sa_fail(j.status[p], "%s", j.message[p]);
	}
	if (!st) {
		r->num_classes = k;
		for (int p = 0; p < j.parts; p++) {
			for (uint32_t c = 0; c < k; c++) {
				r->class_total[c] += j.class_total[(size_t)p * k + c];
				r->class_correct[c] += j.class_correct[(size_t)p * k + c];
			}
			for (size_t c = 0; c < (size_t)k * k; c++)
				r->confusion[c] += j.confusion[(size_t)p * k * k + c];
		}
		for (uint32_t c = 0; c < k; c++) {
			r->total += r->class_total[c];
			r->correct += r->class_correct[c];
		}
	}
	tr_pool_destroy(pool);
	free(j.class_total);
	free(j.class_correct);
	free(j.confusion);
	free(j.status);
	free(j.message);
	if (st)
		sa_eval_result_free(r);
	else
		sa_clear_error();
	return st;
}
