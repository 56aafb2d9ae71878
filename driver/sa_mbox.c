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
	mutex_lock(&sdev->mbox_lock);
	spin_lock_irq(&sdev->mbox_irq_lock);
	sdev->fw_up = up;
	sdev->mbox_waiting = false;
	spin_unlock_irq(&sdev->mbox_irq_lock);
	mutex_unlock(&sdev->mbox_lock);
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
		spin_lock(&sdev->mbox_irq_lock);
		if (sdev->mbox_waiting && msg->token == sdev->mbox_token) {
			sdev->mbox_reply = *msg;
			sdev->mbox_waiting = false;
			complete(&sdev->mbox_done);
		} else {
			dev_warn_ratelimited(sdev->drm.dev, "unexpected firmware reply %#x token %u\n",
					     msg->type, msg->token);
		}
		spin_unlock(&sdev->mbox_irq_lock);
		return;
	}
	if (msg->type == SA_FW_EVT_BOOT) {
		spin_lock(&sdev->mbox_irq_lock);
		sdev->boot_msg = *msg;
		complete(&sdev->boot_done);
		spin_unlock(&sdev->mbox_irq_lock);
		return;
	}
	spin_lock(&sdev->mbox_irq_lock);
	next = (sdev->events_head + 1) % SA_EVENTS_MAX;
	if (next == sdev->events_tail) {
		sdev->events_dropped++;
	} else {
		sdev->events[sdev->events_head] = *msg;
		sdev->events_head = next;
	}
	spin_unlock(&sdev->mbox_irq_lock);
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

static u32 sa_fault_to_error(u32 reason)
{
	switch (reason) {
	case SA_FW_FAULT_MMU:
		return SHIFTACCEL_ERR_MMU_FAULT;
	case SA_FW_FAULT_ENGINE:
		return SHIFTACCEL_ERR_ENGINE;
	case SA_FW_FAULT_BAD_TAIL:
		return SHIFTACCEL_ERR_BAD_TAIL;
	default:
		return SHIFTACCEL_ERR_BAD_DESC;
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
	spin_lock_irq(&sdev->irq_lock);
	q = sdev->queues[f.queue];
	if (q && q->ctx->id == f.context) {
		if (q->state == SHIFTACCEL_QUEUE_STATE_RUNNING) {
			q->fault_reason = f.reason == SA_FW_FAULT_MMU ? f.detail & 0xff : 0;
			q->error_index = f.index;
			q->error_tag = f.tag;
			q->error_addr = (u64)f.addr_hi << 32 | f.addr_lo;
		}
		kref_get(&q->ref);
	} else {
		q = NULL;
	}
	spin_unlock_irq(&sdev->irq_lock);
	if (!q)
		return;
	dev_info_ratelimited(sdev->drm.dev,
			     "queue %u (context %u) stopped at ring index %u tag %#x: reason %u detail %#x stage %u opcode %u addr %#llx\n",
			     f.queue, f.context, f.index, f.tag, f.reason, f.detail, f.stage,
			     f.opcode, (u64)f.addr_hi << 32 | f.addr_lo);
	atomic_inc(&q->ctx->faults);
	sa_queue_fail(q, sa_fault_to_error(f.reason), f.reason);
	sa_queue_put(q);
}

void sa_event_work(struct work_struct *work)
{
	struct sa_device *sdev = container_of(work, struct sa_device, event_work);
	struct sa_hw_mbox_msg msg;
	u32 dropped;

	for (;;) {
		spin_lock_irq(&sdev->mbox_irq_lock);
		dropped = sdev->events_dropped;
		sdev->events_dropped = 0;
		if (sdev->events_tail == sdev->events_head) {
			spin_unlock_irq(&sdev->mbox_irq_lock);
			break;
		}
		msg = sdev->events[sdev->events_tail];
		sdev->events_tail = (sdev->events_tail + 1) % SA_EVENTS_MAX;
		spin_unlock_irq(&sdev->mbox_irq_lock);

		if (dropped)
			dev_warn(sdev->drm.dev, "%u firmware events dropped\n", dropped);
		switch (msg.type) {
		case SA_FW_EVT_QUEUE_FAULT:
			sa_event_queue_fault(sdev, &msg);
			break;
		case SA_FW_EVT_FW_ERROR:
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
}
