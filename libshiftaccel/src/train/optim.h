/* SPDX-License-Identifier: MIT */
/*
 * Optimisers (SGD with momentum and weight decay, Adam, RMSprop, with
 * PyTorch's update rules) and learning-rate schedules.  A step runs on the
 * network's thread pool, split into fixed slices of the parameters.
 */
#ifndef TR_OPTIM_H
#define TR_OPTIM_H

#include "net.h"

enum tr_opt_kind {
	TR_OPT_SGD,
	TR_OPT_ADAM,
	TR_OPT_RMSPROP,
};

struct tr_optim_config {
	int kind;
	float momentum;	    /* SGD, RMSprop */
	float weight_decay; /* L2, added to the gradient of decayed parameters */
	float beta1, beta2; /* Adam */
	float alpha;	    /* RMSprop smoothing */
	float eps;
};

/* One slice of one parameter: the unit of parallel work. */
struct tr_optim_slice {
	struct tr_param *p;
	size_t lo, hi;
};

struct tr_optim {
	struct tr_optim_config cfg;
	long t;	  /* steps taken */
	float lr; /* of the current step */
	int num_slices;
	struct tr_optim_slice *slices;
};

/* Defaults of PyTorch for `kind`. */
void tr_optim_defaults(int kind, struct tr_optim_config *cfg);
/* (Re)allocates zeroed state for the network's current parameters. */
sa_status tr_optim_reset(struct tr_optim *o, const struct tr_optim_config *cfg, struct tr_net *net);
void tr_optim_free(struct tr_optim *o);
/* One update of every parameter from its gradient, then the net's projections. */
void tr_optim_step(struct tr_optim *o, struct tr_net *net, float lr);

enum tr_schedule_kind {
	TR_SCHEDULE_CONSTANT,
	TR_SCHEDULE_STEP,   /* lr * gamma^floor(epoch / step_epochs) */
	TR_SCHEDULE_COSINE, /* lr * (1 + cos(pi * t / T)) / 2 over all iterations */
};

struct tr_schedule {
	int kind;
	float lr;
	int step_epochs;
	float gamma;
	int epochs;
};

/* Learning rate of iteration `iter` (of `iters` per epoch) in `epoch` (from 0). */
float tr_schedule_lr(const struct tr_schedule *s, int epoch, int iter, int iters);

#endif /* TR_OPTIM_H */
