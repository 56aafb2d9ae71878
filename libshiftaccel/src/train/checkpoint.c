// SPDX-License-Identifier: MIT
/*
 * Trainer checkpoints: the parameters, batch-norm statistics and activation
 * ranges of a network, so float training can be converted later (--init)
 * or training resumed.  Layout (host byte order, which is little-endian on
 * every supported machine):
 *   "SATRAIN1", u32 version (1), u32 weight mode, u32 weight bits,
 *   u32 node count, u32 architecture text length, the text,
 *   f32 mean[4], f32 std[4],
 *   per node: u32 op, f32 range, and for conv/fc: u64 weight count, f32
 *   weights, i32 weight base, u32 has shift/sign (+ f32 shift, f32 sign),
 *   u32 has bias (+ f32 bias[C]), u32 has bn (+ f32 gamma, beta, running
 *   mean, running variance, [C] each),
 *   "END!".
 * A checkpoint loads only into a trainer with the same architecture text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../error.h"
#include "../file_in.h"
#include "trainer.h"

#define CKPT_MAGIC "SATRAIN1"
#define CKPT_END "END!"
#define CKPT_VERSION 1u

struct io {
	FILE *f;
	const char *path;
	int failed;
};

static void put(struct io *io, const void *p, size_t n)
{
	if (!io->failed && fwrite(p, 1, n, io->f) != n)
		io->failed = 1;
}

static void put_u32(struct io *io, uint32_t v)
{
	put(io, &v, sizeof(v));
}

static void get(struct io *io, void *p, size_t n)
{
	if (!io->failed && fread(p, 1, n, io->f) != n)
		io->failed = 1;
}

static uint32_t get_u32(struct io *io)
{
	uint32_t v = 0;

	get(io, &v, sizeof(v));
	return v;
}

sa_status sa_trainer_save_checkpoint(sa_trainer *t, const char *path)
{
	struct tr_net *net = t->net;
	struct io io = {NULL, path, 0};
	uint32_t len = (uint32_t)strlen(t->arch_text);
	sa_output *out;
	sa_status st = sa_output_open(path, &out);

	if (st != SA_OK)
		return st;
	io.f = sa_output_stream(out);
	put(&io, CKPT_MAGIC, 8);
	put_u32(&io, CKPT_VERSION);
	put_u32(&io, (uint32_t)net->weight_mode);
	put_u32(&io, (uint32_t)net->weight_bits);
	put_u32(&io, (uint32_t)net->num_nodes);
	put_u32(&io, len);
	put(&io, t->arch_text, len);
	put(&io, net->mean, sizeof(net->mean));
	put(&io, net->std, sizeof(net->std));
	for (int i = 0; i < net->num_nodes; i++) {
		const struct tr_node *nd = &net->nodes[i];
		size_t ch = (size_t)nd->osh.c;

		put_u32(&io, (uint32_t)nd->op);
		put(&io, &nd->q.range, sizeof(float));
		if (nd->op != TR_OP_CONV && nd->op != TR_OP_FC)
			continue;
		uint64_t nw = nd->nw;
		int32_t base = nd->wbase;
		uint32_t ps = net->weight_mode == TR_WEIGHTS_PS;

		put(&io, &nw, sizeof(nw));
		put(&io, nd->weight.value, sizeof(float) * nd->nw);
		put(&io, &base, sizeof(base));
		put_u32(&io, ps);
		if (ps) {
			put(&io, nd->shift.value, sizeof(float) * nd->nw);
			put(&io, nd->sign.value, sizeof(float) * nd->nw);
		}
		put_u32(&io, (uint32_t)nd->has_bias);
		if (nd->has_bias)
			put(&io, nd->bias.value, sizeof(float) * ch);
		put_u32(&io, (uint32_t)nd->has_bn);
		if (nd->has_bn) {
			put(&io, nd->gamma.value, sizeof(float) * ch);
			put(&io, nd->beta.value, sizeof(float) * ch);
			put(&io, nd->run_mean, sizeof(float) * ch);
			put(&io, nd->run_var, sizeof(float) * ch);
		}
	}
	put(&io, CKPT_END, 4);
	if (io.failed) {
		st = sa_fail(SA_ERR_IO, "%s: write error: %s", path, strerror(errno ? errno : EIO));
		sa_output_abort(out);
		return st;
	}
	st = sa_output_commit(out);
	if (st == SA_OK)
		sa_clear_error();
	return st;
}

static sa_status load_body(sa_trainer *t, struct io *io)
{
	struct tr_net *net = t->net;
	char magic[8];
	sa_status st;

	get(io, magic, 8);
	if (io->failed || memcmp(magic, CKPT_MAGIC, 8))
		return sa_fail(SA_ERR_BAD_DATA, "%s: not a shiftaccel-train checkpoint", io->path);
	uint32_t version = get_u32(io), mode = get_u32(io), bits = get_u32(io);
	uint32_t nodes = get_u32(io), len = get_u32(io);

	if (io->failed || version != CKPT_VERSION)
		return sa_fail(SA_ERR_BAD_DATA, "%s: checkpoint version %u (this trainer reads %u)",
			       io->path, version, CKPT_VERSION);
	if (mode > TR_WEIGHTS_PS || bits < SA_WEIGHT_BITS_MIN || bits > SA_WEIGHT_BITS_MAX ||
	    len > (1u << 20))
		return sa_fail(SA_ERR_BAD_DATA, "%s: corrupt header", io->path);
	char *text = malloc(len + 1u);

	if (!text)
		return sa_fail(SA_ERR_NO_MEMORY, "out of memory");
	get(io, text, len);
	text[len] = '\0';
	int same = !io->failed && !strcmp(text, t->arch_text) && nodes == (uint32_t)net->num_nodes;

	free(text);
	if (!same)
		return sa_fail(SA_ERR_BAD_DATA,
			       "%s: the checkpoint was trained with a different architecture",
			       io->path);
	/* Shift/sign parameters exist only in PS mode: switch before filling them. */
	st = tr_net_set_mode(net, (int)mode, (int)bits, mode != TR_WEIGHTS_FLOAT, 0);
	if (st)
		return st;
	float mean[4], std[4];

	get(io, mean, sizeof(mean));
	get(io, std, sizeof(std));
	for (int i = 0; i < net->num_nodes && !io->failed; i++) {
		struct tr_node *nd = &net->nodes[i];
		size_t ch = (size_t)nd->osh.c;

		if (get_u32(io) != (uint32_t)nd->op)
			return sa_fail(SA_ERR_BAD_DATA, "%s: layer %s differs", io->path, nd->name);
		get(io, &nd->q.range, sizeof(float));
		if (nd->op != TR_OP_CONV && nd->op != TR_OP_FC)
			continue;
		uint64_t nw = 0;
		int32_t base = 0;

		get(io, &nw, sizeof(nw));
		if (nw != nd->nw)
			return sa_fail(SA_ERR_BAD_DATA,
				       "%s: layer %s has %llu weights, expected %zu", io->path,
				       nd->name, (unsigned long long)nw, nd->nw);
		get(io, nd->weight.value, sizeof(float) * nd->nw);
		get(io, &base, sizeof(base));
		if (get_u32(io) != (mode == TR_WEIGHTS_PS))
			return sa_fail(SA_ERR_BAD_DATA, "%s: corrupt layer %s", io->path, nd->name);
		if (mode == TR_WEIGHTS_PS) {
			get(io, nd->shift.value, sizeof(float) * nd->nw);
			get(io, nd->sign.value, sizeof(float) * nd->nw);
			nd->wbase = base;
			nd->shift.lo = (float)base;
			nd->shift.hi = (float)(base + tr_kmax((int)bits) - 1);
		}
		/* A checkpoint taken after folding has a bias and no batch norm. */
		uint32_t has_bias = get_u32(io);

		if (has_bias > 1 || (!has_bias && nd->has_bias))
			return sa_fail(SA_ERR_BAD_DATA, "%s: corrupt layer %s", io->path, nd->name);
		if (has_bias && !nd->has_bias) {
			st = tr_net_add_bias(net, nd);
			if (st)
				return st;
		}
		if (nd->has_bias)
			get(io, nd->bias.value, sizeof(float) * ch);
		uint32_t has_bn = get_u32(io);

		if (has_bn > (uint32_t)nd->has_bn)
			return sa_fail(SA_ERR_BAD_DATA, "%s: corrupt layer %s", io->path, nd->name);
		nd->has_bn = (int)has_bn;
		if (nd->has_bn) {
			get(io, nd->gamma.value, sizeof(float) * ch);
			get(io, nd->beta.value, sizeof(float) * ch);
			get(io, nd->run_mean, sizeof(float) * ch);
			get(io, nd->run_var, sizeof(float) * ch);
		}
	}
	char end[4];

	get(io, end, 4);
	if (io->failed || memcmp(end, CKPT_END, 4))
		return sa_fail(SA_ERR_BAD_DATA, "%s: truncated or corrupt checkpoint", io->path);
	/* the parameter list follows folded batch norms */
	st = tr_net_set_mode(net, (int)mode, (int)bits, mode != TR_WEIGHTS_FLOAT, 0);
	if (st)
		return st;
	if (memcmp(mean, net->mean, sizeof(float) * (size_t)net->input.c) ||
	    memcmp(std, net->std, sizeof(float) * (size_t)net->input.c))
		return sa_fail(SA_ERR_BAD_DATA,
			       "%s: the checkpoint was trained on data with a different "
			       "normalisation (another data set?)",
			       io->path);
	return SA_OK;
}

sa_status sa_trainer_load_checkpoint(sa_trainer *t, const char *path)
{
	struct io io = {NULL, path, 0};
	uint64_t size;
	sa_status st = sa_file_fopen_regular(path, &io.f, &size);

	if (st != SA_OK)
		return st;
	st = load_body(t, &io);
	fclose(io.f);
	if (st)
		return st;
	t->cfg.weights = (sa_train_weights)t->net->weight_mode;
	t->cfg.weight_bits = t->net->weight_bits;
	tr_optim_defaults(t->opt_cfg.kind, &t->opt_cfg);
	t->opt_cfg.momentum = t->cfg.optimizer == SA_OPT_ADAM ? 0.0f : t->cfg.momentum;
	t->opt_cfg.weight_decay = t->cfg.weight_decay;
	t->epoch = 0;
	st = tr_optim_reset(&t->opt, &t->opt_cfg, t->net);
	if (!st)
		sa_clear_error();
	return st;
}
