// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * sysfs attributes of the PCI device (/sys/class/accel/accelN/device/):
 * firmware identity and state for tools, and live-object counts that the
 * selftests use as leak checks.
 */
#include <linux/device.h>
#include <linux/sysfs.h>

#include "sa_drv.h"

static struct sa_device *sa_from_dev(struct device *dev)
{
	return dev_get_drvdata(dev);
}

static ssize_t fw_version_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	u32 v = sa_from_dev(dev)->fw.version;

	return sysfs_emit(buf, "%u.%u.%u\n", SA_FW_VERSION_WORD_MAJOR(v),
			  SA_FW_VERSION_WORD_MINOR(v), SA_FW_VERSION_WORD_PATCH(v));
}
static DEVICE_ATTR_RO(fw_version);

static ssize_t fw_build_id_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%#010x\n", sa_from_dev(dev)->fw.build_id);
}
static DEVICE_ATTR_RO(fw_build_id);

static ssize_t reset_count_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(sa_from_dev(dev)->reset_count));
}
static DEVICE_ATTR_RO(reset_count);

static ssize_t device_state_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	static const char * const names[] = {
		[SA_DEV_DOWN] = "down",
		[SA_DEV_READY] = "ready",
		[SA_DEV_RECOVERING] = "recovering",
		[SA_DEV_LOST] = "lost",
	};

	return sysfs_emit(buf, "%s\n", names[READ_ONCE(sa_from_dev(dev)->state)]);
}
static DEVICE_ATTR_RO(device_state);

static ssize_t bo_count_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&sa_from_dev(dev)->bo_count));
}
static DEVICE_ATTR_RO(bo_count);

static ssize_t pinned_pages_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&sa_from_dev(dev)->pinned_pages));
}
static DEVICE_ATTR_RO(pinned_pages);

static ssize_t mappings_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&sa_from_dev(dev)->mappings));
}
static DEVICE_ATTR_RO(mappings);

static ssize_t queue_count_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&sa_from_dev(dev)->queue_count));
}
static DEVICE_ATTR_RO(queue_count);

static ssize_t ctx_count_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&sa_from_dev(dev)->ctx_count));
}
static DEVICE_ATTR_RO(ctx_count);

static struct attribute *sa_attrs[] = {
	&dev_attr_fw_version.attr,
	&dev_attr_fw_build_id.attr,
	&dev_attr_reset_count.attr,
	&dev_attr_device_state.attr,
	&dev_attr_bo_count.attr,
	&dev_attr_pinned_pages.attr,
	&dev_attr_mappings.attr,
	&dev_attr_queue_count.attr,
	&dev_attr_ctx_count.attr,
	NULL,
};

static const struct attribute_group sa_attr_group = {
	.attrs = sa_attrs,
};

const struct attribute_group *sa_attr_groups[] = {
	&sa_attr_group,
	NULL,
};
