// SPDX-License-Identifier: MIT
/*
 * The input, pooling, add, concat, clip, flatten and dropout nodes (one task per image),
 * and the dispatch by node kind.
 */
#include <string.h>

#include "node.h"

static void input_task(void *ctx, int b, int thread)
{
	struct node_job *j = ctx;
	float *x = j->nd->out + (size_t)b * j->nd->out_elems;

	(void)thread;
	tr_actq_forward(&j->nd->actq, x, x, j->nd->out_elems);
}

static void pool_fwd_task(void *ctx, int b, int thread)
{
	struct node_job *j = ctx;
	struct tr_node *nd = j->nd;
	const float *x = node_input(j->net, nd, 0, b);
	float *y = nd->out + (size_t)b * nd->out_elems;

	(void)thread;
	if (nd->op == TR_OP_MAXPOOL) {
		tr_maxpool_forward_image(&nd->pool, x, y, nd->argmax + (size_t)b * nd->out_elems);
		return;
	}
	/* Quantised: the integer op's rounded mean at the input's scale, for any area. */
	if (nd->actq.quant)
		tr_avgpool_forward_image_rounded(&nd->pool, x, y, nd->actq.scale);
	else
		tr_avgpool_forward_image(&nd->pool, x, y);
}

static void pool_bwd_task(void *ctx, int b, int thread)
{
	struct node_job *j = ctx;
	struct tr_node *nd = j->nd;
	const float *dy = nd->grad + (size_t)b * nd->out_elems;
	int add;
	float *dx = node_dx_target(j->net, nd, 0, b, j->net->ws[thread].tmp, &add);

	if (!dx)
		return;
	/*
	 * The average of in-range values is in range, so the rounding of an
	 * average pool passes its gradient unchanged.
	 */
	if (nd->op == TR_OP_MAXPOOL)
		tr_maxpool_backward_image(&nd->pool, dy, nd->argmax + (size_t)b * nd->out_elems,
					  dx);
	else
		tr_avgpool_backward_image(&nd->pool, dy, dx);
	if (add)
		node_add_into(node_grad_slot(j->net, nd, 0, b), dx, nd->in_elems);
}

static void add_fwd_task(void *ctx, int b, int thread)
{
	struct node_job *j = ctx;
	struct tr_node *nd = j->nd;
	const float *xa = node_input(j->net, nd, 0, b), *xb = node_input(j->net, nd, 1, b);
	float *pre = nd->pre + (size_t)b * nd->out_elems;

	(void)thread;
	for (size_t i = 0; i < nd->out_elems; i++)
		pre[i] = xa[i] + xb[i];
	node_finish_image(j->net, nd, pre, b);
}

/* Concat: in[0]'s channels then in[1]'s; clip: its input; then activation and rounding. */
static void concat_clip_fwd_task(void *ctx, int b, int thread)
{
	struct node_job *j = ctx;
	struct tr_node *nd = j->nd;
	float *pre = nd->pre + (size_t)b * nd->out_elems;
	size_t na = j->net->nodes[nd->in[0]].out_elems;

	(void)thread;
	memcpy(pre, node_input(j->net, nd, 0, b), sizeof(float) * na);
	if (nd->op == TR_OP_CONCAT)
		memcpy(pre + na, node_input(j->net, nd, 1, b),
		       sizeof(float) * (nd->out_elems - na));
	node_finish_image(j->net, nd, pre, b);
}

/*
 * Add, concat and clip: through the activation and rounding, then to each
 * input its part of the gradient (add: all of it to both; concat: its
 * channels; clip: all of it to its one input).
 */
static void merge_bwd_task(void *ctx, int b, int thread)
{
	struct node_job *j = ctx;
	struct tr_node *nd = j->nd;
	size_t off = (size_t)b * nd->out_elems;
	float *dpre = nd->pre + off;
	size_t na = nd->op == TR_OP_CONCAT ? j->net->nodes[nd->in[0]].out_elems : nd->out_elems;
	size_t start[2] = {0, nd->op == TR_OP_CONCAT ? na : 0};
	size_t len[2] = {na, nd->op == TR_OP_CONCAT ? nd->out_elems - na : nd->out_elems};

	(void)thread;
	tr_actq_backward(&nd->actq, dpre, nd->grad + off, dpre, nd->out_elems);
	for (int k = 0; k < (nd->op == TR_OP_CLIP ? 1 : 2); k++) {
		int add;
		float *dx = node_dx_target(j->net, nd, k, b, NULL, &add);

		if (add)
			node_add_into(node_grad_slot(j->net, nd, k, b), dpre + start[k], len[k]);
		else if (dx)
			memcpy(dx, dpre + start[k], sizeof(float) * len[k]);
	}
}

static void copy_fwd_task(void *ctx, int b, int thread)
{
	struct node_job *j = ctx;
	struct tr_node *nd = j->nd;
	const float *x = node_input(j->net, nd, 0, b);
	float *y = nd->out + (size_t)b * nd->out_elems;

	(void)thread;
	if (nd->op == TR_OP_DROPOUT && j->net->training) {
		uint8_t *mask = nd->mask + (size_t)b * nd->out_elems;
		struct tr_rng rng;

		/* One stream per (step, node, image): independent of the thread count. */
		tr_rng_seed_stream(&rng, j->net->seed ^ (j->net->step * 0x9e3779b97f4a7c15ull),
				   (uint64_t)(nd - j->net->nodes) << 32 | (uint64_t)b);
		tr_dropout_mask(&rng, nd->p, mask, nd->out_elems);
		tr_dropout_apply(mask, nd->p, x, y, nd->out_elems);
		return;
	}
	memcpy(y, x, sizeof(float) * nd->out_elems);
}

static void copy_bwd_task(void *ctx, int b, int thread)
{
	struct node_job *j = ctx;
	struct tr_node *nd = j->nd;
	const float *dy = nd->grad + (size_t)b * nd->out_elems;
	int add;
	float *dx = node_dx_target(j->net, nd, 0, b, j->net->ws[thread].tmp, &add);

	if (!dx)
		return;
	if (nd->op == TR_OP_DROPOUT)
		tr_dropout_apply(nd->mask + (size_t)b * nd->out_elems, nd->p, dy, dx,
				 nd->out_elems);
	else
		memcpy(dx, dy, sizeof(float) * nd->out_elems);
	if (add)
		node_add_into(node_grad_slot(j->net, nd, 0, b), dx, nd->in_elems);
}

void tr_node_forward(struct tr_net *net, struct tr_node *nd, int n)
{
	struct node_job j = {net, nd, n, 0};

	switch (nd->op) {
	case TR_OP_INPUT:
		if (nd->actq.quant)
			tr_pool_run(net->pool, n, input_task, &j);
		break;
	case TR_OP_CONV: tr_conv_node_forward(net, nd, n); break;
	case TR_OP_FC: tr_fc_node_forward(net, nd, n); break;
	case TR_OP_MAXPOOL:
	case TR_OP_AVGPOOL:
	case TR_OP_GAP: tr_pool_run(net->pool, n, pool_fwd_task, &j); break;
	case TR_OP_ADD:
	case TR_OP_CONCAT:
	case TR_OP_CLIP:
		tr_pool_run(net->pool, n, nd->op == TR_OP_ADD ? add_fwd_task : concat_clip_fwd_task,
			    &j);
		nd->q.nmax = node_records_range(net) ? n : 0;
		break;
	case TR_OP_FLATTEN:
	case TR_OP_DROPOUT: tr_pool_run(net->pool, n, copy_fwd_task, &j); break;
	}
}

void tr_node_backward(struct tr_net *net, struct tr_node *nd, int n)
{
	struct node_job j = {net, nd, n, 0};

	switch (nd->op) {
	case TR_OP_INPUT: break;
	case TR_OP_CONV: tr_conv_node_backward(net, nd, n); break;
	case TR_OP_FC: tr_fc_node_backward(net, nd, n); break;
	case TR_OP_MAXPOOL:
	case TR_OP_AVGPOOL:
	case TR_OP_GAP: tr_pool_run(net->pool, n, pool_bwd_task, &j); break;
	case TR_OP_ADD:
	case TR_OP_CONCAT:
	case TR_OP_CLIP: tr_pool_run(net->pool, n, merge_bwd_task, &j); break;
	case TR_OP_FLATTEN:
	case TR_OP_DROPOUT: tr_pool_run(net->pool, n, copy_bwd_task, &j); break;
	}
}
