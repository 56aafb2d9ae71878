// SPDX-License-Identifier: MIT
#include "optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../error.h"

#define SLICE 16384

void tr_optim_defaults(int kind, struct tr_optim_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->kind = kind;
	cfg->beta1 = 0.9f;
	cfg->beta2 = 0.999f;
	cfg->alpha = 0.99f;
	cfg->eps = 1e-8f;
	cfg->momentum = kind == TR_OPT_SGD ? 0.9f : 0.0f;
}

void tr_optim_free(struct tr_optim *o)
{
	free(o->slices);
	o->slices = NULL;
	o->num_slices = 0;
}

sa_status tr_optim_reset(struct tr_optim *o, const struct tr_optim_config *cfg, struct tr_net *net)
{
	int count = 0;

	tr_optim_free(o);
	o->cfg = *cfg;
	o->t = 0;
	for (int i = 0; i < net->num_params; i++) {
		struct tr_param *p = net->params[i];

		free(p->m);
		free(p->v);
		p->m = calloc(p->n, sizeof(float));
		p->v = calloc(p->n, sizeof(float));
		if (!p->m || !p->v)
			return sa_fail(SA_ERR_NO_MEMORY, "optimiser: out of memory");
		count += (int)((p->n + SLICE - 1) / SLICE);
	}
	o->slices = calloc((size_t)(count ? count : 1), sizeof(*o->slices));
	if (!o->slices)
		return sa_fail(SA_ERR_NO_MEMORY, "optimiser: out of memory");
	for (int i = 0; i < net->num_params; i++) {
		struct tr_param *p = net->params[i];

		for (size_t lo = 0; lo < p->n; lo += SLICE) {
			struct tr_optim_slice *s = &o->slices[o->num_slices++];

			s->p = p;
			s->lo = lo;
			s->hi = lo + SLICE < p->n ? lo + SLICE : p->n;
		}
	}
	return SA_OK;
}

static void step_slice(void *ctx, int task, int thread)
{
	struct tr_optim *o = ctx;
	const struct tr_optim_config *c = &o->cfg;
	struct tr_optim_slice *s = &o->slices[task];
	struct tr_param *p = s->p;
	float *restrict w = p->value + s->lo, *restrict m = p->m + s->lo,
			*restrict v = p->v + s->lo;
	const float *restrict grad = p->grad + s->lo;
	size_t n = s->hi - s->lo;
	float lr = o->lr;
	float wd = p->decay ? c->weight_decay : 0.0f;

	(void)thread;
	switch (c->kind) {
	case TR_OPT_SGD:
		if (c->momentum == 0.0f) {
			for (size_t i = 0; i < n; i++)
				w[i] -= lr * (grad[i] + wd * w[i]);
		} else if (o->t == 1) {
			for (size_t i = 0; i < n; i++) {
				m[i] = grad[i] + wd * w[i];
				w[i] -= lr * m[i];
			}
		} else {
			for (size_t i = 0; i < n; i++) {
				m[i] = c->momentum * m[i] + grad[i] + wd * w[i];
				w[i] -= lr * m[i];
			}
		}
		break;
	case TR_OPT_ADAM: {
		float b1 = c->beta1, b2 = c->beta2, eps = c->eps;
		float bc1 = 1.0f - powf(b1, (float)o->t);
		float bc2 = 1.0f - powf(b2, (float)o->t);
		float step = lr / bc1, rbc2 = 1.0f / sqrtf(bc2);

		for (size_t i = 0; i < n; i++) {
			float g = grad[i] + wd * w[i];

			m[i] = b1 * m[i] + (1.0f - b1) * g;
			v[i] = b2 * v[i] + (1.0f - b2) * g * g;
			w[i] -= step * m[i] / (sqrtf(v[i]) * rbc2 + eps);
		}
		break;
	}
	case TR_OPT_RMSPROP: {
		float a = c->alpha, eps = c->eps, mom = c->momentum;

		for (size_t i = 0; i < n; i++) {
			float g = grad[i] + wd * w[i];

			v[i] = a * v[i] + (1.0f - a) * g * g;
			float u = g / (sqrtf(v[i]) + eps);

			if (mom != 0.0f) {
				m[i] = mom * m[i] + u;
				u = m[i];
			}
			w[i] -= lr * u;
		}
		break;
	}
	}
	/* DeepShift-PS keeps shifts and signs inside their code range. */
	if (!isinf(p->lo) || !isinf(p->hi)) {
		float lo = p->lo, hi = p->hi;

		for (size_t i = 0; i < n; i++)
			w[i] = w[i] < lo ? lo : w[i] > hi ? hi : w[i];
	}
}

void tr_optim_step(struct tr_optim *o, struct tr_net *net, float lr)
{
	o->t++;
	o->lr = lr;
	tr_pool_run(net->pool, o->num_slices, step_slice, o);
}

float tr_schedule_lr(const struct tr_schedule *s, int epoch, int iter, int iters)
{
	switch (s->kind) {
	case TR_SCHEDULE_STEP:
		return s->lr *
		       powf(s->gamma, (float)(epoch / (s->step_epochs > 0 ? s->step_epochs : 1)));
	case TR_SCHEDULE_COSINE: {
		double total = (double)s->epochs * iters;
		double t = (double)epoch * iters + iter;

		if (total <= 0 || t >= total)
			return 0.0f;
		return (float)(0.5 * s->lr * (1.0 + cos(M_PI * t / total)));
	}
	}
	return s->lr;
}
