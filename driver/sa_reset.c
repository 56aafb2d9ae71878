// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Health and recovery.  A periodic check watches the firmware's heartbeat and
 * every queue's progress; a stopped heartbeat, a queue that makes no progress
 * for sa_job_timeout_ms, a CP halt, the card's watchdog or a mailbox timeout
 * reset the control processor and reload the firmware.  After the reset every
 * context is registered again; queues that were idle are restored where they
 * were, queues that had work in flight are marked LOST (SHIFTACCEL_ERR_RESET,
 * or SHIFTACCEL_ERR_TIMEOUT for the one that hung) and wake their waiters.
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

static u32 sa_queue_tail(struct sa_queue *q)
{
	return readl(q->sdev->db + (size_t)q->id * SA_DOORBELL_PAGE_SIZE);
}

static bool sa_queue_idle(struct sa_queue *q)
{
	u32 tail = sa_queue_tail(q);

	return tail == READ_ONCE(q->ctx->status[q->id].completed);
}

/* Brings the firmware up and gives it back every context and idle queue. */
static int sa_restore_locked(struct sa_device *sdev)
{
	struct sa_queue *q;
	struct sa_ctx *ctx;
	unsigned long idx;
	int ret;

	ret = sa_fw_boot(sdev);
	if (ret) {
		sdev->state = SA_DEV_LOST;
		list_for_each_entry(ctx, &sdev->contexts, link) {
			mutex_lock(&ctx->lock);
			ctx->fw_live = false;
			xa_for_each(&ctx->queues, idx, q)
				sa_queue_fail(q, SHIFTACCEL_ERR_DEVICE_LOST, 0);
			mutex_unlock(&ctx->lock);
		}
		dev_err(sdev->drm.dev, "the card is lost: the firmware did not restart (%d)\n",
			ret);
		return ret;
	}
	list_for_each_entry(ctx, &sdev->contexts, link) {
		mutex_lock(&ctx->lock);
		ret = sa_ctx_fw_create(sdev, ctx);
		xa_for_each(&ctx->queues, idx, q) {
			if (READ_ONCE(q->state) != SHIFTACCEL_QUEUE_STATE_RUNNING)
				continue;
			if (!ret) {
				q->start_index = sa_queue_tail(q);
				if (!sa_queue_fw_create(sdev, q))
					continue;
			}
			sa_queue_fail(q, SHIFTACCEL_ERR_RESET, 0);
		}
		mutex_unlock(&ctx->lock);
	}
	sdev->state = SA_DEV_READY;
	return 0;
}

/* Stops the firmware; queues with work in flight lose it.  sdev->lock held. */
static void sa_stop_locked(struct sa_device *sdev)
{
	u32 i;

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
	mutex_lock(&sdev->lock);
	if (sdev->state == SA_DEV_READY) {
		sdev->state = SA_DEV_RECOVERING;
		sa_stop_locked(sdev);
		sdev->reset_count++;
		if (!sa_restore_locked(sdev))
			dev_info(sdev->drm.dev, "card reset %u done, firmware running again\n",
				 sdev->reset_count);
	}
	clear_bit(0, &sdev->reset_pending);
	mutex_unlock(&sdev->lock);
	drm_dev_exit(idx);
}

/* Looks for a queue that has work but made no progress.  irq_lock held. */
static struct sa_queue *sa_find_hung_locked(struct sa_device *sdev)
{
	unsigned long timeout = msecs_to_jiffies(sa_job_timeout_ms);
	u32 i;

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

void sa_health_work(struct work_struct *work)
{
	struct sa_device *sdev = container_of(to_delayed_work(work), struct sa_device,
					      health_work);
	struct sa_queue *hung;
	u32 hb, index, tag;
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

	spin_lock_irq(&sdev->irq_lock);
	hung = sa_find_hung_locked(sdev);
	if (hung)
		kref_get(&hung->ref);
	spin_unlock_irq(&sdev->irq_lock);
	if (hung) {
		index = READ_ONCE(hung->ctx->status[hung->id].completed);
		tag = READ_ONCE(hung->ring[index & (hung->entries - 1)].tag);
		dev_err(sdev->drm.dev,
			"queue %u (context %u) made no progress for %u ms at ring index %u (tag %#x)\n",
			hung->id, hung->ctx->id, sa_job_timeout_ms, index, tag);
		spin_lock_irq(&sdev->irq_lock);
		hung->error_index = index;
		hung->error_tag = tag;
		spin_unlock_irq(&sdev->irq_lock);
		sa_queue_fail(hung, SHIFTACCEL_ERR_TIMEOUT, 0);
		sa_queue_put(hung);
		sa_schedule_reset(sdev, "a queue hung");
	}
out:
	drm_dev_exit(idx);
	queue_delayed_work(system_wq, &sdev->health_work, msecs_to_jiffies(SA_HEALTH_PERIOD_MS));
}

/* Probe and resume: boot the firmware (and restore contexts after resume). */
int sa_dev_start(struct sa_device *sdev)
{
	int ret;

	mutex_lock(&sdev->lock);
	ret = sa_restore_locked(sdev);
	mutex_unlock(&sdev->lock);
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
	mutex_lock(&sdev->lock);
	if (sdev->state == SA_DEV_READY && (sdev->fw.capabilities & SA_FW_CAP_SUSPEND))
		sa_mbox_request(sdev, SA_FW_MSG_SUSPEND, NULL, 0, &reply, sizeof(reply));
	sa_stop_locked(sdev);
	sa_irq_disable(sdev);
	sdev->state = SA_DEV_DOWN;
	mutex_unlock(&sdev->lock);
	cancel_work_sync(&sdev->event_work);
}
