// SPDX-License-Identifier: MIT
/*
 * Fully connected nodes.  The GEMMs run over the whole batch and threads
 * split them by output rows (forward, dW) or input columns (dx), so each
 * element is computed by exactly one task in a fixed order.
 */
#include <math.h>
#include <string.h>

#include "node.h"

#define FC_ROWS_PER_TASK 64
#define FC_COLS_PER_TASK 256

static int blocks(size_t total, int per)
{
	return (int)((total + (size_t)per - 1) / (size_t)per);
}

static void fc_fwd_task(void *ctx, int task, int thread)
{
	struct node_job *j = ctx;
	struct tr_net *net = j->net;
	struct tr_node *nd = j->nd;
	const struct tr_node *src = &net->nodes[nd->in[0]];
	int out = nd->osh.c, o0, o1;
	const float *w = tr_node_folded(net, nd) ? nd->w_fold : nd->w_eff;

	tr_split(out, j->parts, task, &o0, &o1);
	tr_fc_forward_rows(j->n, (int)nd->in_elems, out, o0, o1, src->out, w, nd->b_eff, nd->pre,
			   &net->ws[thread].gemm);
}

static void fc_finish_task(void *ctx, int b, int thread)
{
	struct node_job *j = ctx;
	struct tr_node *nd = j->nd;
	size_t off = (size_t)b * nd->out_elems;

	(void)thread;
	if (nd->has_bn && !tr_node_folded(j->net, nd)) {
		/* batch norm with running statistics: float evaluation */
		for (int o = 0; o < nd->osh.c; o++) {
			float s = nd->gamma.value[o] / sqrtf(nd->run_var[o] + 1e-5f);

			nd->bn_y[off + o] =
				(nd->pre[off + o] - nd->run_mean[o]) * s + nd->beta.value[o];
		}
		node_finish_image(j->net, nd, nd->bn_y + off, b);
		return;
	}
	node_finish_image(j->net, nd, nd->pre + off, b);
}

void tr_fc_node_forward(struct tr_net *net, struct tr_node *nd, int n)
{
	struct node_job j = {net, nd, n, blocks((size_t)nd->osh.c, FC_ROWS_PER_TASK)};

	tr_pool_run(net->pool, j.parts, fc_fwd_task, &j);
	if (nd->has_bn && net->training) {
		tr_bn_node_forward(net, nd, n);
		return;
	}
	tr_pool_run(net->pool, n, fc_finish_task, &j);
	nd->q.nmax = node_records_range(net) ? n : 0;
}

static void fc_act_bwd_task(void *ctx, int b, int thread)
{
	struct node_job *j = ctx;
	struct tr_node *nd = j->nd;
	size_t off = (size_t)b * nd->out_elems;

	(void)thread;
	tr_actq_backward(&nd->actq, nd->pre + off, nd->grad + off, nd->pre + off, nd->out_elems);
}

static void fc_bwd_task(void *ctx, int task, int thread)
{
	struct node_job *j = ctx;
	struct tr_net *net = j->net;
	struct tr_node *nd = j->nd;
	const struct tr_node *src = &net->nodes[nd->in[0]];
	int in = (int)nd->in_elems, out = nd->osh.c;
	int wtasks = blocks((size_t)out, FC_ROWS_PER_TASK);
	struct tr_gemm_ws *ws = &net->ws[thread].gemm;

	if (task < wtasks) {
		int o0, o1;
		float *db = nd->has_bias ? nd->bias.grad : NULL;

		tr_split(out, wtasks, task, &o0, &o1);
		memset(nd->dw_eff + (size_t)o0 * in, 0, sizeof(float) * (size_t)(o1 - o0) * in);
		if (db)
			memset(db + o0, 0, sizeof(float) * (size_t)(o1 - o0));
		tr_fc_backward_dw_rows(j->n, in, out, o0, o1, nd->pre, src->out, nd->dw_eff, db,
				       ws);
		return;
	}
	int i0, i1;
	float *dx = nd->dx_buf ? nd->dx_buf : net->nodes[nd->in[0]].grad;

	tr_split(in, j->parts - wtasks, task - wtasks, &i0, &i1);
	tr_fc_backward_dx_cols(j->n, in, out, i0, i1, nd->pre, nd->w_eff, dx, ws);
}

void tr_fc_node_backward(struct tr_net *net, struct tr_node *nd, int n)
{
	struct node_job j = {net, nd, n, 0};
	int need_dx = nd->in[0] != 0;

	if (nd->has_bn)
		tr_bn_node_backward(net, nd, n);
	else
		tr_pool_run(net->pool, n, fc_act_bwd_task, &j);
	j.parts = blocks((size_t)nd->osh.c, FC_ROWS_PER_TASK) +
		  (need_dx ? blocks(nd->in_elems, FC_COLS_PER_TASK) : 0);
	tr_pool_run(net->pool, j.parts, fc_bwd_task, &j);
	if (need_dx && nd->dx_buf)
		node_add_into(net->nodes[nd->in[0]].grad, nd->dx_buf, (size_t)n * nd->in_elems);
}
