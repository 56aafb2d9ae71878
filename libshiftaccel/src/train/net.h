/* SPDX-License-Identifier: MIT */
/*
 * A training network: nodes in topological order, each with preallocated
 * batch buffers (nothing is allocated per batch or per sample), trainable
 * parameters, and the quantisation state that mirrors the integer model
 * the network exports to.
 *
 * Node kinds match the integer graph one to one: a conv or fc node carries
 * its optional batch norm (folded into the weights at export), its fused
 * activation and its output requantisation, exactly like the .dsm op it
 * becomes.  In quantised modes (DeepShift-Q/PS) every node whose integer op
 * rounds (input, conv, fc, add, average pools) fake-quantises its output
 * with the power-of-two exponent it will have in the .dsm file.
 */
#ifndef TR_NET_H
#define TR_NET_H

#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "gemm.h"
#include "layers.h"
#include "shift_weights.h"
#include "threadpool.h"

/* One trainable tensor and its optimiser state. */
struct tr_param {
	char name[48]; /* "conv1.weight" */
	float *value, *grad;
	float *m, *v; /* optimiser moments (allocated by the optimiser) */
	size_t n;
	int decay;    /* weight decay applies */
	float lo, hi; /* projection after each step (+-INFINITY: none) */
};

struct tr_shape {
	int c, h, w;
};

static inline size_t tr_shape_elems(const struct tr_shape *s)
{
	return (size_t)s->c * s->h * s->w;
}

/* Output quantisation of a node. */
struct tr_outq {
	int enabled;	/* this node's integer op rounds its output */
	int dtype;	/* SA_DTYPE_I8, or I16 for the logits */
	int exp;	/* exponent used by the forward pass (and the export) */
	float range;	/* calibrated max |value| (EMA); 0 before calibration */
	float *img_max; /* per image max |pre-quant value| of the last forward */
	int nmax;	/* entries of img_max the last forward filled */
};

struct tr_node {
	int op; /* enum tr_op */
	char name[TR_NAME_MAX];
	int in[2]; /* producer node indices (in[1] only for add) */
	struct tr_shape ish, osh;
	size_t in_elems, out_elems; /* per image */
	int consumers;

	/* conv and fc */
	struct tr_conv_geom conv;
	int pb, pr; /* bottom/right padding, for export */
	int has_bias, has_bn, act;
	size_t nw; /* weights */
	int wbase; /* weight_base of the current effective weights */
	struct tr_param weight, shift, sign, bias, gamma, beta;
	float *w_eff;		  /* weights the forward uses (== weight.value in float mode) */
	float *dw_eff;		  /* gradient w.r.t. w_eff (== weight.grad outside PS mode) */
	float *b_eff;		  /* bias the forward uses (quantised to the accumulator scale) */
	float *dw_part, *db_part; /* conv: per-chunk partial gradients */
	int nparts;
	/* batch norm */
	float *bn_mean, *bn_var, *bn_invstd; /* of the last training batch */
	float *run_mean, *run_var;
	float *bn_y; /* batch-norm output (before activation) */
	/* eval-time folding of batch norm into the weights (quantised modes) */
	float *w_fold, *b_fold;
	int fold_base;

	/* pooling */
	struct tr_pool_geom pool;
	int32_t *argmax;

	/* dropout */
	float p;
	uint8_t *mask;

	struct tr_outq q;
	struct tr_actq actq; /* activation + quantisation of the current forward */

	float *pre;	   /* conv/fc: GEMM output; add: the sum (before activation) */
	float *out, *grad; /* batch_max x out_elems */
	float *dx_buf;	   /* fc: dL/dx before it is added to a shared input's gradient */
};

struct tr_thread_ws {
	struct tr_gemm_ws gemm;
	float *col; /* conv im2col scratch */
	float *tmp; /* one image of any tensor */
};

/* A slice of one node's weights: the unit of parallel weight preparation. */
struct tr_wslice {
	int node;
	size_t lo, hi;
};

struct tr_net_config {
	int batch_max;
	int threads;
	int weight_mode; /* enum tr_weight_mode */
	int weight_bits;
	uint64_t seed;
};

struct tr_net {
	int num_nodes;
	struct tr_node *nodes; /* nodes[0] is the input */
	struct tr_shape input;
	int classes;
	int batch_max;
	int weight_mode, weight_bits;
	int act_quant;	 /* fake-quantise activations (quantised modes) */
	int training;	 /* current forward: dropout on, batch statistics, range updates */
	int calibrating; /* eval forward that updates ranges */
	float range_momentum;
	uint64_t seed, step;
	float mean[4], std[4]; /* input normalisation */

	struct tr_pool *pool;
	int threads;
	struct tr_thread_ws *ws;

	int num_params;
	struct tr_param **params; /* the parameters the current mode trains */
	int num_wslices;
	struct tr_wslice *wslices;
	sa_label *labels; /* batch_max */
};

/*
 * Builds the network for inputs of shape `in` and `classes` outputs,
 * initialising weights from cfg->seed (PyTorch's default initialisation;
 * DeepShift-PS parameters come from those weights by equation 12).
 */
sa_status tr_net_create(const struct tr_arch *arch, struct tr_shape in, int classes,
			const struct tr_net_config *cfg, struct tr_net **out);
void tr_net_destroy(struct tr_net *net);

/* Input normalisation (also stored in the exported model); sets the input exponent. */
void tr_net_set_normalisation(struct tr_net *net, const float *mean, const float *std);

/*
 * Switches the weight parametrisation.  From float weights to Q or PS this
 * is the conversion of equation 12; act_quant turns activation
 * quantisation on or off; a new PS layer takes its code range from
 * tr_ps_scratch_base when ps_from_scratch, else from tr_q_base as the
 * conversion does.  Rebuilds the parameter list
 * (optimiser state must be reset).
 */
sa_status tr_net_set_mode(struct tr_net *net, int weight_mode, int weight_bits, int act_quant,
			  int ps_from_scratch);

/*
 * Folds every batch norm into its conv/fc layer for good: the weights are
 * scaled by gamma / sqrt(var + eps) per output channel (for DeepShift-PS the
 * shifts move by its log2 and the code range follows), the bias absorbs the
 * mean and beta.  The network then computes in training what the export
 * computes, and can be fine-tuned in that form.  Rebuilds the parameter list.
 */
sa_status tr_net_fold_batchnorm(struct tr_net *net);
/* Gives a conv/fc node a (zero) trainable bias if it has none (parameter list not rebuilt). */
sa_status tr_net_add_bias(struct tr_net *net, struct tr_node *nd);

/* Input batch buffer: n images of tr_shape_elems(&net->input) floats. */
static inline float *tr_net_input(struct tr_net *net)
{
	return net->nodes[0].out;
}
static inline const float *tr_net_logits(const struct tr_net *net)
{
	return net->nodes[net->num_nodes - 1].out;
}

/*
 * Forward pass of n images already in tr_net_input().  `training` enables
 * dropout, batch statistics and range calibration.
 */
void tr_net_forward(struct tr_net *net, int n, int training);
/*
 * Softmax cross-entropy on the logits of the last forward with net->labels;
 * writes the logits' gradient (mean over the batch). Returns the summed loss.
 */
double tr_net_loss(struct tr_net *net, int n, int *correct);
/* Backward pass; leaves the gradients of net->params. */
void tr_net_backward(struct tr_net *net, int n);
/* Updates the calibrated activation ranges from the last forward. */
void tr_net_update_ranges(struct tr_net *net, int n, int first);

/* Computes the effective weights of every conv/fc node for the current mode. */
void tr_net_prepare_weights(struct tr_net *net);

/* Per node work split across the pool (node ops, node_*.c). */
void tr_node_forward(struct tr_net *net, struct tr_node *nd, int n);
void tr_node_backward(struct tr_net *net, struct tr_node *nd, int n);

/* The output exponent a node's integer op uses, within the format's limits. */
int tr_node_out_exp(const struct tr_net *net, const struct tr_node *nd);

/* Quantised evaluation runs conv/fc with batch norm folded into the weights, as exported. */
static inline int tr_node_folded(const struct tr_net *net, const struct tr_node *nd)
{
	return net->act_quant && nd->has_bn && !net->training;
}

/* Splits [0, total) into `parts` nearly equal ranges; range i is [*lo, *hi). */
static inline void tr_split(int total, int parts, int i, int *lo, int *hi)
{
	*lo = (int)((long long)total * i / parts);
	*hi = (int)((long long)total * (i + 1) / parts);
}

#endif /* TR_NET_H */
