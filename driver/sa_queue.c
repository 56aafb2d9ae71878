// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * User-mode queues.  A queue is a ring of descriptors in a BO the file mapped
 * at a device VA, one doorbell page the process may map (kernel bypass:
 * descriptors are stores to the ring, submission is a store of the new tail
 * to the doorbell), and a 64-bit queue fence in another (or the same)
 * mapping that completions write.  The driver watches the queue fence for
 * the wait ioctl, syncobjs and the eventfd.
 */
#include <linux/dma-fence.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_syncobj.h>
#include <drm/drm_vma_manager.h>

#include "sa_drv.h"

struct sa_fence {
	struct dma_fence base;
	struct list_head link;
	u64 value;
};

static const char *sa_fence_driver_name(struct dma_fence *fence)
{
	return SA_DRIVER_NAME;
}

static const char *sa_fence_timeline_name(struct dma_fence *fence)
{
	return "queue";
}

static const struct dma_fence_ops sa_fence_ops = {
	.get_driver_name = sa_fence_driver_name,
	.get_timeline_name = sa_fence_timeline_name,
};

static u64 sa_queue_fence(struct sa_queue *q)
{
	return READ_ONCE(*q->fence);
}

/* Signals the syncobj fences the queue fence has reached.  irq_lock held. */
static void sa_queue_signal_locked(struct sa_queue *q)
{
	bool failed = q->state != SHIFTACCEL_QUEUE_STATE_RUNNING || q->dead;
	u64 value = sa_queue_fence(q);
	struct sa_fence *f, *tmp;

	lockdep_assert_held(&q->sdev->irq_lock);
	list_for_each_entry_safe(f, tmp, &q->fences, link) {
		if (value < f->value) {
			if (!failed)
				continue;
			dma_fence_set_error(&f->base, q->dead ? -ECANCELED : -EIO);
		}
		list_del(&f->link);
		dma_fence_signal_locked(&f->base);
		dma_fence_put(&f->base);
	}
}

/* Catches completions that raised no interrupt.  irq_lock held. */
void sa_queue_poll(struct sa_queue *q)
{
	lockdep_assert_held(&q->sdev->irq_lock);
	sa_queue_signal_locked(q);
	wake_up_all(&q->wq);
}

/* The queue's interrupt fired (or its state changed).  irq_lock held. */
void sa_queue_notify(struct sa_queue *q)
{
	lockdep_assert_held(&q->sdev->irq_lock);
	q->notifies++;
	sa_queue_signal_locked(q);
	wake_up_all(&q->wq);
	if (q->eventfd)
		eventfd_signal(q->eventfd);
}

/* Marks the queue failed (first reason wins) and wakes everyone waiting on it. */
void sa_queue_fail(struct sa_queue *q, u32 error, u32 fw_error)
{
	unsigned long flags;

	spin_lock_irqsave(&q->sdev->irq_lock, flags);
	if (q->state == SHIFTACCEL_QUEUE_STATE_RUNNING) {
		q->state = error == SHIFTACCEL_ERR_RESET || error == SHIFTACCEL_ERR_TIMEOUT ||
					   error == SHIFTACCEL_ERR_DEVICE_LOST ?
				   SHIFTACCEL_QUEUE_STATE_LOST :
				   SHIFTACCEL_QUEUE_STATE_FAULTED;
		q->error = error;
		q->fw_error = fw_error;
	}
	sa_queue_notify(q);
	spin_unlock_irqrestore(&q->sdev->irq_lock, flags);
}

/*
 * The firmware stopped the queue (a fault event, or its state read back
 * after events were lost): records where and why, then fails it.
 */
void sa_queue_fault(struct sa_queue *q, u32 reason, u32 detail, u32 index, u32 tag, u64 addr)
{
	struct sa_device *sdev = q->sdev;
	u32 error;

	switch (reason) {
	case SA_FW_FAULT_MMU:
		error = SHIFTACCEL_ERR_MMU_FAULT;
		break;
	case SA_FW_FAULT_ENGINE:
		error = SHIFTACCEL_ERR_ENGINE;
		break;
	case SA_FW_FAULT_BAD_TAIL:
		error = SHIFTACCEL_ERR_BAD_TAIL;
		break;
	default:
		error = SHIFTACCEL_ERR_BAD_DESC;
		break;
	}
	scoped_guard(spinlock_irqsave, &sdev->irq_lock) {
		if (q->state != SHIFTACCEL_QUEUE_STATE_RUNNING)
			return; /* already failed: the first reason stays */
		q->fault_reason = reason == SA_FW_FAULT_MMU ? detail & 0xff : 0;
		q->error_index = index;
		q->error_tag = tag;
		q->error_addr = addr;
	}
	atomic_inc(&q->ctx->faults);
	sa_queue_fail(q, error, reason);
}

static void sa_queue_release(struct kref *ref)
{
	struct sa_queue *q = container_of(ref, struct sa_queue, ref);

	/* A queue whose creation failed may have neither mapping. */
	if (q->ring_obj) {
		drm_gem_vunmap_unlocked(q->ring_obj, &q->ring_vmap);
		drm_gem_object_put(q->ring_obj);
	}
	if (q->fence_obj) {
		drm_gem_vunmap_unlocked(q->fence_obj, &q->fence_vmap);
		drm_gem_object_put(q->fence_obj);
	}
	if (q->eventfd)
		eventfd_ctx_put(q->eventfd);
	mutex_destroy(&q->submit_lock);
	kfree(q);
}

void sa_queue_put(struct sa_queue *q)
{
	kref_put(&q->ref, sa_queue_release);
}

static struct sa_queue *sa_queue_get(struct sa_ctx *ctx, u32 id)
{
	struct sa_queue *q;

	guard(mutex)(&ctx->lock);
	q = xa_load(&ctx->queues, id);
	if (q)
		kref_get(&q->ref);
	else
		drm_dbg(&ctx->sdev->drm, "queue_id %u is no queue of this file\n", id);
	return q;
}

static u32 sa_fw_priority(u32 prio)
{
	switch (prio) {
	case SHIFTACCEL_PRIORITY_LOW:
		return SA_FW_PRIO_LOW;
	case SHIFTACCEL_PRIORITY_HIGH:
		return SA_FW_PRIO_HIGH;
	default:
		return SA_FW_PRIO_NORMAL;
	}
}

/* Tells the firmware about the queue, starting at q->start_index. */
int sa_queue_fw_create(struct sa_device *sdev, struct sa_queue *q)
{
	u64 status_va = SA_STATUS_VA + (u64)q->id * sizeof(struct sa_hw_queue_status);
	struct sa_hw_queue_status *st = &q->ctx->status[q->id];
	struct sa_fw_queue_create m = {
		.queue = q->id,
		.context = q->ctx->id,
		.ring_lo = lower_32_bits(q->ring_va),
		.ring_hi = upper_32_bits(q->ring_va),
		.entries = q->entries,
		.status_lo = lower_32_bits(status_va),
		.status_hi = upper_32_bits(status_va),
		.vector = q->vector,
		.priority = sa_fw_priority(q->priority),
		.start_index = q->start_index,
	};

	memset(st, 0, sizeof(*st));
	WRITE_ONCE(st->head, q->start_index);
	WRITE_ONCE(st->completed, q->start_index);
	return sa_mbox_request(sdev, SA_FW_MSG_QUEUE_CREATE, &m, sizeof(m), NULL, 0);
}

static int sa_queue_create_check(struct sa_device *sdev,
				 const struct drm_shiftaccel_queue_create *args)
{
	u64 ring_bytes = (u64)args->ring_entries * sizeof(struct sa_hw_desc);

	if (args->flags || args->pad)
		return sa_inval(sdev, "flags %#x pad %#x must be zero\n", args->flags, args->pad);
	if (args->priority > SHIFTACCEL_PRIORITY_HIGH)
		return sa_inval(sdev, "priority %u is unknown\n", args->priority);
	if (!is_power_of_2(args->ring_entries) || args->ring_entries < SA_RING_MIN_ENTRIES ||
	    args->ring_entries > SA_RING_MAX_ENTRIES)
		return sa_inval(sdev, "ring_entries %u is not a power of two in [%u, %u]\n",
				args->ring_entries, SA_RING_MIN_ENTRIES, SA_RING_MAX_ENTRIES);
	if (!IS_ALIGNED(args->ring_va, SA_MMU_PAGE_SIZE) ||
	    !sa_user_range_ok(args->ring_va, ring_bytes))
		return sa_inval(sdev, "ring_va %#llx: unaligned or ring outside [%#llx, %#llx)\n",
				args->ring_va, SHIFTACCEL_VA_USER_START, SHIFTACCEL_VA_USER_END);
	if (!IS_ALIGNED(args->fence_va, sizeof(u64)) ||
	    !sa_user_range_ok(args->fence_va, sizeof(u64)))
		return sa_inval(sdev, "fence_va %#llx: unaligned or outside [%#llx, %#llx)\n",
				args->fence_va, SHIFTACCEL_VA_USER_START, SHIFTACCEL_VA_USER_END);
	return 0;
}

/* Queues the user already holds on this card.  sdev->lock held. */
static u32 sa_user_queues(struct sa_device *sdev, kuid_t uid)
{
	struct sa_ctx *ctx;
	u32 n = 0;

	lockdep_assert_held(&sdev->lock);
	list_for_each_entry(ctx, &sdev->contexts, link)
		if (uid_eq(ctx->uid, uid))
			n += ctx->num_queues;
	return n;
}

/* A free hardware queue for ctx within the per-file and per-user limits.  sdev->lock held. */
static int sa_queue_take_slot(struct sa_device *sdev, struct sa_ctx *ctx, u32 *slot)
{
	u32 file_limit = sa_limit(sa_file_queue_limit, sdev->num_queues);
	u32 user_limit = sa_limit(sa_user_queue_limit, sdev->num_queues);
	u32 id;

	lockdep_assert_held(&sdev->lock);
	if (ctx->num_queues >= file_limit) {
		drm_dbg(&sdev->drm, "this file already holds %u queues (file_queue_limit)\n",
			file_limit);
		return -EDQUOT;
	}
	if (sa_user_queues(sdev, ctx->uid) >= user_limit) {
		drm_dbg(&sdev->drm, "user %u already holds %u queues (user_queue_limit)\n",
			from_kuid(&init_user_ns, ctx->uid), user_limit);
		return -EDQUOT;
	}
	for (id = 0; id < sdev->num_queues; id++) {
		if (!sdev->queues[id]) {
			*slot = id;
			return 0;
		}
	}
	drm_dbg(&sdev->drm, "all %u hardware queues are in use\n", sdev->num_queues);
	return -ENOSPC;
}

static int sa_queue_vmap(struct sa_mapping *m, u64 va, struct drm_gem_object **obj,
			 struct iosys_map *map, void **cpu)
{
	int ret;

	ret = drm_gem_vmap_unlocked(m->obj, map);
	if (ret)
		return ret;
	drm_gem_object_get(m->obj);
	*obj = m->obj;
	*cpu = map->vaddr + m->bo_offset + (va - m->node.start);
	return 0;
}

/* Checks the ring and fence mappings and takes a hardware queue.  Both locks held. */
static int sa_queue_setup_locked(struct sa_device *sdev, struct sa_ctx *ctx,
				 const struct drm_shiftaccel_queue_create *args, struct sa_queue *q)
{
	struct sa_mapping *ring_map, *fence_map;
	void *cpu;
	int ret;

	lockdep_assert_held(&sdev->lock);
	lockdep_assert_held(&ctx->lock);
	if (sdev->state != SA_DEV_READY || !ctx->fw_live)
		return sdev->state == SA_DEV_LOST ? -ENODEV : -EAGAIN;
	ring_map = sa_ctx_find_mapping(ctx, args->ring_va,
				       (u64)args->ring_entries * sizeof(struct sa_hw_desc));
	if (!ring_map || !(ring_map->flags & SHIFTACCEL_VM_READ))
		return sa_inval(sdev, "ring_va %#llx: the ring is in no readable mapping\n",
				args->ring_va);
	fence_map = sa_ctx_find_mapping(ctx, args->fence_va, sizeof(u64));
	if (!fence_map || (fence_map->flags & (SHIFTACCEL_VM_READ | SHIFTACCEL_VM_WRITE)) !=
				  (SHIFTACCEL_VM_READ | SHIFTACCEL_VM_WRITE))
		return sa_inval(sdev, "fence_va %#llx is not inside a read-write mapping\n",
				args->fence_va);
	ret = sa_queue_take_slot(sdev, ctx, &q->id);
	if (ret)
		return ret;
	q->vector = 1 + q->id % sdev->queue_vectors;

	ret = sa_queue_vmap(ring_map, args->ring_va, &q->ring_obj, &q->ring_vmap, &cpu);
	if (ret)
		return ret;
	q->ring = cpu;
	ret = sa_queue_vmap(fence_map, args->fence_va, &q->fence_obj, &q->fence_vmap, &cpu);
	if (ret) {
		drm_gem_vunmap_unlocked(q->ring_obj, &q->ring_vmap);
		drm_gem_object_put(q->ring_obj);
		q->ring_obj = NULL;
		return ret;
	}
	q->fence = cpu;
	q->ring_map = ring_map;
	q->fence_map = fence_map;
	return 0;
}

int sa_ioctl_queue_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_shiftaccel_queue_create *args = data;
	struct sa_device *sdev = to_sa(drm);
	struct sa_ctx *ctx = file->driver_priv;
	struct sa_queue *q;
	int ret, idx;

	ret = sa_queue_create_check(sdev, args);
	if (ret)
		return ret;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;
	q = kzalloc(sizeof(*q), GFP_KERNEL_ACCOUNT);
	if (!q) {
		ret = -ENOMEM;
		goto out_exit;
	}
	kref_init(&q->ref);
	mutex_init(&q->submit_lock);
	init_waitqueue_head(&q->wq);
	INIT_LIST_HEAD(&q->fences);
	q->sdev = sdev;
	q->ctx = ctx;
	q->entries = args->ring_entries;
	q->priority = args->priority;
	q->ring_va = args->ring_va;
	q->fence_va = args->fence_va;
	q->state = SHIFTACCEL_QUEUE_STATE_RUNNING;
	q->fence_context = dma_fence_context_alloc(1);
	q->progress_jiffies = jiffies;

	mutex_lock(&sdev->lock);
	mutex_lock(&ctx->lock);
	ret = sa_queue_setup_locked(sdev, ctx, args, q);
	if (ret)
		goto err_unlock;
	ret = drm_gem_create_mmap_offset(q->ring_obj);
	if (ret)
		goto err_unlock;
	/* Doorbell values are free-running: the queue continues from the last tail. */
	q->start_index = readl(sa_doorbell(sdev, q->id));
	q->seen_completed = q->start_index;
	ret = sa_queue_fw_create(sdev, q);
	if (ret)
		goto err_unlock;

	q->ring_map->busy++;
	q->fence_map->busy++;
	ctx->num_queues++;
	xa_store(&ctx->queues, q->id, q, GFP_KERNEL);
	scoped_guard(spinlock_irq, &sdev->irq_lock)
		sdev->queues[q->id] = q;
	atomic_inc(&sdev->queue_count);

	args->queue_id = q->id;
	args->start_index = q->start_index;
	args->ring_mmap_offset = drm_vma_node_offset_addr(&q->ring_obj->vma_node) +
				 q->ring_map->bo_offset + (args->ring_va - q->ring_map->node.start);
	args->doorbell_mmap_offset = (SA_DB_MMAP_PGOFF + q->id) << PAGE_SHIFT;
	mutex_unlock(&ctx->lock);
	mutex_unlock(&sdev->lock);
	drm_dev_exit(idx);
	return 0;

err_unlock:
	mutex_unlock(&ctx->lock);
	mutex_unlock(&sdev->lock);
	sa_queue_put(q);
out_exit:
	drm_dev_exit(idx);
	return ret;
}

/* Stops the queue on the card and drops the file's reference. */
void sa_queue_destroy_locked(struct sa_ctx *ctx, struct sa_queue *q)
{
	struct sa_device *sdev = ctx->sdev;
	struct sa_fw_queue_id m = { .queue = q->id };

	lockdep_assert_held(&sdev->lock);
	lockdep_assert_held(&ctx->lock);
	scoped_guard(mutex, &q->submit_lock)
		q->dead = true;

	if (sdev->state == SA_DEV_READY)
		sa_mbox_request(sdev, SA_FW_MSG_QUEUE_DESTROY, &m, sizeof(m), NULL, 0);

	/* Nobody may ring this doorbell any more. */
	unmap_mapping_range(sdev->drm.anon_inode->i_mapping,
			    (loff_t)(SA_DB_MMAP_PGOFF + q->id) << PAGE_SHIFT, PAGE_SIZE, 1);

	scoped_guard(spinlock_irq, &sdev->irq_lock) {
		sdev->queues[q->id] = NULL;
		sa_queue_notify(q);
	}

	xa_erase(&ctx->queues, q->id);
	q->ring_map->busy--;
	q->fence_map->busy--;
	ctx->num_queues--;
	atomic_dec(&sdev->queue_count);
	sa_queue_put(q);
}

int sa_ioctl_queue_destroy(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_shiftaccel_queue_destroy *args = data;
	struct sa_device *sdev = to_sa(drm);
	struct sa_ctx *ctx = file->driver_priv;
	struct sa_queue *q;

	if (args->flags)
		return sa_inval(sdev, "flags %#x must be zero\n", args->flags);
	guard(mutex)(&sdev->lock);
	guard(mutex)(&ctx->lock);
	q = xa_load(&ctx->queues, args->queue_id);
	if (!q) {
		drm_dbg(&sdev->drm, "queue_id %u is no queue of this file\n", args->queue_id);
		return -ENOENT;
	}
	sa_queue_destroy_locked(ctx, q);
	return 0;
}

static struct sa_fence *sa_fence_create(struct sa_queue *q, u64 value)
{
	struct sa_fence *f;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return NULL;
	f->value = value;
	dma_fence_init(&f->base, &sa_fence_ops, &q->sdev->irq_lock, q->fence_context, value);
	return f;
}

static int sa_submit_check(struct sa_device *sdev, const struct drm_shiftaccel_submit *args)
{
	if (args->flags || args->pad)
		return sa_inval(sdev, "flags %#x pad %#x must be zero\n", args->flags, args->pad);
	if (!args->count)
		return sa_inval(sdev, "count is zero\n");
	if (args->desc_size != sizeof(struct sa_hw_desc))
		return sa_inval(sdev, "desc_size %u, the descriptor has %zu bytes\n",
				args->desc_size, sizeof(struct sa_hw_desc));
	if (args->out_syncobj && !args->signal_value)
		return sa_inval(sdev, "out_syncobj %u needs a signal_value\n", args->out_syncobj);
	return 0;
}

/* Copies the descriptors and rings the doorbell.  q->submit_lock held. */
static int sa_submit_locked(struct sa_queue *q, const struct drm_shiftaccel_submit *args,
			    struct sa_fence *fence, u32 *tail_out)
{
	const void __user *src = u64_to_user_ptr(args->descs);
	u32 need = args->count + (args->signal_value ? 1 : 0);
	u32 mask = q->entries - 1;
	struct sa_device *sdev = q->sdev;
	u32 tail, head, i;

	lockdep_assert_held(&q->submit_lock);
	if (q->dead)
		return -ENOENT;
	if (READ_ONCE(q->state) != SHIFTACCEL_QUEUE_STATE_RUNNING)
		return -EIO;
	if (args->count > q->entries || need > q->entries)
		return sa_inval(sdev, "count %u (+%u fence) exceeds the ring's %u entries\n",
				args->count, need - args->count, q->entries);
	/* The queue fence only grows. */
	if (args->signal_value && args->signal_value <= q->last_signal)
		return sa_inval(sdev, "signal_value %llu is not above the last one, %llu\n",
				args->signal_value, q->last_signal);

	tail = readl(sa_doorbell(q->sdev, q->id));
	head = READ_ONCE(q->ctx->status[q->id].head);
	if (tail - head > q->entries || tail - head + need > q->entries)
		return -EBUSY; /* ring full (or the doorbell is ahead of the firmware) */

	for (i = 0; i < args->count; i++) {
		if (copy_from_user(&q->ring[(tail + i) & mask], src + (size_t)i * args->desc_size,
				   sizeof(struct sa_hw_desc)))
			return -EFAULT;
	}
	if (args->signal_value) {
		struct sa_hw_desc *d = &q->ring[(tail + i) & mask];

		memset(d, 0, sizeof(*d));
		d->opcode = SA_OP_FENCE;
		d->flags = SA_DESC_F_FENCE | SA_DESC_F_IRQ;
		d->fence_addr = q->fence_va;
		d->fence_value = args->signal_value;
		q->last_signal = args->signal_value;
	}
	if (fence) {
		guard(spinlock_irq)(&sdev->irq_lock);
		dma_fence_get(&fence->base);
		list_add_tail(&fence->link, &q->fences);
	}
	tail += need;
	/* writel() orders the ring stores before the doorbell. */
	writel(tail, sa_doorbell(q->sdev, q->id));
	q->submits++;
	*tail_out = tail;
	return 0;
}

int sa_ioctl_submit(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_shiftaccel_submit *args = data;
	struct sa_ctx *ctx = file->driver_priv;
	struct drm_syncobj *syncobj = NULL;
	struct sa_fence *fence = NULL;
	struct sa_queue *q;
	u32 tail = 0;
	int ret, idx;

	ret = sa_submit_check(to_sa(drm), args);
	if (ret)
		return ret;
	q = sa_queue_get(ctx, args->queue_id);
	if (!q)
		return -ENOENT;
	if (args->out_syncobj) {
		syncobj = drm_syncobj_find(file, args->out_syncobj);
		fence = syncobj ? sa_fence_create(q, args->signal_value) : NULL;
		if (!fence) {
			ret = syncobj ? -ENOMEM : -ENOENT;
			goto out;
		}
	}
	/* The doorbell BAR stays mapped until a removal waits for us. */
	if (!drm_dev_enter(drm, &idx)) {
		ret = -ENODEV;
		goto out;
	}
	scoped_guard(mutex, &q->submit_lock)
		ret = sa_submit_locked(q, args, fence, &tail);
	drm_dev_exit(idx);
	if (!ret) {
		args->tail = tail;
		if (syncobj)
			drm_syncobj_replace_fence(syncobj, &fence->base);
		/* Completion may already have happened before the fence was listed. */
		guard(spinlock_irq)(&q->sdev->irq_lock);
		sa_queue_signal_locked(q);
	}
out:
	if (fence)
		dma_fence_put(&fence->base);
	if (syncobj)
		drm_syncobj_put(syncobj);
	sa_queue_put(q);
	return ret;
}

static bool sa_wait_done(struct sa_queue *q, u64 value)
{
	return sa_queue_fence(q) >= value ||
	       READ_ONCE(q->state) != SHIFTACCEL_QUEUE_STATE_RUNNING || READ_ONCE(q->dead);
}

int sa_ioctl_wait(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_shiftaccel_wait *args = data;
	struct sa_ctx *ctx = file->driver_priv;
	ktime_t deadline;
	struct sa_queue *q;
	s64 left_ns;
	long left;
	int ret = 0;

	if (args->flags)
		return sa_inval(to_sa(drm), "flags %#x must be zero\n", args->flags);
	if (args->timeout_ns < 0)
		return sa_inval(to_sa(drm), "timeout_ns %lld is negative\n", args->timeout_ns);
	q = sa_queue_get(ctx, args->queue_id);
	if (!q)
		return -ENOENT;
	/* Saturates: a timeout of S64_MAX means "forever", not a wrapped deadline. */
	deadline = ktime_add_safe(ktime_get(), ns_to_ktime(args->timeout_ns));
	/*
	 * Interrupts wake us; the short slices also catch completions of
	 * descriptors that asked for none.
	 */
	while (!sa_wait_done(q, args->value)) {
		left_ns = ktime_to_ns(ktime_sub(deadline, ktime_get()));
		if (left_ns <= 0) {
			ret = -ETIME;
			break;
		}
		left_ns = min_t(s64, left_ns, 10 * NSEC_PER_MSEC);
		left = wait_event_interruptible_timeout(q->wq, sa_wait_done(q, args->value),
							nsecs_to_jiffies(left_ns) + 1);
		if (left < 0) {
			ret = left;
			break;
		}
	}
	args->fence_value = sa_queue_fence(q);
	if (!ret && args->fence_value < args->value)
		ret = READ_ONCE(q->dead) ? -ENOENT : -EIO;
	sa_queue_put(q);
	return ret;
}

int sa_ioctl_queue_eventfd(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_shiftaccel_queue_eventfd *args = data;
	struct sa_ctx *ctx = file->driver_priv;
	struct eventfd_ctx *efd = NULL, *old;
	struct sa_queue *q;

	if (args->flags || args->pad)
		return sa_inval(to_sa(drm), "flags %#x pad %#x must be zero\n", args->flags,
				args->pad);
	if (args->fd < -1)
		return sa_inval(to_sa(drm), "fd %d is neither an eventfd nor -1\n", args->fd);
	if (args->fd >= 0) {
		efd = eventfd_ctx_fdget(args->fd);
		if (IS_ERR(efd))
			return PTR_ERR(efd);
	}
	q = sa_queue_get(ctx, args->queue_id);
	if (!q) {
		if (efd)
			eventfd_ctx_put(efd);
		return -ENOENT;
	}
	scoped_guard(spinlock_irq, &q->sdev->irq_lock) {
		old = q->eventfd;
		q->eventfd = efd;
	}
	if (old)
		eventfd_ctx_put(old);
	sa_queue_put(q);
	return 0;
}

int sa_ioctl_status(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_shiftaccel_status *args = data;
	struct sa_device *sdev = to_sa(drm);
	struct sa_ctx *ctx = file->driver_priv;
	struct sa_hw_queue_status *st;
	struct sa_queue *q;
	u32 id = args->queue_id, flags = args->flags;

	if (flags)
		return sa_inval(sdev, "flags %#x must be zero\n", flags);
	q = sa_queue_get(ctx, id);
	if (!q)
		return -ENOENT;
	memset(args, 0, sizeof(*args));
	args->queue_id = id;
	scoped_guard(spinlock_irq, &sdev->irq_lock) {
		args->queue_state = q->state;
		args->error = q->error;
		args->fw_error = q->fw_error;
		args->error_index = q->error_index;
		args->error_tag = q->error_tag;
		args->fault_reason = q->fault_reason;
		args->error_addr = q->error_addr;
	}
	st = &ctx->status[q->id];
	args->head = READ_ONCE(st->head);
	args->completed = READ_ONCE(st->completed);
	args->fence_value = sa_queue_fence(q);
	args->context_faults = atomic_read(&ctx->faults);
	args->reset_count = READ_ONCE(sdev->reset_count);
	sa_queue_put(q);
	return 0;
}

/* Doorbell pages; everything else is a GEM object. */
int sa_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct drm_file *priv = filp->private_data;
	struct sa_device *sdev = to_sa(priv->minor->dev);
	struct sa_ctx *ctx = priv->driver_priv;
	unsigned long id;
	int ret, idx;

	if (vma->vm_pgoff >= DRM_FILE_PAGE_OFFSET_START)
		return drm_gem_mmap(filp, vma);
	if (vma->vm_pgoff < SA_DB_MMAP_PGOFF ||
	    vma->vm_pgoff - SA_DB_MMAP_PGOFF >= SA_HW_MAX_QUEUES)
		return sa_inval(sdev, "offset %#lx is neither a BO nor a doorbell\n",
				vma->vm_pgoff << PAGE_SHIFT);
	id = vma->vm_pgoff - SA_DB_MMAP_PGOFF;
	if (vma->vm_end - vma->vm_start != PAGE_SIZE || !(vma->vm_flags & VM_SHARED) ||
	    (vma->vm_flags & VM_EXEC))
		return sa_inval(sdev, "doorbell %lu: one shared, non-executable page only\n", id);
	if (!drm_dev_enter(&sdev->drm, &idx))
		return -ENODEV;
	scoped_guard(mutex, &ctx->lock) {
		if (!xa_load(&ctx->queues, id)) {
			ret = sa_inval(sdev, "doorbell %lu is no queue of this file\n", id);
		} else {
			vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP |
					  VM_DONTCOPY);
			vm_flags_clear(vma, VM_MAYEXEC);
			vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
			ret = io_remap_pfn_range(vma, vma->vm_start,
						 (sdev->db_phys >> PAGE_SHIFT) + id, PAGE_SIZE,
						 vma->vm_page_prot);
		}
	}
	drm_dev_exit(idx);
	return ret;
}
