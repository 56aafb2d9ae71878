// SPDX-License-Identifier: GPL-2.0-only OR MIT
/* debugfs (/sys/kernel/debug/accel/<minor>/): queue states and counters. */
#include <linux/seq_file.h>
#include <drm/drm_debugfs.h>

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
			   readl(sdev->db + (size_t)q->id * SA_DOORBELL_PAGE_SIZE),
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

void sa_debugfs_init(struct sa_device *sdev)
{
	drm_debugfs_add_file(&sdev->drm, "queues", sa_debugfs_queues, NULL);
	drm_debugfs_add_file(&sdev->drm, "counters", sa_debugfs_counters, NULL);
}
