// SPDX-License-Identifier: MIT
/*
 * The training policy (sa_train_plan_*, docs/training.md "Modes"): default
 * learning rates and momentum, the phases each mode runs in order, the
 * folded epochs, and the hold-out split that shiftaccel-eval rebuilds.
 */
#include <stdlib.h>

#include "../check.h"
#include "shiftaccel_train.h"

#define IMAGES 40

static struct sa_train_plan_options options(sa_train_mode mode)
{
	struct sa_train_plan_options o = {.mode = mode,
					  .weight_bits = 5,
					  .optimizer = SA_OPT_ADAM,
					  .seed = 3,
					  .epochs = 4,
					  .float_epochs = 2,
					  .fold_epochs = -1,
					  .momentum = -1,
					  .calibrate = 16};
	return o;
}

/* IMAGES 1x8x8 images; pixel 0 is the image's index, so a split can be traced. */
static sa_dataset *tiny_data(void)
{
	static uint8_t px[IMAGES * 64];
	static sa_label labels[IMAGES];
	sa_dataset *ds = NULL;

	for (int i = 0; i < IMAGES; i++) {
		labels[i] = (sa_label)(i % 2);
		for (int j = 0; j < 64; j++)
			px[i * 64 + j] = (uint8_t)(j ? (labels[i] ? j * 3 : 255 - j * 3) : i);
	}
	return sa_dataset_from_memory("tiny", IMAGES, 1, 8, 8, px, labels, 2, NULL, &ds) ? NULL
											 : ds;
}

static sa_trainer *tiny_trainer(const struct sa_train_plan *plan, const char *arch,
				const sa_dataset *ds)
{
	struct sa_train_config cfg;
	sa_trainer *t = NULL;

	sa_train_config_defaults(&cfg);
	sa_train_plan_config(plan, &cfg);
	cfg.arch_text = arch;
	cfg.arch_name = "tiny";
	cfg.batch_size = 8;
	cfg.threads = 1;
	return sa_trainer_create(&cfg, ds, &t) ? NULL : t;
}

TEST(default_learning_rates)
{
	struct sa_train_plan p;
	struct sa_train_plan_options o = options(SA_MODE_Q);

	sa_train_plan_make(&o, &p);
	CHECK(p.lr == 0.001 && p.momentum == 0);
	o.mode = SA_MODE_PS;
	sa_train_plan_make(&o, &p);
	CHECK(p.lr == 0.001 * 10);
	o.mode = SA_MODE_CONVERT_PS;
	sa_train_plan_make(&o, &p);
	CHECK(p.lr == 0.001 * 3);
	o.optimizer = SA_OPT_SGD;
	o.mode = SA_MODE_PS;
	sa_train_plan_make(&o, &p);
	CHECK(p.lr == 0.01 * 10 && p.momentum == 0.9);
	o.lr = 0.25;
	o.momentum = 0.5;
	sa_train_plan_make(&o, &p);
	CHECK(p.lr == 0.25 && p.momentum == 0.5);
}

TEST(phases_of_each_mode)
{
	struct sa_train_plan p;
	struct sa_train_plan_options o = options(SA_MODE_FLOAT);

	sa_train_plan_make(&o, &p);
	CHECK(p.start == SA_WEIGHTS_FLOAT && p.float_epochs == 4 && !p.convert && !p.shift_epochs);
	o.mode = SA_MODE_PS;
	sa_train_plan_make(&o, &p);
	CHECK(p.start == SA_WEIGHTS_PS && !p.float_epochs && !p.convert && p.shift_epochs == 4);
	o.mode = SA_MODE_CONVERT;
	sa_train_plan_make(&o, &p);
	CHECK(p.start == SA_WEIGHTS_FLOAT && p.float_epochs == 2 && p.convert && !p.shift_epochs);
	o.mode = SA_MODE_CONVERT_Q;
	o.init = "f.ckpt"; /* float weights given: no float phase */
	sa_train_plan_make(&o, &p);
	CHECK(p.shift == SA_WEIGHTS_Q && !p.float_epochs && p.convert && p.shift_epochs == 4);
	/* An ONNX network's weights are float: q and ps start from their conversion. */
	o = options(SA_MODE_Q);
	o.init = "m.onnx";
	o.init_is_onnx = 1;
	sa_train_plan_make(&o, &p);
	CHECK(p.o.mode == SA_MODE_CONVERT_Q && p.convert && p.start == SA_WEIGHTS_FLOAT);
	CHECK_STR_CONTAINS(sa_train_plan_describe(&p), "converted, then DeepShift-Q");
}

TEST(folded_epochs_need_batch_norm)
{
	sa_dataset *ds = tiny_data();
	struct sa_train_plan p;
	struct sa_train_plan_options o = options(SA_MODE_Q);
	const uint32_t epochs[] = {1, 2, 7, 8, 12}, want[] = {0, 1, 1, 2, 3};

	CHECK(ds);
	for (int i = 0; i < 5; i++) {
		o.epochs = epochs[i];
		sa_train_plan_make(&o, &p);
		sa_trainer *t = tiny_trainer(&p, "conv 2 3 pad=1 bn relu\nfc classes\n", ds);

		CHECK(t);
		sa_train_plan_bind(&p, t);
		sa_trainer_destroy(t);
		CHECK_EQ_INT(p.fold_epochs, want[i]);
		CHECK_EQ_INT(p.shift_epochs, epochs[i] - want[i]);
	}
	o.fold_epochs = 0;
	sa_train_plan_make(&o, &p);
	sa_trainer *t = tiny_trainer(&p, "conv 2 3 pad=1 bn relu\nfc classes\n", ds);
	sa_train_plan_bind(&p, t);
	sa_trainer_destroy(t);
	CHECK_EQ_INT(p.fold_epochs, 0);
	o.fold_epochs = -1;
	sa_train_plan_make(&o, &p);
	t = tiny_trainer(&p, "conv 2 3 pad=1 relu\nfc classes\n", ds);
	sa_train_plan_bind(&p, t);
	sa_trainer_destroy(t);
	CHECK_EQ_INT(p.fold_epochs, 0); /* no batch norm, nothing to fold */
	sa_dataset_close(ds);
}

struct seen {
	char order[64];
	int n, stop_after;
};

static int on_event(void *ctx, const struct sa_train_event *ev)
{
	struct seen *s = ctx;
	char c = ev->kind == SA_TRAIN_EPOCH	  ? ev->phase[0]
		 : ev->kind == SA_TRAIN_CONVERTED ? 'C'
		 : ev->kind == SA_TRAIN_FOLDED	  ? 'F'
		 : ev->kind == SA_TRAIN_INIT	  ? 'I'
						  : 0;

	if (c && s->n < 63)
		s->order[s->n++] = c;
	return s->stop_after && s->n >= s->stop_after;
}

TEST(run_goes_phase_by_phase)
{
	sa_dataset *ds = tiny_data();
	struct sa_train_plan p;
	struct sa_train_plan_options o = options(SA_MODE_CONVERT_PS);
	struct seen s = {{0}, 0, 0};

	CHECK(ds);
	sa_train_plan_make(&o, &p);
	sa_trainer *t = tiny_trainer(&p, "conv 2 3 pad=1 bn relu\nfc classes\n", ds);

	CHECK(t);
	sa_train_plan_bind(&p, t);
	CHECK(sa_train_plan_run(&p, t, ds, ds, on_event, &s) == SA_OK);
	sa_trainer_destroy(t);
	/* 2 float epochs, the conversion, 4 PS epochs; batch norm folds at the conversion */
	CHECK(!strcmp(s.order, "ffCpppp"));

	o = options(SA_MODE_Q);
	o.epochs = 2;
	sa_train_plan_make(&o, &p);
	t = tiny_trainer(&p, "conv 2 3 pad=1 bn relu\nfc classes\n", ds);
	CHECK(t);
	sa_train_plan_bind(&p, t);
	memset(&s, 0, sizeof(s));
	CHECK(sa_train_plan_run(&p, t, ds, ds, on_event, &s) == SA_OK);
	CHECK(!strcmp(s.order, "qFf"));
	/* A caller that cannot go on (its log failed) stops the run. */
	memset(&s, 0, sizeof(s));
	s.stop_after = 1;
	CHECK(sa_train_plan_run(&p, t, ds, ds, on_event, &s) == SA_ERR_IO);
	CHECK(!strcmp(s.order, "q"));
	sa_trainer_destroy(t);
	sa_dataset_close(ds);
}

/* The images of ds by their index pixel, as a bit set. */
static uint64_t members(const sa_dataset *ds)
{
	struct sa_dataset_info info;
	uint64_t m = 0;

	sa_dataset_get_info(ds, &info);
	for (uint32_t i = 0; i < info.count; i++)
		m |= 1ull << sa_dataset_image(ds, i)[0];
	return m;
}

TEST(holdout_split)
{
	sa_dataset *ds = tiny_data(), *a, *b, *c, *d;
	struct sa_dataset_info ia, ib;

	CHECK(ds);
	CHECK(sa_dataset_holdout(ds, 0.25, 7, &a, &b) == SA_OK);
	sa_dataset_get_info(a, &ia);
	sa_dataset_get_info(b, &ib);
	CHECK(ia.count == 30 && ib.count == 10);
	CHECK((members(a) & members(b)) == 0);
	CHECK((members(a) | members(b)) == (1ull << IMAGES) - 1);
	CHECK(sa_dataset_holdout(ds, 0.25, 7, &c, &d) == SA_OK);
	CHECK(members(d) == members(b)); /* same seed, same images */
	sa_dataset_close(c);
	sa_dataset_close(d);
	CHECK(sa_dataset_holdout(ds, 0.25, 8, &c, &d) == SA_OK);
	CHECK(members(d) != members(b));
	sa_dataset_close(a);
	sa_dataset_close(b);
	sa_dataset_close(c);
	sa_dataset_close(d);
	CHECK(sa_dataset_holdout(ds, 0.01, 7, &a, &b) == SA_ERR_SHAPE);
	CHECK_STR_CONTAINS(sa_last_error(), "too few");
	CHECK(!a && !b);
	sa_dataset_close(ds);
}

TEST(holdout_metadata_round_trip)
{
	double f;
	uint64_t seed;
	char buf[64];

	snprintf(buf, sizeof(buf), "fraction=%.17g seed=%llu", 0.1, 18446744073709551615ull);
	CHECK(sa_holdout_parse(buf, &f, &seed) == SA_OK);
	CHECK(f == 0.1 && seed == 18446744073709551615ull);
	CHECK(sa_holdout_parse("fraction=0.1", &f, &seed) == SA_ERR_BAD_MODEL);
	CHECK(sa_holdout_parse("fraction=1.5 seed=3", &f, &seed) == SA_ERR_BAD_MODEL);
	CHECK(sa_holdout_parse("fraction=0.1 seed=3 x", &f, &seed) == SA_ERR_BAD_MODEL);
	CHECK(sa_holdout_parse(NULL, &f, &seed) == SA_ERR_BAD_MODEL);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(default_learning_rates);
	RUN(phases_of_each_mode);
	RUN(folded_epochs_need_batch_norm);
	RUN(run_goes_phase_by_phase);
	RUN(holdout_split);
	RUN(holdout_metadata_round_trip);
	CHECK_MAIN_END();
}
