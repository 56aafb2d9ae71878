// SPDX-License-Identifier: MIT
/*
 * Doorbells: the host (or a process with the queue's doorbell page mapped)
 * writes a free-running 32-bit tail.  The hardware only latches it, so the
 * firmware is the one to refuse a tail that would make it read slots the
 * producer has not written (more than `entries` ahead of head, which also
 * catches a tail behind head: the difference wraps to a huge number).
 */
#include "fw.h"

bool fw_queue_take_tail(struct fw_queue *q, uint32_t tail)
{
	if (tail - q->head > q->mask + 1) {
		struct fw_fault f = {
			.reason = SA_FW_FAULT_BAD_TAIL,
			.stage = SA_FW_STAGE_DOORBELL,
			.addr = tail,
		};

		fw_queue_fault(q, &f, q->head, 0, 0);
		return false;
	}
	/* Work arriving at an idle queue starts its wait for service now. */
	if (q->head == q->tail && tail != q->head)
		q->ready_since = hal_cycles();
	q->tail = tail;
	return true;
}

void fw_doorbell_service(void)
{
	uint64_t pending = hal_db_take_pending();

	if (!pending)
		return;
	for (uint32_t i = 0; i < fw.num_queues; i++) {
		struct fw_queue *q = &fw.q[i];

		if (!(pending & (1ull << i)) || !q->created || q->state != SA_QUEUE_RUNNING)
			continue;
		fw_queue_take_tail(q, hal_db_tail(i));
	}
	/* A doorbell may follow a host write of a value some queue waits for. */
	fw_sched_wake_waiters();
}
