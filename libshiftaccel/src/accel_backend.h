/* SPDX-License-Identifier: MIT */
/*
 * The accel backend: a model compiled for the card (accel_compile.h), its
 * weights uploaded once into buffer objects, run on one user-mode queue of
 * the card (accel_device.h).  Bit-exact with the CPU backend: the card runs
 * the same reference kernels' rules.  After a card error the instance is
 * dead (every run fails with SA_ERR_DEVICE); a new one starts clean.
 */
#ifndef SA_ACCEL_BACKEND_H
#define SA_ACCEL_BACKEND_H

#include "device_choice.h"
#include "model.h"

struct sa_accel;

/* On the card `card` names; SA_ERR_NO_DEVICE (with the reason) when it is not usable. */
sa_status sa_accel_create(const struct sa_model *model, const struct sa_device_choice *card,
			  struct sa_accel **out);
/* Which card it runs on. */
void sa_accel_card(const struct sa_accel *a, struct sa_card_id *card);
void sa_accel_destroy(struct sa_accel *a);

/* Input and output in the model's dtypes, as sa_cpu_run_quantized. */
sa_status sa_accel_run_quantized(struct sa_accel *a, const void *input, void *output);

/*
 * n inferences, inputs and outputs packed one after another: up to four in
 * flight on the card at once (each in its own activation arena), results
 * in submission order.  Programs too long for that run one at a time.
 */
sa_status sa_accel_run_batch(struct sa_accel *a, size_t n, const void *inputs, void *outputs);

/* Where the last sa_accel_run_quantized spent its time (shiftaccel.h, sa_run_timing). */
void sa_accel_last_timing(const struct sa_accel *a, struct sa_run_timing *t);

#endif /* SA_ACCEL_BACKEND_H */
