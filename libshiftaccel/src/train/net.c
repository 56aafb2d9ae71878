// SPDX-License-Identifier: MIT
/*
 * Network construction from an architecture, buffers, parametrisation
 * modes, and the forward/backward orchestration.  The per-node work lives
 * in node_conv.c, node_fc.c and node_misc.c.
 */
#include "net.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../kernels/sa_kernels.h"
#include "../error.h"

/* Batch-norm epsilon (the same as PyTorch's). */
#define TR_BN_EPS 1e-5f
/* Activation ranges follow the batch maxima with this momentum. */
#define TR_RANGE_MOMENTUM 0.9f
/* Convolution weight gradients are summed in at most this many fixed chunks. */
#define TR_CONV_PARTS 8

static float *alloc_floats(size_t n)
{
	return calloc(n ? n : 1, sizeof(float));
}

static void param_free(struct tr_param *p)
{
	free(p->value);
	free(p->grad);
	free(p->m);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static int param_alloc(struct tr_param *p, const char *node, const char *what, size_t n, int decay)
{
	param_free(p);
	snprintf(p->name, sizeof(p->name), "%s.%s", node, what);
	p->n = n;
	p->decay = decay;
	p->lo = -INFINITY;
	p->hi = INFINITY;
	p->value = alloc_floats(n);
	p->grad = alloc_floats(n);
	return p->value && p->grad ? 0 : -1;
}

static int find_node(const struct tr_net *net, int count, const char *name)
{
	for (int i = count - 1; i >= 0; i--)
		if (strcmp(net->nodes[i].name, name) == 0)
			return i;
	return -1;
}

/* A fake sa_shape for validating ops with the integer kernels' own checks. */
static struct sa_shape check_shape(const struct tr_shape *s)
{
	struct sa_shape r = {(uint32_t)s->c, (uint32_t)s->h, (uint32_t)s->w, SA_DTYPE_I8, 0};

	return r;
}

static sa_status layer_error(const struct tr_layer_spec *l, const char *msg)
{
	return sa_fail(SA_ERR_INVALID_ARGUMENT, "architecture line %d: %s", l->line, msg);
}

/* Output shape of one layer, validated with the integer kernels' rules. */
static sa_status layer_shape(const struct tr_net *net, struct tr_node *nd,
			     const struct tr_layer_spec *l)
{
	struct sa_shape in = check_shape(&nd->ish), out = {0};
	const char *err = NULL;

	switch (l->op) {
	case TR_OP_CONV: {
		struct sa_conv_params p = {
			.kernel_h = (uint16_t)l->kh,
			.kernel_w = (uint16_t)l->kw,
			.stride_h = (uint16_t)l->sh,
			.stride_w = (uint16_t)l->sw,
			.dilation_h = (uint16_t)l->dh,
			.dilation_w = (uint16_t)l->dw,
			.pad_top = (uint16_t)l->pt,
			.pad_left = (uint16_t)l->pl,
			.pad_bottom = (uint16_t)l->pb,
			.pad_right = (uint16_t)l->pr,
			.groups = (uint32_t)l->groups,
			.out_channels = (uint32_t)l->out,
			.weight_bits = 5,
			.act = (uint8_t)l->act,
		};
		out.dtype = SA_DTYPE_I8;
		err = sa_check_conv(&in, &p, &out);
		break;
	}
	case TR_OP_FC: {
		struct sa_fc_params p = {
			.out_features = (uint32_t)(l->out == TR_CLASSES ? net->classes : l->out),
			.weight_bits = 5,
			.act = (uint8_t)l->act};
		out.dtype = SA_DTYPE_I8;
		err = sa_check_fc(&in, &p, &out);
		break;
	}
	case TR_OP_MAXPOOL:
	case TR_OP_AVGPOOL: {
		struct sa_pool_params p = {(uint16_t)l->kh, (uint16_t)l->kw, (uint16_t)l->sh,
					   (uint16_t)l->sw, (uint16_t)l->pt, (uint16_t)l->pl,
					   (uint16_t)l->pb, (uint16_t)l->pr};
		err = l->op == TR_OP_MAXPOOL ? sa_check_maxpool(&in, &p, &out)
					     : sa_check_avgpool(&in, &p, &out);
		break;
	}
	case TR_OP_GAP: err = sa_check_global_avgpool(&in, &out); break;
	case TR_OP_ADD: {
		struct sa_shape b = check_shape(&net->nodes[nd->in[1]].osh);
		struct sa_add_params p = {.act = (uint8_t)l->act};

		out.dtype = SA_DTYPE_I8;
		err = sa_check_add(&in, &b, &p, &out);
		break;
	}
	case TR_OP_CONCAT: {
		struct sa_shape b = check_shape(&net->nodes[nd->in[1]].osh);
		struct sa_concat_params p = {.act = (uint8_t)l->act};

		out.dtype = SA_DTYPE_I8;
		err = sa_check_concat(&in, &b, &p, &out);
		break;
	}
	case TR_OP_CLIP: {
		struct sa_clip_params p = {.act = (uint8_t)l->act};

		out.dtype = SA_DTYPE_I8;
		err = sa_check_clip(&in, &p, &out);
		break;
	}
	case TR_OP_FLATTEN:
		out.c = in.c * in.h * in.w;
		out.h = out.w = 1;
		break;
	case TR_OP_DROPOUT: out = in; break;
	default: return layer_error(l, "this layer kind cannot appear here");
	}
	if (err)
		return layer_error(l, err);
	nd->osh.c = (int)out.c;
	nd->osh.h = (int)out.h;
	nd->osh.w = (int)out.w;
	return SA_OK;
}

/* PyTorch's default initialisation: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases. */
static void init_params(struct tr_net *net, struct tr_node *nd, int index)
{
	struct tr_rng rng;
	size_t fan_in = nd->nw / (size_t)(nd->op == TR_OP_CONV ? nd->conv.oc : nd->osh.c);
	float bound = 1.0f / sqrtf((float)fan_in);

	tr_rng_seed_stream(&rng, net->seed, 1000u + (uint64_t)index);
	for (size_t i = 0; i < nd->nw; i++)
		nd->weight.value[i] = (2.0f * tr_rng_uniform(&rng) - 1.0f) * bound;
	if (nd->has_bias)
		for (size_t i = 0; i < nd->bias.n; i++)
			nd->bias.value[i] = (2.0f * tr_rng_uniform(&rng) - 1.0f) * bound;
	if (nd->has_bn) {
		for (size_t i = 0; i < nd->gamma.n; i++) {
			nd->gamma.value[i] = 1.0f;
			nd->run_var[i] = 1.0f;
		}
	}
}

static sa_status node_alloc(struct tr_net *net, struct tr_node *nd, int index)
{
	size_t b = (size_t)net->batch_max;
	size_t o = nd->out_elems;
	int ok = 1;

	nd->out = alloc_floats(b * o);
	nd->grad = alloc_floats(b * o);
	nd->q.img_max = alloc_floats(b > (size_t)nd->osh.c ? b : (size_t)nd->osh.c);
	ok = nd->out && nd->grad && nd->q.img_max;
	if (nd->op == TR_OP_CONV || nd->op == TR_OP_FC || nd->op == TR_OP_ADD ||
	    nd->op == TR_OP_CONCAT || nd->op == TR_OP_CLIP)
		ok = ok && (nd->pre = alloc_floats(b * o));
	if (nd->op == TR_OP_CONV || nd->op == TR_OP_FC) {
		int ch = nd->osh.c;

		ok = ok && param_alloc(&nd->weight, nd->name, "weight", nd->nw, 1) == 0;
		nd->dw_eff = nd->weight.grad;
		ok = ok && (nd->w_eff = alloc_floats(nd->nw)) &&
		     (nd->b_eff = alloc_floats((size_t)ch));
		if (nd->has_bias)
			ok = ok && param_alloc(&nd->bias, nd->name, "bias", (size_t)ch, 0) == 0;
		if (nd->has_bn) {
			ok = ok &&
			     param_alloc(&nd->gamma, nd->name, "bn.weight", (size_t)ch, 0) == 0;
			ok = ok && param_alloc(&nd->beta, nd->name, "bn.bias", (size_t)ch, 0) == 0;
			ok = ok && (nd->bn_mean = alloc_floats((size_t)ch)) &&
			     (nd->bn_var = alloc_floats((size_t)ch)) &&
			     (nd->bn_invstd = alloc_floats((size_t)ch)) &&
			     (nd->run_mean = alloc_floats((size_t)ch)) &&
			     (nd->run_var = alloc_floats((size_t)ch)) &&
			     (nd->bn_y = alloc_floats(b * o)) &&
			     (nd->w_fold = alloc_floats(nd->nw)) &&
			     (nd->b_fold = alloc_floats((size_t)ch));
		}
		if (nd->op == TR_OP_CONV) {
			nd->nparts =
				net->batch_max < TR_CONV_PARTS ? net->batch_max : TR_CONV_PARTS;
			ok = ok && (nd->dw_part = alloc_floats((size_t)nd->nparts * nd->nw)) &&
			     (nd->db_part = alloc_floats((size_t)nd->nparts * (size_t)ch));
		}
		if (ok)
			init_params(net, nd, index);
	}
	if (nd->op == TR_OP_MAXPOOL)
		ok = ok && (nd->argmax = calloc(b * o, sizeof(int32_t)));
	if (nd->op == TR_OP_DROPOUT)
		ok = ok && (nd->mask = calloc(b * o, 1));
	return ok ? SA_OK : sa_fail(SA_ERR_NO_MEMORY, "training network: out of memory");
}

/* Fills one node from its layer line: inputs, shapes, geometry. */
static sa_status node_from_layer(struct tr_net *net, int index, const struct tr_layer_spec *l)
{
	struct tr_node *nd = &net->nodes[index];
	sa_status st;

	nd->op = l->op;
	if (l->name[0])
		snprintf(nd->name, sizeof(nd->name), "%s", l->name);
	else
		snprintf(nd->name, sizeof(nd->name), "layer%d", index);
	nd->in[0] = index - 1;
	nd->in[1] = -1;
	if (l->from[0] && (nd->in[0] = find_node(net, index, l->from)) < 0)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "architecture line %d: from=%s names no earlier layer", l->line,
			       l->from);
	if ((l->op == TR_OP_ADD || l->op == TR_OP_CONCAT) &&
	    (nd->in[1] = find_node(net, index, l->other)) < 0)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "architecture line %d: %s %s names no earlier layer", l->line,
			       l->op == TR_OP_ADD ? "add" : "concat", l->other);
	nd->ish = net->nodes[nd->in[0]].osh;
	st = layer_shape(net, nd, l);
	if (st)
		return st;
	nd->in_elems = tr_shape_elems(&nd->ish);
	nd->out_elems = tr_shape_elems(&nd->osh);
	nd->act = l->act;
	nd->has_bn = l->bn;
	nd->has_bias = l->bias;
	nd->p = l->p;
	if (l->op == TR_OP_CONV) {
		struct tr_conv_geom *g = &nd->conv;

		g->ic = nd->ish.c, g->ih = nd->ish.h, g->iw = nd->ish.w;
		g->oc = nd->osh.c, g->oh = nd->osh.h, g->ow = nd->osh.w;
		g->kh = l->kh, g->kw = l->kw, g->sh = l->sh, g->sw = l->sw;
		g->dh = l->dh, g->dw = l->dw, g->pt = l->pt, g->pl = l->pl;
		g->groups = l->groups;
		nd->pb = l->pb;
		nd->pr = l->pr;
		nd->nw = (size_t)g->oc * (size_t)tr_conv_col_rows(g);
	} else if (l->op == TR_OP_FC) {
		nd->nw = (size_t)nd->osh.c * nd->in_elems;
	} else if (l->op == TR_OP_MAXPOOL || l->op == TR_OP_AVGPOOL || l->op == TR_OP_GAP) {
		struct tr_pool_geom *g = &nd->pool;

		g->c = nd->ish.c, g->ih = nd->ish.h, g->iw = nd->ish.w;
		g->oh = nd->osh.h, g->ow = nd->osh.w;
		if (l->op == TR_OP_GAP) {
			g->kh = g->ih, g->kw = g->iw, g->sh = g->ih, g->sw = g->iw;
		} else {
			g->kh = l->kh, g->kw = l->kw, g->sh = l->sh, g->sw = l->sw;
			g->pt = l->pt, g->pl = l->pl;
			nd->pb = l->pb;
			nd->pr = l->pr;
		}
	}
	/* Ops whose integer version rounds carry an output quantiser. */
	nd->q.enabled = l->op == TR_OP_CONV || l->op == TR_OP_FC || l->op == TR_OP_ADD ||
			l->op == TR_OP_AVGPOOL || l->op == TR_OP_GAP || l->op == TR_OP_CONCAT ||
			l->op == TR_OP_CLIP;
	nd->q.dtype = SA_DTYPE_I8;
	return node_alloc(net, nd, index);
}

#define TR_WSLICE 16384

static sa_status make_weight_slices(struct tr_net *net)
{
	int count = 0;

	for (int pass = 0; pass < 2; pass++) {
		count = 0;
		for (int i = 0; i < net->num_nodes; i++) {
			const struct tr_node *nd = &net->nodes[i];

			if (nd->op != TR_OP_CONV && nd->op != TR_OP_FC)
				continue;
			for (size_t lo = 0; lo < nd->nw; lo += TR_WSLICE, count++) {
				if (!pass)
					continue;
				net->wslices[count].node = i;
				net->wslices[count].lo = lo;
				net->wslices[count].hi =
					lo + TR_WSLICE < nd->nw ? lo + TR_WSLICE : nd->nw;
			}
		}
		if (!pass &&
		    !(net->wslices = calloc((size_t)(count ? count : 1), sizeof(*net->wslices))))
			return sa_fail(SA_ERR_NO_MEMORY, "training network: out of memory");
	}
	net->num_wslices = count;
	return SA_OK;
}

static sa_status alloc_workspaces(struct tr_net *net)
{
	size_t col = 1, tmp = net->nodes[0].out_elems;

	for (int i = 0; i < net->num_nodes; i++) {
		const struct tr_node *nd = &net->nodes[i];

		if (nd->op == TR_OP_CONV && tr_conv_col_size(&nd->conv) > col)
			col = tr_conv_col_size(&nd->conv);
		tmp = nd->in_elems > tmp ? nd->in_elems : tmp;
		tmp = nd->out_elems > tmp ? nd->out_elems : tmp;
	}
	net->ws = calloc((size_t)net->threads, sizeof(*net->ws));
	if (!net->ws)
		return sa_fail(SA_ERR_NO_MEMORY, "training network: out of memory");
	for (int t = 0; t < net->threads; t++) {
		struct tr_thread_ws *ws = &net->ws[t];

		ws->col = alloc_floats(col);
		ws->tmp = alloc_floats(tmp);
		if (tr_gemm_ws_init(&ws->gemm) || !ws->col || !ws->tmp)
			return sa_fail(SA_ERR_NO_MEMORY, "training network: out of memory");
	}
	return SA_OK;
}

/* Pools, flatten and dropout: they keep their input's scale and dtype. */
static int passes_scale(int op)
{
	return op == TR_OP_MAXPOOL || op == TR_OP_AVGPOOL || op == TR_OP_GAP ||
	       op == TR_OP_FLATTEN || op == TR_OP_DROPOUT;
}

/*
 * The logits keep 16 bits (their resolution decides close calls).  They come
 * from a conv, fc or add without activation, or (SqueezeNet's head: conv ->
 * relu -> global pool -> flatten) from a conv, fc, add, concat or clip with
 * any activation followed only by layers that keep its scale, which then
 * all carry int16.
 */
static sa_status mark_logits(struct tr_net *net)
{
	int i = net->num_nodes - 1;
	struct tr_node *nd = &net->nodes[i];

	if (nd->op == TR_OP_CONV || nd->op == TR_OP_FC || nd->op == TR_OP_ADD) {
		if (nd->act != SA_ACT_NONE)
			return sa_fail(
				SA_ERR_INVALID_ARGUMENT,
				"the last layer gives the logits and must have no activation");
		nd->q.dtype = SA_DTYPE_I16;
		return SA_OK;
	}
	while (i > 0 && passes_scale(net->nodes[i].op))
		i = net->nodes[i].in[0];
	nd = &net->nodes[i];
	if (i == net->num_nodes - 1 || i == 0 ||
	    (nd->op != TR_OP_CONV && nd->op != TR_OP_FC && nd->op != TR_OP_ADD &&
	     nd->op != TR_OP_CONCAT && nd->op != TR_OP_CLIP))
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "the last layer must be conv, fc or add (it gives the logits), or "
			       "pools and flattens of one");
	for (int k = i + 1; k < net->num_nodes; k++)
		if (net->nodes[k].in[1] == i || (net->nodes[k].in[0] == i && k != i + 1))
			return sa_fail(SA_ERR_INVALID_ARGUMENT,
				       "the layer that gives the logits (%s) is read by others too",
				       nd->name);
	for (int k = i; k < net->num_nodes; k++)
		net->nodes[k].q.dtype = SA_DTYPE_I16;
	return SA_OK;
}

sa_status tr_net_create(const struct tr_arch *arch, struct tr_shape in, int classes,
			const struct tr_net_config *cfg, struct tr_net **out)
{
	struct tr_net *net;
	sa_status st;

	if (arch->has_input && (arch->in_c != in.c || arch->in_h != in.h || arch->in_w != in.w))
		return sa_fail(SA_ERR_SHAPE,
			       "the architecture's input is %dx%dx%d but the data is %dx%dx%d",
			       arch->in_c, arch->in_h, arch->in_w, in.c, in.h, in.w);
	if (arch->num_layers < 1)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "the architecture has no layers");
	if (cfg->batch_max < 1 || cfg->threads < 1)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "batch size and threads must be >= 1");
	if (cfg->weight_bits < SA_WEIGHT_BITS_MIN || cfg->weight_bits > SA_WEIGHT_BITS_MAX)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "weight bits %d: must be 2 to 5",
			       cfg->weight_bits);
	net = calloc(1, sizeof(*net));
	if (!net)
		return sa_fail(SA_ERR_NO_MEMORY, "training network: out of memory");
	net->num_nodes = arch->num_layers + 1;
	net->nodes = calloc((size_t)net->num_nodes, sizeof(*net->nodes));
	net->batch_max = cfg->batch_max;
	net->input = in;
	net->classes = classes;
	net->seed = cfg->seed;
	net->threads = cfg->threads;
	net->weight_bits = cfg->weight_bits;
	net->range_momentum = TR_RANGE_MOMENTUM;
	net->labels = calloc((size_t)cfg->batch_max, sizeof(*net->labels));
	if (!net->nodes || !net->labels) {
		tr_net_destroy(net);
		return sa_fail(SA_ERR_NO_MEMORY, "training network: out of memory");
	}
	for (int c = 0; c < 4; c++) {
		net->mean[c] = 0.0f;
		net->std[c] = 1.0f;
	}
	/* Node 0: the input. */
	struct tr_node *in0 = &net->nodes[0];

	in0->op = TR_OP_INPUT;
	snprintf(in0->name, sizeof(in0->name), "input");
	in0->in[0] = in0->in[1] = -1;
	in0->osh = in0->ish = in;
	in0->in_elems = in0->out_elems = tr_shape_elems(&in);
	in0->q.enabled = 1;
	in0->q.dtype = SA_DTYPE_I8;
	st = node_alloc(net, in0, 0);
	for (int i = 0; !st && i < arch->num_layers; i++)
		st = node_from_layer(net, i + 1, &arch->layers[i]);
	if (!st) {
		struct tr_node *last = &net->nodes[net->num_nodes - 1];

		if (last->out_elems != (size_t)classes)
			st = sa_fail(SA_ERR_INVALID_ARGUMENT,
				     "the network ends with %zu values but the data has %d classes",
				     last->out_elems, classes);
		else
			st = mark_logits(net);
	}
	for (int i = 1; !st && i < net->num_nodes; i++) {
		net->nodes[net->nodes[i].in[0]].consumers++;
		if (net->nodes[i].in[1] >= 0)
			net->nodes[net->nodes[i].in[1]].consumers++;
	}
	for (int i = 1; !st && i < net->num_nodes; i++) {
		struct tr_node *nd = &net->nodes[i];

		if (nd->op == TR_OP_FC && nd->in[0] > 0 && net->nodes[nd->in[0]].consumers > 1 &&
		    !(nd->dx_buf = alloc_floats((size_t)net->batch_max * nd->in_elems)))
			st = sa_fail(SA_ERR_NO_MEMORY, "training network: out of memory");
	}
	if (!st)
		st = alloc_workspaces(net);
	if (!st)
		st = make_weight_slices(net);
	if (!st) {
		net->pool = tr_pool_create(cfg->threads);
		if (!net->pool)
			st = sa_fail(SA_ERR_NO_MEMORY, "training network: cannot start %d threads",
				     cfg->threads);
	}
	if (!st)
		st = tr_net_set_mode(net, cfg->weight_mode, cfg->weight_bits,
				     cfg->weight_mode != TR_WEIGHTS_FLOAT,
				     cfg->weight_mode == TR_WEIGHTS_PS);
	if (!st)
		tr_net_set_normalisation(net, NULL, NULL);
	if (st) {
		tr_net_destroy(net);
		return st;
	}
	*out = net;
	return SA_OK;
}

void tr_net_destroy(struct tr_net *net)
{
	if (!net)
		return;
	for (int i = 0; net->nodes && i < net->num_nodes; i++) {
		struct tr_node *nd = &net->nodes[i];

		if (nd->dw_eff != nd->weight.grad)
			free(nd->dw_eff);
		param_free(&nd->weight);
		param_free(&nd->shift);
		param_free(&nd->sign);
		param_free(&nd->bias);
		param_free(&nd->gamma);
		param_free(&nd->beta);
		free(nd->w_eff);
		free(nd->b_eff);
		free(nd->dw_part);
		free(nd->db_part);
		free(nd->bn_mean);
		free(nd->bn_var);
		free(nd->bn_invstd);
		free(nd->run_mean);
		free(nd->run_var);
		free(nd->bn_y);
		free(nd->w_fold);
		free(nd->b_fold);
		free(nd->argmax);
		free(nd->mask);
		free(nd->q.img_max);
		free(nd->pre);
		free(nd->dx_buf);
		free(nd->out);
		free(nd->grad);
	}
	if (net->ws) {
		for (int t = 0; t < net->threads; t++) {
			tr_gemm_ws_free(&net->ws[t].gemm);
			free(net->ws[t].col);
			free(net->ws[t].tmp);
		}
	}
	tr_pool_destroy(net->pool);
	free(net->ws);
	free(net->params);
	free(net->wslices);
	free(net->labels);
	free(net->nodes);
	free(net);
}

void tr_net_set_normalisation(struct tr_net *net, const float *mean, const float *std)
{
	float m = 0.0f;

	for (int c = 0; c < net->input.c && c < 4; c++) {
		if (mean)
			net->mean[c] = mean[c];
		if (std)
			net->std[c] = std[c];
		/* The extremes of (p / 255 - mean) / std for p in [0, 255]. */
		float lo = fabsf((0.0f - net->mean[c]) / net->std[c]);
		float hi = fabsf((1.0f - net->mean[c]) / net->std[c]);

		m = fmaxf(m, fmaxf(lo, hi));
	}
	net->nodes[0].q.range = m;
}

sa_status tr_net_set_mode(struct tr_net *net, int weight_mode, int weight_bits, int act_quant,
			  int ps_from_scratch)
{
	int np = 0;

	for (int i = 0; i < net->num_nodes; i++) {
		struct tr_node *nd = &net->nodes[i];

		if (nd->op != TR_OP_CONV && nd->op != TR_OP_FC)
			continue;
		if (weight_mode == TR_WEIGHTS_PS) {
			if (!nd->shift.value || net->weight_mode != TR_WEIGHTS_PS ||
			    net->weight_bits != weight_bits) {
				/* Equation 12 from the float (or Q) weights. */
				if (param_alloc(&nd->shift, nd->name, "shift", nd->nw, 0) ||
				    param_alloc(&nd->sign, nd->name, "sign", nd->nw, 0))
					return sa_fail(SA_ERR_NO_MEMORY,
						       "training network: out of memory");
				nd->wbase =
					ps_from_scratch
						? tr_ps_scratch_base(nd->weight.value, nd->nw,
								     weight_bits)
						: tr_q_base(nd->weight.value, nd->nw, weight_bits);
				tr_ps_from_float(nd->weight.value, nd->nw, nd->wbase, weight_bits,
						 0, nd->shift.value, nd->sign.value);
				nd->shift.lo = (float)nd->wbase;
				nd->shift.hi = (float)(nd->wbase + tr_kmax(weight_bits) - 1);
				nd->sign.lo = -1.0f;
				nd->sign.hi = 1.0f;
			}
			if (nd->dw_eff == nd->weight.grad) {
				nd->dw_eff = alloc_floats(nd->nw);
				if (!nd->dw_eff)
					return sa_fail(SA_ERR_NO_MEMORY,
						       "training network: out of memory");
			}
		} else if (nd->dw_eff != nd->weight.grad) {
			free(nd->dw_eff);
			nd->dw_eff = nd->weight.grad;
		}
		np += weight_mode == TR_WEIGHTS_PS ? 2 : 1;
		np += nd->has_bias + 2 * nd->has_bn;
	}
	free(net->params);
	net->params = calloc((size_t)(np ? np : 1), sizeof(*net->params));
	if (!net->params)
		return sa_fail(SA_ERR_NO_MEMORY, "training network: out of memory");
	net->num_params = 0;
	for (int i = 0; i < net->num_nodes; i++) {
		struct tr_node *nd = &net->nodes[i];

		if (nd->op != TR_OP_CONV && nd->op != TR_OP_FC)
			continue;
		if (weight_mode == TR_WEIGHTS_PS) {
			net->params[net->num_params++] = &nd->shift;
			net->params[net->num_params++] = &nd->sign;
		} else {
			net->params[net->num_params++] = &nd->weight;
		}
		if (nd->has_bias)
			net->params[net->num_params++] = &nd->bias;
		if (nd->has_bn) {
			net->params[net->num_params++] = &nd->gamma;
			net->params[net->num_params++] = &nd->beta;
		}
	}
	net->weight_mode = weight_mode;
	net->weight_bits = weight_bits;
	net->act_quant = act_quant;
	return SA_OK;
}

/* Moves a PS layer's shifts by log2 |s_c| per output channel (sign flips for s_c < 0). */
static void fold_scale_into_shifts(struct tr_net *net, struct tr_node *nd, const float *scale)
{
	size_t per = nd->nw / (size_t)nd->osh.c;
	int kmax = tr_kmax(net->weight_bits);
	float top = -INFINITY;

	for (size_t i = 0; i < nd->nw; i++) {
		float s = scale[i / per];

		nd->shift.value[i] += log2f(fabsf(s));
		if (s < 0)
			nd->sign.value[i] = -nd->sign.value[i];
		if (fabsf(nd->sign.value[i]) >= 0.5f)
			top = fmaxf(top, nd->shift.value[i]);
	}
	if (isinf(top))
		return; /* every weight is zero */
	/* the code range follows the largest weight; smaller ones round to zero */
	int base = (int)floorf(top + 0.5f) - (kmax - 1);

	base = base < SA_WEIGHT_BASE_MIN   ? SA_WEIGHT_BASE_MIN
	       : base > SA_WEIGHT_BASE_MAX ? SA_WEIGHT_BASE_MAX
					   : base;
	nd->wbase = base;
	nd->shift.lo = (float)base;
	nd->shift.hi = (float)(base + kmax - 1);
	for (size_t i = 0; i < nd->nw; i++) {
		if (nd->shift.value[i] < (float)base - 0.5f)
			nd->sign.value[i] = 0.0f;
		nd->shift.value[i] = fminf(fmaxf(nd->shift.value[i], nd->shift.lo), nd->shift.hi);
	}
}

sa_status tr_net_add_bias(struct tr_net *net, struct tr_node *nd)
{
	(void)net;
	if (nd->has_bias)
		return SA_OK;
	if (param_alloc(&nd->bias, nd->name, "bias", (size_t)nd->osh.c, 0))
		return sa_fail(SA_ERR_NO_MEMORY, "training network: out of memory");
	nd->has_bias = 1;
	return SA_OK;
}

sa_status tr_net_fold_batchnorm(struct tr_net *net)
{
	for (int i = 0; i < net->num_nodes; i++) {
		struct tr_node *nd = &net->nodes[i];
		int ch = nd->osh.c;
		size_t per;

		if (!nd->has_bn)
			continue;
		per = nd->nw / (size_t)ch;
		if (tr_net_add_bias(net, nd))
			return SA_ERR_NO_MEMORY;
		float *scale = nd->b_fold; /* free scratch of C floats */

		for (int c = 0; c < ch; c++) {
			scale[c] = nd->gamma.value[c] / sqrtf(nd->run_var[c] + TR_BN_EPS);
			nd->bias.value[c] = (nd->bias.value[c] - nd->run_mean[c]) * scale[c] +
					    nd->beta.value[c];
		}
		if (net->weight_mode == TR_WEIGHTS_PS)
			fold_scale_into_shifts(net, nd, scale);
		else
			for (size_t k = 0; k < nd->nw; k++)
				nd->weight.value[k] *= scale[k / per];
		nd->has_bn = 0;
	}
	/* gamma and beta are no longer trained */
	return tr_net_set_mode(net, net->weight_mode, net->weight_bits, net->act_quant, 0);
}

/* ------------------------------------------------------------ exponents */

static int clamp_int(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* The smallest exponent whose dtype range holds `range`. */
static int exp_for_range(float range, int dtype)
{
	float qmax = dtype == SA_DTYPE_I16 ? 32767.0f : 127.0f;

	if (!(range > 0.0f))
		return -8;
	int e = (int)ceilf(log2f(range / qmax));

	/* log2f may land a hair below an exact power of two */
	while (ldexpf(qmax, e) < range)
		e++;
	return e;
}

int tr_node_out_exp(const struct tr_net *net, const struct tr_node *nd)
{
	int e;

	switch (nd->op) {
	case TR_OP_INPUT:
		return clamp_int(exp_for_range(nd->q.range, nd->q.dtype), SA_EXP_MIN, SA_EXP_MAX);
	case TR_OP_CONV:
	case TR_OP_FC: {
		int ein = net->nodes[nd->in[0]].q.exp;
		int base = nd->wbase;

		e = exp_for_range(nd->q.range, nd->q.dtype);
		e = clamp_int(e, ein + base + SA_REQUANT_SHIFT_MIN,
			      ein + base + SA_REQUANT_SHIFT_MAX);
		return clamp_int(e, SA_EXP_MIN, SA_EXP_MAX);
	}
	case TR_OP_ADD: {
		int ea = net->nodes[nd->in[0]].q.exp, eb = net->nodes[nd->in[1]].q.exp;
		int m = ea < eb ? ea : eb;

		e = exp_for_range(nd->q.range, nd->q.dtype);
		e = clamp_int(e, m + SA_REQUANT_SHIFT_MIN, m + SA_REQUANT_SHIFT_MAX);
		return clamp_int(e, SA_EXP_MIN, SA_EXP_MAX);
	}
	case TR_OP_CONCAT:
	case TR_OP_CLIP: {
		/* each input is requantised by at most SA_ADD_MAX_EXP_DIFF octaves */
		int ea = net->nodes[nd->in[0]].q.exp;
		int eb = nd->in[1] >= 0 ? net->nodes[nd->in[1]].q.exp : ea;

		e = exp_for_range(nd->q.range, nd->q.dtype);
		e = clamp_int(e, (ea > eb ? ea : eb) - SA_ADD_MAX_EXP_DIFF,
			      (ea < eb ? ea : eb) + SA_ADD_MAX_EXP_DIFF);
		return clamp_int(e, SA_EXP_MIN, SA_EXP_MAX);
	}
	default:
		/* Pools, flatten and dropout keep their input's scale. */
		return net->nodes[nd->in[0]].q.exp;
	}
}

/* ---------------------------------------------------------- weights */

/* Bias at the accumulator scale 2^(exp_in + base), as the .dsm stores it (int32). */
static void quantize_bias(const float *b, int n, int acc_exp, float *out)
{
	for (int i = 0; i < n; i++) {
		double q = floor((double)b[i] * ldexp(1.0, -acc_exp) + 0.5);

		q = q < INT32_MIN ? INT32_MIN : q > INT32_MAX ? INT32_MAX : q;
		out[i] = (float)ldexp(q, acc_exp);
	}
}

/*
 * Batch norm folded into the effective weights (quantised evaluation and
 * export): w' = w * gamma / sqrt(var + eps), b' = (b - mean) * gamma /
 * sqrt(var + eps) + beta, then w' rounded to the layer's power-of-two code
 * again.
 */
static void fold_bn(struct tr_net *net, struct tr_node *nd)
{
	int ch = nd->osh.c;
	size_t per = nd->nw / (size_t)ch;

	for (int c = 0; c < ch; c++) {
		float s = nd->gamma.value[c] / sqrtf(nd->run_var[c] + TR_BN_EPS);
		float b = nd->has_bias ? nd->bias.value[c] : 0.0f;

		for (size_t i = 0; i < per; i++)
			nd->w_fold[c * per + i] = nd->w_eff[c * per + i] * s;
		nd->b_fold[c] = (b - nd->run_mean[c]) * s + nd->beta.value[c];
	}
	nd->fold_base = tr_q_base(nd->w_fold, nd->nw, net->weight_bits);
	tr_q_quantize(nd->w_fold, nd->nw, nd->fold_base, net->weight_bits, nd->w_fold, NULL);
}

/* Effective weights of one slice for the current mode (the node's base is set). */
static void prepare_slice(void *ctx, int task, int thread)
{
	struct tr_net *net = ctx;
	const struct tr_wslice *sl = &net->wslices[task];
	struct tr_node *nd = &net->nodes[sl->node];
	size_t n = sl->hi - sl->lo;

	(void)thread;
	switch (net->weight_mode) {
	case TR_WEIGHTS_FLOAT:
		memcpy(nd->w_eff + sl->lo, nd->weight.value + sl->lo, sizeof(float) * n);
		break;
	case TR_WEIGHTS_Q:
		tr_q_quantize(nd->weight.value + sl->lo, n, nd->wbase, net->weight_bits,
			      nd->w_eff + sl->lo, NULL);
		break;
	case TR_WEIGHTS_PS:
		tr_ps_forward(nd->shift.value + sl->lo, nd->sign.value + sl->lo, n, nd->wbase,
			      net->weight_bits, nd->w_eff + sl->lo, NULL);
		break;
	}
}

static void ps_backward_slice(void *ctx, int task, int thread)
{
	struct tr_net *net = ctx;
	const struct tr_wslice *sl = &net->wslices[task];
	struct tr_node *nd = &net->nodes[sl->node];

	(void)thread;
	tr_ps_backward(nd->shift.value + sl->lo, nd->w_eff + sl->lo, nd->dw_eff + sl->lo,
		       sl->hi - sl->lo, nd->wbase, net->weight_bits, nd->shift.grad + sl->lo,
		       nd->sign.grad + sl->lo);
}

void tr_net_prepare_weights(struct tr_net *net)
{
	for (int i = 0; i < net->num_nodes; i++) {
		struct tr_node *nd = &net->nodes[i];

		if (nd->op != TR_OP_CONV && nd->op != TR_OP_FC)
			continue;
		if (net->weight_mode == TR_WEIGHTS_Q)
			nd->wbase = tr_q_base(nd->weight.value, nd->nw, net->weight_bits);
		else if (net->weight_mode == TR_WEIGHTS_FLOAT)
			nd->wbase = 0;
	}
	tr_pool_run(net->pool, net->num_wslices, prepare_slice, net);
	for (int i = 0; i < net->num_nodes; i++) {
		struct tr_node *nd = &net->nodes[i];
		int quant = net->act_quant && nd->q.enabled && nd->q.range > 0.0f;

		/* Average pools round at their input's scale, once that is quantised. */
		if (nd->op == TR_OP_AVGPOOL || nd->op == TR_OP_GAP)
			quant = net->act_quant && net->nodes[nd->in[0]].actq.quant;

		if (nd->op == TR_OP_CONV || nd->op == TR_OP_FC) {
			int folded = tr_node_folded(net, nd);
			int ein = net->nodes[nd->in[0]].q.exp;

			if (folded)
				fold_bn(net, nd);
			int base = folded ? nd->fold_base : nd->wbase;
			const float *b = folded ? nd->b_fold : nd->has_bias ? nd->bias.value : NULL;
			int saved = nd->wbase;

			/* The output exponent's limits depend on the base the forward uses. */
			nd->wbase = base;
			nd->q.exp = tr_node_out_exp(net, nd);
			nd->wbase = saved;
			if (!b)
				memset(nd->b_eff, 0, sizeof(float) * (size_t)nd->osh.c);
			else if (net->act_quant)
				quantize_bias(b, nd->osh.c, ein + base, nd->b_eff);
			else
				memcpy(nd->b_eff, b, sizeof(float) * (size_t)nd->osh.c);
		} else {
			nd->q.exp = tr_node_out_exp(net, nd);
		}
		tr_actq_init(&nd->actq, nd->act, quant, nd->q.dtype, nd->q.exp);
	}
}

/* ------------------------------------------------------- passes */

void tr_net_forward(struct tr_net *net, int n, int training)
{
	net->training = training;
	tr_net_prepare_weights(net);
	for (int i = 0; i < net->num_nodes; i++)
		tr_node_forward(net, &net->nodes[i], n);
	if (training)
		net->step++;
}

double tr_net_loss(struct tr_net *net, int n, int *correct)
{
	struct tr_node *last = &net->nodes[net->num_nodes - 1];

	return tr_softmax_xent(last->out, net->labels, n, net->classes, 1.0f / (float)n, last->grad,
			       correct);
}

void tr_net_backward(struct tr_net *net, int n)
{
	/* Tensors read by several layers sum their gradients. */
	for (int i = 0; i < net->num_nodes; i++) {
		struct tr_node *nd = &net->nodes[i];

		if (nd->consumers > 1)
			memset(nd->grad, 0, sizeof(float) * (size_t)n * nd->out_elems);
	}
	for (int i = net->num_nodes - 1; i > 0; i--)
		tr_node_backward(net, &net->nodes[i], n);
	if (net->weight_mode == TR_WEIGHTS_PS)
		tr_pool_run(net->pool, net->num_wslices, ps_backward_slice, net);
}

void tr_net_update_ranges(struct tr_net *net, int n, int first)
{
	for (int i = 1; i < net->num_nodes; i++) {
		struct tr_node *nd = &net->nodes[i];

		if (!nd->q.enabled)
			continue;
		float m = 0.0f;

		if (nd->q.nmax == 0)
			continue;
		for (int j = 0; j < nd->q.nmax && j < n; j++)
			m = fmaxf(m, nd->q.img_max[j]);
		if (first || !(nd->q.range > 0.0f))
			nd->q.range = m;
		else
			nd->q.range = net->range_momentum * nd->q.range +
				      (1.0f - net->range_momentum) * m;
	}
}
