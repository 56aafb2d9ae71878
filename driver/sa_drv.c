// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * ShiftAccel DRM accel driver: PCI probe/remove, power management, the DRM
 * driver and its ioctl table.  docs/driver.md describes the whole driver.
 */
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>

#include "sa_drv.h"

char *sa_fw_name_param;
module_param_named(fw_name, sa_fw_name_param, charp, 0644);
MODULE_PARM_DESC(fw_name, "firmware file to load instead of " SA_FW_FILE_NAME);

unsigned int sa_boot_timeout_ms = 5000;
module_param_named(boot_timeout_ms, sa_boot_timeout_ms, uint, 0644);
MODULE_PARM_DESC(boot_timeout_ms, "time the firmware has to report boot");

unsigned int sa_mbox_timeout_ms = 3000;
module_param_named(mbox_timeout_ms, sa_mbox_timeout_ms, uint, 0644);
MODULE_PARM_DESC(mbox_timeout_ms, "time the firmware has to answer a request");

unsigned int sa_job_timeout_ms = 10000;
module_param_named(job_timeout_ms, sa_job_timeout_ms, uint, 0644);
MODULE_PARM_DESC(job_timeout_ms, "a queue with work and no progress for this long is hung");

unsigned int sa_heartbeat_timeout_ms = 3000;
module_param_named(heartbeat_timeout_ms, sa_heartbeat_timeout_ms, uint, 0644);
MODULE_PARM_DESC(heartbeat_timeout_ms, "a firmware heartbeat older than this resets the card");

unsigned int sa_file_queue_limit = 8;
module_param_named(file_queue_limit, sa_file_queue_limit, uint, 0644);
MODULE_PARM_DESC(file_queue_limit, "queues one open file may hold (0: half the card's)");

unsigned int sa_user_queue_limit;
module_param_named(user_queue_limit, sa_user_queue_limit, uint, 0644);
MODULE_PARM_DESC(user_queue_limit, "queues one user may hold on a card (0: half the card's)");

unsigned int sa_user_context_limit;
module_param_named(user_context_limit, sa_user_context_limit, uint, 0644);
MODULE_PARM_DESC(user_context_limit,
		 "open files (MMU contexts) one user may hold on a card (0: half the card's)");

static int sa_open(struct drm_device *drm, struct drm_file *file)
{
	return sa_ctx_open(to_sa(drm), file);
}

static void sa_postclose(struct drm_device *drm, struct drm_file *file)
{
	sa_ctx_close(to_sa(drm), file);
}

static u32 sa_uapi_state(enum sa_dev_state state)
{
	switch (state) {
	case SA_DEV_READY:
		return SHIFTACCEL_DEVICE_READY;
	case SA_DEV_LOST:
		return SHIFTACCEL_DEVICE_LOST;
	default:
		return SHIFTACCEL_DEVICE_RECOVERING;
	}
}

static int sa_ioctl_get_info(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_shiftaccel_info *args = data;
	struct sa_device *sdev = to_sa(drm);
	struct sa_ctx *ctx = file->driver_priv;

	if (args->flags || args->pad)
		return sa_inval(sdev, "flags %#x pad %#x must be zero\n", args->flags, args->pad);
	memset(args, 0, sizeof(*args));
	args->hw_version = sdev->hw_version;
	args->hw_revision = sdev->hw_revision;
	args->hw_features = sdev->features;
	args->num_queues = sdev->num_queues;
	args->num_contexts = sdev->num_contexts;
	args->desc_size = sizeof(struct sa_hw_desc);
	args->ring_min_entries = SA_RING_MIN_ENTRIES;
	args->ring_max_entries = SA_RING_MAX_ENTRIES;
	scoped_guard(mutex, &sdev->lock) {
		args->fw_version = sdev->fw.version;
		args->fw_capabilities = sdev->fw.capabilities;
		args->fw_build_id = sdev->fw.build_id;
		args->device_state = sa_uapi_state(sdev->state);
		args->reset_count = sdev->reset_count;
	}
	args->va_start = SHIFTACCEL_VA_USER_START;
	args->va_end = SHIFTACCEL_VA_USER_END;
	args->context_id = ctx->id;
	args->driver_version = SA_DRIVER_MAJOR << 16 | SA_DRIVER_MINOR;
	return 0;
}

static const struct drm_ioctl_desc sa_ioctls[] = {
	DRM_IOCTL_DEF_DRV(SHIFTACCEL_GET_INFO, sa_ioctl_get_info, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SHIFTACCEL_BO_CREATE, sa_ioctl_bo_create, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SHIFTACCEL_BO_MMAP_OFFSET, sa_ioctl_bo_mmap_offset, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SHIFTACCEL_VM_MAP, sa_ioctl_vm_map, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SHIFTACCEL_VM_UNMAP, sa_ioctl_vm_unmap, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SHIFTACCEL_QUEUE_CREATE, sa_ioctl_queue_create, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SHIFTACCEL_QUEUE_DESTROY, sa_ioctl_queue_destroy, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SHIFTACCEL_SUBMIT, sa_ioctl_submit, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SHIFTACCEL_WAIT, sa_ioctl_wait, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SHIFTACCEL_QUEUE_EVENTFD, sa_ioctl_queue_eventfd, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(SHIFTACCEL_STATUS, sa_ioctl_status, DRM_RENDER_ALLOW),
};

static const struct file_operations sa_fops = {
	.owner = THIS_MODULE,
	.open = accel_open,
	.release = drm_release,
	.unlocked_ioctl = drm_ioctl,
	.compat_ioctl = drm_compat_ioctl,
	.poll = drm_poll,
	.read = drm_read,
	.llseek = noop_llseek,
	.mmap = sa_mmap,
	.fop_flags = FOP_UNSIGNED_OFFSET,
};

static const struct drm_driver sa_drm_driver = {
	.driver_features = DRIVER_COMPUTE_ACCEL | DRIVER_GEM | DRIVER_SYNCOBJ,
	.open = sa_open,
	.postclose = sa_postclose,
	.gem_create_object = sa_gem_create_object,
	.ioctls = sa_ioctls,
	.num_ioctls = ARRAY_SIZE(sa_ioctls),
	.fops = &sa_fops,
	.name = SA_DRIVER_NAME,
	.desc = SA_DRIVER_DESC,
	.major = SA_DRIVER_MAJOR,
	.minor = SA_DRIVER_MINOR,
	.patchlevel = SA_DRIVER_PATCHLEVEL,
};

static void sa_free_fw_image(void *data)
{
	struct sa_device *sdev = data;

	kvfree(sdev->fw_image);
	sdev->fw_image = NULL;
}

/* Maps the BARs and reads the capability block. */
static int sa_hw_init(struct sa_device *sdev)
{
	struct pci_dev *pdev = sdev->pdev;
	struct device *dev = &pdev->dev;
	u32 id;

	sdev->regs = pcim_iomap_region(pdev, SA_BAR_REGS, SA_DRIVER_NAME);
	if (IS_ERR(sdev->regs))
		return dev_err_probe(dev, PTR_ERR(sdev->regs), "cannot map BAR%d\n", SA_BAR_REGS);
	sdev->db = pcim_iomap_region(pdev, SA_BAR_DOORBELL, SA_DRIVER_NAME);
	if (IS_ERR(sdev->db))
		return dev_err_probe(dev, PTR_ERR(sdev->db), "cannot map BAR%d\n",
				     SA_BAR_DOORBELL);
	sdev->db_phys = pci_resource_start(pdev, SA_BAR_DOORBELL);

	id = sa_rd(sdev, SA_REG_ID);
	sdev->hw_version = sa_rd(sdev, SA_REG_VERSION);
	if (id != SA_HW_ID_MAGIC || sdev->hw_version >> 16 != SA_HW_VERSION_MAJOR) {
		dev_err(dev, "not a ShiftAccel %d.x register file (id %#x version %#x)\n",
			SA_HW_VERSION_MAJOR, id, sdev->hw_version);
		return -ENODEV;
	}
	sdev->hw_revision = sa_rd(sdev, SA_REG_REVISION);
	sdev->features = sa_rd(sdev, SA_REG_FEATURES);
	sdev->num_queues = min_t(u32, sa_rd(sdev, SA_REG_NUM_QUEUES), SA_HW_MAX_QUEUES);
	sdev->num_contexts = min_t(u32, sa_rd(sdev, SA_REG_NUM_CONTEXTS), SA_HW_NUM_CONTEXTS);
	sdev->msix_vectors = sa_rd(sdev, SA_REG_MSIX_VECTORS);
	sdev->queue_vectors = sa_rd(sdev, SA_REG_QUEUE_VECTORS);
	if (!sdev->num_queues || sdev->num_contexts < 2 || !sdev->queue_vectors ||
	    sdev->msix_vectors != sdev->queue_vectors + 1 ||
	    pci_resource_len(pdev, SA_BAR_DOORBELL) <
		    (resource_size_t)sdev->num_queues * SA_DOORBELL_PAGE_SIZE ||
	    !(sdev->features & SA_FEAT_MMU)) {
		dev_err(dev, "inconsistent capabilities: %u queues, %u contexts, %u vectors\n",
			sdev->num_queues, sdev->num_contexts, sdev->msix_vectors);
		return -ENODEV;
	}
	return 0;
}

static int sa_init_state(struct sa_device *sdev)
{
	int ret;

	ret = drmm_mutex_init(&sdev->drm, &sdev->lock);
	if (ret)
		return ret;
	ret = drmm_mutex_init(&sdev->drm, &sdev->mbox_lock);
	if (ret)
		return ret;
	spin_lock_init(&sdev->mbox_irq_lock);
	spin_lock_init(&sdev->irq_lock);
	init_completion(&sdev->mbox_done);
	init_completion(&sdev->boot_done);
	INIT_LIST_HEAD(&sdev->contexts);
	INIT_WORK(&sdev->event_work, sa_event_work);
	INIT_WORK(&sdev->reset_work, sa_reset_work);
	INIT_DELAYED_WORK(&sdev->health_work, sa_health_work);
	sdev->state = SA_DEV_DOWN;
	return 0;
}

static int sa_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct sa_device *sdev;
	int ret;

	sdev = devm_drm_dev_alloc(dev, &sa_drm_driver, struct sa_device, drm);
	if (IS_ERR(sdev))
		return PTR_ERR(sdev);
	sdev->pdev = pdev;
	pci_set_drvdata(pdev, sdev);
	ret = sa_init_state(sdev);
	if (ret)
		return ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	ret = sa_hw_init(sdev);
	if (ret)
		return ret;
	pci_set_master(pdev);
	/* Page-table entries hold bus addresses up to bit 51. */
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(52));
	if (ret)
		return dev_err_probe(dev, ret, "no usable DMA mask\n");

	ret = sa_fw_request(sdev);
	if (ret)
		return ret;
	ret = devm_add_action_or_reset(dev, sa_free_fw_image, sdev);
	if (ret)
		return ret;
	ret = sa_irq_init(sdev);
	if (ret)
		return ret;
	ret = sa_dev_start(sdev);
	if (ret)
		return ret;

	sa_debugfs_init(sdev);
	ret = drm_dev_register(&sdev->drm, 0);
	if (ret) {
		sa_dev_stop(sdev);
		return ret;
	}
	dev_info(dev, "firmware %u.%u.%u (build %#010x) running: %u queues, %u contexts\n",
		 SA_FW_VERSION_WORD_MAJOR(sdev->fw.version),
		 SA_FW_VERSION_WORD_MINOR(sdev->fw.version),
		 SA_FW_VERSION_WORD_PATCH(sdev->fw.version), sdev->fw.build_id, sdev->num_queues,
		 sdev->num_contexts - 1);
	return 0;
}

static void sa_remove(struct pci_dev *pdev)
{
	struct sa_device *sdev = pci_get_drvdata(pdev);

	/* New ioctls and mmaps fail from here on; existing mappings are zapped. */
	drm_dev_unplug(&sdev->drm);
	sa_dev_stop(sdev);
	guard(mutex)(&sdev->lock);
	sa_dev_mark_lost(sdev);
}

static int sa_pm_suspend(struct device *dev)
{
	sa_dev_stop(dev_get_drvdata(dev));
	return 0;
}

static int sa_pm_resume(struct device *dev)
{
	return sa_dev_start(dev_get_drvdata(dev));
}

static DEFINE_SIMPLE_DEV_PM_OPS(sa_pm_ops, sa_pm_suspend, sa_pm_resume);

static const struct pci_device_id sa_pci_ids[] = {
	{ PCI_DEVICE(SA_PCI_VENDOR_ID, SA_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, sa_pci_ids);

static struct pci_driver sa_pci_driver = {
	.name = SA_DRIVER_NAME,
	.id_table = sa_pci_ids,
	.probe = sa_probe,
	.remove = sa_remove,
	.driver.pm = pm_sleep_ptr(&sa_pm_ops),
	.dev_groups = sa_attr_groups,
};
module_pci_driver(sa_pci_driver);

MODULE_AUTHOR("ShiftAccel");
MODULE_DESCRIPTION(SA_DRIVER_DESC);
MODULE_VERSION(SA_DRIVER_VERSION_STR);
MODULE_LICENSE("Dual MIT/GPL");
MODULE_FIRMWARE(SA_FW_FILE_NAME);
