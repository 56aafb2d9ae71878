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

/* The lowest set bit of `set` at or after `from`, wrapping around; set != 0. */
static uint32_t next_bit(uint64_t set, uint32_t from)
{
	uint64_t later = from < 64 ? set & (~0ull << from) : 0;
	uint64_t pick = later ? later : set;
	uint32_t i = 0;

	while (!(pick & 1)) {
		pick >>= 1;
		i++;
	}
	return i;
}

struct fw_queue *fw_sched_pick(void)
{
	uint64_t ready[SA_FW_NUM_PRIORITIES] = {0};
	bool any = false;

	/* One pass over the table, then a bit scan per level: cheap when idle. */
	for (uint32_t i = 0; i < fw.num_queues; i++) {
		const struct fw_queue *q = &fw.q[i];

		if (fw_queue_has_work(q) && !q->waiting) {
			ready[q->priority] |= 1ull << i;
			any = true;
		}
	}
	if (!any)
		return NULL;
	for (int prio = SA_FW_NUM_PRIORITIES - 1; prio >= 0; prio--) {
		uint32_t i;

		if (!ready[prio])
			continue;
		i = next_bit(ready[prio], fw.rr[prio]);
		fw.rr[prio] = i + 1;
		return &fw.q[i];
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
