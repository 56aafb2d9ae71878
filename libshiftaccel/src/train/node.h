/* SPDX-License-Identifier: MIT */
/* Helpers shared by the per-node forward and backward code (node_*.c). */
#ifndef TR_NODE_H
#define TR_NODE_H

#include "net.h"

/* Context of one node's parallel step. */
struct node_job {
	struct tr_net *net;
	struct tr_node *nd;
	int n;	   /* images in the batch */
	int parts; /* chunks or blocks of this step */
};

static inline const float *node_input(const struct tr_net *net, const struct tr_node *nd, int j,
				      int b)
{
	const struct tr_node *src = &net->nodes[nd->in[j]];

	return src->out + (size_t)b * src->out_elems;
}

/* 1 when the range calibration wants this forward's maxima. */
static inline int node_records_range(const struct tr_net *net)
{
	return net->training || net->calibrating;
}

/*
 * Where dL/d(input j) of image b goes: NULL when nobody needs it (the
 * network input), the producer's gradient when this node is its only
 * reader, or the thread's scratch (then *add is set and the caller adds the
 * scratch into node_grad_slot()).
 */
static inline float *node_dx_target(struct tr_net *net, struct tr_node *nd, int j, int b,
				    float *scratch, int *add)
{
	struct tr_node *src = &net->nodes[nd->in[j]];

	*add = 0;
	if (nd->in[j] == 0)
		return NULL;
	if (src->consumers > 1) {
		*add = 1;
		return scratch;
	}
	return src->grad + (size_t)b * src->out_elems;
}

static inline float *node_grad_slot(struct tr_net *net, struct tr_node *nd, int j, int b)
{
	struct tr_node *src = &net->nodes[nd->in[j]];

	return src->grad + (size_t)b * src->out_elems;
}

static inline void node_add_into(float *dst, const float *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] += src[i];
}

/* The activation + quantisation tail of image b: v -> out, recording max |v|. */
static inline void node_finish_image(struct tr_net *net, struct tr_node *nd, const float *v, int b)
{
	float *y = nd->out + (size_t)b * nd->out_elems;

	if (node_records_range(net) && nd->q.enabled)
		nd->q.img_max[b] = tr_max_abs(v, nd->out_elems);
	tr_actq_forward(&nd->actq, v, y, nd->out_elems);
}

void tr_conv_node_forward(struct tr_net *net, struct tr_node *nd, int n);
void tr_conv_node_backward(struct tr_net *net, struct tr_node *nd, int n);
void tr_fc_node_forward(struct tr_net *net, struct tr_node *nd, int n);
void tr_fc_node_backward(struct tr_net *net, struct tr_node *nd, int n);
/* Batch norm over the batch for conv (p = H*W) and fc (p = 1) nodes. */
void tr_bn_node_forward(struct tr_net *net, struct tr_node *nd, int n);
void tr_bn_node_backward(struct tr_net *net, struct tr_node *nd, int n);

#endif /* TR_NODE_H */
