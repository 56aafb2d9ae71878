// SPDX-License-Identifier: MIT
/*
 * The fake hardware behind firmware/hal.h for native tests (fake_hal.h).
 */
#include "fake_hal.h"

#include <stdlib.h>
#include <string.h>

#include "../../libshiftaccel/src/crc32c.h"

struct fake_hw fake;

void fake_reset(void)
{
	for (uint32_t i = 0; i < fake.num_regions; i++)
		free(fake.regions[i].mem);
	memset(&fake, 0, sizeof(fake));
	fake.num_queues = SA_HW_DEFAULT_QUEUES;
	fake.queue_vectors = SA_HW_MAX_QUEUE_VECTORS;
	fake.ops = 0x7fe;
	fake.timer_deadline = UINT64_MAX;
	fake.te_cycles_per_op = 1000;
	fake.cycle_step = 7;
	for (uint32_t i = 0; i < sizeof(fake.code); i++)
		fake.code[i] = (uint8_t)(i * 7 + 3);
	fake.trailer.magic = SA_FW_TRAILER_MAGIC;
	fake.trailer.covered = sizeof(fake.code);
	fake.trailer.crc = sa_crc32c(0, fake.code, sizeof(fake.code));
	fake.trailer.build_id = fake.trailer.crc;
}

uint8_t *fake_map(uint32_t ctx, uint64_t va, uint64_t len, uint32_t perms)
{
	struct fake_region *r;

	if (fake.num_regions == FAKE_MAX_REGIONS)
		abort();
	r = &fake.regions[fake.num_regions++];
	r->ctx = ctx;
	r->va = va;
	r->len = len;
	r->perms = perms;
	r->mem = calloc(1, len);
	if (!r->mem)
		abort();
	return r->mem;
}

static struct fake_region *find(uint32_t ctx, uint64_t va, uint64_t len)
{
	for (uint32_t i = 0; i < fake.num_regions; i++) {
		struct fake_region *r = &fake.regions[i];

		if (r->ctx == ctx && va >= r->va && va - r->va < r->len &&
		    len <= r->len - (va - r->va))
			return r;
	}
	return NULL;
}

uint8_t *fake_ptr(uint32_t ctx, uint64_t va)
{
	struct fake_region *r = find(ctx, va, 1);

	return r ? r->mem + (va - r->va) : NULL;
}

/* Translates [va, va + len) of ctx for an access; NULL after recording a fault. */
static uint8_t *translate(uint32_t ctx, uint64_t va, uint64_t len, uint32_t access, uint32_t source,
			  uint32_t *seq)
{
	struct sa_hw_fault_record *rec;
	struct fake_region *r = NULL;
	uint32_t reason = 0;

	if (ctx >= SA_HW_NUM_CONTEXTS || !fake.ctx_valid[ctx])
		reason = SA_FAULT_CONTEXT_INVALID;
	else if (!(r = find(ctx, va, len ? len : 1)))
		reason = SA_FAULT_NOT_PRESENT;
	else if (access == SA_ACCESS_WRITE && !(r->perms & SA_PTE_WRITE))
		reason = SA_FAULT_WRITE_PROTECT;
	else if (access == SA_ACCESS_READ && !(r->perms & SA_PTE_READ))
		reason = SA_FAULT_READ_PROTECT;
	if (!reason)
		return r->mem + (va - r->va);
	*seq = fake.fault_count;
	rec = &fake.faults[fake.fault_count % SA_HW_FAULT_RING_SIZE];
	memset(rec, 0, sizeof(*rec));
	rec->address = va;
	rec->context = (uint16_t)ctx;
	rec->access = (uint8_t)access;
	rec->reason = (uint8_t)reason;
	rec->source = (uint8_t)source;
	rec->sequence = fake.fault_count++;
	return NULL;
}

static struct fake_op *log_op(uint32_t engine, uint32_t op, uint32_t ctx)
{
	static struct fake_op overflow;
	struct fake_op *o = fake.log_count < FAKE_MAX_LOG ? &fake.log[fake.log_count] : &overflow;

	fake.log_count++;
	memset(o, 0, sizeof(*o));
	o->engine = engine;
	o->op = op;
	o->ctx = ctx;
	return o;
}

uint32_t fake_count_ops(uint32_t engine, uint32_t op)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < fake.log_count && i < FAKE_MAX_LOG; i++)
		n += fake.log[i].engine == engine && fake.log[i].op == op;
	return n;
}

void fake_doorbell(uint32_t queue, uint32_t tail)
{
	fake.db_tail[queue] = tail;
	fake.db_pending |= 1ull << queue;
	fake.irq_pending |= SA_CP_IRQ_DOORBELL;
}

void fake_host_send(const uint32_t *words)
{
	memcpy(fake.h2f, words, sizeof(fake.h2f));
	fake.h2f_full = true;
	fake.irq_pending |= SA_CP_IRQ_MBOX_H2F;
}

bool fake_host_recv(uint32_t *words)
{
	if (!fake.f2h_full)
		return false;
	memcpy(words, fake.f2h, sizeof(fake.f2h));
	fake.f2h_full = false;
	fake.irq_pending |= SA_CP_IRQ_MBOX_F2H_ACK;
	return true;
}

/* ---- firmware/hal.h */

void hal_init(void)
{
	fake.irq_enable = 0;
}

uint32_t hal_cap(uint32_t offset)
{
	switch (offset) {
	case SA_REG_VERSION: return SA_HW_VERSION;
	case SA_REG_NUM_QUEUES: return fake.num_queues;
	case SA_REG_NUM_CONTEXTS: return SA_HW_NUM_CONTEXTS;
	case SA_REG_QUEUE_VECTORS: return fake.queue_vectors;
	case SA_REG_OPS: return fake.ops;
	default: return 0;
	}
}

bool hal_mbox_h2f_full(void)
{
	return fake.h2f_full;
}

void hal_mbox_h2f_read(uint32_t words[SA_MBOX_WORDS])
{
	memcpy(words, fake.h2f, sizeof(fake.h2f));
}

void hal_mbox_h2f_ack(void)
{
	fake.h2f_full = false;
}

bool hal_mbox_f2h_full(void)
{
	return fake.f2h_full;
}

void hal_mbox_f2h_send(const uint32_t words[SA_MBOX_WORDS])
{
	if (fake.f2h_full)
		abort(); /* the firmware must check FULL first */
	memcpy(fake.f2h, words, sizeof(fake.f2h));
	fake.f2h_full = true;
}

uint64_t hal_db_take_pending(void)
{
	uint64_t p = fake.db_pending;

	fake.db_pending = 0;
	return p;
}

uint32_t hal_db_tail(uint32_t queue)
{
	return fake.db_tail[queue];
}

uint32_t hal_irq_pending(void)
{
	return fake.irq_pending;
}

void hal_irq_clear(uint32_t causes)
{
	fake.irq_pending &= ~causes;
}

void hal_irq_enable(uint32_t causes)
{
	fake.irq_enable = causes;
}

void hal_msi(uint32_t vector)
{
	if (fake.msi_count < FAKE_MAX_LOG)
		fake.msi[fake.msi_count] = vector;
	fake.msi_count++;
}

/* Time passes: a busy engine gets one step closer to its end. */
void hal_wait(void)
{
	fake.waits++;
	if (fake.te_busy_left && --fake.te_busy_left == 0) {
		fake.te_status = fake.te_status == SA_ENGINE_BUSY ? SA_ENGINE_DONE : fake.te_status;
		fake.irq_pending |= SA_CP_IRQ_TE_DONE;
	}
	if (fake.dma_busy_left && --fake.dma_busy_left == 0) {
		fake.dma_status =
			fake.dma_status == SA_ENGINE_BUSY ? SA_ENGINE_DONE : fake.dma_status;
		fake.irq_pending |= SA_CP_IRQ_DMA_DONE;
	}
}

uint64_t hal_time_ns(void)
{
	return fake.now_ns;
}

void hal_timer_at(uint64_t deadline_ns)
{
	fake.timer_deadline = deadline_ns;
}

uint64_t hal_cycles(void)
{
	fake.cycles += fake.cycle_step;
	return fake.cycles;
}

uint64_t hal_instret(void)
{
	fake.instret += 3;
	return fake.instret;
}

void hal_wdt_start(uint32_t timeout_us)
{
	fake.wdt_enabled = true;
	fake.wdt_timeout_us = timeout_us;
}

void hal_wdt_kick(void)
{
	fake.wdt_kicks++;
}

void hal_heartbeat(void)
{
	fake.heartbeats++;
}

void hal_mmu_set_context(uint32_t ctx, uint64_t root, bool valid)
{
	fake.ctx_root[ctx] = root;
	fake.ctx_valid[ctx] = valid;
}

void hal_mmu_invalidate(uint32_t ctx)
{
	(void)ctx;
	fake.invalidations++;
}

void hal_mmu_fault_record(uint32_t seq, struct sa_hw_fault_record *rec)
{
	*rec = fake.faults[seq % SA_HW_FAULT_RING_SIZE];
}

/* Ends an engine op: at once, or after fake.busy_waits waits. */
static void finish(uint32_t *status, uint32_t *busy_left, uint32_t err, uint32_t cause)
{
	uint32_t final = err ? SA_ENGINE_ERROR | err << 8 : SA_ENGINE_DONE;

	if (fake.busy_waits && !err) {
		*status = SA_ENGINE_BUSY;
		*busy_left = fake.busy_waits;
		return;
	}
	*status = final;
	fake.irq_pending |= cause;
}

static uint64_t tensor_bytes(const struct sa_hw_tensor *t)
{
	return (uint64_t)t->c * t->h * t->w * (t->dtype == SA_DTYPE_I16 ? 2 : 1);
}

void hal_te_start(uint8_t op, uint32_t ctx, const struct sa_hw_layer *layer)
{
	struct sa_hw_te_cmd c = {.op = op, .context = (uint16_t)ctx, .layer = *layer};
	const struct sa_hw_te_cmd *cmd = &c;
	struct fake_op *o = log_op(1, cmd->op, cmd->context);
	const struct sa_hw_layer *l = &cmd->layer;
	uint32_t err = 0, seq = 0;

	o->layer = *l;
	if (fake.te_fail_next) {
		err = fake.te_fail_next;
		fake.te_fail_next = 0;
	} else if (!translate(cmd->context, l->in.addr, tensor_bytes(&l->in), SA_ACCESS_READ,
			      SA_FAULT_SRC_TE, &seq) ||
		   (cmd->op == SA_OP_ADD &&
		    !translate(cmd->context, l->in_b.addr, tensor_bytes(&l->in_b), SA_ACCESS_READ,
			       SA_FAULT_SRC_TE, &seq)) ||
		   !translate(cmd->context, l->out.addr, tensor_bytes(&l->out), SA_ACCESS_WRITE,
			      SA_FAULT_SRC_TE, &seq)) {
		err = SA_ENGINE_ERR_MMU_FAULT;
	}
	fake.te_fault_seq = seq;
	o->error = err;
	fake.te_last_cycles = err ? 0 : fake.te_cycles_per_op;
	fake.cycles += fake.te_last_cycles;
	finish(&fake.te_status, &fake.te_busy_left, err, SA_CP_IRQ_TE_DONE);
}

uint32_t hal_te_status(void)
{
	return fake.te_status;
}

uint64_t hal_te_last_cycles(void)
{
	return fake.te_last_cycles;
}

uint32_t hal_te_fault_seq(void)
{
	return fake.te_fault_seq;
}

/* Picks the injected error for this DMA op, if any. */
static uint32_t dma_injected(void)
{
	uint32_t err = fake.dma_fail_next;

	fake.dma_fail_next = 0;
	if (!err && fake.dma_fail_after && --fake.dma_fail_after == 0)
		err = SA_ENGINE_ERR_INJECTED;
	return err;
}

static void dma_end(struct fake_op *o, uint32_t err, uint32_t seq)
{
	o->error = err;
	fake.dma_fault_seq = seq;
	if (!err && (o->flags & SA_DMA_F_IRQ))
		hal_msi(o->vector);
	finish(&fake.dma_status, &fake.dma_busy_left, err, SA_CP_IRQ_DMA_DONE);
}

void hal_dma_copy(uint32_t ctx, uint64_t src, uint64_t dst, uint32_t len)
{
	struct fake_op *o = log_op(2, SA_DMA_OP_COPY, ctx);
	uint32_t err = dma_injected(), seq = 0;

	o->src = src;
	o->dst = dst;
	o->len = len;
	if (!err) {
		uint8_t *s = translate(ctx, src, len, SA_ACCESS_READ, SA_FAULT_SRC_DMA, &seq);
		uint8_t *d = s ? translate(ctx, dst, len, SA_ACCESS_WRITE, SA_FAULT_SRC_DMA, &seq)
			       : NULL;
		if (!s || !d)
			err = SA_ENGINE_ERR_MMU_FAULT;
		else
			memmove(d, s, len);
	}
	dma_end(o, err, seq);
}

void hal_dma_to_dram(uint32_t ctx, uint64_t src, void *dst, uint32_t len)
{
	struct fake_op *o = log_op(2, SA_DMA_OP_TO_DRAM, ctx);
	uint32_t err = dma_injected(), seq = 0;

	o->src = src;
	o->len = len;
	if (!err) {
		uint8_t *s = translate(ctx, src, len, SA_ACCESS_READ, SA_FAULT_SRC_DMA, &seq);
		if (s)
			memcpy(dst, s, len);
		else
			err = SA_ENGINE_ERR_MMU_FAULT;
	}
	dma_end(o, err, seq);
}

void hal_dma_from_dram(uint32_t ctx, const void *src, uint64_t dst, uint32_t len)
{
	struct fake_op *o = log_op(2, SA_DMA_OP_FROM_DRAM, ctx);
	uint32_t err = dma_injected(), seq = 0;

	o->dst = dst;
	o->len = len;
	if (!err) {
		uint8_t *d = translate(ctx, dst, len, SA_ACCESS_WRITE, SA_FAULT_SRC_DMA, &seq);
		if (d)
			memcpy(d, src, len);
		else
			err = SA_ENGINE_ERR_MMU_FAULT;
	}
	dma_end(o, err, seq);
}

void hal_dma_fence(uint32_t ctx, uint64_t dst, uint64_t value, bool irq, uint32_t vector)
{
	struct fake_op *o = log_op(2, SA_DMA_OP_FENCE, ctx);
	uint32_t err = dma_injected(), seq = 0;

	o->dst = dst;
	o->len = 8;
	o->value = value;
	o->flags = irq ? SA_DMA_F_IRQ : 0;
	o->vector = vector;
	if (!err && dst % 8) {
		err = SA_ENGINE_ERR_ALIGN;
	} else if (!err) {
		uint8_t *d = translate(ctx, dst, 8, SA_ACCESS_WRITE, SA_FAULT_SRC_DMA, &seq);
		if (d)
			memcpy(d, &value, 8);
		else
			err = SA_ENGINE_ERR_MMU_FAULT;
	}
	dma_end(o, err, seq);
}

uint32_t hal_dma_status(void)
{
	return fake.dma_status;
}

uint32_t hal_dma_fault_seq(void)
{
	return fake.dma_fault_seq;
}

void hal_code_span(const uint8_t **start, uint32_t *len, struct sa_fw_trailer *trailer)
{
	*start = fake.code;
	*len = sizeof(fake.code);
	*trailer = fake.trailer;
}

void hal_fatal(uint32_t code)
{
	fake.fatal = true;
	fake.fatal_code = code;
}
