// SPDX-License-Identifier: MIT
/*
 * Running one descriptor of one queue: fetch it into CP memory with the DMA
 * engine, validate that copy, program the tensor engine or the DMA engine
 * with the queue's context, wait, then publish the status block, write the
 * fence and raise the queue's interrupt.  Any failure stops this queue only.
 *
 * Order of completion: head/completed advance, the status block is written
 * (when it is due), then the fence, then the interrupt (the DMA engine sends
 * it after the fence is in memory).  So whoever sees the fence also sees a
 * status block at least as new.
 */
#include <string.h>

#include "fw.h"

/* The descriptor being run and a waited-for value, in CP data memory. */
static struct sa_hw_desc desc_buf __attribute__((aligned(8)));
static uint64_t wait_word __attribute__((aligned(8)));

static int fetch(const struct fw_queue *q, struct fw_fault *f)
{
	uint64_t va = q->ring + (uint64_t)(q->head & q->mask) * sizeof(struct sa_hw_desc);

	hal_dma_to_dram(q->context, va, &desc_buf, sizeof(desc_buf));
	return fw_dma_finish(SA_FW_STAGE_FETCH, f);
}

static int run_layer(struct fw_queue *q, const struct sa_hw_desc *d, struct fw_fault *f)
{
	if (fw_te_run(d->opcode, q->context, &d->u.layer, SA_FW_STAGE_EXECUTE, f))
		return -1;
	q->engine_cycles += hal_te_last_cycles();
	return 0;
}

static int run_copy(struct fw_queue *q, const struct sa_hw_desc_copy *c, struct fw_fault *f)
{
	uint64_t t0 = hal_cycles();
	int rc;

	hal_dma_copy(q->context, c->src, c->dst, (uint32_t)c->length);
	rc = fw_dma_finish(SA_FW_STAGE_EXECUTE, f);
	q->engine_cycles += hal_cycles() - t0;
	return rc;
}

/* 1: the value is there, 0: not yet, -1: the read faulted. */
static int wait_satisfied(const struct fw_queue *q, struct fw_fault *f)
{
	hal_dma_to_dram(q->context, q->wait.addr, &wait_word, sizeof(wait_word));
	if (fw_dma_finish(SA_FW_STAGE_WAIT, f))
		return -1;
	return wait_word >= q->wait.value;
}

static void complete(struct fw_queue *q, uint8_t flags, uint64_t fence_addr, uint64_t fence_value,
		     uint32_t tag, uint32_t opcode)
{
	uint32_t index = q->head;
	struct fw_fault f;

	q->head++;
	q->completed++;
	q->descriptors++;
	q->since_publish++;
	if ((flags & (SA_DESC_F_FENCE | SA_DESC_F_IRQ)) || q->head == q->tail ||
	    q->since_publish >= FW_STATUS_EVERY) {
		if (!fw_queue_publish(q))
			return;
	}
	if (flags & SA_DESC_F_FENCE) {
		hal_dma_fence(q->context, fence_addr, fence_value, flags & SA_DESC_F_IRQ,
			      q->vector);
		if (fw_dma_finish(SA_FW_STAGE_FENCE, &f)) {
			fw_queue_fault(q, &f, index, tag, opcode);
			return;
		}
		/* Some other queue may be waiting for exactly this value. */
		fw_sched_wake_waiters();
	} else if (flags & SA_DESC_F_IRQ) {
		hal_msi(q->vector);
	}
}

/* A validated SA_OP_WAIT at the head, or the one it is still blocked on. */
static void run_wait(struct fw_queue *q)
{
	struct fw_fault f;
	int met = wait_satisfied(q, &f);

	if (met < 0) {
		fw_queue_fault(q, &f, q->head, q->wait.tag, SA_OP_WAIT);
	} else if (met) {
		q->wait.valid = false;
		complete(q, q->wait.flags, q->wait.fence_addr, q->wait.fence_value, q->wait.tag,
			 SA_OP_WAIT);
	} else {
		q->waiting = true;
	}
}

static void start_wait(struct fw_queue *q, const struct sa_hw_desc *d)
{
	q->wait.valid = true;
	q->wait.flags = d->flags;
	q->wait.tag = d->tag;
	q->wait.addr = d->u.wait.addr;
	q->wait.value = d->u.wait.value;
	q->wait.fence_addr = d->fence_addr;
	q->wait.fence_value = d->fence_value;
	q->waits++;
	run_wait(q);
}

static void run_fetched(struct fw_queue *q, const struct sa_hw_desc *d)
{
	struct fw_fault f;
	int rc = 0;

	if (fw_validate(d, fw.ops, &f)) {
		fw_queue_fault(q, &f, q->head, d->tag, d->opcode);
		return;
	}
	switch (d->opcode) {
	case SA_OP_WAIT: start_wait(q, d); return;
	case SA_OP_COPY: rc = run_copy(q, &d->u.copy, &f); break;
	case SA_OP_FENCE:
	case SA_OP_NOP: break;
	default: rc = run_layer(q, d, &f); break;
	}
	if (rc) {
		fw_queue_fault(q, &f, q->head, d->tag, d->opcode);
		return;
	}
	complete(q, d->opcode == SA_OP_FENCE ? d->flags | SA_DESC_F_FENCE : d->flags, d->fence_addr,
		 d->fence_value, d->tag, d->opcode);
}

void fw_exec_one(struct fw_queue *q)
{
	uint64_t t0 = hal_cycles(), i0 = hal_instret();
	struct fw_fault f;

	if (t0 > q->ready_since)
		q->stall_cycles += t0 - q->ready_since;
	if (q->wait.valid) {
		run_wait(q);
	} else if (fetch(q, &f)) {
		fw_queue_fault(q, &f, q->head, 0, 0);
	} else {
		run_fetched(q, &desc_buf);
	}
	q->ready_since = hal_cycles();
	q->cp_instret += hal_instret() - i0;
}
