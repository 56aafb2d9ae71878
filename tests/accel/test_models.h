/* SPDX-License-Identifier: MIT */
/*
 * Models for the accel tests (sequential CNN, residual net, depthwise and
 * grouped convs with int16, an fc too large for one descriptor), built in
 * memory with sa_builder from fixed seeds.
 */
#ifndef ACCEL_TEST_MODELS_H
#define ACCEL_TEST_MODELS_H

#include <stddef.h>

#include "shiftaccel.h"

/* Name of model i ("seq_cnn", ...), NULL past the last. */
const char *accel_test_model_name(unsigned i);
/* Model i as .dsm bytes; *data is malloc()ed. */
sa_status accel_test_model(unsigned i, void **data, size_t *size);

#endif /* ACCEL_TEST_MODELS_H */
