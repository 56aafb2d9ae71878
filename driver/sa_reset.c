// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Health and recovery.  A periodic check watches the firmware's heartbeat and
 * every queue's progress; a stopped heartbeat, a queue that makes no progress
 * for sa_job_timeout_ms, a CP halt, the card's watchdog or a mailbox timeout
 * reset the control processor and reload the firmware.  After the reset every
 * context is registered again; queues that were idle are restored where they
 * were, queues that had work in flight are marked LOST (SHIFTACCEL_ERR_RESET,
 * or SHIFTACCEL_ERR_TIMEOUT for the one that hung) and wake their waiters.
 * Work rung in while the card was down is not lost: a restored queue restarts
 * at the last descriptor it completed and the firmware takes the doorbell's
 * current tail.  A queue that only waits for memory nobody writes (an
 * SA_OP_WAIT), or whose fault event was lost, is stopped alone: that is no
 * reason to reset the card under everybody else.
 */
#include <drm/drm_drv.h>

#include "sa_drv.h"

#define SA_HEALTH_PERIOD_MS 250

void sa_schedule_reset(struct sa_device *sdev, const char *why)
{
	if (READ_ONCE(sdev->state) != SA_DEV_READY)
		return;
	if (test_and_set_bit(0, &sdev->reset_pending))
		return;
	dev_err(sdev->drm.dev, "resetting the card: %s\n", why);
	queue_work(system_unbound_wq, &sdev->reset_work);
}

static u32 sa_queue_completed(struct sa_queue *q)
{
	return READ_ONCE(q->ctx->status[q->id].completed);
}

static bool sa_queue_idle(struct sa_queue *q)
{
	return readl(sa_doorbell(q->sdev, q->id)) == sa_queue_completed(q);
}

/*
 * The card is gone for good: every queue fails with SHIFTACCEL_ERR_DEVICE_LOST
 * and wakes its waiters, and no context is known to firmware any more.
 */
void sa_dev_mark_lost(struct sa_device *sdev)
{
	struct sa_queue *q;
	struct sa_ctx *ctx;
	unsigned long idx;

	lockdep_assert_held(&sdev->lock);
	sdev->state = SA_DEV_LOST;
	list_for_each_entry(ctx, &sdev->contexts, link) {
		guard(mutex)(&ctx->lock);
		ctx->fw_live = false;
		xa_for_each(&ctx->queues, idx, q)
			sa_queue_fail(q, SHIFTACCEL_ERR_DEVICE_LOST, 0);
	}
}

/* Brings the firmware up and gives it back every context and idle queue. */
static int sa_restore_locked(struct sa_device *sdev)
{
	struct sa_queue *q;
	struct sa_ctx *ctx;
	unsigned long idx;
	int ret;

	lockdep_assert_held(&sdev->lock);
	ret = sa_fw_boot(sdev);
	if (ret) {
		sa_dev_mark_lost(sdev);
		dev_err(sdev->drm.dev, "the card is lost: the firmware did not restart (%d)\n",
			ret);
		return ret;
	}
	list_for_each_entry(ctx, &sdev->contexts, link) {
		guard(mutex)(&ctx->lock);
		ret = sa_ctx_fw_create(sdev, ctx);
		xa_for_each(&ctx->queues, idx, q) {
			if (READ_ONCE(q->state) != SHIFTACCEL_QUEUE_STATE_RUNNING)
				continue;
			if (!ret) {
				/*
				 * It was idle when the card stopped, so everything up to
				 * completed is done; anything rung in since then (the
				 * doorbell is ahead) is the firmware's to run.
				 */
				q->start_index = sa_queue_completed(q);
				q->seen_completed = q->start_index;
				q->progress_jiffies = jiffies;
				if (!sa_queue_fw_create(sdev, q))
					continue;
			}
			sa_queue_fail(q, SHIFTACCEL_ERR_RESET, 0);
		}
	}
	sdev->state = SA_DEV_READY;
	return 0;
}

/* Stops the firmware; queues with work in flight lose it. */
static void sa_stop_locked(struct sa_device *sdev)
{
	u32 i;

	lockdep_assert_held(&sdev->lock);
	sa_fw_halt(sdev);
	for (i = 0; i < SA_HW_MAX_QUEUES; i++) {
		struct sa_queue *q = sdev->queues[i];

		if (q && !sa_queue_idle(q))
			sa_queue_fail(q, SHIFTACCEL_ERR_RESET, 0);
	}
}

void sa_reset_work(struct work_struct *work)
{
	struct sa_device *sdev = container_of(work, struct sa_device, reset_work);
	int idx;

	if (!drm_dev_enter(&sdev->drm, &idx)) {
		clear_bit(0, &sdev->reset_pending);
		return;
	}
	scoped_guard(mutex, &sdev->lock) {
		if (sdev->state == SA_DEV_READY) {
			sdev->state = SA_DEV_RECOVERING;
			sa_stop_locked(sdev);
			WRITE_ONCE(sdev->reset_count, sdev->reset_count + 1);
			if (!sa_restore_locked(sdev))
				dev_info(sdev->drm.dev, "card reset %u done, firmware running again\n",
					 sdev->reset_count);
		}
		clear_bit(0, &sdev->reset_pending);
	}
	drm_dev_exit(idx);
}

/* Looks for a queue that has work but made no progress.  irq_lock held. */
static struct sa_queue *sa_find_hung_locked(struct sa_device *sdev)
{
	unsigned long timeout = msecs_to_jiffies(sa_job_timeout_ms);
	u32 i;

	lockdep_assert_held(&sdev->irq_lock);
	for (i = 0; i < SA_HW_MAX_QUEUES; i++) {
		struct sa_queue *q = sdev->queues[i];
		u32 completed;

		if (!q)
			continue;
		sa_queue_poll(q);
		completed = READ_ONCE(q->ctx->status[q->id].completed);
		if (q->state != SHIFTACCEL_QUEUE_STATE_RUNNING || sa_queue_idle(q) ||
		    completed != q->seen_completed) {
			q->seen_completed = completed;
			q->progress_jiffies = jiffies;
		} else if (time_after(jiffies, q->progress_jiffies + timeout)) {
			return q;
		}
	}
	return NULL;
}

/*
 * What the firmware says of a queue that made no progress: the card is reset
 * only when the firmware cannot account for it.
 */
enum sa_stall {
	SA_STALL_FAULTED, /* the firmware stopped it; the fault event was lost */
	SA_STALL_WAITING, /* blocked on an SA_OP_WAIT for memory nobody wrote */
	SA_STALL_HUNG,	  /* running and stuck, or the firmware did not answer */
};

static enum sa_stall sa_queue_stall(struct sa_device *sdev, struct sa_queue *q)
{
	struct sa_fw_queue_status_reply st;

	if (sa_queue_read_back(sdev, q, &st))
		return SA_STALL_HUNG;
	if (st.state == SA_QUEUE_FAULTED)
		return SA_STALL_FAULTED;
	if (st.state == SA_QUEUE_RUNNING && (st.flags & SA_FW_QF_WAITING))
		return SA_STALL_WAITING;
	return SA_STALL_HUNG;
}

/* A queue made no progress for sa_job_timeout_ms: fail it, and reset only if the card is stuck. */
static void sa_queue_timed_out(struct sa_device *sdev, struct sa_queue *q)
{
	struct sa_fw_queue_id m = { .queue = q->id };
	enum sa_stall stall;
	u32 index, tag;

	guard(mutex)(&sdev->lock);
	/* Destroyed (or its slot reused) since the check, or the card is already recovering. */
	if (sdev->state != SA_DEV_READY || READ_ONCE(sdev->queues[q->id]) != q)
		return;
	stall = sa_queue_stall(sdev, q);
	if (stall == SA_STALL_FAULTED)
		return;
	index = sa_queue_completed(q);
	tag = READ_ONCE(q->ring[index & (q->entries - 1)].tag);
	dev_err(sdev->drm.dev,
		"queue %u (context %u) made no progress for %u ms at ring index %u (tag %#x)%s\n",
		q->id, q->ctx->id, sa_job_timeout_ms, index, tag,
		stall == SA_STALL_WAITING ? ": waiting for memory, stopped alone" : "");
	scoped_guard(spinlock_irq, &sdev->irq_lock) {
		q->error_index = index;
		q->error_tag = tag;
	}
	/* Stopped on the card before its waiters hear of it: nothing runs after -EIO. */
	if (stall == SA_STALL_WAITING)
		sa_mbox_request(sdev, SA_FW_MSG_QUEUE_DESTROY, &m, sizeof(m), NULL, 0);
	sa_queue_fail(q, SHIFTACCEL_ERR_TIMEOUT, 0);
	if (stall != SA_STALL_WAITING)
		sa_schedule_reset(sdev, "a queue hung");
}

void sa_health_work(struct work_struct *work)
{
	struct sa_device *sdev = container_of(to_delayed_work(work), struct sa_device,
					      health_work);
	struct sa_queue *hung;
	u32 hb;
	int idx;

	if (!drm_dev_enter(&sdev->drm, &idx))
		return;
	if (READ_ONCE(sdev->state) != SA_DEV_READY)
		goto out;

	hb = sa_rd(sdev, SA_REG_HEARTBEAT);
	if (hb != sdev->last_heartbeat) {
		sdev->last_heartbeat = hb;
		sdev->heartbeat_jiffies = jiffies;
	} else if (time_after(jiffies, sdev->heartbeat_jiffies +
					       msecs_to_jiffies(sa_heartbeat_timeout_ms))) {
		sa_schedule_reset(sdev, "the firmware heartbeat stopped");
		goto out;
	}

	scoped_guard(spinlock_irq, &sdev->irq_lock) {
		hung = sa_find_hung_locked(sdev);
		if (hung)
			kref_get(&hung->ref);
	}
	if (hung) {
		sa_queue_timed_out(sdev, hung);
		sa_queue_put(hung);
	}
out:
	drm_dev_exit(idx);
	queue_delayed_work(system_wq, &sdev->health_work, msecs_to_jiffies(SA_HEALTH_PERIOD_MS));
}

/* Probe and resume: boot the firmware (and restore contexts after resume). */
int sa_dev_start(struct sa_device *sdev)
{
	int ret;

	scoped_guard(mutex, &sdev->lock)
		ret = sa_restore_locked(sdev);
	if (!ret)
		queue_delayed_work(system_wq, &sdev->health_work,
				   msecs_to_jiffies(SA_HEALTH_PERIOD_MS));
	return ret;
}

/* Suspend and remove: stop the health check and the firmware. */
void sa_dev_stop(struct sa_device *sdev)
{
	struct sa_fw_suspend_reply reply;

	cancel_delayed_work_sync(&sdev->health_work);
	cancel_work_sync(&sdev->reset_work);
	clear_bit(0, &sdev->reset_pending);
	scoped_guard(mutex, &sdev->lock) {
		if (sdev->state == SA_DEV_READY && (sdev->fw.capabilities & SA_FW_CAP_SUSPEND))
			sa_mbox_request(sdev, SA_FW_MSG_SUSPEND, NULL, 0, &reply, sizeof(reply));
		sa_stop_locked(sdev);
		sa_irq_disable(sdev);
		sdev->state = SA_DEV_DOWN;
	}
	cancel_work_sync(&sdev->event_work);
}
