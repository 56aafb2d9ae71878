// SPDX-License-Identifier: MIT
/*
 * Export of a trained network to a .dsm model with the builder.  The
 * integer graph is the network's evaluation forward pass, node for node:
 * the same power-of-two weights (batch norm folded and re-rounded), the same
 * int32 biases at the accumulator scale and the same output exponents, so
 * the integer model computes what the quantised evaluation simulated.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../error.h"
#include "trainer.h"

static int8_t signed_k(float v, int base, int bits)
{
	/* v is 0 or an exact power of two inside the layer's range */
	return tr_q_code(v, base, bits);
}

/* Weights and bias of a conv/fc node as the .dsm stores them. */
static sa_status node_codes(const struct tr_net *net, const struct tr_node *nd, int8_t **w,
			    int32_t **bias, int *base)
{
	int folded = tr_node_folded(net, nd);
	const float *wv = folded ? nd->w_fold : nd->w_eff;
	int ein = net->nodes[nd->in[0]].q.exp;

	*base = folded ? nd->fold_base : nd->wbase;
	*w = malloc(nd->nw ? nd->nw : 1);
	*bias = malloc(sizeof(int32_t) * (size_t)nd->osh.c);
	if (!*w || !*bias)
		return sa_fail(SA_ERR_NO_MEMORY, "export: out of memory");
	for (size_t i = 0; i < nd->nw; i++) {
		(*w)[i] = signed_k(wv[i], *base, net->weight_bits);
		if (tr_code_value((*w)[i], *base) != wv[i])
			return sa_fail(
				SA_ERR_BAD_MODEL,
				"export: %s weight %zu (%g) is not a code of base %d, %d bits",
				nd->name, i, (double)wv[i], *base, net->weight_bits);
	}
	for (int o = 0; o < nd->osh.c; o++)
		(*bias)[o] = (int32_t)lrint(ldexp((double)nd->b_eff[o], -(ein + *base)));
	return SA_OK;
}

static sa_status export_weighted(sa_builder *b, const struct tr_net *net, const struct tr_node *nd,
				 uint32_t in, uint32_t *out)
{
	int8_t *w = NULL;
	int32_t *bias = NULL;
	int base;
	sa_status st = node_codes(net, nd, &w, &bias, &base);
	uint8_t flags = nd->has_bias || nd->has_bn ? SA_PARAM_HAS_BIAS : 0;

	if (!st && nd->op == TR_OP_CONV) {
		const struct tr_conv_geom *g = &nd->conv;
		struct sa_conv_params p = {
			.kernel_h = (uint16_t)g->kh,
			.kernel_w = (uint16_t)g->kw,
			.stride_h = (uint16_t)g->sh,
			.stride_w = (uint16_t)g->sw,
			.dilation_h = (uint16_t)g->dh,
			.dilation_w = (uint16_t)g->dw,
			.pad_top = (uint16_t)g->pt,
			.pad_left = (uint16_t)g->pl,
			.pad_bottom = (uint16_t)nd->pb,
			.pad_right = (uint16_t)nd->pr,
			.groups = (uint32_t)g->groups,
			.out_channels = (uint32_t)g->oc,
			.weight_bits = (uint8_t)net->weight_bits,
			.weight_base = (int8_t)base,
			.act = (uint8_t)nd->act,
			.flags = flags,
		};
		st = sa_builder_conv(b, in, &p, w, flags ? bias : NULL, (uint8_t)nd->q.dtype,
				     (int8_t)nd->q.exp, out);
	} else if (!st) {
		struct sa_fc_params p = {
			.out_features = (uint32_t)nd->osh.c,
			.weight_bits = (uint8_t)net->weight_bits,
			.weight_base = (int8_t)base,
			.act = (uint8_t)nd->act,
			.flags = flags,
		};
		st = sa_builder_fc(b, in, &p, w, flags ? bias : NULL, (uint8_t)nd->q.dtype,
				   (int8_t)nd->q.exp, out);
	}
	free(w);
	free(bias);
	return st;
}

static sa_status export_node(sa_builder *b, const struct tr_net *net, const struct tr_node *nd,
			     const uint32_t *tid, uint32_t *out)
{
	uint32_t in = tid[nd->in[0]];
	struct sa_pool_params pp = {
		(uint16_t)nd->pool.kh, (uint16_t)nd->pool.kw, (uint16_t)nd->pool.sh,
		(uint16_t)nd->pool.sw, (uint16_t)nd->pool.pt, (uint16_t)nd->pool.pl,
		(uint16_t)nd->pb,      (uint16_t)nd->pr,
	};

	switch (nd->op) {
	case TR_OP_CONV:
	case TR_OP_FC: return export_weighted(b, net, nd, in, out);
	case TR_OP_MAXPOOL: return sa_builder_maxpool(b, in, &pp, out);
	case TR_OP_AVGPOOL: return sa_builder_avgpool(b, in, &pp, out);
	case TR_OP_GAP: return sa_builder_global_avgpool(b, in, out);
	case TR_OP_ADD: {
		struct sa_add_params p = {.act = (uint8_t)nd->act};

		return sa_builder_add(b, in, tid[nd->in[1]], &p, (uint8_t)nd->q.dtype,
				      (int8_t)nd->q.exp, out);
	}
	case TR_OP_CONCAT: {
		struct sa_concat_params p = {.act = (uint8_t)nd->act};

		return sa_builder_concat(b, in, tid[nd->in[1]], &p, (uint8_t)nd->q.dtype,
					 (int8_t)nd->q.exp, out);
	}
	case TR_OP_CLIP: {
		struct sa_clip_params p = {.act = (uint8_t)nd->act};

		return sa_builder_clip(b, in, &p, (uint8_t)nd->q.dtype, (int8_t)nd->q.exp, out);
	}
	case TR_OP_FLATTEN: return sa_builder_flatten(b, in, out);
	case TR_OP_DROPOUT:
		*out = in; /* identity at inference */
		return SA_OK;
	}
	return sa_fail(SA_ERR_INVALID_ARGUMENT, "export: node %s has an unknown kind", nd->name);
}

sa_status sa_trainer_export(sa_trainer *t, const char *const *meta, void **data, size_t *size)
{
	struct tr_net *net = t->net;
	sa_builder *b = NULL;
	uint32_t *tid;
	sa_status st;

	if (!net->act_quant || net->weight_mode == TR_WEIGHTS_FLOAT)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "a float network has no integer form: convert it to DeepShift-Q or "
			       "-PS first");
	for (int i = 0; i < net->num_nodes; i++)
		if (net->nodes[i].q.enabled && net->nodes[i].op != TR_OP_AVGPOOL &&
		    net->nodes[i].op != TR_OP_GAP && !(net->nodes[i].q.range > 0.0f))
			return sa_fail(SA_ERR_INVALID_ARGUMENT,
				       "export: the activation range of %s was never measured "
				       "(train or calibrate first)",
				       net->nodes[i].name);
	tid = calloc((size_t)net->num_nodes, sizeof(uint32_t));
	if (!tid)
		return sa_fail(SA_ERR_NO_MEMORY, "export: out of memory");
	/* The evaluation state: folded batch norm, exponents, quantised biases. */
	net->training = 0;
	tr_net_prepare_weights(net);
	st = sa_builder_create(&b);
	if (!st)
		st = sa_builder_input(b, t->c, t->h, t->w, SA_DTYPE_I8, (int8_t)net->nodes[0].q.exp,
				      net->mean, net->std, &tid[0]);
	for (int i = 1; !st && i < net->num_nodes; i++) {
		st = export_node(b, net, &net->nodes[i], tid, &tid[i]);
		if (!st && net->nodes[i].op != TR_OP_DROPOUT)
			st = sa_builder_name_tensor(b, tid[i], net->nodes[i].name);
		if (st) {
			char msg[400];

			snprintf(msg, sizeof(msg), "%s", sa_last_error());
			st = sa_fail(st, "export of layer %s: %s", net->nodes[i].name, msg);
		}
	}
	if (!st)
		st = sa_builder_set_output(b, tid[net->num_nodes - 1]);
	for (uint32_t c = 0; !st && c < t->classes; c++)
		st = sa_builder_add_label(b, t->labels[c]);
	for (int i = 0; !st && meta && meta[i] && meta[i + 1]; i += 2)
		st = sa_builder_set_meta(b, meta[i], meta[i + 1]);
	if (!st)
		st = sa_builder_write_memory(b, data, size);
	sa_builder_destroy(b);
	free(tid);
	if (!st)
		sa_clear_error();
	return st;
}
