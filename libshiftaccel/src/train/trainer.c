// SPDX-License-Identifier: MIT
/* sa_trainer: configuration, epochs, evaluation, conversion and calibration. */
#include "trainer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../error.h"
#include "dataset.h"

void sa_train_config_defaults(struct sa_train_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->arch_name = "custom";
	cfg->weights = SA_WEIGHTS_PS;
	cfg->weight_bits = 5;
	cfg->optimizer = SA_OPT_ADAM;
	cfg->lr = 1e-3f;
	cfg->momentum = 0.9f;
	cfg->schedule = SA_SCHEDULE_CONSTANT;
	cfg->step_epochs = 10;
	cfg->gamma = 0.1f;
	cfg->epochs = 1;
	cfg->batch_size = 64;
	cfg->seed = 1;
}

sa_status sa_train_builtin_arch(const char *name, uint32_t c, uint32_t h, uint32_t w, char **text)
{
	char *s = tr_arch_builtin(name, (int)c, (int)h, (int)w);

	if (!s)
		return SA_ERR_INVALID_ARGUMENT;
	*text = s;
	return SA_OK;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int optimizer_kind(sa_optimizer o)
{
	return o == SA_OPT_SGD ? TR_OPT_SGD : o == SA_OPT_RMSPROP ? TR_OPT_RMSPROP : TR_OPT_ADAM;
}

static sa_status reset_optimizer(struct sa_trainer *t)
{
	tr_optim_defaults(optimizer_kind(t->cfg.optimizer), &t->opt_cfg);
	t->opt_cfg.momentum = t->cfg.optimizer == SA_OPT_ADAM ? 0.0f : t->cfg.momentum;
	t->opt_cfg.weight_decay = t->cfg.weight_decay;
	t->epoch = 0;
	return tr_optim_reset(&t->opt, &t->opt_cfg, t->net);
}

/* Per-channel mean and standard deviation of the pixels (as p / 255). */
static void pixel_statistics(const sa_dataset *ds, float *mean, float *std)
{
	size_t plane = (size_t)ds->h * ds->w;

	for (uint32_t c = 0; c < ds->c; c++) {
		uint64_t hist[256] = {0};
		double s = 0, ss = 0, n = (double)ds->count * plane;

		for (uint32_t i = 0; i < ds->count; i++) {
			const uint8_t *p = sa_dataset_image(ds, i) + c * plane;

			for (size_t k = 0; k < plane; k++)
				hist[p[k]]++;
		}
		for (int v = 0; v < 256; v++) {
			s += (double)hist[v] * (v / 255.0);
			ss += (double)hist[v] * (v / 255.0) * (v / 255.0);
		}
		double m = s / n, var = ss / n - m * m;

		mean[c] = (float)m;
		std[c] = var > 1e-12 ? (float)sqrt(var) : 1.0f;
	}
}

sa_status sa_trainer_create(const struct sa_train_config *cfg, const sa_dataset *train,
			    sa_trainer **out)
{
	struct sa_trainer *t;
	struct tr_net_config nc;
	float mean[SA_MAX_INPUT_CHANNELS] = {0}, std[SA_MAX_INPUT_CHANNELS] = {1, 1, 1, 1};
	sa_status st;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (!cfg || !cfg->arch_text || !train || !out)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_trainer_create: NULL argument");
	if (cfg->batch_size < 1 || cfg->batch_size > 65536)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "batch size %d: must be 1 to 65536",
			       cfg->batch_size);
	if (!(cfg->lr > 0.0f) || !isfinite(cfg->lr))
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "learning rate %g: must be positive",
			       (double)cfg->lr);
	if (cfg->augment_shift < 0 || cfg->augment_shift > 8)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "augmentation shift %d: must be 0 to 8",
			       cfg->augment_shift);
	if (train->c > SA_MAX_INPUT_CHANNELS)
		return sa_fail(SA_ERR_SHAPE, "%s: %u channels (at most %d)", train->name, train->c,
			       SA_MAX_INPUT_CHANNELS);
	t = calloc(1, sizeof(*t));
	if (!t)
		return sa_fail(SA_ERR_NO_MEMORY, "out of memory");
	t->cfg = *cfg;
	t->arch_text = strdup(cfg->arch_text);
	t->arch_name = strdup(cfg->arch_name ? cfg->arch_name : "custom");
	t->cfg.arch_text = t->arch_text;
	t->cfg.arch_name = t->arch_name;
	t->c = train->c, t->h = train->h, t->w = train->w;
	t->classes = train->num_classes;
	t->labels = calloc(t->classes, sizeof(char *));
	if (!t->arch_text || !t->arch_name || !t->labels) {
		sa_trainer_destroy(t);
		return sa_fail(SA_ERR_NO_MEMORY, "out of memory");
	}
	for (uint32_t i = 0; i < t->classes; i++)
		if (!(t->labels[i] = strdup(train->class_names[i]))) {
			sa_trainer_destroy(t);
			return sa_fail(SA_ERR_NO_MEMORY, "out of memory");
		}
	st = tr_arch_parse(t->arch_text, t->arch_name, &t->arch);
	if (st) {
		sa_trainer_destroy(t);
		return st;
	}
	nc.batch_max = cfg->batch_size;
	nc.threads = cfg->threads > 0 ? cfg->threads : cores > 0 ? (int)cores : 1;
	nc.weight_mode = (int)cfg->weights;
	nc.weight_bits = cfg->weight_bits;
	nc.seed = cfg->seed;
	st = tr_net_create(&t->arch, (struct tr_shape){(int)t->c, (int)t->h, (int)t->w},
			   (int)t->classes, &nc, &t->net);
	if (st) {
		sa_trainer_destroy(t);
		return st;
	}
	pixel_statistics(train, mean, std);
	tr_net_set_normalisation(t->net, mean, std);
	for (uint32_t c = 0; c < t->c; c++)
		for (int p = 0; p < 256; p++)
			/* The very expression sa_preprocess uses, so inputs match bit for bit. */
			t->lut[c][p] =
				(float)(((double)p / 255.0 - (double)mean[c]) / (double)std[c]);
	t->schedule.kind = cfg->schedule == SA_SCHEDULE_STEP	 ? TR_SCHEDULE_STEP
			   : cfg->schedule == SA_SCHEDULE_COSINE ? TR_SCHEDULE_COSINE
								 : TR_SCHEDULE_CONSTANT;
	t->schedule.lr = cfg->lr;
	t->schedule.step_epochs = cfg->step_epochs;
	t->schedule.gamma = cfg->gamma;
	t->schedule.epochs = cfg->epochs;
	st = reset_optimizer(t);
	if (st) {
		sa_trainer_destroy(t);
		return st;
	}
	*out = t;
	return SA_OK;
}

void sa_trainer_destroy(sa_trainer *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; t->labels && i < t->classes; i++)
		free(t->labels[i]);
	free(t->labels);
	tr_optim_free(&t->opt);
	tr_net_destroy(t->net);
	tr_arch_free(&t->arch);
	free(t->arch_text);
	free(t->arch_name);
	free(t->order);
	free(t);
}

size_t sa_trainer_param_count(const sa_trainer *t)
{
	size_t n = 0;

	for (int i = 0; i < t->net->num_params; i++)
		n += t->net->params[i]->n;
	return n;
}

static sa_status check_data(const struct sa_trainer *t, const sa_dataset *ds)
{
	if (ds->c != t->c || ds->h != t->h || ds->w != t->w || ds->num_classes != t->classes)
		return sa_fail(SA_ERR_SHAPE,
			       "%s: %ux%ux%u images in %u classes, but the model takes %ux%ux%u "
			       "in %u classes",
			       ds->name, ds->c, ds->h, ds->w, ds->num_classes, t->c, t->h, t->w,
			       t->classes);
	return SA_OK;
}

void tr_trainer_load_batch(struct sa_trainer *t, const sa_dataset *ds, const uint32_t *idx, int n)
{
	size_t plane = (size_t)t->h * t->w, image = plane * t->c;
	float *x = tr_net_input(t->net);

	for (int b = 0; b < n; b++) {
		const uint8_t *src = sa_dataset_image(ds, idx[b]);
		float *dst = x + (size_t)b * image;

		for (uint32_t c = 0; c < t->c; c++) {
			const float *lut = t->lut[c];

			for (size_t p = 0; p < plane; p++)
				dst[c * plane + p] = lut[src[c * plane + p]];
		}
		t->net->labels[b] = (sa_label)sa_dataset_label(ds, idx[b]);
	}
}

/*
 * Training batch with augmentation: each image moved by a random whole-pixel
 * offset in [-shift, shift] on both axes (uncovered pixels are 0, the
 * background), drawn from a stream of (seed, epoch, position in the epoch).
 */
static void load_augmented_batch(struct sa_trainer *t, const sa_dataset *ds, uint32_t first, int n)
{
	int h = (int)t->h, w = (int)t->w, s = t->cfg.augment_shift;
	size_t plane = (size_t)h * w, image = plane * t->c;
	float *x = tr_net_input(t->net);

	for (int b = 0; b < n; b++) {
		struct tr_rng rng;
		uint32_t i = t->order[first + (uint32_t)b];
		const uint8_t *src = sa_dataset_image(ds, i);
		float *dst = x + (size_t)b * image;

		tr_rng_seed_stream(&rng, t->cfg.seed ^ 0xa5a5a5a5u,
				   (uint64_t)t->epoch << 32 | (first + (uint32_t)b));
		int dy = (int)tr_rng_below(&rng, (uint32_t)(2 * s + 1)) - s;
		int dx = (int)tr_rng_below(&rng, (uint32_t)(2 * s + 1)) - s;

		for (uint32_t c = 0; c < t->c; c++) {
			const float *lut = t->lut[c];
			const uint8_t *sc = src + c * plane;
			float *dc = dst + c * plane;

			for (int y = 0; y < h; y++)
				for (int xx = 0; xx < w; xx++) {
					int sy = y - dy, sx = xx - dx;

					dc[y * w + xx] = sy >= 0 && sy < h && sx >= 0 && sx < w
								 ? lut[sc[sy * w + sx]]
								 : lut[0];
				}
		}
		t->net->labels[b] = (sa_label)sa_dataset_label(ds, i);
	}
}

static sa_status ensure_order(struct sa_trainer *t, uint32_t count)
{
	if (t->order_cap >= count)
		return SA_OK;
	free(t->order);
	t->order = malloc(sizeof(uint32_t) * count);
	if (!t->order) {
		t->order_cap = 0;
		return sa_fail(SA_ERR_NO_MEMORY, "out of memory");
	}
	t->order_cap = count;
	return SA_OK;
}

sa_status sa_trainer_train_epoch(sa_trainer *t, const sa_dataset *train, uint32_t limit,
				 sa_train_progress_fn progress, void *ctx,
				 struct sa_epoch_stats *stats)
{
	struct tr_net *net = t->net;
	struct tr_rng rng;
	uint32_t total;
	double loss = 0.0, start = now_seconds();
	int correct = 0;
	int bs = t->cfg.batch_size;
	sa_status st = check_data(t, train);

	if (st)
		return st;
	st = ensure_order(t, train->count);
	if (st)
		return st;
	for (uint32_t i = 0; i < train->count; i++)
		t->order[i] = i;
	tr_rng_seed_stream(&rng, t->cfg.seed, 7000u + (uint64_t)t->epoch);
	tr_rng_shuffle(&rng, t->order, train->count);
	total = limit && limit < train->count ? limit : train->count;
	int iters = (int)((total + (uint32_t)bs - 1) / (uint32_t)bs);
	float lr = t->cfg.lr;

	for (int it = 0; it < iters; it++) {
		uint32_t first = (uint32_t)it * (uint32_t)bs;
		int n = (int)(total - first < (uint32_t)bs ? total - first : (uint32_t)bs);

		if (t->cfg.augment_shift > 0)
			load_augmented_batch(t, train, first, n);
		else
			tr_trainer_load_batch(t, train, t->order + first, n);
		tr_net_forward(net, n, 1);
		loss += tr_net_loss(net, n, &correct);
		tr_net_backward(net, n);
		lr = tr_schedule_lr(&t->schedule, t->epoch, it, iters);
		tr_optim_step(&t->opt, net, lr);
		tr_net_update_ranges(net, n, 0);
		if (!isfinite(loss))
			return sa_fail(
				SA_ERR_INVALID_ARGUMENT,
				"training diverged (loss is not finite) in epoch %d, batch %d: "
				"lower the learning rate",
				t->epoch + 1, it + 1);
		if (progress)
			progress(ctx, first + (uint32_t)n, total, loss / (first + (uint32_t)n));
	}
	t->epoch++;
	if (stats) {
		stats->epoch = t->epoch;
		stats->loss = loss / total;
		stats->train_accuracy = 100.0 * correct / total;
		stats->seconds = now_seconds() - start;
		stats->images_per_second = stats->seconds > 0 ? total / stats->seconds : 0.0;
		stats->lr = lr;
	}
	sa_clear_error();
	return SA_OK;
}

sa_status sa_trainer_evaluate(sa_trainer *t, const sa_dataset *ds, uint32_t first, uint32_t count,
			      double *accuracy, double *loss)
{
	struct tr_net *net = t->net;
	double sum = 0.0;
	int correct = 0;
	uint32_t idx[4096];
	int bs = t->cfg.batch_size < 4096 ? t->cfg.batch_size : 4096;
	sa_status st = check_data(t, ds);

	if (st)
		return st;
	if (first > ds->count)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: first image %u of %u", ds->name, first,
			       ds->count);
	if (count == 0 || count > ds->count - first)
		count = ds->count - first;
	if (count == 0)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: no images to evaluate", ds->name);
	for (uint32_t done = 0; done < count;) {
		int n = (int)(count - done < (uint32_t)bs ? count - done : (uint32_t)bs);

		for (int b = 0; b < n; b++)
			idx[b] = first + done + (uint32_t)b;
		tr_trainer_load_batch(t, ds, idx, n);
		tr_net_forward(net, n, 0);
		sum += tr_softmax_xent(tr_net_logits(net), net->labels, n, net->classes, 0.0f, NULL,
				       &correct);
		done += (uint32_t)n;
	}
	if (accuracy)
		*accuracy = 100.0 * correct / count;
	if (loss)
		*loss = sum / count;
	sa_clear_error();
	return SA_OK;
}

sa_status sa_trainer_convert(sa_trainer *t, sa_train_weights weights, int weight_bits)
{
	sa_status st;

	if (weights != SA_WEIGHTS_Q && weights != SA_WEIGHTS_PS)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "conversion goes to DeepShift-Q or -PS");
	if (t->net->weight_mode != TR_WEIGHTS_FLOAT)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "the weights are already shifts");
	if (weight_bits < SA_WEIGHT_BITS_MIN || weight_bits > SA_WEIGHT_BITS_MAX)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "weight bits %d: must be 2 to 5",
			       weight_bits);
	/* Batch norm first goes into the float weights, which equation 12 then rounds. */
	st = tr_net_fold_batchnorm(t->net);
	if (!st)
		st = tr_net_set_mode(t->net, (int)weights, weight_bits, 1, 0);
	if (st)
		return st;
	t->cfg.weights = weights;
	t->cfg.weight_bits = weight_bits;
	return reset_optimizer(t);
}

sa_status sa_trainer_fold_batchnorm(sa_trainer *t)
{
	int epoch = t->epoch;
	sa_status st = tr_net_fold_batchnorm(t->net);

	if (!st)
		st = reset_optimizer(t);
	/* the folded epochs go on with the same learning-rate schedule */
	t->epoch = epoch;
	return st;
}

int sa_trainer_has_batchnorm(const sa_trainer *t)
{
	for (int i = 0; i < t->net->num_nodes; i++)
		if (t->net->nodes[i].has_bn)
			return 1;
	return 0;
}

sa_status sa_trainer_calibrate(sa_trainer *t, const sa_dataset *ds, uint32_t images)
{
	struct tr_net *net = t->net;
	uint32_t idx[4096];
	int bs = t->cfg.batch_size < 4096 ? t->cfg.batch_size : 4096;
	sa_status st = check_data(t, ds);
	struct tr_rng rng;

	if (st)
		return st;
	if (images == 0 || images > ds->count)
		images = ds->count;
	st = ensure_order(t, ds->count);
	if (st)
		return st;
	for (uint32_t i = 0; i < ds->count; i++)
		t->order[i] = i;
	tr_rng_seed_stream(&rng, t->cfg.seed, 9000u);
	tr_rng_shuffle(&rng, t->order, ds->count);
	net->calibrating = 1;
	for (uint32_t done = 0; done < images;) {
		int n = (int)(images - done < (uint32_t)bs ? images - done : (uint32_t)bs);

		memcpy(idx, t->order + done, sizeof(uint32_t) * (size_t)n);
		tr_trainer_load_batch(t, ds, idx, n);
		tr_net_forward(net, n, 0);
		tr_net_update_ranges(net, n, done == 0);
		done += (uint32_t)n;
	}
	net->calibrating = 0;
	sa_clear_error();
	return SA_OK;
}
