// SPDX-License-Identifier: MIT
/*
 * Training end to end on small synthetic data (no download needed): a tiny
 * network overfits 256 MNIST-shaped images; exported models (DeepShift-Q
 * and -PS, 2 to 5 bits, with batch norm folded, residual adds and pools)
 * give, through sa_session on the CPU, exactly the logits and accuracy of
 * the trainer's quantised forward pass; training is reproducible and
 * independent of the thread count; checkpoints round-trip.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../libshiftaccel/src/train/dataset.h"
#include "../../libshiftaccel/src/train/trainer.h"
#include "../check.h"
#include "shiftaccel_train.h"

#define SIDE 28
#define CLASSES 10

static uint64_t lcg_state;

static uint32_t lcg(void)
{
	lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(lcg_state >> 33);
}

/*
 * count images of side x side in `classes` classes: each class is a random
 * prototype (bright strokes on a dark ground, like digits) plus noise.
 */
static sa_dataset *synthetic(uint32_t count, int side, int classes, uint64_t seed)
{
	size_t px = (size_t)side * side;
	uint8_t *proto = malloc(px * (size_t)classes), *pixels = malloc(px * count);
	sa_label *labels = malloc(count * sizeof(*labels));
	sa_dataset *ds = NULL;

	lcg_state = 99;
	for (size_t i = 0; i < px * (size_t)classes; i++)
		proto[i] = lcg() % 4 == 0 ? (uint8_t)(160 + lcg() % 96) : 0;
	lcg_state = seed;
	for (uint32_t i = 0; i < count; i++) {
		int c = (int)(lcg() % (uint32_t)classes);

		labels[i] = (sa_label)c;
		for (size_t k = 0; k < px; k++) {
			int v = proto[(size_t)c * px + k] + (int)(lcg() % 81) - 40;

			pixels[i * px + k] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
		}
	}
	if (sa_dataset_from_memory("synthetic", count, 1, (uint32_t)side, (uint32_t)side, pixels,
				   labels, (uint32_t)classes, NULL, &ds))
		fprintf(stderr, "  %s\n", sa_last_error());
	free(proto);
	free(pixels);
	free(labels);
	return ds;
}

static sa_trainer *make_trainer(const char *arch, const sa_dataset *train, sa_train_weights w,
				int bits, float lr, int threads, uint64_t seed)
{
	struct sa_train_config cfg;
	sa_trainer *t = NULL;

	sa_train_config_defaults(&cfg);
	cfg.arch_text = arch;
	cfg.arch_name = "test";
	cfg.weights = w;
	cfg.weight_bits = bits;
	cfg.lr = lr;
	cfg.batch_size = 32;
	cfg.threads = threads;
	cfg.seed = seed;
	if (sa_trainer_create(&cfg, train, &t))
		fprintf(stderr, "  %s\n", sa_last_error());
	return t;
}

static int train_epochs(sa_trainer *t, const sa_dataset *ds, int epochs)
{
	for (int e = 0; e < epochs; e++)
		if (sa_trainer_train_epoch(t, ds, 0, NULL, NULL, NULL)) {
			fprintf(stderr, "  %s\n", sa_last_error());
			return -1;
		}
	return 0;
}

static sa_model *export_model(sa_trainer *t)
{
	const char *meta[] = {"name", "test", NULL};
	void *data;
	size_t size;
	sa_model *m = NULL;

	if (sa_trainer_export(t, meta, &data, &size)) {
		fprintf(stderr, "  export: %s\n", sa_last_error());
		return NULL;
	}
	if (sa_model_open_memory(data, size, "exported", &m))
		fprintf(stderr, "  open: %s\n", sa_last_error());
	free(data);
	return m;
}

/* Accuracy (percent) of the integer model through sessions. */
static double integer_accuracy(const sa_model *m, const sa_dataset *ds, uint32_t first,
			       uint32_t count)
{
	struct sa_eval_result r;

	if (sa_evaluate(m, ds, first, count, SA_DEVICE_CPU, 2, &r)) {
		fprintf(stderr, "  evaluate: %s\n", sa_last_error());
		return -1;
	}
	double acc = 100.0 * r.correct / r.total;

	sa_eval_result_free(&r);
	return acc;
}

TEST(overfits_256_images)
{
	sa_dataset *ds = synthetic(256, SIDE, CLASSES, 1);
	sa_trainer *t = make_trainer("conv 8 5 relu\nmaxpool 2\nflatten\nfc 32 relu\nfc classes\n",
				     ds, SA_WEIGHTS_PS, 5, 0.03f, 2, 7);
	struct sa_epoch_stats s = {0};
	double acc = 0;

	CHECK(ds && t);
	for (int e = 0; e < 12; e++)
		CHECK(sa_trainer_train_epoch(t, ds, 0, NULL, NULL, &s) == SA_OK);
	CHECK(sa_trainer_evaluate(t, ds, 0, 0, &acc, NULL) == SA_OK);
	/* the loss fell from about ln(10) and every training image is learnt */
	CHECK(s.loss < 0.1);
	CHECK(acc == 100.0);
	sa_model *m = export_model(t);

	CHECK(m);
	CHECK(integer_accuracy(m, ds, 0, 0) == 100.0);
	sa_model_close(m);
	sa_trainer_destroy(t);
	sa_dataset_close(ds);
}

/*
 * The integer model's dequantised logits against the trainer's quantised
 * forward pass, image by image: they must agree to the last bit.
 */
static int compare_logits(sa_trainer *t, const sa_model *m, const sa_dataset *ds, uint32_t first,
			  uint32_t count)
{
	struct tr_net *net = t->net;
	sa_session *s = NULL;
	float input[SIDE * SIDE * 4], out[CLASSES];
	int mismatches = 0;

	if (sa_session_create(m, SA_DEVICE_CPU, &s))
		return -1;
	for (uint32_t i = first; i < first + count; i++) {
		sa_image img;

		tr_trainer_load_batch(t, ds, &i, 1);
		tr_net_forward(net, 1, 0);
		if (sa_dataset_get_image(ds, i, &img) || sa_preprocess(m, &img, 0, input) ||
		    sa_session_run(s, input, out)) {
			fprintf(stderr, "  %s\n", sa_last_error());
			sa_image_free(&img);
			mismatches++;
			break;
		}
		sa_image_free(&img);
		for (uint32_t c = 0; c < ds->num_classes; c++)
			if (out[c] != tr_net_logits(net)[c]) {
				if (!mismatches)
					fprintf(stderr,
						"  image %u class %u: integer %g, trainer %g\n", i,
						c, (double)out[c], (double)tr_net_logits(net)[c]);
				mismatches++;
			}
	}
	sa_session_destroy(s);
	return mismatches;
}

/*
 * Trains, exports, and checks logits and accuracy of the integer model on a
 * held-out slice; `min_accuracy` (percent) is what the network must at least
 * learn (negative: only exactness is checked).
 */
static void round_trip(const char *arch, sa_train_weights w, int bits, int epochs, float lr,
		       double min_accuracy)
{
	sa_dataset *train = synthetic(192, SIDE, CLASSES, 2);
	sa_dataset *held = synthetic(64, SIDE, CLASSES, 3);
	sa_trainer *t = make_trainer(arch, train, w, bits, lr, 2, 11);
	double sim = -1;

	CHECK(train && held && t);
	CHECK(train_epochs(t, train, epochs) == 0);
	sa_model *m = export_model(t);

	CHECK(m);
	CHECK(sa_trainer_evaluate(t, held, 0, 0, &sim, NULL) == SA_OK);
	CHECK_EQ_INT(compare_logits(t, m, held, 0, 64), 0);
	/* what shiftaccel-train reports (sessions) equals the quantised simulation */
	CHECK(integer_accuracy(m, held, 0, 64) == sim);
	/* and the model learnt something: better than chance (10%) by far */
	if (!(sim >= min_accuracy))
		fprintf(stderr, "  held-out accuracy %.1f%%\n", sim);
	CHECK(sim >= min_accuracy);
	sa_model_close(m);
	sa_trainer_destroy(t);
	sa_dataset_close(train);
	sa_dataset_close(held);
}

static const char residual_bn[] = "conv 6 3 pad=1 bn relu name=stem\n"
				  "conv 6 3 pad=1 bn relu\n"
				  "conv 6 3 pad=1 bn\n"
				  "add stem relu\n"
				  "avgpool 2\n"
				  "conv 8 3 stride=2 pad=1 bn relu\n"
				  "maxpool 2\n"
				  "flatten\n"
				  "fc 16 relu\n"
				  "dropout 0.1\n"
				  "fc classes\n";

TEST(round_trip_ps_5bit_batchnorm_residual)
{
	round_trip(residual_bn, SA_WEIGHTS_PS, 5, 6, 0.03f, 50.0);
}

TEST(round_trip_q_4bit_batchnorm_residual)
{
	round_trip(residual_bn, SA_WEIGHTS_Q, 4, 3, 0.002f, 50.0);
}

TEST(round_trip_ps_3bit_gap)
{
	/*
	 * relu6, depthwise and pointwise convolutions, average and global pools
	 * (28 -> 16 padded -> 8 after the pool: a power-of-two area for gap).
	 * Global pooling throws away where the strokes are, which is all this
	 * data has, so only exactness is checked here.
	 */
	round_trip("conv 8 3 stride=2 pad=3 relu6\nconv 8 3 groups=8 pad=1 relu\nconv 16 1 "
		   "relu\nconv 8 3 pad=1 relu\navgpool 2 stride=2\ngap\nfc classes\n",
		   SA_WEIGHTS_PS, 3, 2, 0.03f, -1.0);
}

/*
 * Format 1.1: a 3-way concat (a chain of two, each step requantised), a
 * standalone relu6 and relu, a 2x3 average pool (area 6: ties) and a 7x7 global
 * pool (area 49): the trainer's rounding of each is the integer op's.
 */
static const char concat_pools[] = "conv 8 3 pad=1 relu name=a\n"
				   "conv 4 1 name=b\n"
				   "relu6 name=b6\n"
				   "conv 4 3 pad=1 relu from=a name=c\n"
				   "concat b6 c from=a\n"
				   "avgpool 2x3 stride=2 pad=0,1,0,1\n"
				   "relu\n"
				   "conv 8 3 stride=2 pad=1 relu\n"
				   "gap\n"
				   "fc classes\n";

TEST(round_trip_ps_4bit_concat_clip_any_area_pools)
{
	round_trip(concat_pools, SA_WEIGHTS_PS, 4, 2, 0.03f, -1.0);
}

TEST(round_trip_q_5bit_concat_clip_any_area_pools)
{
	round_trip(concat_pools, SA_WEIGHTS_Q, 5, 2, 0.002f, -1.0);
}

/* SqueezeNet's head: the logits are a global pool of a ReLU'd conv, int16 all the way. */
TEST(round_trip_q_5bit_pooled_relu_logits)
{
	round_trip("conv 8 3 stride=2 relu\nmaxpool 3 stride=2\nconv 10 1 relu\ngap\nflatten\n",
		   SA_WEIGHTS_Q, 5, 2, 0.002f, -1.0);
}

TEST(round_trip_q_2bit_fc)
{
	round_trip("fc 48 relu\nfc classes\n", SA_WEIGHTS_Q, 2, 3, 0.002f, 50.0);
}

/* Float training, equation-12 conversion, calibration, export: still exact. */
TEST(round_trip_converted_without_training)
{
	sa_dataset *train = synthetic(192, SIDE, CLASSES, 4);
	sa_dataset *held = synthetic(64, SIDE, CLASSES, 5);
	sa_trainer *t = make_trainer(residual_bn, train, SA_WEIGHTS_FLOAT, 5, 0.002f, 2, 3);
	double sim = -1, before = -1;

	CHECK(train && held && t);
	CHECK(train_epochs(t, train, 3) == 0);
	/* a float network has no integer form */
	void *data;
	size_t size;

	CHECK(sa_trainer_export(t, NULL, &data, &size) == SA_ERR_INVALID_ARGUMENT);
	CHECK_STR_CONTAINS(sa_last_error(), "convert");
	CHECK(sa_trainer_evaluate(t, held, 0, 0, &before, NULL) == SA_OK);
	CHECK(sa_trainer_convert(t, SA_WEIGHTS_PS, 5) == SA_OK);
	CHECK(sa_trainer_convert(t, SA_WEIGHTS_Q, 5) == SA_ERR_INVALID_ARGUMENT);
	CHECK(sa_trainer_calibrate(t, train, 128) == SA_OK);
	sa_model *m = export_model(t);

	CHECK(m);
	CHECK(sa_trainer_evaluate(t, held, 0, 0, &sim, NULL) == SA_OK);
	CHECK_EQ_INT(compare_logits(t, m, held, 0, 64), 0);
	CHECK(integer_accuracy(m, held, 0, 64) == sim);
	/* 5-bit conversion keeps most of the float accuracy */
	CHECK(sim > before - 15.0);
	sa_model_close(m);
	sa_trainer_destroy(t);
	sa_dataset_close(train);
	sa_dataset_close(held);
}

static int export_bytes(sa_trainer *t, void **data, size_t *size)
{
	const char *meta[] = {"name", "same", NULL};

	return sa_trainer_export(t, meta, data, size) == SA_OK ? 0 : -1;
}

/* Same seed, same model bit for bit, whatever the thread count; another seed differs. */
TEST(reproducible_across_thread_counts)
{
	static const char arch[] = "conv 4 3 bn relu\nmaxpool 2\nfc 16 relu\ndropout 0.2\n"
				   "fc classes\n";
	sa_dataset *ds = synthetic(100, SIDE, CLASSES, 6);
	sa_trainer *a = make_trainer(arch, ds, SA_WEIGHTS_PS, 5, 0.01f, 1, 21);
	sa_trainer *b = make_trainer(arch, ds, SA_WEIGHTS_PS, 5, 0.01f, 3, 21);
	sa_trainer *c = make_trainer(arch, ds, SA_WEIGHTS_PS, 5, 0.01f, 1, 22);
	void *da = NULL, *db = NULL, *dc = NULL;
	size_t sa = 0, sb = 0, sc = 0;

	CHECK(ds && a && b && c);
	CHECK(train_epochs(a, ds, 2) == 0 && train_epochs(b, ds, 2) == 0 &&
	      train_epochs(c, ds, 2) == 0);
	CHECK(export_bytes(a, &da, &sa) == 0 && export_bytes(b, &db, &sb) == 0 &&
	      export_bytes(c, &dc, &sc) == 0);
	CHECK(sa == sb && memcmp(da, db, sa) == 0);
	CHECK(sa != sc || memcmp(da, dc, sa) != 0);
	free(da), free(db), free(dc);
	sa_trainer_destroy(a);
	sa_trainer_destroy(b);
	sa_trainer_destroy(c);
	sa_dataset_close(ds);
}

TEST(checkpoint_round_trip)
{
	static const char arch[] = "conv 4 3 bn relu\nmaxpool 2\nfc classes\n";
	char dir[] = "/tmp/sa_train_ckptXXXXXX", path[64];
	sa_dataset *ds = synthetic(64, SIDE, CLASSES, 8);
	sa_trainer *a = make_trainer(arch, ds, SA_WEIGHTS_FLOAT, 5, 0.002f, 2, 5);
	sa_trainer *b = make_trainer(arch, ds, SA_WEIGHTS_FLOAT, 5, 0.002f, 2, 6);
	sa_trainer *other = make_trainer("fc classes\n", ds, SA_WEIGHTS_FLOAT, 5, 0.002f, 1, 6);
	double acc_a, acc_b, loss_a, loss_b;

	CHECK(mkdtemp(dir) && ds && a && b && other);
	snprintf(path, sizeof(path), "%s/float.ckpt", dir);
	CHECK(train_epochs(a, ds, 2) == 0);
	CHECK(sa_trainer_save_checkpoint(a, path) == SA_OK);
	CHECK(sa_trainer_load_checkpoint(b, path) == SA_OK);
	CHECK(sa_trainer_evaluate(a, ds, 0, 0, &acc_a, &loss_a) == SA_OK);
	CHECK(sa_trainer_evaluate(b, ds, 0, 0, &acc_b, &loss_b) == SA_OK);
	CHECK(acc_a == acc_b && loss_a == loss_b);
	CHECK(sa_trainer_load_checkpoint(other, path) == SA_ERR_BAD_DATA);
	CHECK_STR_CONTAINS(sa_last_error(), "different architecture");
	/* PS parameters round-trip too: converted models export the same bytes */
	void *d1, *d2;
	size_t s1, s2;

	CHECK(sa_trainer_convert(a, SA_WEIGHTS_PS, 4) == SA_OK);
	CHECK(sa_trainer_calibrate(a, ds, 64) == SA_OK);
	CHECK(sa_trainer_save_checkpoint(a, path) == SA_OK);
	CHECK(sa_trainer_load_checkpoint(b, path) == SA_OK);
	CHECK(export_bytes(a, &d1, &s1) == 0 && export_bytes(b, &d2, &s2) == 0);
	CHECK(s1 == s2 && !memcmp(d1, d2, s1));
	free(d1), free(d2);
	FILE *f = fopen(path, "r+b");

	CHECK(f);
	fseek(f, -2, SEEK_END);
	fputc('X', f);
	fclose(f);
	CHECK(sa_trainer_load_checkpoint(b, path) == SA_ERR_BAD_DATA);
	unlink(path);
	rmdir(dir);
	sa_trainer_destroy(a);
	sa_trainer_destroy(b);
	sa_trainer_destroy(other);
	sa_dataset_close(ds);
}

TEST(schedules_and_optimizers)
{
	struct tr_schedule step = {TR_SCHEDULE_STEP, 0.1f, 2, 0.5f, 6};
	struct tr_schedule cosine = {TR_SCHEDULE_COSINE, 0.1f, 0, 0, 4};

	CHECK(tr_schedule_lr(&step, 0, 5, 10) == 0.1f);
	CHECK(tr_schedule_lr(&step, 2, 0, 10) == 0.05f);
	CHECK(tr_schedule_lr(&step, 5, 9, 10) == 0.025f);
	CHECK(fabsf(tr_schedule_lr(&cosine, 0, 0, 10) - 0.1f) < 1e-7f);
	CHECK(fabsf(tr_schedule_lr(&cosine, 2, 0, 10) - 0.05f) < 1e-6f);
	CHECK(tr_schedule_lr(&cosine, 3, 9, 10) < 0.001f);
	/* every optimiser lowers the loss of a small problem */
	sa_dataset *ds = synthetic(128, 12, 4, 9);
	const sa_optimizer opts[3] = {SA_OPT_SGD, SA_OPT_ADAM, SA_OPT_RMSPROP};
	const float lrs[3] = {0.05f, 0.002f, 0.001f};

	CHECK(ds);
	for (int i = 0; i < 3; i++) {
		struct sa_train_config cfg;
		sa_trainer *t;
		struct sa_epoch_stats first, last;

		sa_train_config_defaults(&cfg);
		cfg.arch_text = "fc 16 relu\nfc classes\n";
		cfg.weights = SA_WEIGHTS_FLOAT;
		cfg.optimizer = opts[i];
		cfg.lr = lrs[i];
		cfg.batch_size = 16;
		cfg.threads = 1;
		cfg.schedule = SA_SCHEDULE_COSINE;
		cfg.epochs = 5;
		CHECK(sa_trainer_create(&cfg, ds, &t) == SA_OK);
		CHECK(sa_trainer_train_epoch(t, ds, 0, NULL, NULL, &first) == SA_OK);
		for (int e = 1; e < 5; e++)
			CHECK(sa_trainer_train_epoch(t, ds, 0, NULL, NULL, &last) == SA_OK);
		CHECK(last.loss < 0.5 * first.loss);
		sa_trainer_destroy(t);
	}
	sa_dataset_close(ds);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(overfits_256_images);
	RUN(round_trip_ps_5bit_batchnorm_residual);
	RUN(round_trip_q_4bit_batchnorm_residual);
	RUN(round_trip_ps_3bit_gap);
	RUN(round_trip_q_2bit_fc);
	RUN(round_trip_ps_4bit_concat_clip_any_area_pools);
	RUN(round_trip_q_5bit_concat_clip_any_area_pools);
	RUN(round_trip_q_5bit_pooled_relu_logits);
	RUN(round_trip_converted_without_training);
	RUN(reproducible_across_thread_counts);
	RUN(checkpoint_round_trip);
	RUN(schedules_and_optimizers);
	CHECK_MAIN_END();
}
