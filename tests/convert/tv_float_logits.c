// SPDX-License-Identifier: MIT
/*
 * The float trainer made from an ONNX file against PyTorch's logits, for the
 * Table 3 sweep (tests/convert/test_tv_nets.sh):
 *
 *   tv_float_logits MODEL.onnx PNGDIR LOGITS.f32 SIZE TORCH_ERROR
 *
 * PNGDIR holds the RGB calibration images of SIZExSIZE (make_tv_models.py),
 * LOGITS.f32 PyTorch's logits for them in the order the pngdir reader takes
 * them, normalised with ImageNet's mean and std; TORCH_ERROR how far those
 * are from PyTorch's float64 answer.  Prints the largest relative difference
 * and exits 0 when it is within LOGIT_BOUND (logit_bound.h, as for the small
 * test models) or within 4 x TORCH_ERROR, whichever is larger: two float32
 * computations each that far from the exact answer differ by up to twice it,
 * and a deep network with random weights loses more than LOGIT_BOUND to
 * rounding alone (ResNet-152 about 1e-3).  Exits 1 when not, 2 when the
 * model does not import.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logit_bound.h"
#include "shiftaccel_train.h"

#define CLASSES 1000

static const float mean[3] = {0.485f, 0.456f, 0.406f}, std_[3] = {0.229f, 0.224f, 0.225f};

/* The images of PNGDIR as a set with the model's 1000 classes (labels: 0). */
static sa_dataset *images(const char *dir, uint32_t size)
{
	char spec[4200];
	sa_dataset *png = NULL, *ds = NULL;
	struct sa_dataset_info info;

	snprintf(spec, sizeof(spec), "pngdir:%s", dir);
	if (sa_dataset_open(spec, SA_SPLIT_TRAIN, NULL, &png))
		return NULL;
	sa_dataset_get_info(png, &info);
	size_t image = (size_t)3 * size * size;
	uint8_t *pixels = malloc(image * info.count);
	sa_label *labels = calloc(info.count, sizeof(*labels));

	if (pixels && labels && info.channels == 3 && info.height == size && info.width == size) {
		for (uint32_t i = 0; i < info.count; i++)
			memcpy(pixels + image * i, sa_dataset_image(png, i), image);
		if (sa_dataset_from_memory("calib", info.count, 3, size, size, pixels, labels,
					   CLASSES, NULL, &ds))
			ds = NULL;
	}
	free(pixels);
	free(labels);
	sa_dataset_close(png);
	return ds;
}

static float *read_logits(const char *path, uint32_t n)
{
	FILE *f = fopen(path, "rb");
	float *v = malloc(sizeof(float) * n * CLASSES);
	size_t got = f && v ? fread(v, sizeof(float), (size_t)n * CLASSES, f) : 0;

	if (f)
		fclose(f);
	if (got != (size_t)n * CLASSES) {
		free(v);
		return NULL;
	}
	return v;
}

int main(int argc, char **argv)
{
	struct sa_train_config cfg;
	struct sa_dataset_info info;
	sa_onnx_import *imp = NULL;
	sa_trainer *t = NULL;
	sa_dataset *ds;
	float *torch, *ours;
	double worst;
	sa_status st;
	int rc;

	if (argc != 6) {
		fprintf(stderr,
			"usage: tv_float_logits MODEL.onnx PNGDIR LOGITS.f32 SIZE TORCH_ERROR\n");
		return 2;
	}
	uint32_t size = (uint32_t)atoi(argv[4]);
	double bound = fmax(LOGIT_BOUND, 4.0 * atof(argv[5]));

	if (!(ds = images(argv[2], size))) {
		fprintf(stderr, "%s: not %ux%u RGB images (%s)\n", argv[2], size, size,
			sa_last_error());
		return 2;
	}
	sa_dataset_get_info(ds, &info);
	torch = read_logits(argv[3], info.count);
	ours = malloc(sizeof(float) * info.count * CLASSES);
	sa_train_config_defaults(&cfg);
	cfg.threads = 2;
	st = sa_onnx_import_open(argv[1], 3, size, size, &imp);
	if (!st)
		st = sa_trainer_create_from_onnx(imp, &cfg, ds, &t);
	if (!st)
		st = sa_trainer_set_normalisation(t, mean, std_);
	if (!st && torch && ours)
		st = sa_trainer_logits(t, ds, 0, info.count, ours);
	if (st || !torch || !ours) {
		fprintf(stderr, "%s: %s\n", argv[1], st ? sa_last_error() : "no PyTorch logits");
		rc = 2;
	} else {
		worst = logit_difference(ours, torch, (size_t)info.count * CLASSES);
		printf("float trainer vs PyTorch: largest relative logit difference %.3g (bound "
		       "%g)\n",
		       worst, bound);
		rc = worst <= bound ? 0 : 1;
	}
	sa_trainer_destroy(t);
	sa_onnx_import_close(imp);
	sa_dataset_close(ds);
	free(torch);
	free(ours);
	return rc;
}
