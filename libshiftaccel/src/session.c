// SPDX-License-Identifier: MIT
/*
 * Sessions: device selection, running a model, and the host-side helpers
 * every backend shares (input quantisation, output dequantisation, softmax,
 * top-k; docs/numerics.md, "Host side").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_backend.h"
#include "cpu_backend.h"
#include "error.h"
#include "model.h"

struct sa_session {
	const struct sa_model *model;
	sa_device_kind device; /* what it runs on: CPU, CPU_FLOAT or ACCEL */
	char fallback_reason[512];
	struct sa_cpu *cpu;
	struct sa_accel *accel;
	void *q_input, *q_output; /* quantised tensors for sa_session_run */
	size_t n_input, n_output;
};

sa_status sa_session_create(const sa_model *model, sa_device_kind device, sa_session **out)
{
	const char *name = sa_device_kind_name(device);

	if (!name)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_session_create: unknown device kind %d",
			       (int)device);
	return sa_session_create_on(model, name, out);
}

sa_status sa_session_create_on(const sa_model *model, const char *device, sa_session **out)
{
	struct sa_device_choice choice;
	struct sa_session *s;
	sa_status st;

	if (!model || !out)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "sa_session_create: model and out must not be NULL");
	st = sa_device_choose(device, &choice);
	if (st != SA_OK)
		return st;
	s = calloc(1, sizeof(*s));
	if (!s)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory for a session", model->name);
	s->model = model;
	s->device = choice.kind == SA_DEVICE_CPU_FLOAT ? SA_DEVICE_CPU_FLOAT : SA_DEVICE_CPU;

	if (choice.kind == SA_DEVICE_ACCEL || choice.kind == SA_DEVICE_AUTO) {
		st = sa_accel_create(model, &choice, &s->accel);
		if (st != SA_OK && choice.kind == SA_DEVICE_ACCEL) {
			free(s);
			return st;
		}
		if (st == SA_OK)
			s->device = SA_DEVICE_ACCEL;
		else /* the message says why there is no usable card */
			snprintf(s->fallback_reason, sizeof(s->fallback_reason), "%s",
				 sa_last_error());
	}

	s->n_input = sa_shape_elems(&model->tensors[model->input].shape);
	s->n_output = sa_shape_elems(&model->tensors[model->output].shape);
	s->q_input = malloc(s->n_input * sizeof(int16_t));
	s->q_output = malloc(s->n_output * sizeof(int16_t));
	if (!s->q_input || !s->q_output) {
		sa_session_destroy(s);
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory for a session", model->name);
	}
	st = s->accel ? SA_OK : sa_cpu_create(model, s->device == SA_DEVICE_CPU_FLOAT, &s->cpu);
	if (st != SA_OK) {
		sa_session_destroy(s);
		return st;
	}
	sa_clear_error();
	*out = s;
	return SA_OK;
}

sa_status sa_session_card(const sa_session *s, struct sa_card_id *card)
{
	if (!s || !card || !s->accel)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_session_card: not a session on a card");
	sa_accel_card(s->accel, card);
	return SA_OK;
}

void sa_session_destroy(sa_session *s)
{
	if (!s)
		return;
	sa_cpu_destroy(s->cpu);
	sa_accel_destroy(s->accel);
	free(s->q_input);
	free(s->q_output);
	free(s);
}

sa_device_kind sa_session_device(const sa_session *s)
{
	return s ? s->device : SA_DEVICE_CPU;
}

const char *sa_session_fallback_reason(const sa_session *s)
{
	return s ? s->fallback_reason : "";
}

static size_t dtype_bytes(uint8_t dtype)
{
	return dtype == SA_DTYPE_I16 ? 2 : 1;
}

static sa_status run_quantized(sa_session *s, const void *input, void *output)
{
	if (s->accel)
		return sa_accel_run_quantized(s->accel, input, output);
	return sa_cpu_run_quantized(s->cpu, input, output);
}

sa_status sa_session_run(sa_session *s, const float *input, float *outputs)
{
	const struct sa_model *m;
	sa_status st;

	if (!s || !input || !outputs)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "sa_session_run: session, input and outputs must not be NULL");
	m = s->model;
	/* A NaN has no quantised value; it means the caller's preprocessing went wrong. */
	for (size_t i = 0; i < s->n_input; i++) {
		if (isnan(input[i]))
			return sa_fail(SA_ERR_INVALID_ARGUMENT,
				       "%s: input element %zu of %zu is NaN", m->name, i,
				       s->n_input);
	}
	if (s->device == SA_DEVICE_CPU_FLOAT) {
		st = sa_cpu_run_float(s->cpu, input, outputs);
	} else {
		const struct sa_shape *is = &m->tensors[m->input].shape;
		const struct sa_shape *os = &m->tensors[m->output].shape;

		sa_quantize_input(input, s->n_input, is->dtype, is->exp, s->q_input);
		st = run_quantized(s, s->q_input, s->q_output);
		if (st == SA_OK)
			sa_dequantize(s->q_output, s->n_output, os->dtype, os->exp, outputs);
	}
	if (st == SA_OK)
		sa_clear_error();
	return st;
}

sa_status sa_session_run_quantized(sa_session *s, const void *input, void *output)
{
	sa_status st;

	if (!s || !input || !output)
		return sa_fail(
			SA_ERR_INVALID_ARGUMENT,
			"sa_session_run_quantized: session, input and output must not be NULL");
	st = run_quantized(s, input, output);
	if (st == SA_OK)
		sa_clear_error();
	return st;
}

sa_status sa_session_run_batch_quantized(sa_session *s, size_t n, const void *inputs, void *outputs)
{
	sa_status st = SA_OK;

	if (!s || (n && (!inputs || !outputs)))
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "sa_session_run_batch_quantized: session, inputs and outputs must "
			       "not be NULL");
	if (s->accel) {
		st = sa_accel_run_batch(s->accel, n, inputs, outputs);
	} else {
		size_t in_bytes =
			s->n_input * dtype_bytes(s->model->tensors[s->model->input].shape.dtype);
		size_t out_bytes =
			s->n_output * dtype_bytes(s->model->tensors[s->model->output].shape.dtype);

		for (size_t i = 0; st == SA_OK && i < n; i++)
			st = sa_cpu_run_quantized(s->cpu, (const uint8_t *)inputs + i * in_bytes,
						  (uint8_t *)outputs + i * out_bytes);
	}
	if (st == SA_OK)
		sa_clear_error();
	return st;
}

void sa_session_last_timing(const sa_session *s, struct sa_run_timing *t)
{
	if (!t)
		return;
	memset(t, 0, sizeof(*t));
	if (s && s->accel)
		sa_accel_last_timing(s->accel, t);
}

void sa_quantize_input(const float *x, size_t n, uint8_t dtype, int exp, void *q)
{
	double lo = dtype == SA_DTYPE_I8 ? INT8_MIN : INT16_MIN;
	double hi = dtype == SA_DTYPE_I8 ? INT8_MAX : INT16_MAX;

	for (size_t i = 0; i < n; i++) {
		/* floor(x * 2^-exp + 0.5): the same rounding as every right shift. */
		double v = floor(ldexp((double)x[i], -exp) + 0.5);

		if (isnan(v))
			v = 0.0;
		v = v < lo ? lo : v > hi ? hi : v;
		if (dtype == SA_DTYPE_I8)
			((int8_t *)q)[i] = (int8_t)v;
		else
			((int16_t *)q)[i] = (int16_t)v;
	}
}

void sa_dequantize(const void *q, size_t n, uint8_t dtype, int exp, float *x)
{
	for (size_t i = 0; i < n; i++) {
		int v = dtype == SA_DTYPE_I8 ? ((const int8_t *)q)[i] : ((const int16_t *)q)[i];

		x[i] = (float)ldexp((double)v, exp);
	}
}

void sa_softmax(const float *logits, size_t n, float *probs)
{
	double max = -INFINITY, sum = 0.0;

	if (n == 0)
		return;
	/* Subtracting the maximum keeps every exp() in (0, 1]: no overflow. */
	for (size_t i = 0; i < n; i++)
		max = logits[i] > max ? logits[i] : max;
	for (size_t i = 0; i < n; i++)
		sum += exp((double)logits[i] - max);
	for (size_t i = 0; i < n; i++)
		probs[i] = (float)(exp((double)logits[i] - max) / sum);
}

/* a ranks before b: larger, or equal with a lower index (NaN ranks last). */
static int ranks_before(const float *v, uint32_t a, uint32_t b)
{
	float va = v[a], vb = v[b];

	if (isnan(vb))
		return !isnan(va) || a < b;
	if (isnan(va))
		return 0;
	return va > vb || (va == vb && a < b);
}

void sa_topk(const float *values, size_t n, size_t k, uint32_t *indices)
{
	size_t filled = 0;

	if (k > n)
		k = n;
	/* Insertion into a sorted list of the best k so far: O(n * k), k is small. */
	for (size_t i = 0; i < n && k > 0; i++) {
		size_t pos = filled < k ? filled : k;

		while (pos > 0 && ranks_before(values, (uint32_t)i, indices[pos - 1]))
			pos--;
		if (pos >= k)
			continue;
		if (filled < k)
			filled++;
		memmove(indices + pos + 1, indices + pos, (filled - 1 - pos) * sizeof(*indices));
		indices[pos] = (uint32_t)i;
	}
}
