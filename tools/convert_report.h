/* SPDX-License-Identifier: MIT */
/* shiftaccel-convert's summary: the layer table, the sizes, the agreement. */
#ifndef SA_CONVERT_REPORT_H
#define SA_CONVERT_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "shiftaccel_train.h"

struct convert_figures {
	uint32_t calib_images;
	int labelled;		     /* the calibration images have the model's classes */
	uint32_t float_correct;	     /* float model top-1 = label (labelled only) */
	uint32_t int_correct;	     /* integer model top-1 = label (labelled only) */
	uint32_t agree;		     /* integer model top-1 = float model top-1 */
	uint64_t onnx_bytes, params; /* the ONNX file, its float parameters */
	uint64_t dsm_bytes;
};

/* Prints the per-layer table (unless quiet), the sizes and the agreement. */
void convert_report(FILE *f, const sa_onnx_import *imp, sa_trainer *t,
		    const struct convert_figures *fig, int quiet);

#endif /* SA_CONVERT_REPORT_H */
