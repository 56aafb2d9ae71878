// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * The host/firmware mailbox (docs/hardware.md 3.3, uapi/shiftaccel_fw.h):
 * one request in flight, its reply matched by token; firmware events (queue
 * faults, firmware errors) are queued for a work item because handling them
 * takes sleeping locks.
 */
#include <linux/iopoll.h>

#include "sa_drv.h"

static const char *sa_msg_name(u16 type)
{
	switch (type & ~SA_FW_MSG_REPLY) {
	case SA_FW_MSG_HELLO: return "HELLO";
	case SA_FW_MSG_PING: return "PING";
	case SA_FW_MSG_CONTEXT_CREATE: return "CONTEXT_CREATE";
	case SA_FW_MSG_CONTEXT_DESTROY: return "CONTEXT_DESTROY";
	case SA_FW_MSG_CONTEXT_INVALIDATE: return "CONTEXT_INVALIDATE";
	case SA_FW_MSG_QUEUE_CREATE: return "QUEUE_CREATE";
	case SA_FW_MSG_QUEUE_RESET: return "QUEUE_RESET";
	case SA_FW_MSG_QUEUE_DESTROY: return "QUEUE_DESTROY";
	case SA_FW_MSG_QUEUE_STATUS: return "QUEUE_STATUS";
	case SA_FW_MSG_COUNTERS: return "COUNTERS";
	case SA_FW_MSG_SUSPEND: return "SUSPEND";
	case SA_FW_MSG_RESUME: return "RESUME";
	case SA_FW_MSG_CONFIG: return "CONFIG";
	default: return "unknown";
	}
}

/* Allows or refuses requests: the firmware is (not) running. */
void sa_mbox_set_up(struct sa_device *sdev, bool up)
{
	guard(mutex)(&sdev->mbox_lock);
	guard(spinlock_irq)(&sdev->mbox_irq_lock);
	sdev->fw_up = up;
	sdev->mbox_waiting = false;
}

/*
 * Sends one request and waits for its reply.  args/reply are the payload
 * structs of uapi/shiftaccel_fw.h (reply word 0 is the status).  Returns 0,
 * -EIO when the firmware refused it or is not running, -ETIMEDOUT when it did
 * not answer (the card is then reset).
 */
int sa_mbox_request(struct sa_device *sdev, u16 type, const void *args, size_t args_size,
		    void *reply, size_t reply_size)
{
	unsigned int words = args_size / sizeof(u32), i;
	const u32 *w = args;
	struct sa_hw_mbox_msg msg;
	unsigned long left;
	u32 full, status;
	u8 token;
	int ret;

	if (WARN_ON(words > SA_FW_MSG_MAX_PAYLOAD || reply_size > sizeof(msg.data)))
		return -EINVAL;

	mutex_lock(&sdev->mbox_lock);
	if (!sdev->fw_up) {
		ret = -EIO;
		goto out;
	}
	/* The firmware ACKs a message as soon as it has read it. */
	ret = readl_poll_timeout(sdev->regs + SA_REG_MBOX_H2F_CTRL, full,
				 !(full & SA_MBOX_STATUS_FULL), 20, sa_mbox_timeout_ms * 1000);
	if (ret) {
		dev_err(sdev->drm.dev, "firmware did not take the previous mailbox message\n");
		goto out_dead;
	}

	token = ++sdev->mbox_token;
	spin_lock_irq(&sdev->mbox_irq_lock);
	reinit_completion(&sdev->mbox_done);
	sdev->mbox_waiting = true;
	spin_unlock_irq(&sdev->mbox_irq_lock);

	sa_wr(sdev, SA_REG_MBOX_H2F_DATA, SA_FW_MSG_WORD0(type, token, words));
	for (i = 0; i < words; i++)
		sa_wr(sdev, SA_REG_MBOX_H2F_DATA + 4 * (i + 1), w[i]);
	sa_wr(sdev, SA_REG_MBOX_H2F_CTRL, SA_MBOX_CTRL_SEND);

	left = wait_for_completion_timeout(&sdev->mbox_done,
					   msecs_to_jiffies(sa_mbox_timeout_ms));
	spin_lock_irq(&sdev->mbox_irq_lock);
	sdev->mbox_waiting = false;
	msg = sdev->mbox_reply;
	spin_unlock_irq(&sdev->mbox_irq_lock);
	if (!left) {
		dev_err(sdev->drm.dev, "firmware did not answer %s within %u ms\n",
			sa_msg_name(type), sa_mbox_timeout_ms);
		ret = -ETIMEDOUT;
		goto out_dead;
	}
	status = msg.length ? msg.data[0] : SA_FW_E_LENGTH;
	if (status != SA_FW_OK) {
		drm_dbg(&sdev->drm, "firmware refused %s: status %u\n", sa_msg_name(type), status);
		ret = -EIO;
		goto out;
	}
	if (reply) {
		memset(reply, 0, reply_size);
		memcpy(reply, msg.data, min_t(size_t, reply_size, msg.length * sizeof(u32)));
	}
	ret = 0;
	goto out;

out_dead:
	/* Stop the card now: nothing it does can be trusted until the reset. */
	sa_wr(sdev, SA_REG_CP_CTRL, SA_CP_CTRL_RESET);
	sdev->fw_up = false;
	mutex_unlock(&sdev->mbox_lock);
	sa_schedule_reset(sdev, "mailbox timeout");
	return ret;
out:
	mutex_unlock(&sdev->mbox_lock);
	return ret;
}

static void sa_mbox_dispatch(struct sa_device *sdev, const struct sa_hw_mbox_msg *msg)
{
	u32 next;

	if (msg->type & SA_FW_MSG_REPLY) {
		guard(spinlock)(&sdev->mbox_irq_lock);
		if (sdev->mbox_waiting && msg->token == sdev->mbox_token) {
			sdev->mbox_reply = *msg;
			sdev->mbox_waiting = false;
			complete(&sdev->mbox_done);
		} else {
			dev_warn_ratelimited(sdev->drm.dev, "unexpected firmware reply %#x token %u\n",
					     msg->type, msg->token);
		}
		return;
	}
	if (msg->type == SA_FW_EVT_BOOT) {
		guard(spinlock)(&sdev->mbox_irq_lock);
		sdev->boot_msg = *msg;
		complete(&sdev->boot_done);
		return;
	}
	scoped_guard(spinlock, &sdev->mbox_irq_lock) {
		next = (sdev->events_head + 1) % SA_EVENTS_MAX;
		if (next == sdev->events_tail) {
			/* event_work reads every queue's state back instead. */
			sdev->events_dropped++;
		} else {
			sdev->events[sdev->events_head] = *msg;
			sdev->events_head = next;
		}
	}
	schedule_work(&sdev->event_work);
}

/* From the events interrupt: takes every message the firmware has sent. */
void sa_mbox_irq(struct sa_device *sdev)
{
	struct sa_hw_mbox_msg msg;
	unsigned int i;
	u32 w0;

	while (sa_rd(sdev, SA_REG_MBOX_F2H_CTRL) & SA_MBOX_STATUS_FULL) {
		w0 = sa_rd(sdev, SA_REG_MBOX_F2H_DATA);
		msg.type = SA_FW_MSG_TYPE(w0);
		msg.token = SA_FW_MSG_TOKEN(w0);
		msg.length = min_t(u32, SA_FW_MSG_LENGTH(w0), SA_FW_MSG_MAX_PAYLOAD);
		for (i = 0; i < SA_FW_MSG_MAX_PAYLOAD; i++)
			msg.data[i] = i < msg.length ?
				      sa_rd(sdev, SA_REG_MBOX_F2H_DATA + 4 * (i + 1)) : 0;
		sa_wr(sdev, SA_REG_MBOX_F2H_CTRL, SA_MBOX_CTRL_ACK);
		sa_mbox_dispatch(sdev, &msg);
	}
}

static void sa_event_queue_fault(struct sa_device *sdev, const struct sa_hw_mbox_msg *msg)
{
	struct sa_fw_queue_fault f = {};
	struct sa_queue *q;

	memcpy(&f, msg->data, min_t(size_t, sizeof(f), msg->length * sizeof(u32)));
	atomic64_inc(&sdev->queue_faults);
	if (f.queue >= SA_HW_MAX_QUEUES) {
		dev_warn(sdev->drm.dev, "firmware reported a fault on unknown queue %u\n", f.queue);
		return;
	}
	scoped_guard(spinlock_irq, &sdev->irq_lock) {
		q = sdev->queues[f.queue];
		if (q && q->ctx->id == f.context)
			kref_get(&q->ref);
		else
			q = NULL;
	}
	if (!q)
		return;
	dev_info_ratelimited(sdev->drm.dev,
			     "queue %u (context %u) stopped at ring index %u tag %#x: reason %u detail %#x stage %u opcode %u addr %#llx\n",
			     f.queue, f.context, f.index, f.tag, f.reason, f.detail, f.stage,
			     f.opcode, (u64)f.addr_hi << 32 | f.addr_lo);
	sa_queue_fault(q, f.reason, f.detail, f.index, f.tag, (u64)f.addr_hi << 32 | f.addr_lo);
	sa_queue_put(q);
}

/*
 * Asks the firmware for q's state (*st); a queue it stopped fails here with
 * the firmware's reason, as if its fault event had arrived.  Returns the
 * mailbox's error when the firmware did not answer.  sdev->lock held.
 */
int sa_queue_read_back(struct sa_device *sdev, struct sa_queue *q,
		       struct sa_fw_queue_status_reply *st)
{
	struct sa_fw_queue_id m = { .queue = q->id };
	int ret;

	lockdep_assert_held(&sdev->lock);
	ret = sa_mbox_request(sdev, SA_FW_MSG_QUEUE_STATUS, &m, sizeof(m), st, sizeof(*st));
	if (ret || st->state != SA_QUEUE_FAULTED)
		return ret;
	atomic64_inc(&sdev->queue_faults);
	sa_queue_fault(q, st->error, st->error_detail, st->error_index, st->error_tag,
		       (u64)st->error_addr_hi << 32 | st->error_addr_lo);
	return 0;
}

/*
 * Fault events were dropped (by the firmware's outbox or our own buffer):
 * read every queue's state back from the card instead of guessing, so a
 * faulted queue fails with its reason and is not taken for a hung one.
 */
void sa_queues_resync(struct sa_device *sdev)
{
	struct sa_fw_queue_status_reply st;
	struct sa_queue *q;
	struct sa_ctx *ctx;
	unsigned long idx;
	u32 faulted = 0;

	guard(mutex)(&sdev->lock);
	if (sdev->state != SA_DEV_READY)
		return; /* a reset reads every queue's state anyway */
	list_for_each_entry(ctx, &sdev->contexts, link) {
		guard(mutex)(&ctx->lock);
		xa_for_each(&ctx->queues, idx, q) {
			if (READ_ONCE(q->state) != SHIFTACCEL_QUEUE_STATE_RUNNING)
				continue;
			if (sa_queue_read_back(sdev, q, &st))
				return; /* the card stopped answering: it is being reset */
			faulted += st.state == SA_QUEUE_FAULTED;
		}
	}
	dev_info(sdev->drm.dev, "queue states read back from the firmware: %u more faulted\n",
		 faulted);
}

void sa_event_work(struct work_struct *work)
{
	struct sa_device *sdev = container_of(work, struct sa_device, event_work);
	struct sa_hw_mbox_msg msg;
	bool resync = false;
	u32 dropped;

	for (;;) {
		scoped_guard(spinlock_irq, &sdev->mbox_irq_lock) {
			dropped = sdev->events_dropped;
			sdev->events_dropped = 0;
			msg.type = 0;
			if (sdev->events_tail != sdev->events_head) {
				msg = sdev->events[sdev->events_tail];
				sdev->events_tail = (sdev->events_tail + 1) % SA_EVENTS_MAX;
			}
		}
		if (dropped) {
			dev_warn(sdev->drm.dev, "the driver lost %u firmware events\n", dropped);
			resync = true;
		}
		if (!msg.type)
			break;
		switch (msg.type) {
		case SA_FW_EVT_QUEUE_FAULT:
			sa_event_queue_fault(sdev, &msg);
			break;
		case SA_FW_EVT_FW_ERROR:
			if (msg.data[0] == SA_FW_ERROR_EVENTS_LOST) {
				/* Its outbox was full: reported once there was room again. */
				dev_warn(sdev->drm.dev, "the firmware lost %u events\n",
					 msg.data[1]);
				resync = true;
				break;
			}
			dev_err(sdev->drm.dev, "firmware error %u (%#x %#x %#x %#x)\n", msg.data[0],
				msg.data[1], msg.data[2], msg.data[3], msg.data[4]);
			if (msg.data[0] == SA_FW_ERROR_ENGINE_STUCK)
				sa_schedule_reset(sdev, "engine stuck");
			break;
		default:
			dev_warn(sdev->drm.dev, "unknown firmware event %#x\n", msg.type);
			break;
		}
	}
	if (resync)
		sa_queues_resync(sdev);
}
