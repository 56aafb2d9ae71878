// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * debugfs (/sys/kernel/debug/accel/<minor>/): queue states and counters, and
 * two test hooks: fault_inject arms the card's fault-injection block (cards
 * created with the debug property only) and force_reset resets the card.
 */
#include <linux/debugfs.h>
#include <linux/kstrtox.h>
#include <linux/seq_file.h>
#include <drm/drm_debugfs.h>
#include <drm/drm_drv.h>

#include "sa_drv.h"

static const char *sa_queue_state_name(u32 state)
{
	switch (state) {
	case SHIFTACCEL_QUEUE_STATE_RUNNING:
		return "running";
	case SHIFTACCEL_QUEUE_STATE_FAULTED:
		return "faulted";
	case SHIFTACCEL_QUEUE_STATE_LOST:
		return "lost";
	default:
		return "?";
	}
}

static int sa_debugfs_queues(struct seq_file *m, void *data)
{
	struct drm_debugfs_entry *entry = m->private;
	struct sa_device *sdev = to_sa(entry->dev);
	u32 i;

	seq_puts(m, "queue ctx state    error entries vector tail       completed  fence      notifies submits\n");
	spin_lock_irq(&sdev->irq_lock);
	for (i = 0; i < SA_HW_MAX_QUEUES; i++) {
		struct sa_queue *q = sdev->queues[i];
		struct sa_hw_queue_status *st;

		if (!q)
			continue;
		st = &q->ctx->status[q->id];
		seq_printf(m, "%5u %3u %-8s %5u %7u %6u %-10u %-10u %-10llu %-8llu %llu\n", q->id,
			   q->ctx->id, sa_queue_state_name(q->state), q->error, q->entries,
			   q->vector,
			   readl(sa_doorbell(sdev, q->id)),
			   READ_ONCE(st->completed), READ_ONCE(*q->fence), q->notifies, q->submits);
	}
	spin_unlock_irq(&sdev->irq_lock);
	return 0;
}

static int sa_debugfs_counters(struct seq_file *m, void *data)
{
	struct drm_debugfs_entry *entry = m->private;
	struct sa_device *sdev = to_sa(entry->dev);

	seq_printf(m, "bo_count %d\n", atomic_read(&sdev->bo_count));
	seq_printf(m, "pinned_pages %d\n", atomic_read(&sdev->pinned_pages));
	seq_printf(m, "mappings %d\n", atomic_read(&sdev->mappings));
	seq_printf(m, "queues %d\n", atomic_read(&sdev->queue_count));
	seq_printf(m, "contexts %d\n", atomic_read(&sdev->ctx_count));
	seq_printf(m, "interrupts %lld\n", atomic64_read(&sdev->irq_count));
	seq_printf(m, "queue_faults %lld\n", atomic64_read(&sdev->queue_faults));
	seq_printf(m, "reset_count %u\n", READ_ONCE(sdev->reset_count));
	seq_printf(m, "heartbeat %u\n", READ_ONCE(sdev->last_heartbeat));
	return 0;
}

static ssize_t sa_fault_inject_write(struct file *file, const char __user *buf, size_t len,
				     loff_t *pos)
{
	struct sa_device *sdev = file->private_data;
	int ret, idx;
	u32 bits;

	ret = kstrtou32_from_user(buf, len, 0, &bits);
	if (ret)
		return ret;
	if (!(sdev->features & SA_FEAT_FAULT_INJECT) || (bits & ~SA_FI_ALL))
		return -EINVAL;
	if (!drm_dev_enter(&sdev->drm, &idx))
		return -ENODEV;
	dev_warn(sdev->drm.dev, "fault injection armed: %#x\n", bits);
	sa_wr(sdev, SA_REG_FI_ARM, bits);
	drm_dev_exit(idx);
	return len;
}

static const struct file_operations sa_fault_inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = sa_fault_inject_write,
};

static ssize_t sa_force_reset_write(struct file *file, const char __user *buf, size_t len,
				    loff_t *pos)
{
	sa_schedule_reset(file->private_data, "requested through debugfs");
	return len;
}

static const struct file_operations sa_force_reset_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = sa_force_reset_write,
};

void sa_debugfs_init(struct sa_device *sdev)
{
	debugfs_create_file("fault_inject", 0200, sdev->drm.debugfs_root, sdev,
			    &sa_fault_inject_fops);
	debugfs_create_file("force_reset", 0200, sdev->drm.debugfs_root, sdev,
			    &sa_force_reset_fops);
	drm_debugfs_add_file(&sdev->drm, "queues", sa_debugfs_queues, NULL);
	drm_debugfs_add_file(&sdev->drm, "counters", sa_debugfs_counters, NULL);
}
