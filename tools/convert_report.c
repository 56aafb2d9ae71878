// SPDX-License-Identifier: MIT
/* shiftaccel-convert's summary (convert_report.h). */
#include "convert_report.h"

#include <stdio.h>
#include <stdlib.h>

static void shape(char *buf, size_t size, uint32_t c, uint32_t h, uint32_t w)
{
	if (h == 1 && w == 1)
		snprintf(buf, size, "%u", c);
	else
		snprintf(buf, size, "%ux%ux%u", c, h, w);
}

static void layer_row(FILE *f, const sa_onnx_import *imp, uint32_t i,
		      const struct sa_trainer_layer_stats *s)
{
	struct sa_import_layer_info li;
	struct sa_trainer_layer_stats ls = *s;
	char in[32], out[32], bits[8] = "-", exps[32] = "-", zeros[16] = "-", act[16] = "-";

	sa_onnx_import_layer(imp, i, &li);
	shape(in, sizeof(in), li.in_c, li.in_h, li.in_w);
	shape(out, sizeof(out), li.out_c, li.out_h, li.out_w);
	if (ls.has_weights) {
		snprintf(bits, sizeof(bits), "%d", ls.weight_bits);
		snprintf(exps, sizeof(exps), "2^%d..2^%d", ls.exp_min, ls.exp_max);
		snprintf(zeros, sizeof(zeros), "%.1f%%",
			 ls.weights ? 100.0 * (double)ls.zeros / (double)ls.weights : 0.0);
	}
	snprintf(act, sizeof(act), "2^%d", ls.act_exp);
	fprintf(f, "%-3u %-8s %-11.11s %-24.24s %11s -> %-11s %4s %-14s %6s %6s\n", i + 1, li.kind,
		li.op, li.node, in, out, bits, exps, zeros, act);
}

static double percent(uint32_t n, uint32_t d)
{
	return d ? 100.0 * n / d : 0.0;
}

void convert_report(FILE *f, const sa_onnx_import *imp, sa_trainer *t,
		    const struct convert_figures *fig, int quiet)
{
	uint32_t n = sa_onnx_import_layers(imp);

	if (!quiet) {
		fprintf(f, "%-3s %-8s %-11s %-24s %11s    %-11s %4s %-14s %6s %6s\n", "#", "layer",
			"onnx op", "onnx node", "input", "output", "bits", "weights", "zeros",
			"act");
		struct sa_trainer_layer_stats *ls = calloc(n ? n : 1, sizeof(*ls));

		/* The trainer's layers are the import's, one for one. */
		if (ls && n == sa_trainer_num_layers(t) && !sa_trainer_layer_stats(t, ls))
			for (uint32_t i = 0; i < n; i++)
				layer_row(f, imp, i, &ls[i]);
		free(ls);
	}
	fprintf(f,
		"size: %llu float parameters, ONNX file %llu bytes -> .dsm %llu bytes (%.1fx "
		"smaller)\n",
		(unsigned long long)fig->params, (unsigned long long)fig->onnx_bytes,
		(unsigned long long)fig->dsm_bytes,
		fig->dsm_bytes ? (double)fig->onnx_bytes / (double)fig->dsm_bytes : 0.0);
	fprintf(f,
		"top-1 agreement, integer vs float model: %.2f%% (%u of %u calibration "
		"images)\n",
		percent(fig->agree, fig->calib_images), fig->agree, fig->calib_images);
	if (fig->labelled)
		fprintf(f, "top-1 accuracy on them: float %.2f%%, integer %.2f%%\n",
			percent(fig->float_correct, fig->calib_images),
			percent(fig->int_correct, fig->calib_images));
}
