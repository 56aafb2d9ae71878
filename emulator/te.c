// SPDX-License-Identifier: MIT
/*
 * The shift-MAC tensor engine (docs/hardware.md, section 9).  START
 * validates the command in SA_CP_TE_CMD (te_plan.c) and makes the engine
 * busy for the modelled number of cycles; when they have elapsed the engine
 * reads its inputs through the MMU, computes the output with the CPU
 * backend's kernels (the very same arithmetic: the reference kernels of
 * libshiftaccel/kernels, or for conv and fc their bit-identical fast
 * versions where those are exact), and writes it.  An aborted command
 * therefore writes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "card_internal.h"
#include "../libshiftaccel/src/cpu_fast.h"

int sa_te_init(struct sa_card *card)
{
	struct sa_te_state *te = &card->te;

	te->in_a = malloc(SA_TE_MAX_ACT_BYTES);
	te->in_b = malloc(SA_TE_MAX_ACT_BYTES);
	te->out = malloc(SA_TE_MAX_ACT_BYTES);
	te->w_packed = malloc(sa_weight_packed_size(SA_TE_MAX_WEIGHTS, SA_WEIGHT_BITS_MAX));
	te->w = malloc(SA_TE_MAX_WEIGHTS);
	te->bias = malloc(sizeof(int32_t) * SA_TE_MAX_CHANNELS);
	if (!te->in_a || !te->in_b || !te->out || !te->w_packed || !te->w || !te->bias)
		return -1;
	return 0;
}

void sa_te_fini(struct sa_card *card)
{
	free(card->te.in_a);
	free(card->te.in_b);
	free(card->te.out);
	free(card->te.w_packed);
	free(card->te.w);
	free(card->te.bias);
	free(card->te.fast_scratch);
}

void sa_te_reset(struct sa_card *card)
{
	struct sa_te_state *te = &card->te;

	memset(te->cmd_regs, 0, sizeof(te->cmd_regs));
	memset(&te->active, 0, sizeof(te->active));
	memset(&te->plan, 0, sizeof(te->plan));
	te->status = SA_ENGINE_IDLE;
	te->remaining = 0;
	te->fresh = false;
	te->last_cycles = 0;
	te->fault_seq = 0;
}

bool sa_te_busy(const struct sa_card *card)
{
	return SA_ENGINE_STATE(card->te.status) == SA_ENGINE_BUSY;
}

uint64_t sa_te_remaining(const struct sa_card *card)
{
	return card->te.remaining;
}

static void finish(struct sa_card *card, int err)
{
	card->te.remaining = 0;
	if (err) {
		card->te.status = SA_ENGINE_ERROR | (uint32_t)err << 8;
		sa_perf_add(card, SA_PERF_TE_ERRORS, 1);
	} else {
		card->te.status = SA_ENGINE_DONE;
		sa_perf_add(card, SA_PERF_TE_OPS, 1);
	}
	sa_irq_cp_raise(card, SA_CP_IRQ_TE_DONE);
}

static void start(struct sa_card *card)
{
	struct sa_te_state *te = &card->te;
	int err;

	if (sa_te_busy(card))
		return; /* the running command continues */
	memcpy(&te->active, te->cmd_regs, sizeof(te->active));
	te->fault_seq = 0;
	err = sa_te_plan(&te->active, &te->plan);
	if (err) {
		te->last_cycles = 0;
		finish(card, err);
		return;
	}
	te->status = SA_ENGINE_BUSY;
	te->remaining = te->plan.cycles;
	te->last_cycles = te->plan.cycles;
	te->fresh = sa_cp_yield(card);
}

/* Reads every input of the active command into the staging buffers. */
static int fetch_inputs(struct sa_card *card)
{
	struct sa_te_state *te = &card->te;
	const struct sa_hw_layer *l = &te->active.layer;
	uint32_t ctx = te->active.context;
	int err;

	err = sa_mmu_read(card, ctx, l->in.addr, te->in_a, te->plan.in_bytes, SA_FAULT_SRC_TE,
			  &te->fault_seq);
	if (!err && te->plan.in_b_bytes)
		err = sa_mmu_read(card, ctx, l->in_b.addr, te->in_b, te->plan.in_b_bytes,
				  SA_FAULT_SRC_TE, &te->fault_seq);
	if (!err && te->plan.weight_bytes)
		err = sa_mmu_read(card, ctx, l->weights, te->w_packed, te->plan.weight_bytes,
				  SA_FAULT_SRC_TE, &te->fault_seq);
	if (!err && te->plan.bias_count)
		err = sa_mmu_read(card, ctx, l->bias, te->bias, 4 * te->plan.bias_count,
				  SA_FAULT_SRC_TE, &te->fault_seq);
	if (err)
		return err;
	if (te->plan.weight_bytes) {
		unsigned int bits = te->active.op == SA_OP_CONV ? l->params.conv.weight_bits
								: l->params.fc.weight_bits;

		if (sa_weight_unpack(te->w_packed, (size_t)te->plan.weight_count, bits, te->w))
			return SA_ENGINE_ERR_BAD_WEIGHTS;
	}
	sa_perf_add(card, SA_PERF_TE_BYTES_READ,
		    te->plan.in_bytes + te->plan.in_b_bytes + te->plan.weight_bytes +
			    4 * te->plan.bias_count);
	return 0;
}

/*
 * A conv or fc on the fast kernels (cpu_fast.h), when they are exact for
 * it; false leaves it to the reference kernel.  The card's time follows the
 * host's clock while a command computes, so the host time of a big layer
 * matters: on the reference kernels a command at SA_TE_MAX_MACS takes about
 * as long as the default watchdog period; these are 10-40x faster.
 */
static bool compute_fast(struct sa_te_state *te, const int32_t *bias)
{
	const struct sa_hw_layer *l = &te->active.layer;
	const struct sa_te_plan *p = &te->plan;
	struct sa_fast_layer *fast = NULL;
	size_t need;
	sa_status st;

	if (te->active.op == SA_OP_CONV)
		st = sa_fast_conv_create(&p->in, &l->params.conv, te->w, bias, &p->out,
					 SA_FAST_BEST, &fast);
	else
		st = sa_fast_fc_create(&p->in, &l->params.fc, te->w, bias, &p->out, SA_FAST_BEST,
				       &fast);
	if (st != SA_OK || !fast)
		return false;
	need = sa_fast_scratch_bytes(fast);
	if (need > te->fast_scratch_bytes) {
		void *grown = realloc(te->fast_scratch, need);

		if (!grown) {
			sa_fast_destroy(fast);
			return false;
		}
		te->fast_scratch = grown;
		te->fast_scratch_bytes = need;
	}
	sa_fast_run(fast, te->in_a, te->out, te->fast_scratch);
	sa_fast_destroy(fast);
	return true;
}

static void compute(struct sa_te_state *te)
{
	const struct sa_hw_layer *l = &te->active.layer;
	const struct sa_te_plan *p = &te->plan;
	const int32_t *bias = p->bias_count ? te->bias : NULL;

	if ((te->active.op == SA_OP_CONV || te->active.op == SA_OP_FC) && compute_fast(te, bias))
		return;
	switch (te->active.op) {
	case SA_OP_CONV:
		sa_ref_conv(&p->in, te->in_a, &l->params.conv, te->w, bias, &p->out, te->out);
		break;
	case SA_OP_FC:
		sa_ref_fc(&p->in, te->in_a, &l->params.fc, te->w, bias, &p->out, te->out);
		break;
	case SA_OP_MAXPOOL:
		sa_ref_maxpool(&p->in, te->in_a, &l->params.pool, &p->out, te->out);
		break;
	case SA_OP_AVGPOOL:
		sa_ref_avgpool(&p->in, te->in_a, &l->params.pool, &p->out, te->out);
		break;
	case SA_OP_GLOBAL_AVGPOOL: sa_ref_global_avgpool(&p->in, te->in_a, &p->out, te->out); break;
	default:
		sa_ref_add(&p->in, te->in_a, &p->in_b, te->in_b, &l->params.add, &p->out, te->out);
		break;
	}
}

static void execute(struct sa_card *card)
{
	struct sa_te_state *te = &card->te;
	int err;

	sa_perf_add(card, SA_PERF_TE_CYCLES, te->plan.cycles);
	err = fetch_inputs(card);
	if (err) {
		finish(card, err);
		return;
	}
	compute(te);
	err = sa_mmu_write(card, te->active.context, te->active.layer.out.addr, te->out,
			   te->plan.out_bytes, SA_FAULT_SRC_TE, &te->fault_seq);
	if (err) {
		finish(card, err);
		return;
	}
	sa_perf_add(card, SA_PERF_TE_BYTES_WRITTEN, te->plan.out_bytes);
	sa_perf_add(card, SA_PERF_TE_SHIFT_ADDS, te->plan.shift_adds);
	finish(card, 0);
}

void sa_te_advance(struct sa_card *card, uint64_t cycles)
{
	if (sa_te_busy(card) && sa_engine_elapse(&card->te.fresh, &card->te.remaining, cycles))
		execute(card);
}

uint32_t sa_te_cp_read(struct sa_card *card, uint32_t offset, unsigned int size)
{
	struct sa_te_state *te = &card->te;

	if (offset < sizeof(te->cmd_regs)) {
		uint32_t v = 0;

		for (unsigned int i = 0; i < size; i++)
			v |= (uint32_t)te->cmd_regs[offset + i] << (8 * i);
		return v;
	}
	switch (offset) {
	case SA_CP_TE_STATUS: return te->status;
	case SA_CP_TE_LAST_CYCLES_LO:
	case SA_CP_TE_LAST_CYCLES_HI:
		return sa_latch_read(&card->cp_latch, SA_CP_TE_BASE + SA_CP_TE_LAST_CYCLES_LO,
				     te->last_cycles, offset == SA_CP_TE_LAST_CYCLES_HI);
	case SA_CP_TE_FAULT_SEQ: return te->fault_seq;
	default: return 0;
	}
}

void sa_te_cp_write(struct sa_card *card, uint32_t offset, uint32_t value, unsigned int size)
{
	struct sa_te_state *te = &card->te;

	/* The window may be refilled while a command runs: START took a snapshot. */
	if (offset < sizeof(te->cmd_regs)) {
		for (unsigned int i = 0; i < size; i++)
			te->cmd_regs[offset + i] = (uint8_t)(value >> (8 * i));
		return;
	}
	if (offset == SA_CP_TE_CTRL && (value & SA_ENGINE_CTRL_START))
		start(card);
}
