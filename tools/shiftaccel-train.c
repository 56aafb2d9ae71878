// SPDX-License-Identifier: MIT
/*
 * shiftaccel-train: train a DeepShift network on the CPU and export it as a
 * .dsm model.  Modes follow the paper: a float baseline, DeepShift-Q and
 * DeepShift-PS from scratch, conversion of float weights (equation 12), and
 * conversion followed by training.  The accuracy it reports for a
 * quantised model is measured on the exported integer model itself, through
 * the same sessions shiftaccel-run and shiftaccel-eval use.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_util.h"
#include "shiftaccel.h"
#include "shiftaccel_train.h"

struct options {
	const char *model, *data, *test_data, *data_dir, *output, *init, *save, *log, *plot;
	const char *name;
	sa_train_mode mode;
	uint64_t bits, epochs, float_epochs, batch, threads, seed, limit, calibrate, eval_limit;
	uint64_t augment, fold_epochs;
	int float_epochs_set, lr_set, optimizer_set, fold_epochs_set;
	double lr, momentum, weight_decay, gamma, holdout;
	uint64_t step_epochs;
	sa_optimizer optimizer;
	sa_schedule schedule;
	int quiet;
	int held_out; /* the test set is a held-out part of --data */
	float mean[SA_MAX_INPUT_CHANNELS], std[SA_MAX_INPUT_CHANNELS]; /* --init ONNX only */
	int n_mean, n_std;
	struct sa_train_config cfg; /* as the trainer was made, for the recipe */
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: shiftaccel-train [options] [-o MODEL.dsm]\n"
		"\n"
		"Trains a DeepShift network (every weight sign * 2^shift) on the CPU and writes\n"
		"the integer .dsm model that shiftaccel-run and shiftaccel-eval run.\n"
		"\n"
		"Model and data:\n"
		"  --model NAME|FILE    simple-fc, simple-cnn (default), lenet5, resnet20, or an\n"
		"                       architecture file (docs/training.md)\n"
		"  --data SPEC          mnist (default), fashion-mnist, idx:IMAGES,LABELS or\n"
		"                       pngdir:DIR (DIR/<class>/*.png, or DIR/train + DIR/test)\n"
		"  --test-data SPEC     the test set (default: the data set's test part; data\n"
		"                       without one holds out --holdout of its images)\n"
		"  --holdout F          fraction held out as test set (default 0.1)\n"
		"  --data-dir DIR       where mnist and fashion-mnist live (default\n"
		"                       $SHIFTACCEL_DATA or data; `make data` fetches them)\n"
		"\n"
		"Training:\n"
		"  --mode MODE          float: float baseline; q / ps: DeepShift-Q / -PS from\n"
		"                       scratch; convert: float weights (--init, or trained for\n"
		"                       --float-epochs) converted to shifts with no training;\n"
		"                       convert+q / convert+ps: converted, then trained\n"
		"                       (default ps)\n"
		"  --weight-bits B      bits per weight code, 2..5 (default 5)\n"
		"  --epochs N           epochs (of the shift training in convert+ modes; default "
		"4)\n"
		"  --fold-epochs N      q/ps modes, networks with batch norm: the last N of the\n"
		"                       --epochs train with batch norm folded into the weights,\n"
		"                       the exported form (default: a quarter, at least 1, when\n"
		"                       --epochs is 2 or more)\n"
		"  --float-epochs N     convert modes without --init: float epochs before the\n"
		"                       conversion (default: --epochs)\n"
		"  --init FILE          start from a checkpoint (--save-checkpoint), or from a\n"
		"                       float network in ONNX (FILE.onnx, docs/import.md): modes\n"
		"                       float, convert, convert+q, convert+ps (q and ps mean\n"
		"                       convert+q and convert+ps there)\n"
		"  --mean a,b,c         with --init FILE.onnx: the network's input normalisation\n"
		"  --std a,b,c          per channel, (pixel/255 - mean)/std, stored in the model\n"
		"                       (default: the training images' pixel statistics)\n"
		"  --save-checkpoint FILE  write the parameters after training (a float run's\n"
		"                       checkpoint is the --init of a later conversion)\n"
		"  --optimizer O        sgd (momentum), adam (default), rmsprop\n"
		"  --lr LR              learning rate (default: adam/rmsprop 0.001, sgd 0.01;\n"
		"                       ps 10x that, convert+ps 3x)\n"
		"  --momentum M         sgd and rmsprop momentum (default 0.9 for sgd, 0 rmsprop)\n"
		"  --weight-decay W     L2 weight decay of float/Q weights (default 0)\n"
		"  --schedule S         constant (default), step, cosine\n"
		"  --step-epochs N      step schedule: multiply the rate by --gamma every N\n"
		"                       epochs (default 10)\n"
		"  --gamma G            step schedule factor (default 0.1)\n"
		"  --batch-size N       images per step (default 64)\n"
		"  --augment N          move each training image by a random offset of up to N\n"
		"                       pixels (default 0: off)\n"
		"  --limit N            train on the first N (shuffled) images of each epoch\n"
		"  --calibrate N        images for the activation ranges of a conversion without\n"
		"                       training (default 2048)\n"
		"  --threads N          worker threads (default: all cores)\n"
		"  --seed N             random seed; the same seed gives the same model (default "
		"1)\n"
		"\n"
		"Output:\n"
		"  -o, --output FILE    write the integer model (.dsm)\n"
		"  --name NAME          model name stored in the file (default: the model)\n"
		"  --eval-limit N       evaluate the integer model on the first N test images\n"
		"                       only (default: all)\n"
		"  --log FILE.csv       one CSV line per epoch\n"
		"  --plot FILE.png      draw the loss and accuracy curves\n"
		"  --quiet              no progress bar and no epoch lines\n"
		"  --help, --version\n"
		"\n"
		"Each epoch prints its mean training loss, training accuracy, test accuracy of\n"
		"the trainer's own forward pass (for q/ps: the float simulation of the integer\n"
		"model), seconds and images per second.  A quantised run ends with the test\n"
		"accuracy of the exported integer model, measured through sa_session on the\n"
		"CPU; that figure is stored in the model's metadata and is what\n"
		"shiftaccel-eval reports.\n"
		"\n"
		"Exit status: 0 success, 1 usage error, 2 bad data, model or checkpoint file,\n"
		"4 internal error (out of memory, training diverged).\n");
}

/* --init names an ONNX model rather than a checkpoint (by its file name). */
static int is_onnx_path(const char *path)
{
	size_t n = path ? strlen(path) : 0;

	return n > 5 && strcasecmp(path + n - 5, ".onnx") == 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum {
		OPT_MODEL = 256,
		OPT_DATA,
		OPT_TEST_DATA,
		OPT_HOLDOUT,
		OPT_DATA_DIR,
		OPT_MODE,
		OPT_BITS,
		OPT_EPOCHS,
		OPT_FLOAT_EPOCHS,
		OPT_INIT,
		OPT_SAVE,
		OPT_OPTIMIZER,
		OPT_LR,
		OPT_MOMENTUM,
		OPT_WD,
		OPT_SCHEDULE,
		OPT_STEP,
		OPT_GAMMA,
		OPT_BATCH,
		OPT_LIMIT,
		OPT_CALIBRATE,
		OPT_THREADS,
		OPT_SEED,
		OPT_NAME,
		OPT_EVAL_LIMIT,
		OPT_LOG,
		OPT_PLOT,
		OPT_QUIET,
		OPT_AUGMENT,
		OPT_FOLD,
		OPT_MEAN,
		OPT_STD,
		OPT_VERSION,
	};
	static const struct option longopts[] = {
		{"model", required_argument, NULL, OPT_MODEL},
		{"data", required_argument, NULL, OPT_DATA},
		{"test-data", required_argument, NULL, OPT_TEST_DATA},
		{"holdout", required_argument, NULL, OPT_HOLDOUT},
		{"data-dir", required_argument, NULL, OPT_DATA_DIR},
		{"mode", required_argument, NULL, OPT_MODE},
		{"weight-bits", required_argument, NULL, OPT_BITS},
		{"epochs", required_argument, NULL, OPT_EPOCHS},
		{"float-epochs", required_argument, NULL, OPT_FLOAT_EPOCHS},
		{"init", required_argument, NULL, OPT_INIT},
		{"save-checkpoint", required_argument, NULL, OPT_SAVE},
		{"optimizer", required_argument, NULL, OPT_OPTIMIZER},
		{"lr", required_argument, NULL, OPT_LR},
		{"momentum", required_argument, NULL, OPT_MOMENTUM},
		{"weight-decay", required_argument, NULL, OPT_WD},
		{"schedule", required_argument, NULL, OPT_SCHEDULE},
		{"step-epochs", required_argument, NULL, OPT_STEP},
		{"gamma", required_argument, NULL, OPT_GAMMA},
		{"batch-size", required_argument, NULL, OPT_BATCH},
		{"augment", required_argument, NULL, OPT_AUGMENT},
		{"fold-epochs", required_argument, NULL, OPT_FOLD},
		{"mean", required_argument, NULL, OPT_MEAN},
		{"std", required_argument, NULL, OPT_STD},
		{"limit", required_argument, NULL, OPT_LIMIT},
		{"calibrate", required_argument, NULL, OPT_CALIBRATE},
		{"threads", required_argument, NULL, OPT_THREADS},
		{"seed", required_argument, NULL, OPT_SEED},
		{"output", required_argument, NULL, 'o'},
		{"name", required_argument, NULL, OPT_NAME},
		{"eval-limit", required_argument, NULL, OPT_EVAL_LIMIT},
		{"log", required_argument, NULL, OPT_LOG},
		{"plot", required_argument, NULL, OPT_PLOT},
		{"quiet", no_argument, NULL, OPT_QUIET},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->model = "simple-cnn";
	o->data = "mnist";
	o->mode = SA_MODE_PS;
	o->bits = 5;
	o->epochs = 4;
	o->batch = 64;
	o->seed = 1;
	o->calibrate = 2048;
	o->holdout = 0.1;
	o->optimizer = SA_OPT_ADAM;
	o->schedule = SA_SCHEDULE_CONSTANT;
	o->step_epochs = 10;
	o->gamma = 0.1;
	o->momentum = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		int bad = 0;

		switch (c) {
		case OPT_MODEL: o->model = optarg; break;
		case OPT_DATA: o->data = optarg; break;
		case OPT_TEST_DATA: o->test_data = optarg; break;
		case OPT_HOLDOUT: bad = cli_parse_double(optarg, 0.001, 0.9, &o->holdout); break;
		case OPT_DATA_DIR: o->data_dir = optarg; break;
		case OPT_MODE:
			if (sa_train_mode_parse(optarg, &o->mode)) {
				cli_error("--%s", sa_last_error());
				return -1;
			}
			break;
		case OPT_BITS: bad = cli_parse_uint(optarg, 2, 5, &o->bits); break;
		case OPT_EPOCHS:
			if (cli_parse_uint(optarg, 1, 100000, &o->epochs) != 0) {
				cli_error("--epochs: '%s' is not a whole number from 1 to 100000",
					  optarg);
				return -1;
			}
			break;
		case OPT_FLOAT_EPOCHS:
			bad = cli_parse_uint(optarg, 0, 100000, &o->float_epochs);
			o->float_epochs_set = 1;
			break;
		case OPT_INIT: o->init = optarg; break;
		case OPT_SAVE: o->save = optarg; break;
		case OPT_OPTIMIZER:
			o->optimizer_set = 1;
			if (!strcmp(optarg, "sgd"))
				o->optimizer = SA_OPT_SGD;
			else if (!strcmp(optarg, "adam"))
				o->optimizer = SA_OPT_ADAM;
			else if (!strcmp(optarg, "rmsprop"))
				o->optimizer = SA_OPT_RMSPROP;
			else
				bad = 1;
			break;
		case OPT_LR:
			bad = cli_parse_double(optarg, 1e-9, 100, &o->lr);
			o->lr_set = 1;
			break;
		case OPT_MOMENTUM: bad = cli_parse_double(optarg, 0, 0.9999, &o->momentum); break;
		case OPT_WD: bad = cli_parse_double(optarg, 0, 1, &o->weight_decay); break;
		case OPT_SCHEDULE:
			if (!strcmp(optarg, "constant"))
				o->schedule = SA_SCHEDULE_CONSTANT;
			else if (!strcmp(optarg, "step"))
				o->schedule = SA_SCHEDULE_STEP;
			else if (!strcmp(optarg, "cosine"))
				o->schedule = SA_SCHEDULE_COSINE;
			else
				bad = 1;
			break;
		case OPT_STEP: bad = cli_parse_uint(optarg, 1, 100000, &o->step_epochs); break;
		case OPT_GAMMA: bad = cli_parse_double(optarg, 1e-6, 1, &o->gamma); break;
		case OPT_BATCH: bad = cli_parse_uint(optarg, 1, 65536, &o->batch); break;
		case OPT_AUGMENT: bad = cli_parse_uint(optarg, 0, 8, &o->augment); break;
		case OPT_FOLD:
			bad = cli_parse_uint(optarg, 0, 100000, &o->fold_epochs);
			o->fold_epochs_set = 1;
			break;
		case OPT_MEAN:
			bad = (o->n_mean = cli_parse_floats(optarg, o->mean,
							    SA_MAX_INPUT_CHANNELS)) < 0;
			break;
		case OPT_STD:
			bad = (o->n_std = cli_parse_floats(optarg, o->std, SA_MAX_INPUT_CHANNELS)) <
			      0;
			for (int i = 0; i < o->n_std; i++)
				bad |= !(o->std[i] > 0.0f);
			break;
		case OPT_LIMIT: bad = cli_parse_uint(optarg, 1, UINT32_MAX, &o->limit); break;
		case OPT_CALIBRATE:
			bad = cli_parse_uint(optarg, 1, UINT32_MAX, &o->calibrate);
			break;
		case OPT_THREADS: bad = cli_parse_uint(optarg, 1, 1024, &o->threads); break;
		case OPT_SEED: bad = cli_parse_uint(optarg, 0, UINT64_MAX, &o->seed); break;
		case 'o': o->output = optarg; break;
		case OPT_NAME: o->name = optarg; break;
		case OPT_EVAL_LIMIT:
			bad = cli_parse_uint(optarg, 1, UINT32_MAX, &o->eval_limit);
			break;
		case OPT_LOG: o->log = optarg; break;
		case OPT_PLOT: o->plot = optarg; break;
		case OPT_QUIET: o->quiet = 1; break;
		case 'h': usage(stdout); return 1;
		case OPT_VERSION: cli_print_version(); return 1;
		default: return cli_option_error(c, argv);
		}
		if (bad)
			return cli_bad_value(argv);
	}
	if (optind < argc) {
		cli_error("unexpected argument '%s' (see --help)", argv[optind]);
		return -1;
	}
	if (o->mode == SA_MODE_FLOAT && o->output) {
		cli_error("-o: a float network has no integer form; use --mode convert, "
			  "convert+q or convert+ps (and --save-checkpoint to keep float weights)");
		return -1;
	}
	if (o->n_mean != o->n_std) {
		cli_error("--mean and --std go together, with one value per channel each");
		return -1;
	}
	if (o->n_mean && !is_onnx_path(o->init)) {
		cli_error(
			"--mean/--std: only with --init FILE.onnx (a network trained with its own "
			"normalisation); otherwise the training images' statistics are used");
		return -1;
	}
	if (o->init && o->float_epochs_set) {
		cli_error("--float-epochs and --init exclude each other");
		return -1;
	}
	if (!o->float_epochs_set)
		o->float_epochs = o->epochs;
	/* Every output is checked now, not after hours of training. */
	const char *outputs[] = {o->output, o->save, o->log, o->plot};

	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++) {
		if (outputs[i] && sa_output_check_path(outputs[i]) != SA_OK) {
			cli_error("%s", sa_last_error());
			return -1;
		}
	}
	if (o->fold_epochs_set && o->fold_epochs > o->epochs) {
		cli_error("--fold-epochs %llu: more than --epochs %llu (the folded epochs are the "
			  "last of them)",
			  (unsigned long long)o->fold_epochs, (unsigned long long)o->epochs);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ reporting */

struct run {
	struct options *o;
	char *log; /* the CSV so far, rewritten whole after each epoch */
	size_t log_len;
	int tty;
	double last_bar;
	struct sa_curve_point *points;
	uint32_t npoints, cap;
	int epochs_of; /* the epoch lines read "epoch e/epochs_of" */
	int stopped;   /* a log line could not be written (reported) */
};

static void progress(void *ctx, uint32_t done, uint32_t total, double loss)
{
	struct run *r = ctx;
	double t = cli_now_ms();
	const int width = 30;

	if (done < total && t - r->last_bar < 100)
		return;
	r->last_bar = t;
	int fill = (int)((uint64_t)done * width / total);

	printf("\r  [%.*s%s%*s] %3u%%  %u/%u  loss %.4f", fill,
	       "==============================", fill < width ? ">" : "",
	       width - fill - (fill < width), "", (unsigned)((uint64_t)done * 100 / total), done,
	       total, loss);
	fflush(stdout);
}

/*
 * Appends a line to the CSV log and writes the whole log again through
 * sa_output, so after a kill or a full disk the file holds every line of
 * the last epoch that completed, never a torn line.  Returns -1 (reported).
 */
static int log_append(struct run *r, const char *line)
{
	size_t n = strlen(line);
	char *p = realloc(r->log, r->log_len + n + 1);

	if (!p) {
		cli_error("out of memory");
		return -1;
	}
	memcpy(p + r->log_len, line, n + 1);
	r->log = p;
	r->log_len += n;
	if (sa_output_write_file(r->o->log, r->log, r->log_len) != SA_OK) {
		cli_error("%s", sa_last_error());
		return -1;
	}
	return 0;
}

static int record(struct run *r, const char *phase, const struct sa_epoch_stats *s, double test)
{
	struct options *o = r->o;

	if (r->tty && !o->quiet)
		printf("\r\033[K");
	if (!o->quiet) {
		printf("%-6s epoch %2d/%-2d  loss %.4f  train %6.2f%%  test %6.2f%%  %6.1f s  "
		       "%6.0f "
		       "img/s\n",
		       phase, s->epoch, r->epochs_of, s->loss, s->train_accuracy, test, s->seconds,
		       s->images_per_second);
		fflush(stdout);
	}
	if (o->log) {
		char line[256];

		snprintf(line, sizeof(line), "%s,%d,%.6f,%.4f,%.4f,%.3f,%.1f,%.6g\n", phase,
			 s->epoch, s->loss, s->train_accuracy, test, s->seconds,
			 s->images_per_second, s->lr);
		if (log_append(r, line) != 0)
			return -1;
	}
	if (r->npoints == r->cap) {
		uint32_t cap = r->cap ? 2 * r->cap : 16;
		void *p = realloc(r->points, cap * sizeof(*r->points));

		if (!p) {
			cli_error("out of memory");
			return -1;
		}
		r->points = p;
		r->cap = cap;
	}
	r->points[r->npoints].loss = s->loss;
	r->points[r->npoints].train_accuracy = s->train_accuracy;
	r->points[r->npoints].test_accuracy = test;
	r->npoints++;
	return 0;
}

/* A file the user gave (architecture, checkpoint) is unusable: exit 2 unless out of memory. */
static int fail_input(sa_status st, const char *what)
{
	cli_error("%s: %s", what, sa_last_error());
	return st == SA_ERR_NO_MEMORY ? CLI_EXIT_INTERNAL : CLI_EXIT_INPUT;
}

/* Prints what the plan does as it runs (sa_train_plan_run's callback). */
static int on_event(void *ctx, const struct sa_train_event *ev)
{
	struct run *r = ctx;
	const struct options *o = r->o;

	switch (ev->kind) {
	case SA_TRAIN_BATCH:
		if (r->tty && !o->quiet)
			progress(r, ev->done, ev->total, ev->loss);
		return 0;
	case SA_TRAIN_EPOCH:
		r->epochs_of = (int)ev->epochs_of;
		if (record(r, ev->phase, ev->stats, ev->test_accuracy))
			r->stopped = 1;
		return r->stopped;
	case SA_TRAIN_INIT:
		if (!o->quiet)
			printf("float weights from %s: test accuracy %.2f%%\n", o->init,
			       ev->test_accuracy);
		return 0;
	case SA_TRAIN_CONVERTED:
		if (!o->quiet)
			printf("converted to %u-bit shifts (equation 12), activations calibrated "
			       "on %u images: test accuracy %.2f%%\n",
			       (unsigned)o->bits, (unsigned)o->calibrate, ev->test_accuracy);
		return 0;
	case SA_TRAIN_FOLDED:
		if (!o->quiet)
			printf("batch norm folded into the weights for the last %u epoch%s\n",
			       (unsigned)ev->epochs_of, ev->epochs_of == 1 ? "" : "s");
		return 0;
	}
	return 0;
}

/* Architecture files are short text; anything longer is not one. */
#define ARCH_FILE_MAX_BYTES (1 << 20)

/*
 * Reads the architecture file into *text (malloc()ed, NUL-terminated).
 * Only a regular file is read: opened non-blocking and checked with fstat,
 * so a FIFO named as the model cannot hang the trainer.  Returns NULL, or
 * why it cannot be read.
 */
static const char *read_arch_file(const char *path, char **text)
{
	struct stat sb;
	const char *why = NULL;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return strerror(errno);
	if (fstat(fd, &sb) != 0)
		why = strerror(errno);
	else if (!S_ISREG(sb.st_mode))
		why = "not a regular file";
	else if (sb.st_size >= ARCH_FILE_MAX_BYTES)
		why = "larger than 1 MiB, not an architecture file";
	else if (!(buf = malloc((size_t)sb.st_size + 1)))
		why = "out of memory";
	else if (read(fd, buf, (size_t)sb.st_size) != (ssize_t)sb.st_size)
		why = "read error";
	close(fd);
	if (why) {
		free(buf);
		return why;
	}
	buf[sb.st_size] = '\0';
	*text = buf;
	return NULL;
}

/*
 * A test set of another image size than the training set is resized to it
 * (the model's input), as shiftaccel-eval resizes; other channels are
 * refused before any training.
 */
static int match_test_shape(const struct options *o, const sa_dataset *train, sa_dataset **test)
{
	struct sa_dataset_info a, b;
	sa_dataset *resized;
	sa_status st;

	sa_dataset_get_info(train, &a);
	sa_dataset_get_info(*test, &b);
	if (a.height == b.height && a.width == b.width && a.channels == b.channels)
		return 0;
	if (a.channels != b.channels) {
		cli_error("%s: %u-channel images, but the training images have %u",
			  o->test_data ? o->test_data : o->data, b.channels, a.channels);
		return CLI_EXIT_INPUT;
	}
	st = sa_dataset_resize(*test, a.height, a.width, &resized);
	if (st)
		return cli_fail(st, o->test_data ? o->test_data : o->data);
	if (!o->quiet)
		printf("test images are %ux%u: resized to the training images' %ux%u\n", b.width,
		       b.height, a.width, a.height);
	sa_dataset_close(*test);
	*test = resized;
	return 0;
}

/* Opens the test set: the given spec, the data's own test split, or a held-out part. */
static int open_data(struct options *o, sa_dataset **train, sa_dataset **test)
{
	struct sa_dataset_info info;
	sa_dataset *all = NULL;
	sa_status st = sa_dataset_open(o->data, SA_SPLIT_TRAIN, o->data_dir, &all);

	if (st)
		return cli_fail(st, o->data);
	sa_dataset_get_info(all, &info);
	if (o->test_data) {
		*train = all;
		st = sa_dataset_open(o->test_data, SA_SPLIT_TEST, o->data_dir, test);
		return st ? cli_fail(st, o->test_data) : 0;
	}
	if (info.has_split) {
		*train = all;
		st = sa_dataset_open(o->data, SA_SPLIT_TEST, o->data_dir, test);
		return st ? cli_fail(st, o->data) : 0;
	}
	/* No test part: hold out a share of the images, chosen by the seed. */
	st = sa_dataset_holdout(all, o->holdout, o->seed, train, test);
	sa_dataset_close(all);
	if (st)
		return cli_fail(st, o->data);
	o->held_out = 1;
	if (!o->quiet) {
		struct sa_dataset_info held;

		sa_dataset_get_info(*test, &held);
		printf("%s has no test part: holding out %u of %u images as the test set\n",
		       o->data, held.count, info.count);
	}
	return 0;
}

/* Exports, measures the integer model on the test set and writes it with that accuracy. */
static int export_and_measure(const struct options *o, const struct sa_train_plan *plan,
			      sa_trainer *t, const sa_dataset *train, const sa_dataset *test,
			      const char *recipe, const char *arch_text)
{
	struct sa_train_export x = {.name = o->name ? o->name : o->model,
				    .dataset = o->data,
				    .architecture = arch_text,
				    .eval_limit = (uint32_t)o->eval_limit,
				    .threads = (int)o->threads};
	void *data = NULL;
	size_t size = 0;
	sa_status st = sa_train_plan_export(plan, t, train, test, recipe, &x, &data, &size);

	if (st)
		return cli_fail(st, "export");
	printf("integer model: test accuracy %.2f%% (%u/%u, sa_session on the CPU, %.1f s)\n",
	       x.accuracy, x.correct, x.total, x.seconds);
	if (o->output && (st = sa_output_write_file(o->output, data, size)) == SA_OK)
		printf("wrote %s (%zu bytes)\n", o->output, size);
	free(data);
	return st ? cli_fail(st, NULL) : 0;
}

/* The library's plan options from the command line. */
static void plan_options(const struct options *o, struct sa_train_plan_options *p)
{
	memset(p, 0, sizeof(*p));
	p->mode = o->mode;
	p->init = o->init;
	p->init_is_onnx = is_onnx_path(o->init);
	p->weight_bits = (int)o->bits;
	p->optimizer = o->optimizer;
	p->seed = o->seed;
	p->epochs = (uint32_t)o->epochs;
	p->float_epochs = (uint32_t)o->float_epochs;
	p->fold_epochs = o->fold_epochs_set ? (int)o->fold_epochs : -1;
	p->lr = o->lr_set ? o->lr : 0;
	p->momentum = o->momentum;
	p->calibrate = (uint32_t)o->calibrate;
	p->limit = (uint32_t)o->limit;
	p->holdout = o->held_out ? o->holdout : 0;
}

/* The architecture text of --model (built in or a file) into *arch; 0 or an exit code. */
static int model_arch(const struct options *o, const struct sa_dataset_info *info, char **arch)
{
	sa_status st;

	if (strchr(o->model, '/') || strstr(o->model, ".arch")) {
		const char *why = read_arch_file(o->model, arch);

		if (why) {
			cli_error("%s: cannot read the architecture file: %s", o->model, why);
			return CLI_EXIT_INPUT;
		}
	} else if ((st = sa_train_builtin_arch(o->model, info->channels, info->height, info->width,
					       arch))) {
		cli_error("--model: %s", sa_last_error());
		return st == SA_ERR_NO_MEMORY ? CLI_EXIT_INTERNAL : CLI_EXIT_USAGE;
	}
	return 0;
}

/* Creates the trainer: from the ONNX file of --init, or from --model (and a checkpoint). */
static int make_trainer(struct options *o, const struct sa_train_plan *plan,
			const sa_dataset *train, sa_onnx_import **imp, char **arch, sa_trainer **t)
{
	struct sa_train_config cfg;
	struct sa_dataset_info info;
	sa_status st;
	int rc;

	sa_dataset_get_info(train, &info);
	if (plan->o.init_is_onnx) {
		st = sa_onnx_import_open(o->init, info.channels, info.height, info.width, imp);
		if (st) {
			/* The importer's message names the file, the node and the op. */
			cli_error("%s", sa_last_error());
			return st == SA_ERR_NO_MEMORY ? CLI_EXIT_INTERNAL : CLI_EXIT_INPUT;
		}
		o->model = o->init;
	} else if ((rc = model_arch(o, &info, arch))) {
		return rc;
	}
	if (o->n_mean && (uint32_t)o->n_mean != info.channels) {
		cli_error("--mean/--std have %d values but the images have %u channels", o->n_mean,
			  info.channels);
		return CLI_EXIT_USAGE;
	}
	sa_train_config_defaults(&cfg);
	sa_train_plan_config(plan, &cfg);
	cfg.arch_text = *imp ? sa_onnx_import_arch(*imp) : *arch;
	cfg.arch_name = o->model;
	cfg.weight_decay = (float)o->weight_decay;
	cfg.schedule = o->schedule;
	cfg.step_epochs = (int)o->step_epochs;
	cfg.gamma = (float)o->gamma;
	cfg.batch_size = (int)o->batch;
	cfg.augment_shift = (int)o->augment;
	cfg.threads = (int)o->threads;
	st = *imp ? sa_trainer_create_from_onnx(*imp, &cfg, train, t)
		  : sa_trainer_create(&cfg, train, t);
	if (st)
		return fail_input(st, o->model);
	if (o->init && !*imp && (st = sa_trainer_load_checkpoint(*t, o->init)))
		return fail_input(st, o->init);
	if (o->n_mean && (st = sa_trainer_set_normalisation(*t, o->mean, o->std)))
		return fail_input(st, o->init);
	o->cfg = cfg;
	return 0;
}

static int run(struct options *o)
{
	struct run r = {o, NULL, 0, isatty(STDOUT_FILENO), 0, NULL, 0, 0, 0, 0};
	sa_dataset *train = NULL, *test = NULL;
	sa_trainer *t = NULL;
	struct sa_train_plan_options popt;
	struct sa_train_plan plan;
	struct sa_dataset_info info, tinfo;
	char *arch = NULL, recipe[512];
	int rc = open_data(o, &train, &test);
	sa_status st;
	sa_onnx_import *imp = NULL;

	if (!rc)
		rc = match_test_shape(o, train, &test);
	if (rc)
		goto out;
	plan_options(o, &popt);
	sa_train_plan_make(&popt, &plan);
	if ((rc = make_trainer(o, &plan, train, &imp, &arch, &t)))
		goto out;
	sa_train_plan_bind(&plan, t);
	sa_train_plan_recipe(&plan, &o->cfg, recipe, sizeof(recipe));
	sa_dataset_get_info(train, &info);
	sa_dataset_get_info(test, &tinfo);
	if (!o->quiet)
		printf("training %s (%s, %u-bit weights) on %s: %u train / %u test images, %zu "
		       "parameters, batch %u, %s\n",
		       o->model, sa_train_plan_describe(&plan), (unsigned)o->bits, o->data,
		       info.count, tinfo.count, sa_trainer_param_count(t), (unsigned)o->batch,
		       recipe);
	if (o->log && log_append(&r, "phase,epoch,loss,train_accuracy,test_accuracy,seconds,"
				     "images_per_second,lr\n") != 0) {
		rc = CLI_EXIT_INPUT;
		goto out;
	}
	st = sa_train_plan_run(&plan, t, train, test, on_event, &r);
	if (r.tty && !o->quiet && st && !r.stopped)
		printf("\n");
	if (st) {
		/* a failed log or plot point was reported where it happened */
		rc = r.stopped ? CLI_EXIT_INPUT : cli_fail(st, NULL);
		goto out;
	}
	if (o->save && (st = sa_trainer_save_checkpoint(t, o->save))) {
		rc = cli_fail(st, o->save);
		goto out;
	}
	if (o->save && !o->quiet)
		printf("wrote checkpoint %s\n", o->save);
	if (o->plot && r.npoints > 0) {
		char title[128];

		snprintf(title, sizeof(title), "%s %s on %s", o->model,
			 sa_train_mode_name(plan.o.mode), o->data);
		st = sa_plot_curves(o->plot, r.points, r.npoints, title, 800, 480);
		if (st) {
			rc = cli_fail(st, o->plot);
			goto out;
		}
		if (!o->quiet)
			printf("wrote %s\n", o->plot);
	}
	if (plan.o.mode != SA_MODE_FLOAT)
		rc = export_and_measure(o, &plan, t, train, test, recipe,
					imp ? sa_onnx_import_arch(imp) : arch);
out:
	free(r.log);
	free(r.points);
	sa_trainer_destroy(t);
	sa_onnx_import_close(imp);
	sa_dataset_close(train);
	sa_dataset_close(test);
	free(arch);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o;
	int rc;

	cli_set_program("shiftaccel-train");
	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	return run(&o);
}
