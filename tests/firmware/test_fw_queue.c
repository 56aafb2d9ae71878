// SPDX-License-Identifier: MIT
/*
 * Fault isolation in the queue table (firmware/queue.c, exec.c, engine.c,
 * doorbell.c): whatever goes wrong in one queue (invalid descriptor, MMU
 * fault on fetch, execution, fence or status write, engine error, bad
 * doorbell tail) stops that queue only, records why in its status block and
 * in a QUEUE_FAULT event, and every other queue keeps running.  A reset
 * brings the queue back.
 */
#include <string.h>

#include "../check.h"
#include "fw_test.h"

static struct t_queue q[2];

/* Two queues in two contexts; queue 0 will misbehave, queue 1 is the bystander. */
static void two_queues(void)
{
	CHECK(t_boot());
	CHECK_EQ_INT(t_context(1), SA_FW_OK);
	CHECK_EQ_INT(t_context(2), SA_FW_OK);
	t_layer_buffers(1);
	t_layer_buffers(2);
	CHECK_EQ_INT(t_queue_create(&q[0], 0, 1, SA_FW_PRIO_NORMAL, 16), SA_FW_OK);
	CHECK_EQ_INT(t_queue_create(&q[1], 1, 2, SA_FW_PRIO_NORMAL, 16), SA_FW_OK);
}

/*
 * Runs the firmware with bystander work on queue 1 (three pools and a fence of
 * 42) beside whatever queue 0 does; queue 1 must finish it untouched.
 */
static void run_beside_bystander(void)
{
	struct sa_hw_desc d;

	for (int i = 0; i < 3; i++) {
		d = t_pool(i);
		t_push(&q[1], &d);
	}
	d = t_nop(SA_DESC_F_FENCE | SA_DESC_F_IRQ, q[1].fence_va, 42);
	t_push(&q[1], &d);
	t_ring(&q[1]);
	t_run();
	CHECK_EQ_INT(q[1].status->state, SA_QUEUE_RUNNING);
	CHECK_EQ_INT(q[1].status->completed, 4);
	CHECK_EQ_INT(q[1].fences[0], 42);
}

/* The last QUEUE_FAULT event. */
static struct sa_fw_queue_fault last_fault(uint32_t *count)
{
	uint32_t p[SA_FW_MSG_MAX_PAYLOAD];
	struct sa_fw_queue_fault f;

	memset(&f, 0, sizeof(f));
	*count = t_count_events(SA_FW_EVT_QUEUE_FAULT, p);
	if (*count)
		memcpy(&f, p, sizeof(f));
	return f;
}

TEST(invalid_descriptor_stops_only_its_queue)
{
	struct sa_hw_desc d;
	struct sa_fw_queue_fault f;
	uint32_t n;

	two_queues();
	d = t_pool(1);
	t_push(&q[0], &d);
	d = t_pool(0xbad);
	d.u.layer.params.pool.stride_h = 0; /* breaks the reference rules */
	t_push(&q[0], &d);
	d = t_pool(3); /* never runs */
	t_push(&q[0], &d);
	t_ring(&q[0]);
	run_beside_bystander();
	CHECK_EQ_INT(q[0].status->state, SA_QUEUE_FAULTED);
	CHECK_EQ_INT(q[0].status->error, SA_FW_FAULT_PARAMS);
	CHECK_EQ_INT(q[0].status->error_index, 1);
	CHECK_EQ_INT(q[0].status->error_tag, 0xbad);
	CHECK_EQ_INT(q[0].status->head, 1);
	CHECK_EQ_INT(q[0].status->completed, 1);
	f = last_fault(&n);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(f.queue, 0);
	CHECK_EQ_INT(f.context, 1);
	CHECK_EQ_INT(f.index, 1);
	CHECK_EQ_INT(f.tag, 0xbad);
	CHECK_EQ_INT(f.reason, SA_FW_FAULT_PARAMS);
	CHECK_EQ_INT(f.detail, SA_FW_FIELD_PARAMS);
	CHECK_EQ_INT(f.stage, SA_FW_STAGE_VALIDATE);
	CHECK_EQ_INT(f.opcode, SA_OP_MAXPOOL);
	/* Queue 0 ran only the pool before the bad one; the bystander its three. */
	CHECK_EQ_INT(fake_count_ops(1, SA_OP_MAXPOOL), 1 + 3);
}

TEST(mmu_fault_in_the_engine_names_the_address)
{
	struct sa_hw_desc d;
	struct sa_fw_queue_fault f;
	struct sa_fw_queue_status_reply st;
	struct sa_fw_queue_id id = {.queue = 0};
	uint32_t n, reply[SA_FW_MSG_MAX_PAYLOAD];

	two_queues();
	/* Queue 0 names context 2's input address: nothing is mapped there in context 1. */
	d = t_pool(5);
	d.u.layer.in.addr = 0x70000000;
	t_push(&q[0], &d);
	t_ring(&q[0]);
	run_beside_bystander();
	f = last_fault(&n);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(f.reason, SA_FW_FAULT_MMU);
	CHECK_EQ_INT(f.stage, SA_FW_STAGE_EXECUTE);
	CHECK_EQ_INT(f.addr_lo, 0x70000000);
	CHECK_EQ_INT(f.detail & 0xff, SA_FAULT_NOT_PRESENT);
	CHECK_EQ_INT((f.detail >> 8) & 0xff, SA_ACCESS_READ);
	CHECK_EQ_INT((f.detail >> 16) & 0xff, SA_FAULT_SRC_TE);
	CHECK_EQ_INT(q[0].status->error_addr, 0x70000000);
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_STATUS, &id, 1, reply), SA_FW_OK);
	memcpy(&st, reply, sizeof(st));
	CHECK_EQ_INT(st.state, SA_QUEUE_FAULTED);
	CHECK_EQ_INT(st.error_stage, SA_FW_STAGE_EXECUTE);
	CHECK_EQ_INT(st.error_detail, f.detail);
	CHECK_EQ_INT(st.completed, 0);
}

TEST(write_protected_output_faults)
{
	struct sa_hw_desc d;
	struct sa_fw_queue_fault f;
	uint32_t n;

	two_queues();
	fake_map(1, 0x71000000, 4096, SA_PTE_READ);
	d = t_pool(5);
	d.u.layer.out.addr = 0x71000000;
	t_push(&q[0], &d);
	t_ring(&q[0]);
	t_run();
	f = last_fault(&n);
	CHECK_EQ_INT(f.reason, SA_FW_FAULT_MMU);
	CHECK_EQ_INT(f.detail & 0xff, SA_FAULT_WRITE_PROTECT);
	CHECK_EQ_INT((f.detail >> 8) & 0xff, SA_ACCESS_WRITE);
}

TEST(fetch_fault_when_the_ring_is_unreadable)
{
	struct sa_fw_queue_create c;
	struct sa_fw_queue_fault f;
	uint32_t n;

	two_queues();
	/* Queue 2's ring is declared where nothing is mapped. */
	fake_map(1, 0x48000000, 4096, SA_PTE_READ | SA_PTE_WRITE);
	memset(&c, 0, sizeof(c));
	c.queue = 2;
	c.context = 1;
	c.ring_lo = 0x47000000;
	c.entries = 8;
	c.status_lo = 0x48000000;
	c.vector = 2;
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_CREATE, &c, 11, NULL), SA_FW_OK);
	fake_doorbell(2, 1);
	run_beside_bystander();
	f = last_fault(&n);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(f.queue, 2);
	CHECK_EQ_INT(f.reason, SA_FW_FAULT_MMU);
	CHECK_EQ_INT(f.stage, SA_FW_STAGE_FETCH);
	CHECK_EQ_INT(f.addr_lo, 0x47000000);
	CHECK_EQ_INT(f.opcode, 0);
}

TEST(fence_fault_after_the_work_is_done)
{
	struct sa_hw_desc d;
	struct sa_fw_queue_fault f;
	uint32_t n;

	two_queues();
	d = t_pool(8);
	d.flags = SA_DESC_F_FENCE;
	d.fence_addr = 0x7f000000; /* unmapped */
	t_push(&q[0], &d);
	t_ring(&q[0]);
	run_beside_bystander();
	f = last_fault(&n);
	CHECK_EQ_INT(f.reason, SA_FW_FAULT_MMU);
	CHECK_EQ_INT(f.stage, SA_FW_STAGE_FENCE);
	CHECK_EQ_INT(f.index, 0);
	CHECK_EQ_INT(f.tag, 8);
	CHECK_EQ_INT(f.addr_lo, 0x7f000000);
	/* The layer itself completed; only its fence is missing. */
	CHECK_EQ_INT(q[0].status->completed, 1);
	CHECK_EQ_INT(q[0].status->state, SA_QUEUE_FAULTED);
}

TEST(status_block_that_became_unwritable)
{
	struct sa_hw_desc d;
	struct sa_fw_queue_fault f;
	uint32_t n;

	two_queues();
	/* The driver unmapped the status block behind the firmware's back. */
	for (uint32_t i = 0; i < fake.num_regions; i++) {
		if (fake.regions[i].ctx == 1 && fake.regions[i].va == q[0].status_va)
			fake.regions[i].perms = SA_PTE_READ;
	}
	d = t_nop(SA_DESC_F_FENCE, q[0].fence_va, 5);
	t_push(&q[0], &d);
	t_ring(&q[0]);
	run_beside_bystander();
	f = last_fault(&n);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(f.stage, SA_FW_STAGE_STATUS);
	CHECK_EQ_INT(f.reason, SA_FW_FAULT_MMU);
	CHECK_EQ_INT(f.addr_lo, (uint32_t)q[0].status_va);
	/* The status block is written before the fence, so no fence either. */
	CHECK_EQ_INT(q[0].fences[0], 0);
}

TEST(engine_errors_are_reported_as_such)
{
	struct sa_hw_desc d;
	struct sa_fw_queue_fault f;
	uint32_t n;

	two_queues();
	fake.te_fail_next = SA_ENGINE_ERR_BAD_WEIGHTS;
	d = t_pool(1);
	t_push(&q[0], &d);
	t_ring(&q[0]);
	t_run();
	f = last_fault(&n);
	CHECK_EQ_INT(f.reason, SA_FW_FAULT_WEIGHTS);
	CHECK_EQ_INT(f.stage, SA_FW_STAGE_EXECUTE);

	two_queues();
	d = t_pool(1);
	t_push(&q[0], &d);
	fake.dma_fail_next = SA_ENGINE_ERR_INJECTED; /* the fetch */
	t_ring(&q[0]);
	t_run();
	f = last_fault(&n);
	CHECK_EQ_INT(f.reason, SA_FW_FAULT_ENGINE);
	CHECK_EQ_INT(f.detail, SA_ENGINE_ERR_INJECTED);
	CHECK_EQ_INT(f.stage, SA_FW_STAGE_FETCH);
	run_beside_bystander();
}

TEST(bad_doorbell_tails)
{
	struct sa_fw_queue_fault f;
	struct sa_fw_queue_reset rs = {.queue = 0};
	uint32_t n;

	two_queues();
	/* More than `entries` ahead of head. */
	fake_doorbell(0, 17);
	run_beside_bystander();
	f = last_fault(&n);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(f.reason, SA_FW_FAULT_BAD_TAIL);
	CHECK_EQ_INT(f.stage, SA_FW_STAGE_DOORBELL);
	CHECK_EQ_INT(f.addr_lo, 17);
	CHECK_EQ_INT(q[0].status->state, SA_QUEUE_FAULTED);
	/* A faulted queue ignores its doorbell: no work, no new event. */
	fake_doorbell(0, 1);
	t_run();
	CHECK_EQ_INT(t_count_events(SA_FW_EVT_QUEUE_FAULT, NULL), 1);
	CHECK_EQ_INT(q[0].status->head, 0);

	/* Reset, then a tail behind head (the difference wraps to a huge number). */
	rs.start_index = 10;
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_RESET, &rs, 2, NULL), SA_FW_OK);
	CHECK_EQ_INT(q[0].status->state, SA_QUEUE_RUNNING);
	CHECK_EQ_INT(q[0].status->head, 10);
	CHECK_EQ_INT(q[0].status->error, 0);
	fake_doorbell(0, 9);
	t_run();
	f = last_fault(&n);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(f.reason, SA_FW_FAULT_BAD_TAIL);
	CHECK_EQ_INT(f.addr_lo, 9);
	CHECK_EQ_INT(f.index, 10);
	/* Exactly `entries` ahead is a full ring, which is fine. */
	rs.start_index = 100;
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_RESET, &rs, 2, NULL), SA_FW_OK);
	q[0].tail = 100;
	for (int i = 0; i < 16; i++) {
		struct sa_hw_desc d = t_nop(SA_DESC_F_FENCE, q[0].fence_va, 100 + i);

		t_push(&q[0], &d);
	}
	t_ring(&q[0]);
	t_run();
	CHECK_EQ_INT(q[0].status->state, SA_QUEUE_RUNNING);
	CHECK_EQ_INT(q[0].status->completed, 116);
	CHECK_EQ_INT(q[0].fences[0], 115);
}

/*
 * After a card reset the host creates a queue again at its last completed
 * index, and its doorbell may already stand further on (work rung in while
 * the card was down: the reset cleared the pending bits).  That work runs; a
 * bogus tail found that way faults the queue like any other.
 */
TEST(queue_create_takes_work_rung_in_while_the_queue_did_not_exist)
{
	struct sa_fw_queue_id id = {.queue = 0};
	struct sa_fw_queue_create c;
	struct sa_fw_queue_fault f;
	uint32_t n;

	two_queues();
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_DESTROY, &id, 1, NULL), SA_FW_OK);
	for (int i = 1; i <= 3; i++) {
		struct sa_hw_desc d = t_nop(SA_DESC_F_FENCE, q[0].fence_va, i);

		t_push(&q[0], &d);
	}
	fake.db_tail[0] = q[0].tail; /* rung, but nobody was there to see it */
	fake.db_pending = 0;
	memset(&c, 0, sizeof(c));
	c.queue = 0;
	c.context = 1;
	c.ring_lo = (uint32_t)q[0].ring_va;
	c.entries = q[0].entries;
	c.status_lo = (uint32_t)q[0].status_va;
	c.vector = 1;
	c.start_index = 0;
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_CREATE, &c, 11, NULL), SA_FW_OK);
	run_beside_bystander();
	CHECK_EQ_INT(q[0].status->state, SA_QUEUE_RUNNING);
	CHECK_EQ_INT(q[0].status->completed, 3);
	CHECK_EQ_INT(q[0].fences[0], 3);

	/* A tail more than a ring ahead: the queue faults at creation, alone. */
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_DESTROY, &id, 1, NULL), SA_FW_OK);
	fake.db_tail[0] = 3 + 17;
	c.start_index = 3;
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_CREATE, &c, 11, NULL), SA_FW_OK);
	t_run();
	f = last_fault(&n);
	CHECK_EQ_INT(n, 1);
	CHECK_EQ_INT(f.reason, SA_FW_FAULT_BAD_TAIL);
	CHECK_EQ_INT(f.addr_lo, 20);
	CHECK_EQ_INT(q[0].status->state, SA_QUEUE_FAULTED);
}

TEST(reset_queue_runs_again_and_keeps_counters)
{
	struct sa_hw_desc d;
	struct sa_fw_queue_reset rs = {.queue = 0};
	struct sa_fw_queue_id id = {.queue = 0};
	struct sa_fw_counters_reply c;
	uint32_t reply[SA_FW_MSG_MAX_PAYLOAD];

	two_queues();
	d = t_nop(0, 0, 0);
	d.opcode = 0; /* a zeroed slot */
	t_push(&q[0], &d);
	t_ring(&q[0]);
	t_run();
	CHECK_EQ_INT(q[0].status->state, SA_QUEUE_FAULTED);
	CHECK_EQ_INT(q[0].status->error, SA_FW_FAULT_BAD_OPCODE);
	rs.start_index = q[0].tail;
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_RESET, &rs, 2, NULL), SA_FW_OK);
	d = t_pool(2);
	d.flags = SA_DESC_F_FENCE;
	d.fence_addr = q[0].fence_va;
	d.fence_value = 9;
	t_push(&q[0], &d);
	t_ring(&q[0]);
	t_run();
	CHECK_EQ_INT(q[0].fences[0], 9);
	CHECK_EQ_INT(q[0].status->state, SA_QUEUE_RUNNING);
	CHECK_EQ_INT(t_request(SA_FW_MSG_COUNTERS, &id, 1, reply), SA_FW_OK);
	memcpy(&c, reply, sizeof(c));
	CHECK_EQ_INT(c.faults, 1);
	CHECK_EQ_INT(c.descriptors_lo, 1);
}

TEST(stuck_engine_halts_the_firmware)
{
	struct sa_hw_desc d;
	uint32_t p[SA_FW_MSG_MAX_PAYLOAD];

	two_queues();
	fake.busy_waits = 1000000000; /* never finishes */
	fake.cycle_step = 1ull << 32; /* and time flies */
	d = t_pool(1);
	t_push(&q[0], &d);
	t_ring(&q[0]);
	t_run();
	CHECK(fake.fatal);
	CHECK_EQ_INT(fake.fatal_code, FW_FATAL_ENGINE_STUCK);
	CHECK_EQ_INT(t_count_events(SA_FW_EVT_FW_ERROR, p), 1);
	CHECK_EQ_INT(p[0], SA_FW_ERROR_ENGINE_STUCK);
	CHECK_EQ_INT(p[1], 2); /* the DMA engine (the fetch) */
	CHECK(!fw_step());
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(invalid_descriptor_stops_only_its_queue);
	RUN(mmu_fault_in_the_engine_names_the_address);
	RUN(write_protected_output_faults);
	RUN(fetch_fault_when_the_ring_is_unreadable);
	RUN(fence_fault_after_the_work_is_done);
	RUN(status_block_that_became_unwritable);
	RUN(engine_errors_are_reported_as_such);
	RUN(bad_doorbell_tails);
	RUN(queue_create_takes_work_rung_in_while_the_queue_did_not_exist);
	RUN(reset_queue_runs_again_and_keeps_counters);
	RUN(stuck_engine_halts_the_firmware);
	CHECK_MAIN_END();
}
