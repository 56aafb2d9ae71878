// SPDX-License-Identifier: MIT
/*
 * What a trainer computes and holds, for tools that compare and report
 * (shiftaccel_train.h): its logits, its layers as they export, and a
 * normalisation given by the caller (an imported model's own).
 */
#include <math.h>
#include <string.h>

#include "../error.h"
#include "dataset.h"
#include "trainer.h"

sa_status sa_trainer_set_normalisation(sa_trainer *t, const float *mean, const float *std)
{
	for (uint32_t c = 0; c < t->c; c++)
		if (!isfinite(mean[c]) || !(std[c] > 0.0f) || !isfinite(std[c]))
			return sa_fail(SA_ERR_INVALID_ARGUMENT,
				       "normalisation of channel %u: mean %g, std %g (std must be "
				       "positive)",
				       c, (double)mean[c], (double)std[c]);
	tr_net_set_normalisation(t->net, mean, std);
	for (uint32_t c = 0; c < t->c; c++)
		for (int p = 0; p < 256; p++)
			/* sa_preprocess's expression, so both give the same inputs */
			t->lut[c][p] =
				(float)(((double)p / 255.0 - (double)mean[c]) / (double)std[c]);
	return SA_OK;
}

sa_status sa_trainer_logits(sa_trainer *t, const sa_dataset *ds, uint32_t first, uint32_t count,
			    float *logits)
{
	struct tr_net *net = t->net;
	uint32_t idx[4096];
	uint32_t bs = t->cfg.batch_size < 4096 ? (uint32_t)t->cfg.batch_size : 4096;

	if (ds->c != t->c || ds->h != t->h || ds->w != t->w || ds->num_classes != t->classes)
		return sa_fail(SA_ERR_SHAPE, "%s: images or classes do not fit the model",
			       ds->name);
	if (first > ds->count || count > ds->count - first)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: images %u..%u of %u", ds->name, first,
			       first + count, ds->count);
	for (uint32_t done = 0; done < count;) {
		uint32_t n = count - done < bs ? count - done : bs;

		for (uint32_t b = 0; b < n; b++)
			idx[b] = first + done + b;
		tr_trainer_load_batch(t, ds, idx, (int)n);
		tr_net_forward(net, (int)n, 0);
		memcpy(logits + (size_t)done * t->classes, tr_net_logits(net),
		       sizeof(float) * n * t->classes);
		done += n;
	}
	return SA_OK;
}

uint32_t sa_trainer_num_layers(const sa_trainer *t)
{
	return (uint32_t)t->net->num_nodes - 1;
}

/* The exponent of the node's output: its own, or for ops that keep the scale, the input's. */
static int output_exp(const struct tr_net *net, const struct tr_node *nd)
{
	while (!nd->q.enabled && nd->in[0] >= 0)
		nd = &net->nodes[nd->in[0]];
	return nd->q.exp;
}

/* One conv/fc node's weights as exported (prepared by the caller). */
static void weight_stats(const struct tr_net *net, const struct tr_node *nd,
			 struct sa_trainer_layer_stats *stats)
{
	/* batch norm folded where the network still has it */
	const float *w = tr_node_folded(net, nd) ? nd->w_fold : nd->w_eff;

	stats->has_weights = 1;
	stats->weight_bits = net->weight_mode == TR_WEIGHTS_FLOAT ? 32 : net->weight_bits;
	stats->weights = nd->nw;
	stats->exp_min = INT32_MAX;
	stats->exp_max = INT32_MIN;
	for (size_t k = 0; k < nd->nw; k++) {
		if (w[k] == 0.0f) {
			stats->zeros++;
			continue;
		}
		int e = ilogbf(w[k]);

		stats->exp_min = e < stats->exp_min ? e : stats->exp_min;
		stats->exp_max = e > stats->exp_max ? e : stats->exp_max;
	}
	if (stats->zeros == stats->weights)
		stats->exp_min = stats->exp_max = 0;
}

sa_status sa_trainer_layer_stats(sa_trainer *t, struct sa_trainer_layer_stats *stats)
{
	struct tr_net *net = t->net;

	/* The evaluation state, as the export writes it. */
	net->training = 0;
	tr_net_prepare_weights(net);
	for (int i = 1; i < net->num_nodes; i++) {
		const struct tr_node *nd = &net->nodes[i];
		struct sa_trainer_layer_stats *st = &stats[i - 1];

		memset(st, 0, sizeof(*st));
		st->quantized_output = net->act_quant && nd->q.enabled;
		st->act_exp = output_exp(net, nd);
		if (nd->op == TR_OP_CONV || nd->op == TR_OP_FC)
			weight_stats(net, nd, st);
	}
	return SA_OK;
}
