// SPDX-License-Identifier: MIT
/*
 * shiftaccel-run: classify one PNG image with a .dsm model, on the card or
 * the CPU, and print the top-k classes and the latency.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_text.h"
#include "cli_util.h"
#include "shiftaccel.h"

#define MAX_REPEAT 1000000u
#define MAX_TOPK 1000000u
#define MAX_BATCH 100000u

struct options {
	const char *model_path, *image_path;
	uint64_t topk, repeat, batch;
	const char *device; /* NULL: SHIFTACCEL_DEVICE, else auto */
	int json, convert;
	sa_invert invert;
	sa_fit fit;
};

struct result {
	const char *model_name, *dataset;
	sa_device_kind device;
	struct sa_card_id card_id; /* on the card only */
	size_t k;
	uint32_t *top;
	float *probs;
	double median_ms, min_ms, max_ms, preprocess_ms;
	struct sa_run_timing card; /* the last run's split, on the card only */
	double batch_per_s;	   /* --batch: pipelined inferences per second */
	struct sa_preprocess_report prep;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: shiftaccel-run MODEL.dsm IMAGE.png [options]\n"
		"\n"
		"Classifies IMAGE with MODEL: decodes the PNG, makes it look like the model's\n"
		"training data (polarity, levels and, for digit data, MNIST framing; see\n"
		"docs/preprocessing.md), resizes it to the model's input (bilinear), normalises\n"
		"it with the model's mean/std, runs the network and prints the top-k classes\n"
		"with their probabilities and the median latency.\n"
		"\n"
		"Options:\n"
		"  --topk N        print the N most likely classes (default 5, at most the\n"
		"                  number of classes)\n"
		"  --device DEV    auto (default: $SHIFTACCEL_DEVICE if set, else the card if\n"
		"                  present, else the CPU), cpu, accel (the first usable card;\n"
		"                  an error if there is none), accel:N (card N as\n"
		"                  shiftaccel-info numbers them), accel:/dev/accel/accelN,\n"
		"                  accel:DDDD:BB:DD.F (PCI address), cpu-float (float\n"
		"                  simulation, for comparison)\n"
		"  --repeat N      run N times and report the median latency (default 1)\n"
		"  --batch N       also run the image N times pipelined (several in flight on\n"
		"                  the card), check every result equals the single run, and\n"
		"                  report inferences per second\n"
		"  --json          print the result as one JSON object on stdout\n"
		"  --convert       convert RGB images for gray models (BT.601 luma) and gray\n"
		"                  images for RGB models, instead of refusing them\n"
		"  --invert WHEN   auto (default: when the image's polarity, found from its\n"
		"                  border, is not the training data's), yes, no\n"
		"  --fit HOW       auto (default: frame when the model's data is framed, as\n"
		"                  MNIST is), frame (crop to the ink, scale into 20/28 of the\n"
		"                  input, centre by mass), none (resize the whole image)\n"
		"  --help          print this help\n"
		"  --version       print the version\n"
		"\n"
		"Exit status:\n"
		"  0  success\n"
		"  1  usage error (unknown option, missing or bad argument)\n"
		"  2  bad input file: model or image missing, unreadable, corrupt, not a PNG,\n"
		"     or not matching the model (e.g. wrong channel count)\n"
		"  3  device error: no ShiftAccel card for --device accel, or the card failed\n"
		"  4  internal error (e.g. out of memory)\n");
}

/* Index of `s` in names[0..n), in *index; -1 when it is none of them. */
static int parse_choice(const char *s, const char *const *names, int n, int *index)
{
	for (int i = 0; i < n; i++) {
		if (!strcmp(s, names[i])) {
			*index = i;
			return 0;
		}
	}
	return -1;
}

/* Parses argv into *o; returns -1 with the message printed, 1 when the program should exit 0. */
static int parse_args(int argc, char **argv, struct options *o)
{
	enum {
		OPT_TOPK = 256,
		OPT_DEVICE,
		OPT_REPEAT,
		OPT_JSON,
		OPT_CONVERT,
		OPT_VERSION,
		OPT_BATCH,
		OPT_INVERT,
		OPT_FIT
	};
	static const struct option longopts[] = {
		{"topk", required_argument, NULL, OPT_TOPK},
		{"device", required_argument, NULL, OPT_DEVICE},
		{"repeat", required_argument, NULL, OPT_REPEAT},
		{"batch", required_argument, NULL, OPT_BATCH},
		{"json", no_argument, NULL, OPT_JSON},
		{"convert", no_argument, NULL, OPT_CONVERT},
		{"invert", required_argument, NULL, OPT_INVERT},
		{"fit", required_argument, NULL, OPT_FIT},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	/* Indexed by sa_invert and sa_fit. */
	static const char *const invert_names[] = {"auto", "yes", "no"};
	static const char *const fit_names[] = {"auto", "frame", "none"};
	int c, choice;

	*o = (struct options){.topk = 5, .repeat = 1};
	opterr = 0; /* getopt's own messages would carry argv[0]'s path as the prefix */
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_TOPK:
			if (cli_parse_uint(optarg, 1, MAX_TOPK, &o->topk) != 0) {
				cli_error("--topk: '%s' is not a whole number from 1 to %u", optarg,
					  MAX_TOPK);
				return -1;
			}
			break;
		case OPT_REPEAT:
			if (cli_parse_uint(optarg, 1, MAX_REPEAT, &o->repeat) != 0) {
				cli_error("--repeat: '%s' is not a whole number from 1 to %u",
					  optarg, MAX_REPEAT);
				return -1;
			}
			break;
		case OPT_BATCH:
			if (cli_parse_uint(optarg, 1, MAX_BATCH, &o->batch) != 0) {
				cli_error("--batch: '%s' is not a whole number from 1 to %u",
					  optarg, MAX_BATCH);
				return -1;
			}
			break;
		case OPT_DEVICE:
			if (cli_parse_device(optarg, &o->device) != 0)
				return -1;
			break;
		case OPT_JSON: o->json = 1; break;
		case OPT_CONVERT: o->convert = 1; break;
		case OPT_INVERT:
			if (parse_choice(optarg, invert_names, 3, &choice) != 0) {
				cli_error("--invert: '%s' is not auto, yes or no", optarg);
				return -1;
			}
			o->invert = (sa_invert)choice;
			break;
		case OPT_FIT:
			if (parse_choice(optarg, fit_names, 3, &choice) != 0) {
				cli_error("--fit: '%s' is not auto, frame or none", optarg);
				return -1;
			}
			o->fit = (sa_fit)choice;
			break;
		case 'h': usage(stdout); return 1;
		case OPT_VERSION:
			printf("shiftaccel-run (libshiftaccel) %d.%d.%d\n", SA_LIB_VERSION_MAJOR,
			       SA_LIB_VERSION_MINOR, SA_LIB_VERSION_PATCH);
			return 1;
		default: return cli_option_error(c, argv);
		}
	}
	if (!o->device && cli_check_device_env() != 0)
		return -1;
	if (o->batch && o->device && strcmp(o->device, "cpu-float") == 0) {
		cli_error("--batch runs the integer path; it does not apply to --device cpu-float");
		return -1;
	}
	if (argc - optind != 2) {
		cli_error("expected MODEL.dsm and IMAGE.png, got %d argument%s (see --help)",
			  argc - optind, argc - optind == 1 ? "" : "s");
		return -1;
	}
	o->model_path = argv[optind];
	o->image_path = argv[optind + 1];
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Label of class i: the model's, or the index when the model has none. */
static const char *class_label(const sa_model *model, uint32_t i, char *buf, size_t size)
{
	const char *label = sa_model_label(model, i);

	if (label)
		return label;
	snprintf(buf, size, "%u", i);
	return buf;
}

/* Labels and names come from the model file: escaped before they reach a terminal. */
static void print_text(const struct options *o, const sa_model *model, const struct result *r)
{
	char buf[16], safe[256];
	size_t i, width = 1;

	for (i = 0; i < r->k; i++) {
		size_t len = strlen(cli_escape_text(class_label(model, r->top[i], buf, sizeof(buf)),
						    safe, sizeof(safe)));

		width = len > width ? len : width;
	}
	if (width > 40)
		width = 40;
	printf("model:   %s", cli_escape_text(r->model_name, safe, sizeof(safe)));
	if (r->dataset)
		printf(" (%s)", cli_escape_text(r->dataset, safe, sizeof(safe)));
	printf("\ndevice:  %s\n", cli_device_name(r->device));
	if (r->prep.inverted || r->prep.framed)
		printf("input:   %s%s%s\n",
		       r->prep.inverted ? "inverted to the data's polarity" : "",
		       r->prep.inverted && r->prep.framed ? ", " : "",
		       r->prep.framed ? "ink framed as the data's" : "");
	for (i = 0; i < r->k; i++)
		printf("%2zu. %-*s  %7.2f%%\n", i + 1, (int)width,
		       cli_escape_text(class_label(model, r->top[i], buf, sizeof(buf)), safe,
				       sizeof(safe)),
		       100.0 * r->probs[r->top[i]]);
	printf("latency: %.3f ms median over %llu run%s (preprocess %.3f ms)\n", r->median_ms,
	       (unsigned long long)o->repeat, o->repeat == 1 ? "" : "s", r->preprocess_ms);
	if (o->batch)
		printf("batch:   %llu pipelined, %.1f inferences/s, each equal to the single run\n",
		       (unsigned long long)o->batch, r->batch_per_s);
	if (r->device == SA_DEVICE_ACCEL)
		printf("on card: accel:%u %s %s\n", r->card_id.index, r->card_id.pci_address,
		       r->card_id.node);
	if (r->device == SA_DEVICE_ACCEL)
		printf("card:    host %.3f ms, device %.3f ms, of which waiting asleep %.3f ms "
		       "(last run)\n",
		       r->card.host_ms, r->card.device_ms, r->card.wait_ms);
}

static void print_json_number(double v)
{
	if (isfinite(v))
		printf("%.9g", v);
	else
		printf("null");
}

static void print_json(const struct options *o, const sa_model *model, const struct result *r)
{
	char buf[16];
	size_t i;

	printf("{\"model\": ");
	cli_json_string(stdout, r->model_name);
	printf(", \"dataset\": ");
	if (r->dataset)
		cli_json_string(stdout, r->dataset);
	else
		printf("null");
	printf(", \"model_file\": ");
	cli_json_string(stdout, o->model_path);
	printf(", \"image_file\": ");
	cli_json_string(stdout, o->image_path);
	printf(", \"device\": ");
	cli_json_string(stdout, cli_device_name(r->device));
	printf(", \"topk\": [");
	for (i = 0; i < r->k; i++) {
		printf("%s{\"index\": %u, \"label\": ", i ? ", " : "", r->top[i]);
		cli_json_string(stdout, class_label(model, r->top[i], buf, sizeof(buf)));
		printf(", \"probability\": ");
		print_json_number(r->probs[r->top[i]]);
		printf("}");
	}
	printf("], \"latency_ms\": {\"median\": ");
	print_json_number(r->median_ms);
	printf(", \"min\": ");
	print_json_number(r->min_ms);
	printf(", \"max\": ");
	print_json_number(r->max_ms);
	printf("}, \"preprocess_ms\": ");
	print_json_number(r->preprocess_ms);
	printf(", \"input\": {\"inverted\": %s, \"leveled\": %s, \"framed\": %s}",
	       r->prep.inverted ? "true" : "false", r->prep.leveled ? "true" : "false",
	       r->prep.framed ? "true" : "false");
	printf(", \"repeat\": %llu", (unsigned long long)o->repeat);
	if (o->batch) {
		printf(", \"batch\": {\"size\": %llu, \"inferences_per_second\": ",
		       (unsigned long long)o->batch);
		print_json_number(r->batch_per_s);
		printf("}");
	}
	/* The same figures as the text's card: line, for the last run. */
	if (r->device == SA_DEVICE_ACCEL) {
		printf(", \"card\": {\"index\": %u, \"pci_address\": ", r->card_id.index);
		cli_json_string(stdout, r->card_id.pci_address);
		printf(", \"node\": ");
		cli_json_string(stdout, r->card_id.node);
		printf("}, \"card_ms\": {\"host\": ");
		print_json_number(r->card.host_ms);
		printf(", \"device\": ");
		print_json_number(r->card.device_ms);
		printf(", \"asleep\": ");
		print_json_number(r->card.wait_ms);
		printf("}");
	}
	printf("}\n");
}

/* Runs the session o->repeat times; fills the latencies of *r. */
static sa_status run_timed(sa_session *session, const struct options *o, const float *input,
			   float *logits, struct result *r)
{
	double *ms = malloc(sizeof(*ms) * o->repeat);
	uint64_t i;
	sa_status st = SA_OK;

	if (!ms) {
		cli_error("out of memory for %llu latencies", (unsigned long long)o->repeat);
		return SA_ERR_NO_MEMORY;
	}
	for (i = 0; i < o->repeat && st == SA_OK; i++) {
		double t0 = cli_now_ms();

		st = sa_session_run(session, input, logits);
		ms[i] = cli_now_ms() - t0;
	}
	sa_session_last_timing(session, &r->card);
	if (st == SA_OK) {
		r->median_ms = cli_median(ms, o->repeat);
		r->min_ms = ms[0]; /* sorted by cli_median */
		r->max_ms = ms[o->repeat - 1];
	} else {
		cli_error("%s: inference failed: %s", o->model_path, sa_last_error());
	}
	free(ms);
	return st;
}

/*
 * --batch: the quantised image o->batch times through the pipelined call;
 * every output must equal the single run's.
 */
static sa_status run_batch(sa_session *session, const sa_model *model, const struct options *o,
			   const float *input, struct result *r)
{
	struct sa_model_info info;
	size_t n_in, in_bytes, out_bytes;
	uint8_t *ins = NULL, *outs = NULL, *one = NULL;
	sa_status st = sa_model_get_info(model, &info);
	double t0, elapsed_ms;

	n_in = (size_t)info.input_c * info.input_h * info.input_w;
	in_bytes = n_in * (info.input_dtype == SA_DTYPE_I16 ? 2 : 1);
	out_bytes = (size_t)info.num_outputs * (info.output_dtype == SA_DTYPE_I16 ? 2 : 1);
	ins = malloc(in_bytes * o->batch);
	outs = malloc(out_bytes * o->batch);
	one = malloc(out_bytes);
	if (st == SA_OK && (!ins || !outs || !one)) {
		cli_error("out of memory for a batch of %llu", (unsigned long long)o->batch);
		st = SA_ERR_NO_MEMORY;
	}
	if (st == SA_OK) {
		sa_quantize_input(input, n_in, info.input_dtype, info.input_exp, ins);
		for (uint64_t i = 1; i < o->batch; i++)
			memcpy(ins + i * in_bytes, ins, in_bytes);
		st = sa_session_run_quantized(session, ins, one);
	}
	t0 = cli_now_ms();
	if (st == SA_OK)
		st = sa_session_run_batch_quantized(session, o->batch, ins, outs);
	elapsed_ms = cli_now_ms() - t0;
	r->batch_per_s = elapsed_ms > 0 ? (double)o->batch * 1000.0 / elapsed_ms : 0.0;
	if (st != SA_OK && st != SA_ERR_NO_MEMORY)
		cli_error("%s: batch failed: %s", o->model_path, sa_last_error());
	for (uint64_t i = 0; st == SA_OK && i < o->batch; i++) {
		if (memcmp(one, outs + i * out_bytes, out_bytes) != 0) {
			cli_error("%s: batch element %llu differs from the single run",
				  o->model_path, (unsigned long long)i);
			st = SA_ERR_DEVICE;
		}
	}
	free(ins);
	free(outs);
	free(one);
	return st;
}

/* Everything after argument parsing; returns the exit code. */
static int classify(const struct options *o)
{
	struct sa_model_info info;
	struct result r = {0};
	sa_model *model = NULL;
	sa_session *session = NULL;
	sa_image image = {0};
	float *input = NULL, *logits = NULL;
	sa_status st;
	double t0;

	st = sa_model_open(o->model_path, &model);
	if (st == SA_OK)
		st = sa_model_get_info(model, &info);
	/* The header first: an unsuitable image is refused before it is decoded. */
	if (st == SA_OK)
		st = sa_image_probe_png(o->image_path, &image);
	if (st == SA_OK && sa_preprocess_accepts(model, image.channels, o->convert) != SA_OK) {
		st = SA_ERR_SHAPE;
		cli_error("%s: %s", o->image_path, sa_last_error());
		goto out;
	}
	if (st == SA_OK)
		st = sa_image_load_png(o->image_path, &image);
	if (st != SA_OK) {
		cli_error("%s", sa_last_error());
		goto out;
	}
	input = malloc(sizeof(*input) * info.input_c * info.input_h * info.input_w);
	logits = malloc(sizeof(*logits) * info.num_outputs);
	r.probs = malloc(sizeof(*r.probs) * info.num_outputs);
	r.top = malloc(sizeof(*r.top) * info.num_outputs);
	if (!input || !logits || !r.probs || !r.top) {
		st = SA_ERR_NO_MEMORY;
		cli_error("out of memory");
		goto out;
	}
	t0 = cli_now_ms();
	struct sa_preprocess_options prep = {o->convert, o->invert, o->fit};

	st = sa_preprocess_image(model, &image, &prep, input, &r.prep);
	r.preprocess_ms = cli_now_ms() - t0;
	if (st != SA_OK) {
		cli_error("%s: %s", o->image_path, sa_last_error());
		goto out;
	}

	st = sa_session_create_on(model, o->device, &session);
	if (st != SA_OK) {
		cli_error("%s", sa_last_error());
		goto out;
	}
	r.device = sa_session_device(session);
	if (r.device == SA_DEVICE_ACCEL)
		sa_session_card(session, &r.card_id);
	if (sa_session_fallback_reason(session)[0])
		cli_error("%s; running on the CPU", sa_session_fallback_reason(session));

	st = run_timed(session, o, input, logits, &r);
	if (st == SA_OK && o->batch)
		st = run_batch(session, model, o, input, &r);
	if (st != SA_OK)
		goto out;
	sa_softmax(logits, info.num_outputs, r.probs);
	r.k = o->topk < info.num_outputs ? (size_t)o->topk : info.num_outputs;
	sa_topk(r.probs, info.num_outputs, r.k, r.top);
	r.model_name = sa_model_meta(model, "name");
	if (!r.model_name)
		r.model_name = base_name(o->model_path);
	r.dataset = sa_model_meta(model, "dataset");
	if (o->json)
		print_json(o, model, &r);
	else
		print_text(o, model, &r);
	if (fflush(stdout) != 0) {
		cli_error("cannot write the result to stdout");
		st = SA_ERR_IO;
	}
out:
	sa_session_destroy(session);
	sa_image_free(&image);
	sa_model_close(model);
	free(input);
	free(logits);
	free(r.probs);
	free(r.top);
	return cli_exit_code(st);
}

int main(int argc, char **argv)
{
	struct options o;
	int r;

	cli_set_program("shiftaccel-run");
	r = parse_args(argc, argv, &o);
	if (r != 0)
		return r > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	return classify(&o);
}
