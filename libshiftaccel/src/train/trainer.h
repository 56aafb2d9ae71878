/* SPDX-License-Identifier: MIT */
/* The trainer object behind sa_trainer (shared by trainer.c, export.c, checkpoint.c). */
#ifndef TR_TRAINER_H
#define TR_TRAINER_H

#include "../../include/shiftaccel_train.h"
#include "arch.h"
#include "net.h"
#include "optim.h"

struct sa_trainer {
	struct sa_train_config cfg;
	char *arch_text, *arch_name;
	struct tr_arch arch;
	struct tr_net *net;
	struct tr_optim opt;
	struct tr_optim_config opt_cfg;
	struct tr_schedule schedule;
	int epoch; /* epochs trained in the current mode */
	uint32_t *order;
	uint32_t order_cap;
	uint32_t c, h, w, classes;
	char **labels;
	float lut[SA_MAX_INPUT_CHANNELS][256]; /* pixel -> normalised input */
};

/* Loads images idx[0..n) of ds into the network's input and labels. */
void tr_trainer_load_batch(struct sa_trainer *t, const sa_dataset *ds, const uint32_t *idx, int n);

#endif /* TR_TRAINER_H */
