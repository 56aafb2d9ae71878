// SPDX-License-Identifier: MIT
/*
 * people_accuracy MODEL.dsm MNIST_DIR COUNT MIN_PERCENT [OUT_DIR]
 *
 * Writes the first COUNT digits of MNIST's test set as each kind of image
 * people make (people_images.c), classifies every file the way
 * shiftaccel-run does (sa_image_load_png, sa_preprocess_image with the
 * defaults --invert auto --fit auto, --convert), and checks each kind's
 * top-1 accuracy reaches MIN_PERCENT.  The oracle is MNIST's own label.
 * Also prints the accuracy of plain sa_preprocess (a whole-frame resize,
 * no adjustment: what shiftaccel-run did before) for comparison.  Ends with "N passed, N failed".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "people_images.h"
#include "shiftaccel.h"

/* MNIST's idx files, read here without the library's reader. */
static uint8_t *read_idx(const char *path, size_t header, size_t bytes)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(bytes);

	if (!f || !buf || fseek(f, (long)header, SEEK_SET) != 0 ||
	    fread(buf, 1, bytes, f) != bytes) {
		fprintf(stderr, "people_accuracy: cannot read %s: %s\n", path, strerror(errno));
		free(buf);
		buf = NULL;
	}
	if (f)
		fclose(f);
	return buf;
}

/* Top-1 class; options NULL is plain sa_preprocess, what shiftaccel-run did before. */
static int classify(sa_session *s, const sa_model *m, const sa_image *img,
		    const struct sa_preprocess_options *o, float *input, float *out, uint32_t n)
{
	uint32_t best;
	sa_status st =
		o ? sa_preprocess_image(m, img, o, input, NULL) : sa_preprocess(m, img, 1, input);

	if (st != SA_OK || sa_session_run(s, input, out) != SA_OK) {
		fprintf(stderr, "  classify: %s\n", sa_last_error());
		return -1;
	}
	sa_topk(out, n, 1, &best);
	return (int)best;
}

int main(int argc, char **argv)
{
	const struct sa_preprocess_options tuned = {1, SA_INVERT_AUTO, SA_FIT_AUTO};
	char path[4096], images_path[4096], labels_path[4096];
	struct sa_model_info info;
	sa_model *model = NULL;
	sa_session *session = NULL;
	int pass = 0, fail = 0;

	if (argc < 5) {
		fprintf(stderr, "usage: people_accuracy MODEL.dsm MNIST_DIR COUNT MIN_PERCENT "
				"[OUT_DIR]\n");
		return 2;
	}
	uint32_t count = (uint32_t)atoi(argv[3]);
	double min_percent = atof(argv[4]);
	const char *out_dir = argc > 5 ? argv[5] : "/tmp";

	snprintf(images_path, sizeof(images_path), "%s/t10k-images-idx3-ubyte", argv[2]);
	snprintf(labels_path, sizeof(labels_path), "%s/t10k-labels-idx1-ubyte", argv[2]);
	uint8_t *digits = read_idx(images_path, 16, (size_t)count * 784);
	uint8_t *labels = read_idx(labels_path, 8, count);

	if (!digits || !labels || sa_model_open(argv[1], &model) != SA_OK ||
	    sa_model_get_info(model, &info) != SA_OK ||
	    sa_session_create(model, SA_DEVICE_CPU, &session) != SA_OK) {
		fprintf(stderr, "people_accuracy: setup failed: %s\n", sa_last_error());
		printf("0 passed, 1 failed\n");
		return 1;
	}
	float *input = malloc(sizeof(float) * info.input_c * info.input_h * info.input_w);
	float *out = malloc(sizeof(float) * info.num_outputs);

	for (int k = 0; k < PEOPLE_KINDS; k++) {
		uint32_t right = 0, right_plain = 0, errors = 0;

		for (uint32_t i = 0; i < count; i++) {
			sa_image img;

			snprintf(path, sizeof(path), "%s/people-%d-%u.png", out_dir, k, i);
			if (people_write(path, (enum people_kind)k, digits + (size_t)i * 784, i) !=
				    0 ||
			    sa_image_load_png(path, &img) != SA_OK) {
				fprintf(stderr, "  %s: %s\n", path, sa_last_error());
				errors++;
				continue;
			}
			right += classify(session, model, &img, &tuned, input, out,
					  info.num_outputs) == labels[i];
			right_plain += classify(session, model, &img, NULL, input, out,
						info.num_outputs) == labels[i];
			sa_image_free(&img);
			if (argc <= 5)
				unlink(path);
		}
		double acc = 100.0 * right / count, acc_plain = 100.0 * right_plain / count;
		int ok = errors == 0 && acc >= min_percent;

		printf("%s - %-24s %5.1f%% top-1 (without adjustment %5.1f%%; want >= %.0f%%)\n",
		       ok ? "ok" : "not ok", people_kind_names[k], acc, acc_plain, min_percent);
		ok ? pass++ : fail++;
	}
	sa_session_destroy(session);
	sa_model_close(model);
	free(input);
	free(out);
	free(digits);
	free(labels);
	printf("%d passed, %d failed\n", pass, fail);
	return fail != 0;
}
