// SPDX-License-Identifier: MIT
/*
 * The integer model a training run writes: its metadata (what the trainer
 * records about the run, docs/training.md "Exported models") and the test
 * accuracy measured on the exported bytes themselves through sa_session.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../include/shiftaccel_train.h"
#include "../error.h"

/* key/value pairs and the terminating NULL */
#define META_MAX 26

sa_status sa_train_plan_export(const struct sa_train_plan *plan, sa_trainer *t,
			       const sa_dataset *train, const sa_dataset *test, const char *recipe,
			       struct sa_train_export *x, void **data, size_t *size)
{
	char acc_s[32], images_s[32], holdout_s[64];
	const char *polarity, *framing;
	const char *meta[META_MAX] = {
		"name", x->name,	"dataset",	 x->dataset, "recipe",
		recipe, "architecture", x->architecture, "trainer",  "shiftaccel-train"};
	int n = 10;
	sa_model *model = NULL;
	struct sa_eval_result res;
	struct sa_dataset_info info;
	sa_status st;

	*data = NULL;
	*size = 0;
	sa_dataset_input_style(train, &polarity, &framing);
	if (polarity) {
		meta[n++] = SA_META_POLARITY, meta[n++] = polarity;
		meta[n++] = SA_META_FRAMING, meta[n++] = framing;
	}
	if (plan->o.holdout > 0) {
		snprintf(holdout_s, sizeof(holdout_s), "fraction=%.17g seed=%" PRIu64,
			 plan->o.holdout, plan->o.seed);
		meta[n++] = SA_META_HOLDOUT, meta[n++] = holdout_s;
	}
	st = sa_trainer_export(t, meta, data, size);
	if (st)
		return st;
	st = sa_model_open_memory(*data, *size, "exported model", &model);
	free(*data);
	*data = NULL;
	if (st)
		return st;
	sa_dataset_get_info(test, &info);
	uint32_t count = x->eval_limit && x->eval_limit < info.count ? x->eval_limit : info.count;

	st = sa_evaluate(model, test, 0, count, SA_DEVICE_CPU, (unsigned)x->threads, &res);
	sa_model_close(model);
	if (st)
		return st;
	x->correct = res.correct;
	x->total = res.total;
	x->seconds = res.seconds;
	x->accuracy = 100.0 * res.correct / res.total;
	sa_eval_result_free(&res);
	snprintf(acc_s, sizeof(acc_s), "%.2f", x->accuracy);
	snprintf(images_s, sizeof(images_s), "%u", count);
	meta[n++] = "accuracy";
	meta[n++] = acc_s;
	meta[n++] = "accuracy_images";
	meta[n++] = images_s;
	return sa_trainer_export(t, meta, data, size);
}
