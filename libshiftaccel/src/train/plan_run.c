// SPDX-License-Identifier: MIT
/*
 * Runs a training plan phase by phase (float epochs, conversion and
 * calibration, Q/PS epochs, the batch-norm fold and the folded epochs),
 * reporting each step to the caller's callback so a tool can print.
 */
#include <stdio.h>

#include "../../include/shiftaccel_train.h"
#include "../error.h"

struct runner {
	sa_train_event_fn on_event;
	void *ctx;
	int stopped;
};

static int emit(struct runner *r, const struct sa_train_event *ev)
{
	if (r->on_event && !r->stopped && r->on_event(r->ctx, ev))
		r->stopped = 1;
	return r->stopped;
}

static void on_batch(void *ctx, uint32_t done, uint32_t total, double loss)
{
	struct sa_train_event ev = {
		.kind = SA_TRAIN_BATCH, .done = done, .total = total, .loss = loss};

	emit(ctx, &ev);
}

/* The failed step's name before the library's message ("training: ..."). */
static sa_status failed(sa_status st, const char *what)
{
	char msg[512];

	snprintf(msg, sizeof(msg), "%s", sa_last_error());
	return sa_fail(st, "%s: %s", what, msg);
}

static sa_status stopped(void)
{
	return sa_fail(SA_ERR_IO, "stopped by the caller");
}

/* `epochs` epochs numbered out of `of` (a run's folded epochs are the last of its epochs). */
static sa_status phase(struct runner *r, sa_trainer *t, uint32_t limit, const sa_dataset *train,
		       const sa_dataset *test, const char *name, uint32_t epochs, uint32_t of)
{
	for (uint32_t e = 0; e < epochs; e++) {
		struct sa_epoch_stats s;
		struct sa_train_event ev = {
			.kind = SA_TRAIN_EPOCH, .phase = name, .epochs_of = of, .stats = &s};
		sa_status st = sa_trainer_train_epoch(t, train, limit, on_batch, r, &s);

		if (st)
			return failed(st, "training");
		if (r->stopped)
			return stopped();
		st = sa_trainer_evaluate(t, test, 0, 0, &ev.test_accuracy, NULL);
		if (st)
			return failed(st, "evaluation");
		if (emit(r, &ev))
			return stopped();
	}
	return SA_OK;
}

static sa_status convert(struct runner *r, const struct sa_train_plan *plan, sa_trainer *t,
			 const sa_dataset *train, const sa_dataset *test)
{
	struct sa_train_event ev = {.kind = SA_TRAIN_INIT};
	sa_status st;

	if (plan->o.init) {
		if (sa_trainer_evaluate(t, test, 0, 0, &ev.test_accuracy, NULL) == SA_OK &&
		    emit(r, &ev))
			return stopped();
	}
	st = sa_trainer_convert(t, plan->shift, plan->o.weight_bits);
	if (!st)
		st = sa_trainer_calibrate(t, train, plan->o.calibrate);
	ev.kind = SA_TRAIN_CONVERTED;
	if (!st)
		st = sa_trainer_evaluate(t, test, 0, 0, &ev.test_accuracy, NULL);
	if (st)
		return failed(st, "conversion");
	return emit(r, &ev) ? stopped() : SA_OK;
}

sa_status sa_train_plan_run(const struct sa_train_plan *plan, sa_trainer *t,
			    const sa_dataset *train, const sa_dataset *test,
			    sa_train_event_fn on_event, void *ctx)
{
	struct runner r = {on_event, ctx, 0};
	uint32_t e = plan->o.epochs, limit = plan->o.limit;
	sa_status st =
		phase(&r, t, limit, train, test, "float", plan->float_epochs, plan->float_epochs);

	if (!st && plan->convert)
		st = convert(&r, plan, t, train, test);
	if (!st)
		st = phase(&r, t, limit, train, test, plan->shift == SA_WEIGHTS_Q ? "q" : "ps",
			   plan->shift_epochs, e);
	if (st || !plan->fold_epochs)
		return st;
	st = sa_trainer_fold_batchnorm(t);
	if (st)
		return failed(st, "folding batch norm");
	struct sa_train_event ev = {.kind = SA_TRAIN_FOLDED, .epochs_of = plan->fold_epochs};

	if (emit(&r, &ev))
		return stopped();
	return phase(&r, t, limit, train, test, "folded", plan->fold_epochs, e);
}
