// SPDX-License-Identifier: MIT
/*
 * shiftaccel-convert: an ONNX float network to a DeepShift .dsm model
 * (docs/import.md).  The graph is lowered to a trainer network with the
 * ONNX weights, converted by equation 12 (exact +-2^k weights stay exact),
 * its activation exponents calibrated on images of a data set, and
 * exported.  It reports each layer, the sizes, and how often the integer
 * model's top-1 answer is the float model's on the calibration images.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_util.h"
#include "convert_calib.h"
#include "convert_report.h"
#include "shiftaccel.h"
#include "shiftaccel_train.h"

#define CONVERT_DEFAULT_IMAGES 512
#define CONVERT_MAX_IMAGES 65536
#define CONVERT_MAX_LABEL 256
#define CONVERT_MAX_SIDE 4096

struct options {
	const char *model_path, *out_path, *calib, *data_dir, *labels_path;
	uint64_t images, bits, threads;
	uint32_t in_c, in_h, in_w; /* --input; 0: the calibration images' size */
	float mean[SA_MAX_INPUT_CHANNELS], std[SA_MAX_INPUT_CHANNELS];
	int n_mean, n_std;
	int quiet;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: shiftaccel-convert MODEL.onnx -o MODEL.dsm --calib SPEC [options]\n"
		"\n"
		"Converts a float ONNX network to a DeepShift .dsm model: every weight becomes\n"
		"sign * 2^shift (equation 12 of the DeepShift paper; weights that already are\n"
		"+-2^k stay exact), activations get power-of-two scales calibrated on images\n"
		"of SPEC.  Prints the layers, the sizes before and after, and the top-1\n"
		"agreement of the float and the integer model on the calibration images.\n"
		"docs/import.md lists the ONNX ops it takes.  A file written by\n"
		"shiftaccel-export needs no --calib: it gives back the exported .dsm, byte for\n"
		"byte (its exponents, weights and metadata are in the file).\n"
		"\n"
		"Options:\n"
		"  -o, --output FILE    the .dsm to write (atomically; its directory must exist)\n"
		"  --calib SPEC         calibration images: mnist, fashion-mnist,\n"
		"                       idx:IMAGES,LABELS or pngdir:DIR (training split);\n"
		"                       they must have the model's channels; their size\n"
		"                       is the model's input unless --input is given\n"
		"  --input CxHxW        the model's input size (for a free input size, or to\n"
		"                       override it); calibration images are resized to it\n"
		"  --calib-images N     use N images spread over SPEC (default %d, 1..%d)\n"
		"  --weight-bits B      bits per weight code, 2..5 (default 5)\n"
		"  --mean a,b,c         input normalisation per channel: (pixel/255 - mean)/std,\n"
		"  --std a,b,c          stored in the model (default: SPEC's pixel statistics)\n"
		"  --labels FILE        class names, one per line (stored in the model)\n"
		"  --data-dir DIR       where mnist and fashion-mnist live\n"
		"  --threads N          worker threads (default: all cores)\n"
		"  -q, --quiet          no per-layer table\n"
		"  --help, --version\n"
		"\n"
		"Exit status: 0 success, 1 usage error, 2 bad input (a model the importer\n"
		"cannot take, data that does not fit it, an unwritable output), 4 internal\n"
		"error.\n",
		CONVERT_DEFAULT_IMAGES, CONVERT_MAX_IMAGES);
}

/* "CxHxW": C 1..SA_MAX_INPUT_CHANNELS, H and W 1..CONVERT_MAX_SIDE; 0 or -1. */
static int parse_input(const char *s, struct options *o)
{
	unsigned c, h, w;
	char end;

	if (sscanf(s, "%ux%ux%u%c", &c, &h, &w, &end) != 3 || !c || c > SA_MAX_INPUT_CHANNELS ||
	    !h || h > CONVERT_MAX_SIDE || !w || w > CONVERT_MAX_SIDE || strchr(s, '-') ||
	    strchr(s, '+') || strchr(s, ' '))
		return -1;
	o->in_c = c, o->in_h = h, o->in_w = w;
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum {
		OPT_CALIB = 256,
		OPT_IMAGES,
		OPT_BITS,
		OPT_MEAN,
		OPT_STD,
		OPT_LABELS,
		OPT_DATA_DIR,
		OPT_THREADS,
		OPT_INPUT,
		OPT_HELP,
		OPT_VERSION,
	};
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"calib", required_argument, NULL, OPT_CALIB},
		{"calib-images", required_argument, NULL, OPT_IMAGES},
		{"weight-bits", required_argument, NULL, OPT_BITS},
		{"mean", required_argument, NULL, OPT_MEAN},
		{"std", required_argument, NULL, OPT_STD},
		{"labels", required_argument, NULL, OPT_LABELS},
		{"data-dir", required_argument, NULL, OPT_DATA_DIR},
		{"threads", required_argument, NULL, OPT_THREADS},
		{"input", required_argument, NULL, OPT_INPUT},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, OPT_HELP},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->images = CONVERT_DEFAULT_IMAGES;
	o->bits = 5;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:q", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o->out_path = optarg; break;
		case 'q': o->quiet = 1; break;
		case OPT_CALIB: o->calib = optarg; break;
		case OPT_IMAGES:
			if (cli_parse_uint(optarg, 1, CONVERT_MAX_IMAGES, &o->images))
				return cli_bad_value(argv);
			break;
		case OPT_BITS:
			if (cli_parse_uint(optarg, SA_WEIGHT_BITS_MIN, SA_WEIGHT_BITS_MAX,
					   &o->bits))
				return cli_bad_value(argv);
			break;
		case OPT_MEAN:
			if ((o->n_mean = cli_parse_floats(optarg, o->mean, SA_MAX_INPUT_CHANNELS)) <
			    0)
				return cli_bad_value(argv);
			break;
		case OPT_STD:
			if ((o->n_std = cli_parse_floats(optarg, o->std, SA_MAX_INPUT_CHANNELS)) <
			    0)
				return cli_bad_value(argv);
			for (int i = 0; i < o->n_std; i++)
				if (!(o->std[i] > 0.0f))
					return cli_bad_value(argv);
			break;
		case OPT_LABELS: o->labels_path = optarg; break;
		case OPT_DATA_DIR: o->data_dir = optarg; break;
		case OPT_THREADS:
			if (cli_parse_uint(optarg, 1, 1024, &o->threads))
				return cli_bad_value(argv);
			break;
		case OPT_INPUT:
			if (parse_input(optarg, o))
				return cli_bad_value(argv);
			break;
		case OPT_HELP: usage(stdout); exit(CLI_EXIT_OK);
		case OPT_VERSION: cli_print_version(); exit(CLI_EXIT_OK);
		default: return cli_option_error(c, argv);
		}
	}
	if (optind != argc - 1) {
		cli_error(optind >= argc ? "no ONNX model given (--help for usage)"
					 : "one ONNX model at a time (--help for usage)");
		return -1;
	}
	o->model_path = argv[optind];
	if (!o->threads) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);

		o->threads = cores > 0 ? (uint64_t)cores : 1;
	}
	if (!o->out_path) {
		cli_error("-o FILE is required (--help for usage)");
		return -1;
	}
	return 0;
}

/* --calib is required unless the model is a ShiftAccel export (checked later). */
static int need_calib(const struct options *o)
{
	if (!o->calib) {
		cli_error("%s is required (--help for usage)", "--calib SPEC");
		return -1;
	}
	if (!o->n_mean != !o->n_std || o->n_mean != o->n_std) {
		cli_error("--mean and --std go together, with one value per channel each");
		return -1;
	}
	return 0;
}

/* Class names, one per line; exactly `classes` of them. */
static int read_labels(const char *path, uint32_t classes, char ***out)
{
	FILE *f = fopen(path, "r");
	char line[CONVERT_MAX_LABEL + 2];
	char **names = calloc(classes + 1, sizeof(char *));
	uint32_t n = 0;

	if (!f || !names) {
		cli_error("%s: %s", path, f ? "out of memory" : strerror(errno));
		goto fail;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\r\n");

		if (len == strlen(line) && !feof(f)) {
			cli_error("%s: line %u is longer than %d bytes", path, n + 1,
				  CONVERT_MAX_LABEL);
			goto fail;
		}
		line[len] = '\0';
		if (n == classes) {
			if (!len)
				continue; /* a trailing empty line */
			cli_error("%s: more than the model's %u classes", path, classes);
			goto fail;
		}
		if (!(names[n++] = strdup(line))) {
			cli_error("out of memory");
			goto fail;
		}
	}
	if (n != classes) {
		cli_error("%s: %u labels for the model's %u classes", path, n, classes);
		goto fail;
	}
	fclose(f);
	*out = names;
	return 0;
fail:
	if (f)
		fclose(f);
	for (uint32_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	return -1;
}

/*
 * A failure to import the model: whatever the library calls it (an op it
 * cannot take, a layer the integer kernels refuse), it is the input's fault,
 * unless memory ran out.
 */
static int import_fail(sa_status st)
{
	int rc = cli_fail(st, NULL);

	return st == SA_ERR_NO_MEMORY ? rc : CLI_EXIT_INPUT;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Index of the largest of n values (the first on ties). */
static sa_label argmax(const float *v, uint32_t n)
{
	uint32_t best = 0;

	for (uint32_t i = 1; i < n; i++)
		if (v[i] > v[best])
			best = i;
	return (sa_label)best;
}

struct job {
	struct options o;
	sa_dataset *data;
	sa_onnx_import *imp;
	char **labels;
	struct calib_set calib;
	sa_trainer *t;
	sa_label *float_top1;
	struct convert_figures fig;
	void *dsm;
	size_t dsm_size;
};

static void job_free(struct job *j)
{
	for (uint32_t i = 0; j->labels && j->labels[i]; i++)
		free(j->labels[i]);
	free(j->labels);
	sa_trainer_destroy(j->t);
	calib_set_free(&j->calib);
	sa_onnx_import_close(j->imp);
	sa_dataset_close(j->data);
	free(j->float_top1);
	free(j->dsm);
}

/* The float model's answers on the calibration images (before conversion). */
static int float_answers(struct job *j)
{
	uint32_t n = j->calib.count, k = j->calib.classes;
	float *logits = malloc(sizeof(float) * n * k);
	sa_status st;

	j->float_top1 = malloc(sizeof(*j->float_top1) * n);
	if (!logits || !j->float_top1) {
		free(logits);
		return cli_fail(SA_ERR_NO_MEMORY, NULL);
	}
	st = sa_trainer_logits(j->t, j->calib.images, 0, n, logits);
	for (uint32_t i = 0; !st && i < n; i++) {
		j->float_top1[i] = argmax(logits + (size_t)i * k, k);
		j->fig.float_correct += j->float_top1[i] == sa_dataset_label(j->calib.images, i);
	}
	free(logits);
	return st ? cli_fail(st, "float model") : 0;
}

static int export_model(struct job *j)
{
	char recipe[256], importer[64];

	snprintf(recipe, sizeof(recipe),
		 "converted from ONNX (equation 12), %d-bit weights, activations calibrated on "
		 "%u images of %s",
		 (int)j->o.bits, j->calib.count, j->o.calib);
	snprintf(importer, sizeof(importer), "shiftaccel-convert %d.%d.%d", SA_LIB_VERSION_MAJOR,
		 SA_LIB_VERSION_MINOR, SA_LIB_VERSION_PATCH);
	const char *polarity = NULL, *framing = NULL;
	const char *meta[20] = {
		"name",		base_name(j->o.model_path),
		"source",	base_name(j->o.model_path),
		"importer",	importer,
		"dataset",	j->o.calib,
		"recipe",	recipe,
		"architecture", sa_onnx_import_arch(j->imp),
		"trainer",	importer,
	};
	size_t n = 14;

	/* The look of the calibration data, as the trainer stores its training data's. */
	sa_dataset_input_style(j->calib.images, &polarity, &framing);
	if (polarity) {
		meta[n++] = SA_META_POLARITY, meta[n++] = polarity;
		meta[n++] = SA_META_FRAMING, meta[n++] = framing;
	}
	meta[n] = NULL;
	sa_status st = sa_trainer_export(j->t, meta, &j->dsm, &j->dsm_size);

	return st ? cli_fail(st, "export") : 0;
}

/* The integer model on the CPU against the float answers (and the true labels). */
static int integer_answers(struct job *j)
{
	sa_model *m = NULL;
	sa_dataset *agree = NULL;
	struct sa_eval_result r = {0};
	sa_status st = sa_model_open_memory(j->dsm, j->dsm_size, j->o.out_path, &m);

	if (!st)
		st = calib_set_relabel(&j->calib, j->float_top1, &agree);
	if (!st)
		st = sa_evaluate(m, agree, 0, j->calib.count, SA_DEVICE_CPU, (unsigned)j->o.threads,
				 &r);
	if (!st) {
		j->fig.agree = r.correct;
		sa_eval_result_free(&r);
		if (j->calib.labelled)
			st = sa_evaluate(m, j->calib.images, 0, j->calib.count, SA_DEVICE_CPU,
					 (unsigned)j->o.threads, &r);
	}
	if (!st && j->calib.labelled) {
		j->fig.int_correct = r.correct;
		sa_eval_result_free(&r);
	}
	sa_dataset_close(agree);
	sa_model_close(m);
	return st ? cli_fail(st, "integer model") : 0;
}

/*
 * With --input, the calibration images take the model's input size (the
 * library's bilinear resize, as shiftaccel-run prepares an image).  Their
 * channels must be the model's: a grey set is not replicated into RGB, since
 * grey images would calibrate the colour channels on values unlike the
 * model's data.
 */
static int fit_input(struct job *j, struct sa_dataset_info *info)
{
	sa_dataset *resized;
	sa_status st;

	sa_dataset_get_info(j->data, info);
	if (!j->o.in_c)
		return 0;
	if (info->channels != j->o.in_c) {
		cli_error("--input %ux%ux%u: the calibration images (%s) have %u channel%s, not %u",
			  j->o.in_c, j->o.in_h, j->o.in_w, j->o.calib, info->channels,
			  info->channels == 1 ? "" : "s", j->o.in_c);
		return CLI_EXIT_INPUT;
	}
	if (info->height == j->o.in_h && info->width == j->o.in_w)
		return 0;
	st = sa_dataset_resize(j->data, j->o.in_h, j->o.in_w, &resized);
	if (st)
		return cli_fail(st, "calibration images");
	sa_dataset_close(j->data);
	j->data = resized;
	sa_dataset_get_info(j->data, info);
	return 0;
}

static int convert(struct job *j)
{
	struct sa_dataset_info info;
	struct sa_train_config cfg;
	sa_status st;
	int rc;

	st = sa_dataset_open(j->o.calib, SA_SPLIT_TRAIN, j->o.data_dir, &j->data);
	if (st)
		return cli_fail(st, NULL);
	if ((rc = fit_input(j, &info)))
		return rc;
	if (j->o.n_mean && (uint32_t)j->o.n_mean != info.channels) {
		cli_error("--mean/--std have %d values but the images have %u channels",
			  j->o.n_mean, info.channels);
		return CLI_EXIT_USAGE;
	}
	st = sa_onnx_import_open(j->o.model_path, info.channels, info.height, info.width, &j->imp);
	if (st)
		return import_fail(st);
	uint32_t classes = sa_onnx_import_classes(j->imp);

	if (classes > SA_DATASET_MAX_CLASSES) {
		cli_error("%s: %u classes; the trainer takes at most %d", j->o.model_path, classes,
			  SA_DATASET_MAX_CLASSES);
		return CLI_EXIT_INPUT;
	}
	if (j->o.labels_path && read_labels(j->o.labels_path, classes, &j->labels))
		return CLI_EXIT_INPUT;
	st = calib_set_make(j->data, (uint32_t)j->o.images, classes, (const char *const *)j->labels,
			    &j->calib);
	if (st)
		return cli_fail(st, "calibration images");
	sa_train_config_defaults(&cfg);
	cfg.threads = (int)j->o.threads;
	st = sa_trainer_create_from_onnx(j->imp, &cfg, j->calib.images, &j->t);
	if (st)
		return import_fail(st);
	if (j->o.n_mean && (st = sa_trainer_set_normalisation(j->t, j->o.mean, j->o.std)))
		return cli_fail(st, NULL);
	if ((rc = float_answers(j)))
		return rc;
	st = sa_trainer_convert(j->t, SA_WEIGHTS_Q, (int)j->o.bits);
	if (!st)
		st = sa_trainer_calibrate(j->t, j->calib.images, j->calib.count);
	if (st)
		return cli_fail(st, "conversion");
	if ((rc = export_model(j)) || (rc = integer_answers(j)))
		return rc;
	return 0;
}

/* A ShiftAccel export back to its .dsm; -1 when the file is another ONNX model. */
static int from_export(struct job *j)
{
	int is_export = 0;
	sa_status st = sa_onnx_read_export(j->o.model_path, &is_export, &j->dsm, &j->dsm_size);

	if (!is_export && !st)
		return -1;
	if (st)
		return import_fail(st);
	if (sa_output_write_file(j->o.out_path, j->dsm, j->dsm_size) != SA_OK) {
		cli_error("%s", sa_last_error());
		return CLI_EXIT_INPUT;
	}
	printf("%s is a ShiftAccel export: restored without calibration\nwrote %s\n",
	       j->o.model_path, j->o.out_path);
	return 0;
}

int main(int argc, char **argv)
{
	struct job j = {0};
	struct stat st;
	int rc;

	cli_set_program("shiftaccel-convert");
	if (parse_args(argc, argv, &j.o))
		return CLI_EXIT_USAGE;
	/* Checked before the work, which takes a while. */
	if (sa_output_check_path(j.o.out_path) != SA_OK) {
		cli_error("%s", sa_last_error());
		return CLI_EXIT_INPUT;
	}
	rc = from_export(&j);
	if (rc >= 0) {
		job_free(&j);
		return rc;
	}
	if (need_calib(&j.o))
		return CLI_EXIT_USAGE;
	rc = convert(&j);
	if (!rc) {
		j.fig.calib_images = j.calib.count;
		j.fig.labelled = j.calib.labelled;
		j.fig.onnx_bytes = stat(j.o.model_path, &st) ? 0 : (uint64_t)st.st_size;
		j.fig.params = sa_onnx_import_param_count(j.imp);
		j.fig.dsm_bytes = j.dsm_size;
		convert_report(stdout, j.imp, j.t, &j.fig, j.o.quiet);
		if (sa_output_write_file(j.o.out_path, j.dsm, j.dsm_size) != SA_OK) {
			cli_error("%s", sa_last_error());
			rc = CLI_EXIT_INPUT;
		} else {
			printf("wrote %s\n", j.o.out_path);
		}
	}
	job_free(&j);
	return rc;
}
