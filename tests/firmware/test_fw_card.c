// SPDX-License-Identifier: MIT
/*
 * The real firmware image on the card model, with no kernel: this program
 * plays the driver (fw_host.c) against emulator/card.h.  It loads
 * $SA_BUILD/firmware/shiftaccel-fw.bin through the BAR0 windows, boots it,
 * builds page tables in fake host memory, creates queues, writes rings and
 * rings doorbells, and checks what a user of the card relies on: a whole
 * network gives the CPU backend's bytes, contexts cannot reach each other's
 * memory, a hostile ring faults cleanly while other queues keep running,
 * queues share the engines fairly, queues can wait for each other, and a
 * watchdog reset is recoverable.
 */
#include <stdlib.h>
#include <string.h>

#include "shiftaccel.h"

#include "../check.h"
#include "fw_host.h"
#include "fw_lower.h"

static void fill_random(uint8_t *p, size_t n, uint32_t *seed)
{
	for (size_t i = 0; i < n; i++) {
		*seed ^= *seed << 13;
		*seed ^= *seed >> 17;
		*seed ^= *seed << 5;
		p[i] = (uint8_t)*seed;
	}
}

/* The last QUEUE_FAULT event. */
static struct sa_fw_queue_fault last_fault(struct fwh *f, uint32_t *count)
{
	uint32_t p[SA_FW_MSG_MAX_PAYLOAD];
	struct sa_fw_queue_fault q;

	memset(&q, 0, sizeof(q));
	*count = fwh_count_events(f, SA_FW_EVT_QUEUE_FAULT, p);
	memcpy(&q, p, sizeof(q));
	return q;
}

static struct sa_hw_desc fence_desc(const struct fwh_queue *q, uint32_t slot, uint64_t value)
{
	struct sa_hw_desc d;

	memset(&d, 0, sizeof(d));
	d.opcode = SA_OP_FENCE;
	d.flags = SA_DESC_F_IRQ;
	d.fence_addr = q->fence_va + 8ull * slot;
	d.fence_value = value;
	return d;
}

static struct sa_hw_desc copy_desc(uint64_t src, uint64_t dst, uint64_t len)
{
	struct sa_hw_desc d;

	memset(&d, 0, sizeof(d));
	d.opcode = SA_OP_COPY;
	d.u.copy.src = src;
	d.u.copy.dst = dst;
	d.u.copy.length = len;
	return d;
}

static int reset_queue(struct fwh *f, struct fwh_queue *q)
{
	struct sa_fw_queue_reset r = {.queue = q->id, .start_index = q->tail};

	return fwh_request(f, SA_FW_MSG_QUEUE_RESET, &r, 2, NULL);
}

/* A network lowered into a context, its input filled, and the CPU backend's answer. */
struct net_run {
	sa_model *model;
	struct fw_lowered low;
	uint8_t *cpu_out;
};

static int net_prepare(struct fwh *f, struct fwh_ctx *c, uint32_t seed, struct net_run *r)
{
	void *data = NULL;
	size_t size = 0;
	sa_session *s = NULL;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	if (fw_test_network(seed, &data, &size) ||
	    sa_model_open_memory(data, size, "fw-test-net", &r->model) != SA_OK)
		goto out;
	if (fw_lower(f, c, r->model, &r->low))
		goto out;
	fill_random(fwh_ptr(f, r->low.input_bus), r->low.input_bytes, &seed);
	r->cpu_out = calloc(1, r->low.output_bytes);
	if (r->cpu_out && sa_session_create(r->model, SA_DEVICE_CPU, &s) == SA_OK &&
	    sa_session_run_quantized(s, fwh_ptr(f, r->low.input_bus), r->cpu_out) == SA_OK)
		rc = 0;
out:
	sa_session_destroy(s);
	free(data);
	return rc;
}

static void net_free(struct net_run *r)
{
	fw_lowered_free(&r->low);
	sa_model_close(r->model);
	free(r->cpu_out);
}

/* Pushes the network's descriptors; the last one fences `value` into fence slot 0. */
static void net_submit(struct fwh *f, struct fwh_queue *q, const struct net_run *r, uint64_t value)
{
	for (uint32_t i = 0; i < r->low.num_desc; i++) {
		struct sa_hw_desc d = r->low.desc[i];

		if (i + 1 == r->low.num_desc) {
			d.flags = SA_DESC_F_FENCE | SA_DESC_F_IRQ;
			d.fence_addr = q->fence_va;
			d.fence_value = value;
		}
		fwh_push(f, q, &d);
	}
	fwh_ring(f, q);
}

static bool net_output_matches(struct fwh *f, const struct net_run *r)
{
	return memcmp(fwh_ptr(f, r->low.output_bus), r->cpu_out, r->low.output_bytes) == 0;
}

static bool heartbeats_5(struct fwh *f, void *arg)
{
	(void)arg;
	return h_rd32(f->h, SA_REG_HEARTBEAT) >= 5;
}

TEST(boots_and_reports_itself)
{
	struct fwh *f = fwh_create(8, false);
	struct sa_fw_ping p = {.cookie = 0x5a5a1234};
	uint32_t reply[SA_FW_MSG_MAX_PAYLOAD];
	uint64_t instret;

	CHECK(f);
	CHECK_EQ_INT(f->boot.status, SA_FW_OK);
	CHECK_EQ_INT(SA_FW_VERSION_WORD_MAJOR(f->boot.version), SA_FW_VERSION_MAJOR);
	CHECK_EQ_INT(f->boot.build_id, f->image.build_id);
	CHECK_EQ_INT(f->boot.code_bytes, f->image.iram.size - sizeof(struct sa_fw_trailer));
	CHECK_EQ_INT(f->boot.hw_version, SA_HW_VERSION);
	CHECK_EQ_INT(f->boot.num_queues, 8);
	CHECK_EQ_INT(f->boot.num_contexts, SA_HW_NUM_CONTEXTS);
	CHECK_EQ_INT(f->boot.ops, h_rd32(f->h, SA_REG_OPS));
	CHECK(f->boot.capabilities & SA_FW_CAP_WAIT);
	CHECK_EQ_INT(fwh_request(f, SA_FW_MSG_PING, &p, 1, reply), SA_FW_OK);
	CHECK_EQ_INT(reply[1], 0x5a5a1234);
	/* Card time passes: the heartbeat the driver watches keeps beating, no watchdog reset. */
	instret = h_rd64(f->h, SA_REG_PERF(SA_PERF_CP_INSTRET));
	CHECK(fwh_run_until(f, heartbeats_5, NULL, 1ull << 30));
	CHECK(f->h->now_ns >= 4 * SA_FW_DEFAULT_HEARTBEAT_US * 1000ull);
	CHECK_EQ_INT(h_rd32(f->h, SA_REG_WDT_RESETS), 0);
	CHECK_EQ_INT(h_rd32(f->h, SA_REG_CP_STATUS) & SA_CP_STATUS_HALTED, 0);
	/* Between heartbeats it sleeps in wfi: a few hundred instructions a beat, no spinning. */
	CHECK(h_rd64(f->h, SA_REG_PERF(SA_PERF_CP_INSTRET)) - instret < 4 * 1000);
	CHECK(!sa_card_run(f->h->card, 100000));
	CHECK(h_rd32(f->h, SA_REG_CP_STATUS) & SA_CP_STATUS_WFI);
	fwh_destroy(f);
}

TEST(whole_network_matches_the_cpu_backend)
{
	struct fwh *f = fwh_create(4, false);
	struct fwh_ctx *c;
	struct fwh_queue q;
	struct net_run r;
	uint32_t vector_msis = 0;

	CHECK(f);
	c = fwh_context(f, 1);
	CHECK(c);
	CHECK_EQ_INT(fwh_queue(f, &q, 0, c, SA_FW_PRIO_NORMAL, 16), SA_FW_OK);
	CHECK_EQ_INT(net_prepare(f, c, 1234, &r), 0);
	CHECK_EQ_INT(r.low.num_desc, 9);
	/* Three inferences in a row, new input each time. */
	for (uint32_t run = 1; run <= 3; run++) {
		uint32_t seed = 99 + run;
		sa_session *s = NULL;

		if (run > 1) {
			fill_random(fwh_ptr(f, r.low.input_bus), r.low.input_bytes, &seed);
			CHECK(sa_session_create(r.model, SA_DEVICE_CPU, &s) == SA_OK);
			CHECK(sa_session_run_quantized(s, fwh_ptr(f, r.low.input_bus), r.cpu_out) ==
			      SA_OK);
			sa_session_destroy(s);
		}
		net_submit(f, &q, &r, 0xabc000 + run);
		CHECK(fwh_wait_completed(f, &q, run * r.low.num_desc));
		CHECK_EQ_INT(fwh_fences(f, &q)[0], 0xabc000 + run);
		CHECK(net_output_matches(f, &r));
	}
	CHECK_EQ_INT(h_rd64(f->h, SA_REG_PERF(SA_PERF_TE_OPS)), 3 * r.low.num_desc);
	for (uint32_t i = 0; i < f->h->msi_count; i++)
		vector_msis += f->h->msi_log[i] == q.vector;
	CHECK_EQ_INT(vector_msis, 3);
	CHECK_EQ_INT(fwh_count_events(f, SA_FW_EVT_QUEUE_FAULT, NULL), 0);
	net_free(&r);
	fwh_destroy(f);
}

TEST(contexts_cannot_reach_each_other)
{
	struct fwh *f = fwh_create(4, false);
	struct fwh_ctx *good, *evil;
	struct fwh_queue qg, qe;
	struct net_run r;
	struct sa_fw_queue_fault flt;
	struct sa_hw_fault_record rec;
	struct sa_hw_desc d;
	uint64_t own_bus, same_va_bus, dst_bus, dst_va;
	uint8_t *snapshot;
	uint32_t n, seed = 31;

	CHECK(f);
	good = fwh_context(f, 1);
	evil = fwh_context(f, 2);
	CHECK(good && evil);
	CHECK_EQ_INT(fwh_queue(f, &qg, 0, good, SA_FW_PRIO_NORMAL, 16), SA_FW_OK);
	CHECK_EQ_INT(fwh_queue(f, &qe, 1, evil, SA_FW_PRIO_NORMAL, 16), SA_FW_OK);
	CHECK_EQ_INT(net_prepare(f, good, 777, &r), 0);
	snapshot = malloc(r.low.input_bytes);
	CHECK(snapshot);
	memcpy(snapshot, fwh_ptr(f, r.low.input_bus), r.low.input_bytes);

	/* 1. The evil queue reads the good context's input by its VA: the MMU says no. */
	d = r.low.desc[0];
	d.u.layer.out.addr = fwh_alloc(f, evil, 8 * 16 * 16, SA_PTE_READ | SA_PTE_WRITE, &own_bus);
	d.u.layer.weights = 0;
	d.u.layer.bias = 0;
	d.u.layer.params.conv.flags = 0;
	fwh_push(f, &qe, &d);
	fwh_ring(f, &qe);
	net_submit(f, &qg, &r, 1);
	CHECK(fwh_wait_completed(f, &qg, r.low.num_desc));
	CHECK(net_output_matches(f, &r));
	flt = last_fault(f, &n);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(flt.queue, 1);
	CHECK_EQ_INT(flt.context, 2);
	CHECK_EQ_INT(flt.reason, SA_FW_FAULT_MMU);
	CHECK_EQ_INT(flt.stage, SA_FW_STAGE_EXECUTE);
	CHECK_EQ_INT((uint64_t)flt.addr_hi << 32 | flt.addr_lo, r.low.desc[0].u.layer.in.addr);
	CHECK_EQ_INT(flt.detail & 0xff, SA_FAULT_NOT_PRESENT);
	CHECK_EQ_INT(fwh_status(f, &qe)->state, SA_QUEUE_FAULTED);
	CHECK_EQ_INT(fwh_status(f, &qe)->error, SA_FW_FAULT_MMU);
	/* The card's own fault record agrees: context 2, a read by the tensor engine. */
	h_fault_record(f->h, h_rd32(f->h, SA_REG_FAULT_COUNT) - 1, &rec);
	CHECK_EQ_INT(rec.context, 2);
	CHECK_EQ_INT(rec.access, SA_ACCESS_READ);
	CHECK_EQ_INT(rec.source, SA_FAULT_SRC_TE);

	/* 2. It writes into the good context's output by its VA: faults, nothing changes. */
	CHECK_EQ_INT(reset_queue(f, &qe), SA_FW_OK);
	memcpy(snapshot, fwh_ptr(f, r.low.output_bus), r.low.output_bytes);
	d = copy_desc(fwh_alloc(f, evil, 64, SA_PTE_READ, &own_bus),
		      r.low.desc[r.low.num_desc - 1].u.layer.out.addr, 20);
	fill_random(fwh_ptr(f, own_bus), 64, &seed);
	fwh_push(f, &qe, &d);
	fwh_ring(f, &qe);
	fwh_settle(f, 1000000);
	flt = last_fault(f, &n);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(flt.reason, SA_FW_FAULT_MMU);
	CHECK_EQ_INT((flt.detail >> 8) & 0xff, SA_ACCESS_WRITE);
	CHECK_EQ_INT((flt.detail >> 16) & 0xff, SA_FAULT_SRC_DMA);
	CHECK(memcmp(fwh_ptr(f, r.low.output_bus), snapshot, r.low.output_bytes) == 0);

	/* 3. The same VA in its own context is its own memory, not the good one's. */
	CHECK_EQ_INT(reset_queue(f, &qe), SA_FW_OK);
	same_va_bus = h_map_new(f->h, evil->root, r.low.desc[0].u.layer.in.addr, 64,
				SA_PTE_VALID | SA_PTE_READ);
	memset(fwh_ptr(f, same_va_bus), 0xe7, 64);
	dst_va = fwh_alloc(f, evil, 64, SA_PTE_READ | SA_PTE_WRITE, &dst_bus);
	d = copy_desc(r.low.desc[0].u.layer.in.addr, dst_va, 64);
	fwh_push(f, &qe, &d);
	d = fence_desc(&qe, 0, 5);
	fwh_push(f, &qe, &d);
	fwh_ring(f, &qe);
	CHECK(fwh_wait_completed(f, &qe, qe.tail));
	CHECK_EQ_INT(fwh_fences(f, &qe)[0], 5);
	CHECK_EQ_INT(((uint8_t *)fwh_ptr(f, dst_bus))[0], 0xe7);
	CHECK_EQ_INT(((uint8_t *)fwh_ptr(f, dst_bus))[63], 0xe7);
	/* The good context still computes correctly after all that. */
	net_submit(f, &qg, &r, 2);
	CHECK(fwh_wait_completed(f, &qg, 2 * r.low.num_desc));
	CHECK(net_output_matches(f, &r));
	CHECK_EQ_INT(fwh_count_events(f, SA_FW_EVT_FW_ERROR, NULL), 0);
	free(snapshot);
	net_free(&r);
	fwh_destroy(f);
}

/* One hostile submission on qe: expects a fault of `reason` while qb keeps working. */
static bool hostile_round(struct fwh *f, struct fwh_queue *qe, struct fwh_queue *qb,
			  const struct sa_hw_desc *bad, uint32_t tail_skew, uint32_t reason,
			  uint32_t *round)
{
	struct sa_fw_queue_fault flt;
	struct sa_hw_desc d;
	uint32_t n, before = fwh_count_events(f, SA_FW_EVT_QUEUE_FAULT, NULL);

	if (bad)
		fwh_push(f, qe, bad);
	if (tail_skew)
		h_doorbell(f->h, qe->id, qe->tail + tail_skew);
	else
		fwh_ring(f, qe);
	d = fence_desc(qb, *round % 64, 1000 + *round);
	fwh_push(f, qb, &d);
	fwh_ring(f, qb);
	if (!fwh_wait_completed(f, qb, qb->tail))
		return false;
	if (fwh_fences(f, qb)[*round % 64] != 1000 + *round)
		return false;
	fwh_settle(f, 1000000);
	flt = last_fault(f, &n);
	(*round)++;
	if (n != before + 1 || flt.queue != qe->id || flt.reason != reason ||
	    fwh_status(f, qe)->state != SA_QUEUE_FAULTED)
		return false;
	/* Recovery: reset past the bad slot, and the same ring runs a good descriptor. */
	if (reset_queue(f, qe) != SA_FW_OK)
		return false;
	d = fence_desc(qe, 1, 7000 + *round);
	fwh_push(f, qe, &d);
	fwh_ring(f, qe);
	return fwh_wait_completed(f, qe, qe->tail) && fwh_fences(f, qe)[1] == 7000 + *round;
}

TEST(hostile_ring_faults_cleanly)
{
	struct fwh *f = fwh_create(4, false);
	struct fwh_ctx *cb, *ce;
	struct fwh_queue qb, qe;
	struct sa_hw_desc d;
	uint32_t seed = 0xbadc0de, round = 0;

	CHECK(f);
	cb = fwh_context(f, 1);
	ce = fwh_context(f, 2);
	CHECK(cb && ce);
	CHECK_EQ_INT(fwh_queue(f, &qb, 0, cb, SA_FW_PRIO_NORMAL, 64), SA_FW_OK);
	CHECK_EQ_INT(fwh_queue(f, &qe, 3, ce, SA_FW_PRIO_NORMAL, 8), SA_FW_OK);
	/* The hostile ring starts just before its indices wrap around 2^32. */
	struct sa_fw_queue_id id = {.queue = 3};
	CHECK_EQ_INT(fwh_request(f, SA_FW_MSG_QUEUE_DESTROY, &id, 1, NULL), SA_FW_OK);
	qe.tail = 0xfffffffdu;
	CHECK_EQ_INT(fwh_queue_recreate(f, &qe, SA_FW_PRIO_NORMAL, qe.tail), SA_FW_OK);

	/* Random garbage, a few times over (the indices wrap on the way). */
	for (int i = 0; i < 3; i++) {
		fill_random((uint8_t *)&d, sizeof(d), &seed);
		d.opcode = 0xee;
		CHECK(hostile_round(f, &qe, &qb, &d, 0, SA_FW_FAULT_BAD_OPCODE, &round));
	}
	/* A real opcode with a garbage body. */
	fill_random((uint8_t *)&d, sizeof(d), &seed);
	d.opcode = SA_OP_CONV;
	d.flags = 0;
	d.reserved0 = 0;
	CHECK(hostile_round(f, &qe, &qb, &d, 0, SA_FW_FAULT_RESERVED, &round));
	/* Huge sizes: a 1 TiB copy, a 65535^3 tensor. */
	d = copy_desc(0x1000, 0x2000, 1ull << 40);
	CHECK(hostile_round(f, &qe, &qb, &d, 0, SA_FW_FAULT_TOO_LARGE, &round));
	memset(&d, 0, sizeof(d));
	d.opcode = SA_OP_MAXPOOL;
	d.u.layer.in =
		(struct sa_hw_tensor){.c = 65535, .h = 65535, .w = 65535, .dtype = SA_DTYPE_I8};
	d.u.layer.out = d.u.layer.in;
	CHECK(hostile_round(f, &qe, &qb, &d, 0, SA_FW_FAULT_TOO_LARGE, &round));
	/* Addresses that wrap past the VA space. */
	d = copy_desc(UINT64_MAX - 100, 0x2000, 4096);
	CHECK(hostile_round(f, &qe, &qb, &d, 0, SA_FW_FAULT_ADDRESS, &round));
	/* A copy within range but into memory nobody mapped. */
	d = copy_desc(0x7000000000ull, 0x7000100000ull, 4096);
	CHECK(hostile_round(f, &qe, &qb, &d, 0, SA_FW_FAULT_MMU, &round));
	/* Doorbells: far ahead of head, and behind it. */
	CHECK(hostile_round(f, &qe, &qb, NULL, 1000, SA_FW_FAULT_BAD_TAIL, &round));
	CHECK(hostile_round(f, &qe, &qb, NULL, (uint32_t)-3, SA_FW_FAULT_BAD_TAIL, &round));
	/* A zeroed slot: the doorbell names a descriptor never written. */
	qe.tail++;
	fwh_ring(f, &qe);
	fwh_settle(f, 1000000);
	CHECK_EQ_INT(fwh_status(f, &qe)->state, SA_QUEUE_FAULTED);
	CHECK(qe.tail < 100); /* the hostile ring's indices did wrap */
	/* Through all of it the firmware never trapped or halted. */
	CHECK_EQ_INT(fwh_count_events(f, SA_FW_EVT_FW_ERROR, NULL), 0);
	CHECK_EQ_INT(h_rd32(f->h, SA_REG_CP_STATUS) & (SA_CP_STATUS_HALTED | SA_CP_STATUS_IN_RESET),
		     0);
	fwh_destroy(f);
}

TEST(busy_queues_share_round_robin)
{
	struct fwh *f = fwh_create(4, false);
	struct fwh_ctx *c[2];
	struct fwh_queue q[2];
	struct net_run r[2];
	uint32_t order[64], n = 0, reply[SA_FW_MSG_MAX_PAYLOAD];
	struct sa_fw_counters_reply cnt[2];

	CHECK(f);
	for (uint32_t i = 0; i < 2; i++) {
		c[i] = fwh_context(f, i + 1);
		CHECK(c[i]);
		CHECK_EQ_INT(fwh_queue(f, &q[i], i, c[i], SA_FW_PRIO_HIGH, 64), SA_FW_OK);
		CHECK_EQ_INT(net_prepare(f, c[i], 500 + i, &r[i]), 0);
	}
	CHECK(q[0].vector != q[1].vector);
	/* Both rings full of layers, every descriptor raising its queue's interrupt. */
	for (uint32_t i = 0; i < 2; i++) {
		for (uint32_t rep = 0; rep < 3; rep++) {
			for (uint32_t k = 0; k < r[i].low.num_desc; k++) {
				struct sa_hw_desc d = r[i].low.desc[k];

				d.flags = SA_DESC_F_IRQ;
				fwh_push(f, &q[i], &d);
			}
		}
	}
	f->h->msi_count = 0;
	fwh_ring(f, &q[0]);
	fwh_ring(f, &q[1]);
	CHECK(fwh_wait_completed(f, &q[0], q[0].tail));
	CHECK(fwh_wait_completed(f, &q[1], q[1].tail));
	for (uint32_t i = 0; i < f->h->msi_count && n < 64; i++) {
		if (f->h->msi_log[i] == q[0].vector || f->h->msi_log[i] == q[1].vector)
			order[n++] = f->h->msi_log[i];
	}
	CHECK_EQ_INT(n, 54);
	/* Completion order alternates strictly: one layer each, turn by turn. */
	for (uint32_t i = 1; i < n; i++)
		CHECK(order[i] != order[i - 1]);
	for (uint32_t i = 0; i < 2; i++) {
		struct sa_fw_queue_id id = {.queue = i};

		CHECK(net_output_matches(f, &r[i]));
		CHECK_EQ_INT(fwh_request(f, SA_FW_MSG_COUNTERS, &id, 1, reply), SA_FW_OK);
		memcpy(&cnt[i], reply, sizeof(cnt[i]));
		CHECK_EQ_INT(cnt[i].descriptors_lo, 27);
		CHECK(cnt[i].stall_cycles_lo | cnt[i].stall_cycles_hi);
		CHECK(cnt[i].cp_instret_lo > 0);
	}
	/* Same network, same work: the engine time of the two queues is the same. */
	CHECK_EQ_INT(cnt[0].engine_cycles_lo, cnt[1].engine_cycles_lo);
	CHECK(cnt[0].engine_cycles_lo > 0);
	net_free(&r[0]);
	net_free(&r[1]);
	fwh_destroy(f);
}

static bool queue_waiting(struct fwh *f, void *arg)
{
	const struct fwh_queue *q = arg;
	struct sa_fw_queue_id id = {.queue = q->id};
	uint32_t reply[SA_FW_MSG_MAX_PAYLOAD];

	return fwh_request(f, SA_FW_MSG_QUEUE_STATUS, &id, 1, reply) == SA_FW_OK &&
	       (reply[14] & SA_FW_QF_WAITING);
}

TEST(a_queue_waits_for_another_without_blocking_others)
{
	struct fwh *f = fwh_create(4, false);
	struct fwh_ctx *c;
	struct fwh_queue prod, cons, other;
	struct sa_hw_desc d;
	uint64_t x_bus, y_bus, z_bus, x, y, z;
	uint32_t seed = 8;

	CHECK(f);
	c = fwh_context(f, 1);
	CHECK(c);
	CHECK_EQ_INT(fwh_queue(f, &prod, 0, c, SA_FW_PRIO_NORMAL, 8), SA_FW_OK);
	CHECK_EQ_INT(fwh_queue(f, &cons, 1, c, SA_FW_PRIO_NORMAL, 8), SA_FW_OK);
	CHECK_EQ_INT(fwh_queue(f, &other, 2, c, SA_FW_PRIO_NORMAL, 8), SA_FW_OK);
	x = fwh_alloc(f, c, 8192, SA_PTE_READ, &x_bus);
	y = fwh_alloc(f, c, 8192, SA_PTE_READ | SA_PTE_WRITE, &y_bus);
	z = fwh_alloc(f, c, 8192, SA_PTE_READ | SA_PTE_WRITE, &z_bus);
	fill_random(fwh_ptr(f, x_bus), 8192, &seed);

	/* The consumer copies y to z once the producer's fence says y is ready. */
	memset(&d, 0, sizeof(d));
	d.opcode = SA_OP_WAIT;
	d.u.wait.addr = prod.fence_va;
	d.u.wait.value = 1;
	d.u.wait.cond = SA_WAIT_GE;
	fwh_push(f, &cons, &d);
	d = copy_desc(y, z, 8192);
	fwh_push(f, &cons, &d);
	fwh_ring(f, &cons);
	CHECK(fwh_run_until(f, queue_waiting, &cons, 1u << 26));
	/* Meanwhile another queue runs. */
	d = fence_desc(&other, 0, 77);
	fwh_push(f, &other, &d);
	fwh_ring(f, &other);
	CHECK(fwh_wait_completed(f, &other, other.tail));
	CHECK_EQ_INT(fwh_status(f, &cons)->completed, 0);
	/* The producer fills y, then fences 1. */
	d = copy_desc(x, y, 8192);
	fwh_push(f, &prod, &d);
	d = fence_desc(&prod, 0, 1);
	fwh_push(f, &prod, &d);
	fwh_ring(f, &prod);
	CHECK(fwh_wait_completed(f, &cons, cons.tail));
	CHECK(memcmp(fwh_ptr(f, z_bus), fwh_ptr(f, x_bus), 8192) == 0);
	fwh_destroy(f);
}

static bool watchdog_fired(struct fwh *f, void *arg)
{
	(void)arg;
	return (h_rd32(f->h, SA_REG_EVENT_CAUSE) & SA_EVENT_WATCHDOG) != 0;
}

TEST(watchdog_recovers_a_hung_control_processor)
{
	struct fwh *f = fwh_create(4, true);
	struct fwh_ctx *c;
	struct fwh_queue q;
	struct net_run r;
	uint32_t beats, done;

	CHECK(f);
	CHECK(h_rd32(f->h, SA_REG_FEATURES) & SA_FEAT_FAULT_INJECT);
	c = fwh_context(f, 1);
	CHECK(c);
	CHECK_EQ_INT(fwh_queue(f, &q, 0, c, SA_FW_PRIO_NORMAL, 32), SA_FW_OK);
	CHECK_EQ_INT(net_prepare(f, c, 42, &r), 0);
	net_submit(f, &q, &r, 1);
	CHECK(fwh_wait_completed(f, &q, r.low.num_desc));
	CHECK(net_output_matches(f, &r));

	/* The CP hangs; work submitted now goes nowhere, the heartbeat stops. */
	h_wr32(f->h, SA_REG_FI_ARM, SA_FI_HANG_CP);
	memset(fwh_ptr(f, r.low.output_bus), 0, r.low.output_bytes);
	net_submit(f, &q, &r, 2);
	beats = h_rd32(f->h, SA_REG_HEARTBEAT);
	CHECK(fwh_run_until(f, watchdog_fired, NULL, 1ull << 32));
	CHECK(h_rd32(f->h, SA_REG_FI_FIRED) & SA_FI_HANG_CP);
	CHECK(h_rd32(f->h, SA_REG_HEARTBEAT) <= beats + 1);
	CHECK_EQ_INT(h_rd32(f->h, SA_REG_WDT_RESETS), 1);
	CHECK(h_rd32(f->h, SA_REG_CP_STATUS) & SA_CP_STATUS_WDT_FIRED);
	CHECK(h_rd32(f->h, SA_REG_CP_STATUS) & SA_CP_STATUS_IN_RESET);
	CHECK_EQ_INT(fwh_status(f, &q)->completed, r.low.num_desc);

	/* The driver's recovery: release the kept code, re-create state, resubmit. */
	h_wr32(f->h, SA_REG_EVENT_CAUSE, SA_EVENT_WATCHDOG);
	CHECK(fwh_restart(f));
	CHECK_EQ_INT(f->boot.status, SA_FW_OK);
	CHECK_EQ_INT(fwh_context_recreate(f, c), SA_FW_OK);
	done = fwh_status(f, &q)->completed;
	CHECK_EQ_INT(fwh_queue_recreate(f, &q, SA_FW_PRIO_NORMAL, done), SA_FW_OK);
	fwh_ring(f, &q);
	CHECK(fwh_wait_completed(f, &q, 2 * r.low.num_desc));
	CHECK_EQ_INT(fwh_fences(f, &q)[0], 2);
	CHECK(net_output_matches(f, &r));

	/* Once more, recovering by reloading the image. */
	h_wr32(f->h, SA_REG_FI_ARM, SA_FI_HANG_CP);
	h_wr32(f->h, SA_REG_EVENT_CAUSE, SA_EVENT_WATCHDOG);
	CHECK(fwh_run_until(f, watchdog_fired, NULL, 1ull << 32));
	CHECK_EQ_INT(h_rd32(f->h, SA_REG_WDT_RESETS), 2);
	CHECK(fwh_load_and_boot(f));
	CHECK_EQ_INT(fwh_context_recreate(f, c), SA_FW_OK);
	CHECK_EQ_INT(fwh_queue_recreate(f, &q, SA_FW_PRIO_NORMAL, q.tail), SA_FW_OK);
	net_submit(f, &q, &r, 3);
	CHECK(fwh_wait_completed(f, &q, 3 * r.low.num_desc));
	CHECK_EQ_INT(fwh_fences(f, &q)[0], 3);
	CHECK(net_output_matches(f, &r));
	net_free(&r);
	fwh_destroy(f);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(boots_and_reports_itself);
	RUN(whole_network_matches_the_cpu_backend);
	RUN(contexts_cannot_reach_each_other);
	RUN(hostile_ring_faults_cleanly);
	RUN(busy_queues_share_round_robin);
	RUN(a_queue_waits_for_another_without_blocking_others);
	RUN(watchdog_recovers_a_hung_control_processor);
	CHECK_MAIN_END();
}
