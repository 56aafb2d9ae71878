// SPDX-License-Identifier: MIT
/*
 * The training policy of shiftaccel-train (docs/training.md, "Modes"): the
 * phases each mode runs and their order, default learning rates, the epochs
 * trained with batch norm folded, and the recipe string stored in the model.
 * It lives here rather than in the tool so that every caller of the library
 * trains the same way and the tool only parses options and prints.
 */
#include <stdio.h>
#include <string.h>

#include "../../include/shiftaccel_train.h"
#include "../error.h"

static const char *const mode_names[] = {"float", "q", "ps", "convert", "convert+q", "convert+ps"};

const char *sa_train_mode_name(sa_train_mode mode)
{
	return (unsigned)mode < sizeof(mode_names) / sizeof(mode_names[0]) ? mode_names[mode] : "?";
}

sa_status sa_train_mode_parse(const char *name, sa_train_mode *mode)
{
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (name && !strcmp(name, mode_names[i])) {
			*mode = (sa_train_mode)i;
			return SA_OK;
		}
	return sa_fail(SA_ERR_INVALID_ARGUMENT,
		       "mode %s: expected float, q, ps, convert, convert+q or convert+ps",
		       name ? name : "(null)");
}

static int converts(sa_train_mode m)
{
	return m == SA_MODE_CONVERT || m == SA_MODE_CONVERT_Q || m == SA_MODE_CONVERT_PS;
}

void sa_train_plan_make(const struct sa_train_plan_options *o, struct sa_train_plan *plan)
{
	sa_train_mode m = o->mode;

	/* The ONNX weights are float: DeepShift training starts from their conversion. */
	if (o->init_is_onnx && (m == SA_MODE_Q || m == SA_MODE_PS))
		m = m == SA_MODE_Q ? SA_MODE_CONVERT_Q : SA_MODE_CONVERT_PS;
	memset(plan, 0, sizeof(*plan));
	plan->o = *o;
	plan->o.mode = m;
	plan->shift = m == SA_MODE_Q || m == SA_MODE_CONVERT_Q ? SA_WEIGHTS_Q : SA_WEIGHTS_PS;
	plan->convert = converts(m);
	plan->start = m == SA_MODE_FLOAT || plan->convert ? SA_WEIGHTS_FLOAT : plan->shift;
	/* float weights from --init need no float phase */
	plan->float_epochs = m == SA_MODE_FLOAT		 ? o->epochs
			     : plan->convert && !o->init ? o->float_epochs
							 : 0;
	plan->shift_epochs = m == SA_MODE_FLOAT || m == SA_MODE_CONVERT ? 0 : o->epochs;
	/* shifts and signs move in log and sign units: PS needs larger steps */
	plan->lr = o->lr > 0 ? o->lr
			     : (o->optimizer == SA_OPT_SGD ? 0.01 : 0.001) *
				       (m == SA_MODE_PS		  ? 10
					: m == SA_MODE_CONVERT_PS ? 3
								  : 1);
	plan->momentum = o->momentum >= 0 ? o->momentum : o->optimizer == SA_OPT_SGD ? 0.9 : 0.0;
}

void sa_train_plan_config(const struct sa_train_plan *plan, struct sa_train_config *cfg)
{
	cfg->weights = plan->start;
	cfg->weight_bits = plan->o.weight_bits;
	cfg->optimizer = plan->o.optimizer;
	cfg->lr = (float)plan->lr;
	cfg->momentum = (float)plan->momentum;
	cfg->epochs = (int)plan->o.epochs;
	cfg->seed = plan->o.seed;
}

void sa_train_plan_bind(struct sa_train_plan *plan, const sa_trainer *t)
{
	uint32_t e = plan->o.epochs;
	sa_train_mode m = plan->o.mode;

	/*
	 * Batch norm trained unfolded loses accuracy when the export folds it
	 * and rounds the folded weights to shifts again; training the last
	 * epochs in the folded form wins it back (docs/training.md).  Convert
	 * modes fold before the conversion.
	 */
	plan->fold_epochs = 0;
	if ((m == SA_MODE_Q || m == SA_MODE_PS) && sa_trainer_has_batchnorm(t))
		plan->fold_epochs = plan->o.fold_epochs >= 0 ? (uint32_t)plan->o.fold_epochs
				    : e >= 8		     ? e / 4
				    : e >= 2		     ? 1
							     : 0;
	if (plan->fold_epochs > e)
		plan->fold_epochs = e;
	plan->shift_epochs = m == SA_MODE_FLOAT || m == SA_MODE_CONVERT ? 0 : e - plan->fold_epochs;
}

const char *sa_train_plan_describe(const struct sa_train_plan *plan)
{
	switch (plan->o.mode) {
	case SA_MODE_FLOAT: return "float";
	case SA_MODE_Q: return "DeepShift-Q";
	case SA_MODE_PS: return "DeepShift-PS";
	case SA_MODE_CONVERT: return "converted (equation 12), not trained";
	case SA_MODE_CONVERT_Q: return "converted, then DeepShift-Q";
	case SA_MODE_CONVERT_PS: return "converted, then DeepShift-PS";
	}
	return "?";
}

void sa_train_plan_recipe(const struct sa_train_plan *plan, const struct sa_train_config *cfg,
			  char *buf, size_t size)
{
	const struct sa_train_plan_options *o = &plan->o;
	char source[300] = "";
	const char *opt = cfg->optimizer == SA_OPT_SGD	  ? "sgd"
			  : cfg->optimizer == SA_OPT_ADAM ? "adam"
							  : "rmsprop";
	const char *sched = cfg->schedule == SA_SCHEDULE_COSINE ? "cosine"
			    : cfg->schedule == SA_SCHEDULE_STEP ? "step"
								: "constant";

	if (plan->convert && o->init)
		snprintf(source, sizeof(source), " init=%s", o->init);
	else if (plan->convert)
		snprintf(source, sizeof(source), " float_epochs=%u", (unsigned)o->float_epochs);
	else if (plan->fold_epochs)
		snprintf(source, sizeof(source), " fold_epochs=%u", (unsigned)plan->fold_epochs);
	snprintf(buf, size,
		 "mode=%s weight_bits=%u epochs=%u%s optimizer=%s lr=%g schedule=%s batch=%u "
		 "augment=%u seed=%llu limit=%u",
		 sa_train_mode_name(o->mode), (unsigned)cfg->weight_bits, (unsigned)o->epochs,
		 source, opt, plan->lr, sched, (unsigned)cfg->batch_size,
		 (unsigned)cfg->augment_shift, (unsigned long long)cfg->seed, (unsigned)o->limit);
}
