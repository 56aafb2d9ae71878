// SPDX-License-Identifier: MIT
/*
 * shiftaccel-eval: the top-1 accuracy of a .dsm model on a data set, per
 * class and (optionally) as a confusion matrix.  Every image is resized to
 * the model's input by sa_preprocess and run by an sa_session, the integer
 * path of shiftaccel-run, so the figure is the accuracy users get on images
 * like the data set's.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_text.h"
#include "cli_util.h"
#include "shiftaccel.h"
#include "shiftaccel_train.h"

struct options {
	const char *model_path, *data, *data_dir, *image_path;
	uint64_t image_index;
	sa_split split;
	uint64_t first, count, threads;
	const char *device; /* NULL: SHIFTACCEL_DEVICE if set, else cpu */
	int json, confusion;
	int holdout, split_set, data_set; /* --holdout; --split and --data given */
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: shiftaccel-eval MODEL.dsm [options]\n"
		   "       shiftaccel-eval --write-image INDEX FILE.png [--data SPEC] [--split S]\n"
		   "\n"
		   "Runs every image of a data set through MODEL and prints the top-1 accuracy,\n"
		   "overall and per class.  With --write-image it instead writes image INDEX of\n"
		   "the data set as a PNG and prints its label (no model needed).\n"
		   "\n"
		   "Options:\n"
		   "  --data SPEC      mnist (default), fashion-mnist, idx:IMAGES,LABELS or\n"
		   "                   pngdir:DIR\n"
		   "  --split S        test (default) or train\n"
		   "  --holdout        the images shiftaccel-train held out of --data as its test\n"
		   "                   set (data without a test part; the model records the\n"
		   "                   split's fraction and seed; --data defaults to the\n"
		   "                   model's data set)\n"
		   "  --data-dir DIR   where mnist and fashion-mnist live (default\n"
		   "                   $SHIFTACCEL_DATA or data)\n"
		   "  --first N        skip the first N images\n"
		   "  --count N        evaluate N images (default: all after --first)\n"
		   "  --device DEV     cpu (default, or $SHIFTACCEL_DEVICE), cpu-float, auto,\n"
		   "                   accel, accel:N (card N of shiftaccel-info),\n"
		   "                   accel:/dev/accel/accelN or accel:DDDD:BB:DD.F\n"
		   "  --threads N      sessions run in parallel (default: all cores)\n"
		   "  --confusion      also print the confusion matrix (rows: true class)\n"
		   "  --json           print the result as one JSON object\n"
		   "  --write-image INDEX FILE.png  write one image of the data set as a PNG\n"
		   "  --help, --version\n"
		   "\n"
		   "Exit status: 0 success, 1 usage error, 2 bad model or data (missing, corrupt,\n"
		   "or not matching each other), 3 device error, 4 internal error.\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	enum {
		OPT_DATA = 256,
		OPT_SPLIT,
		OPT_DATA_DIR,
		OPT_FIRST,
		OPT_COUNT,
		OPT_DEVICE,
		OPT_THREADS,
		OPT_CONFUSION,
		OPT_JSON,
		OPT_WRITE_IMAGE,
		OPT_HOLDOUT,
		OPT_VERSION,
	};
	static const struct option longopts[] = {
		{"data", required_argument, NULL, OPT_DATA},
		{"split", required_argument, NULL, OPT_SPLIT},
		{"data-dir", required_argument, NULL, OPT_DATA_DIR},
		{"first", required_argument, NULL, OPT_FIRST},
		{"count", required_argument, NULL, OPT_COUNT},
		{"device", required_argument, NULL, OPT_DEVICE},
		{"threads", required_argument, NULL, OPT_THREADS},
		{"confusion", no_argument, NULL, OPT_CONFUSION},
		{"json", no_argument, NULL, OPT_JSON},
		{"write-image", required_argument, NULL, OPT_WRITE_IMAGE},
		{"holdout", no_argument, NULL, OPT_HOLDOUT},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int c;

	memset(o, 0, sizeof(*o));
	o->data = "mnist";
	o->split = SA_SPLIT_TEST;
	o->threads = cores > 0 ? (uint64_t)cores : 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		int bad = 0;

		switch (c) {
		case OPT_DATA:
			o->data = optarg;
			o->data_set = 1;
			break;
		case OPT_HOLDOUT: o->holdout = 1; break;
		case OPT_SPLIT:
			o->split_set = 1;
			if (!strcmp(optarg, "test"))
				o->split = SA_SPLIT_TEST;
			else if (!strcmp(optarg, "train"))
				o->split = SA_SPLIT_TRAIN;
			else
				bad = 1;
			break;
		case OPT_DATA_DIR: o->data_dir = optarg; break;
		case OPT_FIRST: bad = cli_parse_uint(optarg, 0, UINT32_MAX, &o->first); break;
		case OPT_COUNT: bad = cli_parse_uint(optarg, 1, UINT32_MAX, &o->count); break;
		case OPT_DEVICE:
			if (cli_parse_device(optarg, &o->device))
				return -1;
			break;
		case OPT_THREADS: bad = cli_parse_uint(optarg, 1, 1024, &o->threads); break;
		case OPT_CONFUSION: o->confusion = 1; break;
		case OPT_JSON: o->json = 1; break;
		case OPT_WRITE_IMAGE:
			bad = cli_parse_uint(optarg, 0, UINT32_MAX, &o->image_index);
			if (!bad && optind >= argc) {
				cli_error("--write-image needs INDEX and FILE.png (see --help)");
				return -1;
			}
			if (!bad)
				o->image_path = argv[optind++];
			break;
		case 'h': usage(stdout); return 1;
		case OPT_VERSION: cli_print_version(); return 1;
		default: return cli_option_error(c, argv);
		}
		if (bad)
			return cli_bad_value(argv);
	}
	if (!o->device && cli_check_device_env() != 0)
		return -1;
	if (o->holdout && (o->split_set || o->image_path)) {
		cli_error("--holdout chooses the images itself: not with --split or --write-image");
		return -1;
	}
	if (o->image_path) {
		if (optind != argc) {
			cli_error("--write-image takes no model (see --help)");
			return -1;
		}
		return 0;
	}
	if (optind != argc - 1) {
		cli_error(optind >= argc ? "missing MODEL.dsm (see --help)"
					 : "expected one MODEL.dsm argument (see --help)");
		return -1;
	}
	o->model_path = argv[optind];
	return 0;
}

/* "test", "train", or "holdout" (the part of the data the trainer held out). */
/*
 * What to ask the library for: --device, else NULL when SHIFTACCEL_DEVICE is
 * set (the library reads it and names it in its messages), else the CPU,
 * this tool's default.
 */
static const char *device_arg(const struct options *o)
{
	const char *env = getenv(SA_DEVICE_ENV);

	return o->device ? o->device : env && *env ? NULL : "cpu";
}

/* The device for reports. */
static const char *device_name(const struct options *o)
{
	return device_arg(o) ? device_arg(o) : getenv(SA_DEVICE_ENV);
}

static const char *split_name(const struct options *o)
{
	return o->holdout ? "holdout" : o->split == SA_SPLIT_TEST ? "test" : "train";
}

static void print_json(const struct options *o, const sa_model *model, const sa_dataset *ds,
		       const struct sa_eval_result *r, uint32_t first)
{
	const char *recorded = sa_model_meta(model, "accuracy");

	printf("{\"model\":");
	cli_json_string(stdout, o->model_path);
	printf(",\"name\":");
	cli_json_string(stdout, sa_model_meta(model, "name") ? sa_model_meta(model, "name") : "");
	printf(",\"data\":");
	cli_json_string(stdout, o->data);
	printf(",\"split\":\"%s\",\"first\":%u,\"images\":%u,\"correct\":%u,\"accuracy\":%.4f",
	       split_name(o), first, r->total, r->correct, 100.0 * r->correct / r->total);
	printf(",\"device\":\"%s\",\"seconds\":%.3f", device_name(o), r->seconds);
	if (recorded) {
		printf(",\"recorded_accuracy\":");
		cli_json_string(stdout, recorded);
	}
	printf(",\"per_class\":[");
	for (uint32_t c = 0; c < r->num_classes; c++) {
		printf("%s{\"class\":", c ? "," : "");
		cli_json_string(stdout, sa_dataset_class_name(ds, c));
		printf(",\"images\":%u,\"correct\":%u,\"accuracy\":%.4f}", r->class_total[c],
		       r->class_correct[c],
		       r->class_total[c] ? 100.0 * r->class_correct[c] / r->class_total[c] : 0.0);
	}
	printf("]");
	if (o->confusion) {
		printf(",\"confusion\":[");
		for (uint32_t a = 0; a < r->num_classes; a++) {
			printf("%s[", a ? "," : "");
			for (uint32_t b = 0; b < r->num_classes; b++)
				printf("%s%u", b ? "," : "", r->confusion[a * r->num_classes + b]);
			printf("]");
		}
		printf("]");
	}
	printf("}\n");
}

static void print_text(const struct options *o, const sa_model *model, const sa_dataset *ds,
		       const struct sa_eval_result *r, uint32_t first)
{
	/* Names and labels come from files: escaped before they reach a terminal. */
	const char *name = sa_model_meta(model, "name");
	const char *recorded = sa_model_meta(model, "accuracy");
	double acc = 100.0 * r->correct / r->total;
	char safe[512];

	printf("model: %s", cli_escape_text(o->model_path, safe, sizeof(safe)));
	if (name)
		printf(" (%s)", cli_escape_text(name, safe, sizeof(safe)));
	printf("\ndata: %s, %s split, images %u..%u\n",
	       cli_escape_text(o->data, safe, sizeof(safe)), split_name(o), first,
	       first + r->total - 1);
	printf("accuracy: %.2f%% (%u/%u) on %s in %.1f s (%.0f images/s)\n", acc, r->correct,
	       r->total, device_name(o), r->seconds, r->seconds > 0 ? r->total / r->seconds : 0.0);
	if (recorded)
		printf("recorded by the trainer: %s%%\n",
		       cli_escape_text(recorded, safe, sizeof(safe)));
	printf("per class:\n");
	for (uint32_t c = 0; c < r->num_classes; c++)
		printf("  %-12s %7.2f%%  (%u/%u)\n",
		       cli_escape_text(sa_dataset_class_name(ds, c), safe, sizeof(safe)),
		       r->class_total[c] ? 100.0 * r->class_correct[c] / r->class_total[c] : 0.0,
		       r->class_correct[c], r->class_total[c]);
	if (!o->confusion)
		return;
	printf("confusion (rows: true class, columns: predicted):\n      ");
	for (uint32_t b = 0; b < r->num_classes; b++)
		printf(" %5u", b);
	printf("\n");
	for (uint32_t a = 0; a < r->num_classes; a++) {
		printf("  %3u:", a);
		for (uint32_t b = 0; b < r->num_classes; b++)
			printf(" %5u", r->confusion[a * r->num_classes + b]);
		printf("\n");
	}
}

/* --write-image: one image of the data set as a PNG, and its label. */
static int write_image(const struct options *o)
{
	sa_dataset *ds = NULL;
	struct sa_dataset_info info;
	sa_image img;
	sa_status st = sa_dataset_open(o->data, o->split, o->data_dir, &ds);

	if (st)
		return cli_fail(st, NULL);
	sa_dataset_get_info(ds, &info);
	if (o->image_index >= info.count) {
		cli_error("--write-image %llu: %s has %u images",
			  (unsigned long long)o->image_index, o->data, info.count);
		sa_dataset_close(ds);
		return CLI_EXIT_USAGE;
	}
	uint32_t i = (uint32_t)o->image_index;

	st = sa_dataset_get_image(ds, i, &img);
	if (!st) {
		st = sa_image_write_png(o->image_path, &img);
		sa_image_free(&img);
	}
	if (st) {
		int rc = cli_fail(st, NULL);

		sa_dataset_close(ds);
		return rc;
	}
	char safe_path[512], safe_data[512], safe_label[256];

	printf("%s: image %u of %s (%s), label %s\n",
	       cli_escape_text(o->image_path, safe_path, sizeof(safe_path)), i,
	       cli_escape_text(o->data, safe_data, sizeof(safe_data)),
	       o->split == SA_SPLIT_TEST ? "test" : "train",
	       cli_escape_text(sa_dataset_class_name(ds, sa_dataset_label(ds, i)), safe_label,
			       sizeof(safe_label)));
	sa_dataset_close(ds);
	return CLI_EXIT_OK;
}

/*
 * The data to evaluate: the --split of --data, or with --holdout the part of
 * --data the trainer held out, rebuilt from the split the model records.
 */
static sa_status open_data(struct options *o, const sa_model *model, sa_dataset **ds)
{
	const char *rec = sa_model_meta(model, SA_META_HOLDOUT);
	sa_dataset *all = NULL, *train = NULL;
	double fraction;
	uint64_t seed;
	sa_status st;

	if (!o->holdout)
		return sa_dataset_open(o->data, o->split, o->data_dir, ds);
	if (!rec) {
		cli_error("--holdout: %s records no held-out split (it was trained with a test "
			  "set)",
			  o->model_path);
		return SA_ERR_BAD_MODEL;
	}
	if (!o->data_set && sa_model_meta(model, "dataset"))
		o->data = sa_model_meta(model, "dataset");
	st = sa_holdout_parse(rec, &fraction, &seed);
	if (!st)
		st = sa_dataset_open(o->data, SA_SPLIT_TRAIN, o->data_dir, &all);
	if (!st)
		st = sa_dataset_holdout(all, fraction, seed, &train, ds);
	sa_dataset_close(all);
	sa_dataset_close(train);
	if (st)
		cli_error("%s", sa_last_error());
	return st;
}

int main(int argc, char **argv)
{
	struct options o;
	sa_model *model = NULL;
	sa_dataset *ds = NULL;
	struct sa_eval_result r;
	struct sa_dataset_info info;
	sa_status st;
	int rc;

	cli_set_program("shiftaccel-eval");
	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	if (o.image_path)
		return write_image(&o);
	st = sa_model_open(o.model_path, &model);
	if (st)
		return cli_fail(st, NULL);
	st = open_data(&o, model, &ds);
	if (st) {
		rc = o.holdout ? cli_exit_code(st) : cli_fail(st, NULL);
		sa_model_close(model);
		return rc;
	}
	sa_dataset_get_info(ds, &info);
	if (o.first >= info.count) {
		cli_error("--first %llu: %s has %u images", (unsigned long long)o.first, o.data,
			  info.count);
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	uint32_t count = o.count && o.count < info.count - o.first ? (uint32_t)o.count
								   : info.count - (uint32_t)o.first;

	st = sa_evaluate_on(model, ds, (uint32_t)o.first, count, device_arg(&o),
			    (unsigned)o.threads, &r);
	if (st) {
		rc = cli_fail(st, NULL);
		goto out;
	}
	if (o.json)
		print_json(&o, model, ds, &r, (uint32_t)o.first);
	else
		print_text(&o, model, ds, &r, (uint32_t)o.first);
	sa_eval_result_free(&r);
out:
	sa_dataset_close(ds);
	sa_model_close(model);
	return rc;
}
