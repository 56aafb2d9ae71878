// SPDX-License-Identifier: MIT
/*
 * Convolution nodes (with optional batch norm, activation and output
 * quantisation) and the batch-norm steps shared with fc nodes.
 *
 * Forward: one task per image.  Backward: the batch is cut into a fixed
 * number of chunks that depends only on the batch size; each chunk sums its
 * images' weight gradients into its own buffer and the buffers are added in
 * chunk order, so the result is the same for any thread count.
 */
#include <math.h>
#include <string.h>

#include "node.h"

#define BN_EPS 1e-5f
#define BN_MOMENTUM 0.1f

/* ------------------------------------------------------------ batch norm */

static void bn_fwd_task(void *ctx, int task, int thread)
{
	struct node_job *j = ctx;
	struct tr_node *nd = j->nd;
	int ch = nd->osh.c, c0, c1;
	int p = (int)(nd->out_elems / (size_t)ch);
	double count = (double)j->n * p;

	(void)thread;
	tr_split(ch, j->parts, task, &c0, &c1);
	for (int c = c0; c < c1; c++) {
		tr_bn_forward_train(nd->pre + (size_t)c * p, nd->bn_y + (size_t)c * p, j->n, p,
				    (ptrdiff_t)nd->out_elems, nd->gamma.value[c], nd->beta.value[c],
				    BN_EPS, &nd->bn_mean[c], &nd->bn_var[c], &nd->bn_invstd[c]);
		float unbiased = count > 1 ? (float)(nd->bn_var[c] * count / (count - 1)) : 0.0f;

		nd->run_mean[c] =
			(1 - BN_MOMENTUM) * nd->run_mean[c] + BN_MOMENTUM * nd->bn_mean[c];
		nd->run_var[c] = (1 - BN_MOMENTUM) * nd->run_var[c] + BN_MOMENTUM * unbiased;
	}
}

static void finish_task(void *ctx, int b, int thread)
{
	struct node_job *j = ctx;

	(void)thread;
	node_finish_image(j->net, j->nd, j->nd->bn_y + (size_t)b * j->nd->out_elems, b);
}

static int channel_parts(const struct tr_net *net, int ch)
{
	int parts = 4 * net->threads;

	return ch < parts ? ch : parts;
}

void tr_bn_node_forward(struct tr_net *net, struct tr_node *nd, int n)
{
	struct node_job j = {net, nd, n, channel_parts(net, nd->osh.c)};

	tr_pool_run(net->pool, j.parts, bn_fwd_task, &j);
	tr_pool_run(net->pool, n, finish_task, &j);
	nd->q.nmax = node_records_range(net) ? n : 0;
}

/* Batch norm with the running statistics (float evaluation) of image b: pre -> bn_y. */
static void bn_eval_image(struct tr_node *nd, int b)
{
	int ch = nd->osh.c;
	size_t p = nd->out_elems / (size_t)ch;
	const float *x = nd->pre + (size_t)b * nd->out_elems;
	float *y = nd->bn_y + (size_t)b * nd->out_elems;

	for (int c = 0; c < ch; c++) {
		float s = nd->gamma.value[c] / sqrtf(nd->run_var[c] + BN_EPS);
		float t = nd->beta.value[c] - nd->run_mean[c] * s;

		for (size_t i = 0; i < p; i++)
			y[c * p + i] = x[c * p + i] * s + t;
	}
}

static void bn_bwd_task(void *ctx, int task, int thread)
{
	struct node_job *j = ctx;
	struct tr_node *nd = j->nd;
	int ch = nd->osh.c, c0, c1;
	int p = (int)(nd->out_elems / (size_t)ch);

	(void)thread;
	tr_split(ch, j->parts, task, &c0, &c1);
	for (int c = c0; c < c1; c++) {
		nd->gamma.grad[c] = 0.0f;
		nd->beta.grad[c] = 0.0f;
		/* In place: bn_y holds dL/dbn_y, pre becomes dL/dpre. */
		tr_bn_backward(nd->pre + (size_t)c * p, nd->bn_y + (size_t)c * p,
			       nd->pre + (size_t)c * p, j->n, p, (ptrdiff_t)nd->out_elems,
			       nd->gamma.value[c], nd->bn_mean[c], nd->bn_invstd[c],
			       &nd->gamma.grad[c], &nd->beta.grad[c]);
	}
}

static void act_bwd_task(void *ctx, int b, int thread)
{
	struct node_job *j = ctx;
	struct tr_node *nd = j->nd;
	size_t off = (size_t)b * nd->out_elems;

	(void)thread;
	tr_actq_backward(&nd->actq, nd->bn_y + off, nd->grad + off, nd->bn_y + off, nd->out_elems);
}

void tr_bn_node_backward(struct tr_net *net, struct tr_node *nd, int n)
{
	struct node_job j = {net, nd, n, channel_parts(net, nd->osh.c)};

	tr_pool_run(net->pool, n, act_bwd_task, &j);
	tr_pool_run(net->pool, j.parts, bn_bwd_task, &j);
}

/* ----------------------------------------------------------- convolution */

static void conv_fwd_task(void *ctx, int task, int thread)
{
	struct node_job *j = ctx;
	struct tr_net *net = j->net;
	struct tr_node *nd = j->nd;
	struct tr_thread_ws *ws = &net->ws[thread];
	const float *w = tr_node_folded(net, nd) ? nd->w_fold : nd->w_eff;
	int b0, b1;

	tr_split(j->n, j->parts, task, &b0, &b1);
	tr_conv_forward(&nd->conv, b1 - b0, node_input(net, nd, 0, b0), nd->in_elems, w, nd->b_eff,
			nd->pre + (size_t)b0 * nd->out_elems, nd->out_elems, ws->col, &ws->gemm);
	if (nd->has_bn && net->training)
		return; /* batch statistics first */
	for (int b = b0; b < b1; b++) {
		if (nd->has_bn && !tr_node_folded(net, nd)) {
			bn_eval_image(nd, b);
			node_finish_image(net, nd, nd->bn_y + (size_t)b * nd->out_elems, b);
		} else {
			node_finish_image(net, nd, nd->pre + (size_t)b * nd->out_elems, b);
		}
	}
}

void tr_conv_node_forward(struct tr_net *net, struct tr_node *nd, int n)
{
	int per = tr_conv_images_per_gemm(&nd->conv);
	int tasks = (n + per - 1) / per;
	struct node_job j = {net, nd, n, 0};

	/* enough tasks to keep every thread busy, as few as the scratch allows */
	tasks = tasks < 2 * net->threads ? 2 * net->threads : tasks;
	j.parts = tasks < n ? tasks : n;
	tr_pool_run(net->pool, j.parts, conv_fwd_task, &j);
	if (nd->has_bn && net->training)
		tr_bn_node_forward(net, nd, n);
	else
		nd->q.nmax = node_records_range(net) ? n : 0;
}

static void conv_bwd_task(void *ctx, int chunk, int thread)
{
	struct node_job *j = ctx;
	struct tr_net *net = j->net;
	struct tr_node *nd = j->nd;
	struct tr_thread_ws *ws = &net->ws[thread];
	struct tr_node *src = &net->nodes[nd->in[0]];
	float *dw = nd->dw_part + (size_t)chunk * nd->nw;
	float *db = nd->has_bias ? nd->db_part + (size_t)chunk * nd->osh.c : NULL;
	float *dx = nd->in[0] == 0 ? NULL : src->grad;
	int b0, b1;

	memset(dw, 0, sizeof(float) * nd->nw);
	if (db)
		memset(db, 0, sizeof(float) * (size_t)nd->osh.c);
	tr_split(j->n, j->parts, chunk, &b0, &b1);
	if (!nd->has_bn) /* dL/dpre, in place (batch norm did it already) */
		tr_actq_backward(&nd->actq, nd->pre + (size_t)b0 * nd->out_elems,
				 nd->grad + (size_t)b0 * nd->out_elems,
				 nd->pre + (size_t)b0 * nd->out_elems,
				 (size_t)(b1 - b0) * nd->out_elems);
	tr_conv_backward(&nd->conv, b1 - b0, node_input(net, nd, 0, b0), nd->in_elems, nd->w_eff,
			 nd->pre + (size_t)b0 * nd->out_elems, nd->out_elems,
			 dx ? dx + (size_t)b0 * nd->in_elems : NULL, nd->in_elems,
			 src->consumers > 1, dw, db, ws->col, &ws->gemm);
}

/* Sums the chunks' partial gradients in chunk order. */
static void conv_reduce_task(void *ctx, int task, int thread)
{
	struct node_job *j = ctx;
	struct tr_node *nd = j->nd;
	int parts = j->n < nd->nparts ? j->n : nd->nparts;
	int i0, i1;

	(void)thread;
	tr_split((int)nd->nw, j->parts, task, &i0, &i1);
	memcpy(nd->dw_eff + i0, nd->dw_part + i0, sizeof(float) * (size_t)(i1 - i0));
	for (int c = 1; c < parts; c++) {
		const float *src = nd->dw_part + (size_t)c * nd->nw;

		for (int i = i0; i < i1; i++)
			nd->dw_eff[i] += src[i];
	}
	if (task == 0 && nd->has_bias) {
		for (int o = 0; o < nd->osh.c; o++) {
			float s = 0.0f;

			for (int c = 0; c < parts; c++)
				s += nd->db_part[(size_t)c * nd->osh.c + o];
			nd->bias.grad[o] = s;
		}
	}
}

void tr_conv_node_backward(struct tr_net *net, struct tr_node *nd, int n)
{
	struct node_job j = {net, nd, n, n < nd->nparts ? n : nd->nparts};

	if (nd->has_bn)
		tr_bn_node_backward(net, nd, n);
	tr_pool_run(net->pool, j.parts, conv_bwd_task, &j);
	j.parts = (int)(nd->nw < 4096 ? 1 : nd->nw / 4096 < 16 ? nd->nw / 4096 : 16);
	tr_pool_run(net->pool, j.parts, conv_reduce_task, &j);
}
