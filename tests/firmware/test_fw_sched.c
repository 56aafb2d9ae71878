// SPDX-License-Identifier: MIT
/*
 * Scheduling (firmware/sched.c, exec.c, doorbell.c) on the fake hardware:
 * round-robin inside a priority level, strict order between levels, queue
 * switches at descriptor boundaries, fairness counts, SA_OP_WAIT between
 * queues without blocking others, wrapping ring indices, completion order
 * (status block, fence, interrupt) and the per-queue counters.
 */
#include <string.h>

#include "../check.h"
#include "fw_test.h"

/* Context of the i-th tensor-engine command run (the queues use distinct contexts). */
static uint32_t te_ctx(uint32_t i)
{
	uint32_t n = 0;

	for (uint32_t k = 0; k < fake.log_count; k++) {
		if (fake.log[k].engine != 1)
			continue;
		if (n++ == i)
			return fake.log[k].ctx;
	}
	return UINT32_MAX;
}

/* Output address of the i-th tensor-engine command. */
static uint64_t te_out(uint32_t i)
{
	uint32_t n = 0;

	for (uint32_t k = 0; k < fake.log_count; k++) {
		if (fake.log[k].engine == 1 && n++ == i)
			return fake.log[k].layer.out.addr;
	}
	return 0;
}

static void setup_queues(struct t_queue *q, uint32_t n, const uint32_t *prio)
{
	for (uint32_t i = 0; i < n; i++) {
		CHECK_EQ_INT(t_context(i + 1), SA_FW_OK);
		t_layer_buffers(i + 1);
		CHECK_EQ_INT(t_queue_create(&q[i], i, i + 1, prio[i], 64), SA_FW_OK);
	}
}

static void push_pools(struct t_queue *q, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		struct sa_hw_desc d = t_pool(i);

		t_push(q, &d);
	}
	t_ring(q);
}

static struct sa_fw_counters_reply counters(uint32_t queue)
{
	struct sa_fw_queue_id id = {.queue = queue};
	uint32_t reply[SA_FW_MSG_MAX_PAYLOAD];
	struct sa_fw_counters_reply r;

	memset(&r, 0, sizeof(r));
	if (t_request(SA_FW_MSG_COUNTERS, &id, 1, reply) == SA_FW_OK)
		memcpy(&r, reply, sizeof(r));
	return r;
}

TEST(round_robin_within_a_level)
{
	struct t_queue q[3];
	const uint32_t prio[3] = {SA_FW_PRIO_NORMAL, SA_FW_PRIO_NORMAL, SA_FW_PRIO_NORMAL};

	CHECK(t_boot());
	setup_queues(q, 3, prio);
	push_pools(&q[0], 4);
	push_pools(&q[1], 4);
	push_pools(&q[2], 4);
	t_run();
	CHECK_EQ_INT(fake_count_ops(1, SA_OP_MAXPOOL), 12);
	for (uint32_t i = 0; i < 12; i++)
		CHECK_EQ_INT(te_ctx(i), 1 + i % 3);
	for (uint32_t i = 0; i < 3; i++) {
		CHECK_EQ_INT(q[i].status->completed, 4);
		CHECK_EQ_INT(q[i].status->state, SA_QUEUE_RUNNING);
	}
}

TEST(higher_priority_first)
{
	struct t_queue q[3];
	const uint32_t prio[3] = {SA_FW_PRIO_LOW, SA_FW_PRIO_REALTIME, SA_FW_PRIO_NORMAL};

	CHECK(t_boot());
	setup_queues(q, 3, prio);
	push_pools(&q[0], 3);
	push_pools(&q[1], 3);
	push_pools(&q[2], 3);
	t_run();
	for (uint32_t i = 0; i < 9; i++)
		CHECK_EQ_INT(te_ctx(i), i < 3 ? 2 : i < 6 ? 3 : 1);
}

TEST(switches_at_descriptor_boundaries)
{
	struct t_queue q[2];
	const uint32_t prio[2] = {SA_FW_PRIO_NORMAL, SA_FW_PRIO_NORMAL};
	uint32_t te_before;

	CHECK(t_boot());
	setup_queues(q, 2, prio);
	push_pools(&q[0], 20); /* a long job */
	for (int i = 0; i < 5; i++)
		fw_step();
	CHECK_EQ_INT(fake_count_ops(1, SA_OP_MAXPOOL), 5);
	/* Work arrives on the other queue: it runs at the very next boundary. */
	te_before = fake_count_ops(1, SA_OP_MAXPOOL);
	push_pools(&q[1], 1);
	fw_step();
	CHECK_EQ_INT(te_ctx(te_before), 2);
	t_run();
	CHECK_EQ_INT(q[0].status->completed, 20);
	CHECK_EQ_INT(q[1].status->completed, 1);
}

TEST(two_busy_queues_share_fairly)
{
	struct t_queue q[2];
	const uint32_t prio[2] = {SA_FW_PRIO_HIGH, SA_FW_PRIO_HIGH};
	struct sa_fw_counters_reply a, b;

	CHECK(t_boot());
	setup_queues(q, 2, prio);
	push_pools(&q[0], 50);
	push_pools(&q[1], 50);
	for (int i = 0; i < 40; i++)
		fw_step();
	/* Suspended, so reading the counters runs nothing more. */
	CHECK_EQ_INT(t_request(SA_FW_MSG_SUSPEND, NULL, 0, NULL), SA_FW_OK);
	a = counters(0);
	b = counters(1);
	CHECK_EQ_INT(a.descriptors_lo, 20);
	CHECK_EQ_INT(b.descriptors_lo, 20);
	/* Both waited while the other ran. */
	CHECK(a.stall_cycles_lo > 0 && b.stall_cycles_lo > 0);
	CHECK_EQ_INT(t_request(SA_FW_MSG_RESUME, NULL, 0, NULL), SA_FW_OK);
	t_run();
	a = counters(0);
	b = counters(1);
	CHECK_EQ_INT(a.descriptors_lo, 50);
	CHECK_EQ_INT(b.descriptors_lo, 50);
	CHECK_EQ_INT(a.engine_cycles_lo, 50 * fake.te_cycles_per_op);
	CHECK(a.cp_instret_lo > 0);
	CHECK_EQ_INT(a.faults, 0);
}

TEST(wait_blocks_only_its_queue)
{
	struct t_queue q[3];
	const uint32_t prio[3] = {SA_FW_PRIO_NORMAL, SA_FW_PRIO_NORMAL, SA_FW_PRIO_NORMAL};
	struct sa_hw_desc d;
	struct sa_fw_queue_id id = {.queue = 1};
	struct sa_fw_queue_status_reply st;
	uint32_t reply[SA_FW_MSG_MAX_PAYLOAD];
	uint64_t *shared;

	CHECK(t_boot());
	setup_queues(q, 3, prio);
	/* Queue 1 waits for a value in its own context at 0x60000000. */
	shared = (uint64_t *)(void *)fake_map(2, 0x60000000, 4096, SA_PTE_READ | SA_PTE_WRITE);
	memset(&d, 0, sizeof(d));
	d.opcode = SA_OP_WAIT;
	d.tag = 77;
	d.flags = SA_DESC_F_FENCE;
	d.fence_addr = q[1].fence_va;
	d.fence_value = 1234;
	d.u.wait.addr = 0x60000000;
	d.u.wait.value = 3;
	d.u.wait.cond = SA_WAIT_GE;
	t_push(&q[1], &d);
	push_pools(&q[1], 2);
	push_pools(&q[2], 6);
	t_run();
	/* Queue 2 ran everything; queue 1 is parked on its wait. */
	CHECK_EQ_INT(q[2].status->completed, 6);
	CHECK_EQ_INT(q[1].status->completed, 0);
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_STATUS, &id, 1, reply), SA_FW_OK);
	memcpy(&st, reply, sizeof(st));
	CHECK(st.flags & SA_FW_QF_WAITING);
	/* The poll timer is armed while a queue waits. */
	CHECK(fake.timer_deadline <= fake.now_ns + SA_FW_DEFAULT_WAIT_POLL_US * 1000ull);
	/* A value below the target is not enough. */
	*shared = 2;
	fake.now_ns += SA_FW_DEFAULT_WAIT_POLL_US * 1000ull;
	t_run();
	CHECK_EQ_INT(q[1].status->completed, 0);
	/* The host writes it (no doorbell): the next poll tick sees it. */
	*shared = 3;
	t_run();
	CHECK_EQ_INT(q[1].status->completed, 0);
	fake.now_ns += SA_FW_DEFAULT_WAIT_POLL_US * 1000ull;
	t_run();
	CHECK_EQ_INT(q[1].status->completed, 3);
	CHECK_EQ_INT(q[1].fences[0], 1234); /* the wait's own fence */
	CHECK_EQ_INT(counters(1).waits, 1);
}

TEST(wait_on_a_fence_another_queue_writes)
{
	struct t_queue q[2];
	struct sa_hw_desc d;
	uint32_t te_before;

	CHECK(t_boot());
	/* Both queues in one context: the producer's fence is the consumer's wait. */
	CHECK_EQ_INT(t_context(1), SA_FW_OK);
	t_layer_buffers(1);
	CHECK_EQ_INT(t_queue_create(&q[0], 0, 1, SA_FW_PRIO_NORMAL, 16), SA_FW_OK);
	CHECK_EQ_INT(t_queue_create(&q[1], 1, 1, SA_FW_PRIO_NORMAL, 16), SA_FW_OK);
	memset(&d, 0, sizeof(d));
	d.opcode = SA_OP_WAIT;
	d.u.wait.addr = q[0].fence_va;
	d.u.wait.value = 2;
	d.u.wait.cond = SA_WAIT_GE;
	t_push(&q[1], &d);
	d = t_pool(99);
	d.u.layer.out.addr = T_OUT_VA + 0x1000; /* tells its command apart */
	fake_map(1, T_OUT_VA + 0x1000, 64, SA_PTE_READ | SA_PTE_WRITE);
	t_push(&q[1], &d);
	t_ring(&q[1]);
	t_run();
	CHECK_EQ_INT(q[1].status->completed, 0);
	/* The producer: two pools, then a fence of 2. */
	push_pools(&q[0], 2);
	d = t_nop(SA_DESC_F_FENCE, q[0].fence_va, 2);
	t_push(&q[0], &d);
	t_ring(&q[0]);
	te_before = fake_count_ops(1, SA_OP_MAXPOOL);
	t_run();
	CHECK_EQ_INT(q[0].status->completed, 3);
	CHECK_EQ_INT(q[1].status->completed, 2);
	/* The consumer's layer ran after the producer's two. */
	CHECK_EQ_INT(fake_count_ops(1, SA_OP_MAXPOOL), te_before + 3);
	CHECK_EQ_INT(te_out(te_before + 2), T_OUT_VA + 0x1000);
	CHECK_EQ_INT(te_out(te_before), T_OUT_VA);
}

TEST(ring_indices_wrap_around_2_to_the_32)
{
	struct t_queue q;
	struct sa_fw_queue_create c;
	uint32_t done = 0;

	CHECK(t_boot());
	CHECK_EQ_INT(t_context(1), SA_FW_OK);
	t_layer_buffers(1);
	CHECK_EQ_INT(t_queue_create(&q, 0, 1, SA_FW_PRIO_NORMAL, 8), SA_FW_OK);
	/* Recreate it starting 5 before the wrap. */
	struct sa_fw_queue_id id = {.queue = 0};
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_DESTROY, &id, 1, NULL), SA_FW_OK);
	memset(&c, 0, sizeof(c));
	c.queue = 0;
	c.context = 1;
	c.ring_lo = (uint32_t)q.ring_va;
	c.entries = 8;
	c.status_lo = (uint32_t)q.status_va;
	c.vector = 1;
	c.start_index = 0xfffffffbu;
	fake.db_tail[0] = c.start_index; /* the doorbell stands where the queue starts */
	CHECK_EQ_INT(t_request(SA_FW_MSG_QUEUE_CREATE, &c, 11, NULL), SA_FW_OK);
	q.tail = 0xfffffffbu;
	/* Three full rings' worth, 8 at a time, fences numbering them. */
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 8; i++) {
			struct sa_hw_desc d = t_nop(SA_DESC_F_FENCE, q.fence_va, ++done);

			t_push(&q, &d);
		}
		t_ring(&q);
		t_run();
		CHECK_EQ_INT(q.status->state, SA_QUEUE_RUNNING);
		CHECK_EQ_INT(q.status->head, q.tail);
		CHECK_EQ_INT(q.fences[0], done);
	}
	CHECK_EQ_INT(q.status->head, 0xfffffffbu + 24);
	CHECK_EQ_INT(q.status->completed, 19);
}

TEST(completion_writes_status_then_fence_then_interrupt)
{
	struct t_queue q;
	struct sa_hw_desc d;
	uint32_t i, fence_at = 0, status_at = 0;

	CHECK(t_boot());
	CHECK_EQ_INT(t_context(1), SA_FW_OK);
	t_layer_buffers(1);
	CHECK_EQ_INT(t_queue_create(&q, 5, 1, SA_FW_PRIO_NORMAL, 8), SA_FW_OK);
	d = t_pool(1);
	d.flags = SA_DESC_F_FENCE | SA_DESC_F_IRQ;
	d.fence_addr = q.fence_va + 16;
	d.fence_value = 0x1122334455667788ull;
	t_push(&q, &d);
	d = t_nop(SA_DESC_F_IRQ, 0, 0); /* interrupt without a fence */
	t_push(&q, &d);
	fake.log_count = 0;
	fake.msi_count = 0;
	t_ring(&q);
	t_run();
	CHECK_EQ_INT(q.fences[2], 0x1122334455667788ull);
	for (i = 0; i < fake.log_count; i++) {
		if (fake.log[i].engine == 2 && fake.log[i].op == SA_DMA_OP_FENCE && !fence_at)
			fence_at = i;
		if (fake.log[i].engine == 2 && fake.log[i].op == SA_DMA_OP_FROM_DRAM && !status_at)
			status_at = i;
	}
	CHECK(status_at && fence_at && status_at < fence_at);
	CHECK_EQ_INT(fake.log[fence_at].flags, SA_DMA_F_IRQ);
	CHECK_EQ_INT(fake.log[fence_at].vector, 1 + 5);
	/* Two interrupts on the queue's vector: the fence's and the bare one. */
	CHECK_EQ_INT(fake.msi_count, 2);
	CHECK_EQ_INT(fake.msi[0], 6);
	CHECK_EQ_INT(fake.msi[1], 6);
	CHECK_EQ_INT(q.status->completed, 2);
}

TEST(engine_waits_sleep_instead_of_spinning)
{
	struct t_queue q;

	CHECK(t_boot());
	CHECK_EQ_INT(t_context(1), SA_FW_OK);
	t_layer_buffers(1);
	CHECK_EQ_INT(t_queue_create(&q, 0, 1, SA_FW_PRIO_NORMAL, 8), SA_FW_OK);
	fake.busy_waits = 3; /* every engine op takes three sleeps */
	fake.waits = 0;
	push_pools(&q, 2);
	t_run();
	CHECK_EQ_INT(q.status->completed, 2);
	/* Per descriptor: fetch, layer, status write = 3 ops x 3 waits (status once at the end). */
	CHECK(fake.waits >= 2 * 2 * 3);
	/* While it slept only the engine's completion was enabled; after, the normal set. */
	CHECK(fake.irq_enable & SA_CP_IRQ_DOORBELL);
	CHECK(!(fake.irq_enable & (SA_CP_IRQ_TE_DONE | SA_CP_IRQ_DMA_DONE)));
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(round_robin_within_a_level);
	RUN(higher_priority_first);
	RUN(switches_at_descriptor_boundaries);
	RUN(two_busy_queues_share_fairly);
	RUN(wait_blocks_only_its_queue);
	RUN(wait_on_a_fence_another_queue_writes);
	RUN(ring_indices_wrap_around_2_to_the_32);
	RUN(completion_writes_status_then_fence_then_interrupt);
	RUN(engine_waits_sleep_instead_of_spinning);
	CHECK_MAIN_END();
}
