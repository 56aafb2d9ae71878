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

static void __iomem *sa_queue_doorbell(struct sa_queue *q)
{
	return q->sdev->db + (size_t)q->id * SA_DOORBELL_PAGE_SIZE + SA_DOORBELL_TAIL;
}

/* Signals the syncobj fences the queue fence has reached.  irq_lock held. */
static void sa_queue_signal_locked(struct sa_queue *q)
{
	bool failed = q->state != SHIFTACCEL_QUEUE_STATE_RUNNING || q->dead;
	u64 value = sa_queue_fence(q);
	struct sa_fence *f, *tmp;

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
	sa_queue_signal_locked(q);
	wake_up_all(&q->wq);
}

/* The queue's interrupt fired (or its state changed).  irq_lock held. */
void sa_queue_notify(struct sa_queue *q)
{
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

static void sa_queue_release(struct kref *ref)
{
	struct sa_queue *q = container_of(ref, struct sa_queue, ref);

	drm_gem_vunmap_unlocked(q->ring_obj, &q->ring_vmap);
	drm_gem_vunmap_unlocked(q->fence_obj, &q->fence_vmap);
	drm_gem_object_put(q->ring_obj);
	drm_gem_object_put(q->fence_obj);
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

	mutex_lock(&ctx->lock);
	q = xa_load(&ctx->queues, id);
	if (q)
		kref_get(&q->ref);
	mutex_unlock(&ctx->lock);
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

static int sa_queue_create_check(const struct drm_shiftaccel_queue_create *args)
{
	if (args->flags || args->pad || args->priority > SHIFTACCEL_PRIORITY_HIGH)
		return -EINVAL;
	if (!is_power_of_2(args->ring_entries) || args->ring_entries < SA_RING_MIN_ENTRIES ||
	    args->ring_entries > SA_RING_MAX_ENTRIES)
		return -EINVAL;
	if (!IS_ALIGNED(args->ring_va, SA_MMU_PAGE_SIZE) || !IS_ALIGNED(args->fence_va, 8))
		return -EINVAL;
	return 0;
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

int sa_ioctl_queue_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_shiftaccel_queue_create *args = data;
	struct sa_device *sdev = to_sa(drm);
	struct sa_ctx *ctx = file->driver_priv;
	struct sa_mapping *ring_map, *fence_map;
	struct sa_queue *q;
	void *cpu;
	u32 id;
	int ret, idx;

	ret = sa_queue_create_check(args);
	if (ret)
		return ret;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	mutex_lock(&sdev->lock);
	mutex_lock(&ctx->lock);
	if (sdev->state != SA_DEV_READY || !ctx->fw_live) {
		ret = sdev->state == SA_DEV_LOST ? -ENODEV : -EAGAIN;
		goto out_unlock;
	}
	ring_map = sa_ctx_find_mapping(ctx, args->ring_va,
				       (u64)args->ring_entries * sizeof(struct sa_hw_desc));
	fence_map = sa_ctx_find_mapping(ctx, args->fence_va, sizeof(u64));
	if (!ring_map || !(ring_map->flags & SHIFTACCEL_VM_READ) || !fence_map ||
	    (fence_map->flags & (SHIFTACCEL_VM_READ | SHIFTACCEL_VM_WRITE)) !=
		    (SHIFTACCEL_VM_READ | SHIFTACCEL_VM_WRITE)) {
		ret = -EINVAL;
		goto out_unlock;
	}
	for (id = 0; id < sdev->num_queues; id++)
		if (!sdev->queues[id])
			break;
	if (id == sdev->num_queues) {
		ret = -ENOSPC;
		goto out_unlock;
	}

	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!q) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	kref_init(&q->ref);
	mutex_init(&q->submit_lock);
	init_waitqueue_head(&q->wq);
	INIT_LIST_HEAD(&q->fences);
	q->sdev = sdev;
	q->ctx = ctx;
	q->id = id;
	q->entries = args->ring_entries;
	q->vector = 1 + id % sdev->queue_vectors;
	q->priority = args->priority;
	q->ring_va = args->ring_va;
	q->fence_va = args->fence_va;
	q->state = SHIFTACCEL_QUEUE_STATE_RUNNING;
	q->fence_context = dma_fence_context_alloc(1);
	q->progress_jiffies = jiffies;

	ret = sa_queue_vmap(ring_map, args->ring_va, &q->ring_obj, &q->ring_vmap, &cpu);
	if (ret)
		goto err_free;
	q->ring = cpu;
	ret = sa_queue_vmap(fence_map, args->fence_va, &q->fence_obj, &q->fence_vmap, &cpu);
	if (ret) {
		drm_gem_vunmap_unlocked(q->ring_obj, &q->ring_vmap);
		drm_gem_object_put(q->ring_obj);
		goto err_free;
	}
	q->fence = cpu;
	ret = drm_gem_create_mmap_offset(q->ring_obj);
	if (ret)
		goto err_put;

	/* Doorbell values are free-running: the queue continues from the last tail. */
	q->start_index = readl(sa_queue_doorbell(q));
	q->seen_completed = q->start_index;
	ret = sa_queue_fw_create(sdev, q);
	if (ret)
		goto err_put;

	ring_map->busy++;
	fence_map->busy++;
	q->ring_map = ring_map;
	q->fence_map = fence_map;
	xa_store(&ctx->queues, id, q, GFP_KERNEL);
	spin_lock_irq(&sdev->irq_lock);
	sdev->queues[id] = q;
	spin_unlock_irq(&sdev->irq_lock);
	atomic_inc(&sdev->queue_count);

	args->queue_id = id;
	args->start_index = q->start_index;
	args->ring_mmap_offset = drm_vma_node_offset_addr(&q->ring_obj->vma_node) +
				 ring_map->bo_offset + (args->ring_va - ring_map->node.start);
	args->doorbell_mmap_offset = (SA_DB_MMAP_PGOFF + id) << PAGE_SHIFT;
	ret = 0;
	goto out_unlock;

err_put:
	sa_queue_put(q);
	goto out_unlock;
err_free:
	kfree(q);
out_unlock:
	mutex_unlock(&ctx->lock);
	mutex_unlock(&sdev->lock);
	drm_dev_exit(idx);
	return ret;
}

/* sdev->lock and ctx->lock held. */
void sa_queue_destroy_locked(struct sa_ctx *ctx, struct sa_queue *q)
{
	struct sa_device *sdev = ctx->sdev;
	struct sa_fw_queue_id m = { .queue = q->id };

	mutex_lock(&q->submit_lock);
	q->dead = true;
	mutex_unlock(&q->submit_lock);

	if (sdev->state == SA_DEV_READY)
		sa_mbox_request(sdev, SA_FW_MSG_QUEUE_DESTROY, &m, sizeof(m), NULL, 0);

	/* Nobody may ring this doorbell any more. */
	unmap_mapping_range(sdev->drm.anon_inode->i_mapping,
			    (loff_t)(SA_DB_MMAP_PGOFF + q->id) << PAGE_SHIFT, PAGE_SIZE, 1);

	spin_lock_irq(&sdev->irq_lock);
	sdev->queues[q->id] = NULL;
	sa_queue_notify(q);
	spin_unlock_irq(&sdev->irq_lock);

	xa_erase(&ctx->queues, q->id);
	q->ring_map->busy--;
	q->fence_map->busy--;
	atomic_dec(&sdev->queue_count);
	sa_queue_put(q);
}

int sa_ioctl_queue_destroy(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_shiftaccel_queue_destroy *args = data;
	struct sa_device *sdev = to_sa(drm);
	struct sa_ctx *ctx = file->driver_priv;
	struct sa_queue *q;
	int ret = 0;

	if (args->flags)
		return -EINVAL;
	mutex_lock(&sdev->lock);
	mutex_lock(&ctx->lock);
	q = xa_load(&ctx->queues, args->queue_id);
	if (q)
		sa_queue_destroy_locked(ctx, q);
	else
		ret = -ENOENT;
	mutex_unlock(&ctx->lock);
	mutex_unlock(&sdev->lock);
	return ret;
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

static int sa_submit_check(const struct drm_shiftaccel_submit *args)
{
	if (args->flags || args->pad || !args->count)
		return -EINVAL;
	if (args->desc_size != sizeof(struct sa_hw_desc))
		return -EINVAL;
	if (args->out_syncobj && !args->signal_value)
		return -EINVAL;
	return 0;
}

/* Copies the descriptors and rings the doorbell.  q->submit_lock held. */
static int sa_submit_locked(struct sa_queue *q, const struct drm_shiftaccel_submit *args,
			    struct sa_fence *fence, u32 *tail_out)
{
	const void __user *src = u64_to_user_ptr(args->descs);
	u32 need = args->count + (args->signal_value ? 1 : 0);
	u32 mask = q->entries - 1;
	u32 tail, head, i;

	if (q->dead)
		return -ENOENT;
	if (READ_ONCE(q->state) != SHIFTACCEL_QUEUE_STATE_RUNNING)
		return -EIO;
	if (args->count > q->entries || need > q->entries)
		return -EINVAL;
	if (args->signal_value && args->signal_value <= q->last_signal)
		return -EINVAL; /* the queue fence only grows */

	tail = readl(sa_queue_doorbell(q));
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
		spin_lock_irq(&q->sdev->irq_lock);
		dma_fence_get(&fence->base);
		list_add_tail(&fence->link, &q->fences);
		spin_unlock_irq(&q->sdev->irq_lock);
	}
	tail += need;
	/* writel() orders the ring stores before the doorbell. */
	writel(tail, sa_queue_doorbell(q));
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

	ret = sa_submit_check(args);
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
	mutex_lock(&q->submit_lock);
	ret = sa_submit_locked(q, args, fence, &tail);
	mutex_unlock(&q->submit_lock);
	drm_dev_exit(idx);
	if (!ret) {
		args->tail = tail;
		if (syncobj)
			drm_syncobj_replace_fence(syncobj, &fence->base);
		/* Completion may already have happened before the fence was listed. */
		spin_lock_irq(&q->sdev->irq_lock);
		sa_queue_signal_locked(q);
		spin_unlock_irq(&q->sdev->irq_lock);
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

	if (args->flags || args->timeout_ns < 0)
		return -EINVAL;
	q = sa_queue_get(ctx, args->queue_id);
	if (!q)
		return -ENOENT;
	deadline = ktime_add_ns(ktime_get(), args->timeout_ns);
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

	if (args->flags || args->pad || args->fd < -1)
		return -EINVAL;
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
	spin_lock_irq(&q->sdev->irq_lock);
	old = q->eventfd;
	q->eventfd = efd;
	spin_unlock_irq(&q->sdev->irq_lock);
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
		return -EINVAL;
	q = sa_queue_get(ctx, id);
	if (!q)
		return -ENOENT;
	memset(args, 0, sizeof(*args));
	args->queue_id = id;
	spin_lock_irq(&sdev->irq_lock);
	args->queue_state = q->state;
	args->error = q->error;
	args->fw_error = q->fw_error;
	args->error_index = q->error_index;
	args->error_tag = q->error_tag;
	args->fault_reason = q->fault_reason;
	args->error_addr = q->error_addr;
	spin_unlock_irq(&sdev->irq_lock);
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
	if (vma->vm_pgoff < SA_DB_MMAP_PGOFF)
		return -EINVAL;
	id = vma->vm_pgoff - SA_DB_MMAP_PGOFF;
	if (id >= SA_HW_MAX_QUEUES)
		return -EINVAL;
	if (vma->vm_end - vma->vm_start != PAGE_SIZE || !(vma->vm_flags & VM_SHARED) ||
	    (vma->vm_flags & VM_EXEC))
		return -EINVAL;
	if (!drm_dev_enter(&sdev->drm, &idx))
		return -ENODEV;
	mutex_lock(&ctx->lock);
	if (!xa_load(&ctx->queues, id)) {
		ret = -EINVAL; /* not a queue of this file */
		goto out;
	}
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY);
	vm_flags_clear(vma, VM_MAYEXEC);
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	ret = io_remap_pfn_range(vma, vma->vm_start, (sdev->db_phys >> PAGE_SHIFT) + id, PAGE_SIZE,
				 vma->vm_page_prot);
out:
	mutex_unlock(&ctx->lock);
	drm_dev_exit(idx);
	return ret;
}
