// SPDX-License-Identifier: MIT
/*
 * Which queue runs next.  Strict priority between levels (a higher level
 * always goes first), round-robin inside a level, one descriptor per turn:
 * queues switch at descriptor (layer) boundaries, so a long job shares the
 * engines with every other queue of its level instead of starving them.
 *
 * A queue whose head is an SA_OP_WAIT that is not satisfied sits out until
 * something may have changed its value: a fence this firmware wrote, a
 * doorbell, or the wait-poll timer (for values the host CPU writes).
 */
#include "fw.h"

static bool runnable(const struct fw_queue *q, uint32_t prio)
{
	return fw_queue_has_work(q) && q->priority == prio && !q->waiting;
}

struct fw_queue *fw_sched_pick(void)
{
	uint32_t n = fw.num_queues;

	for (int prio = SA_FW_NUM_PRIORITIES - 1; prio >= 0; prio--) {
		uint32_t start = fw.rr[prio] < n ? fw.rr[prio] : 0;

		for (uint32_t k = 0; k < n; k++) {
			uint32_t i = start + k < n ? start + k : start + k - n;

			if (runnable(&fw.q[i], (uint32_t)prio)) {
				fw.rr[prio] = i + 1 < n ? i + 1 : 0;
				return &fw.q[i];
			}
		}
	}
	return NULL;
}

void fw_sched_wake_waiters(void)
{
	for (uint32_t i = 0; i < fw.num_queues; i++)
		fw.q[i].waiting = false;
}

bool fw_sched_any_waiting(void)
{
	for (uint32_t i = 0; i < fw.num_queues; i++) {
		if (fw.q[i].waiting)
			return true;
	}
	return false;
}

bool fw_sched_step(void)
{
	struct fw_queue *q;

	if (fw.suspended)
		return false;
	q = fw_sched_pick();
	if (!q)
		return false;
	fw_exec_one(q);
	return true;
}
