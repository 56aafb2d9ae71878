// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * Firmware: request_firmware(), the image checks of uapi/shiftaccel_fw.h,
 * loading the segments into the control processor's memory through the BAR0
 * windows, releasing it and waiting for its boot report.
 *
 * Version policy (docs/driver.md): the firmware's major must equal the
 * driver's SA_FW_VERSION_MAJOR; its minor may be at most
 * SA_FW_COMPAT_MINOR_WINDOW below the driver's (any newer minor works); a
 * different minor is accepted with a warning.  The image is checked once at
 * probe and kept, so resets and resume do not depend on the file system.
 */
#include <linux/crc32.h>
#include <linux/firmware.h>
#include <linux/iopoll.h>
#include <linux/slab.h>

#include "sa_drv.h"

/* Oldest firmware minor this driver accepts. */
#define SA_FW_MIN_MINOR max_t(int, SA_FW_VERSION_MINOR - SA_FW_COMPAT_MINOR_WINDOW, 0)

static u32 sa_crc32c(const void *data, size_t len)
{
	return ~__crc32c_le(~0u, data, len);
}

static const char *sa_fw_name(void)
{
	return sa_fw_name_param && *sa_fw_name_param ? sa_fw_name_param : SA_FW_FILE_NAME;
}

static int sa_fw_check_segment(struct sa_device *sdev, const char *what,
			       const struct sa_fw_segment *seg, const struct sa_fw_header *h,
			       u32 base, u32 mem_size)
{
	if (!seg->size)
		return 0;
	if (seg->reserved || seg->size % 4 || seg->offset < h->header_size ||
	    seg->offset > h->image_size || seg->size > h->image_size - seg->offset ||
	    seg->load_addr < base || seg->load_addr % 4 || seg->load_addr - base > mem_size ||
	    seg->size > mem_size - (seg->load_addr - base)) {
		dev_err(sdev->drm.dev,
			"firmware %s: %s segment (offset %u size %u load %#x) lies outside the file or the CP memory\n",
			sa_fw_name(), what, seg->offset, seg->size, seg->load_addr);
		return -EINVAL;
	}
	return 0;
}

static int sa_fw_check(struct sa_device *sdev, const u8 *data, size_t size)
{
	struct device *dev = sdev->drm.dev;
	const char *name = sa_fw_name();
	struct sa_fw_header h;
	u32 crc;
	int ret;

	if (size < sizeof(h)) {
		dev_err(dev, "firmware %s is %zu bytes, smaller than its %zu-byte header\n", name,
			size, sizeof(h));
		return -EINVAL;
	}
	memcpy(&h, data, sizeof(h));
	if (h.magic != SA_FW_MAGIC || h.header_version != SA_FW_HEADER_VERSION ||
	    h.header_size != sizeof(h)) {
		dev_err(dev,
			"firmware %s is not a ShiftAccel image (magic %#x header version %u size %u)\n",
			name, h.magic, h.header_version, h.header_size);
		return -EINVAL;
	}
	crc = sa_crc32c(&h, offsetof(struct sa_fw_header, header_crc));
	if (crc != h.header_crc) {
		dev_err(dev, "firmware %s: bad header checksum %#010x, expected %#010x\n", name,
			crc, h.header_crc);
		return -EINVAL;
	}
	if (h.image_size != size) {
		dev_err(dev, "firmware %s is %zu bytes but its header says %u: truncated or padded\n",
			name, size, h.image_size);
		return -EINVAL;
	}
	crc = sa_crc32c(data + h.header_size, size - h.header_size);
	if (crc != h.payload_crc) {
		dev_err(dev, "firmware %s: bad checksum %#010x, expected %#010x: the file is corrupt\n",
			name, crc, h.payload_crc);
		return -EINVAL;
	}
	if (!SA_FW_VERSION_COMPATIBLE(SA_FW_VERSION_MAJOR, SA_FW_VERSION_MINOR, h.version_major,
				      h.version_minor)) {
		dev_err(dev,
			"firmware %s is version %u.%u.%u; this driver needs %u.x with x >= %d\n",
			name, h.version_major, h.version_minor, h.version_patch,
			SA_FW_VERSION_MAJOR, SA_FW_MIN_MINOR);
		return -EINVAL;
	}
	if (h.hw_version >> 16 != sdev->hw_version >> 16) {
		dev_err(dev, "firmware %s is for hardware %u.%u, the card is %u.%u\n", name,
			h.hw_version >> 16, h.hw_version & 0xffff, sdev->hw_version >> 16,
			sdev->hw_version & 0xffff);
		return -EINVAL;
	}
	if (!h.iram.size || h.flags) {
		dev_err(dev, "firmware %s has no code or unknown flags %#x\n", name, h.flags);
		return -EINVAL;
	}
	ret = sa_fw_check_segment(sdev, "IRAM", &h.iram, &h, SA_CP_IRAM_BASE,
				  sa_rd(sdev, SA_REG_IRAM_SIZE));
	if (!ret)
		ret = sa_fw_check_segment(sdev, "DRAM", &h.dram, &h, SA_CP_DRAM_BASE,
					  sa_rd(sdev, SA_REG_DRAM_SIZE));
	if (ret)
		return ret;
	if (h.entry % 4 || h.entry < h.iram.load_addr ||
	    h.entry - h.iram.load_addr >= h.iram.size) {
		dev_err(dev, "firmware %s: entry point %#x is outside its code\n", name, h.entry);
		return -EINVAL;
	}
	if (h.version_minor != SA_FW_VERSION_MINOR)
		dev_warn(dev, "firmware %s is version %u.%u.%u, the driver was built for %u.%u\n",
			 name, h.version_major, h.version_minor, h.version_patch,
			 SA_FW_VERSION_MAJOR, SA_FW_VERSION_MINOR);
	sdev->fw_header = h;
	return 0;
}

/* Loads and checks the image file once, keeping a copy for later boots. */
int sa_fw_request(struct sa_device *sdev)
{
	struct device *dev = sdev->drm.dev;
	const char *name = sa_fw_name();
	const struct firmware *fw;
	int ret;

	ret = request_firmware(&fw, name, dev);
	if (ret) {
		dev_err(dev,
			"cannot load firmware %s (error %d): looked in firmware_class.path and /lib/firmware/%s; this driver needs firmware %u.x (x >= %d)\n",
			name, ret, name, SA_FW_VERSION_MAJOR,
			SA_FW_MIN_MINOR);
		return ret;
	}
	ret = sa_fw_check(sdev, fw->data, fw->size);
	if (!ret) {
		sdev->fw_image = kvmemdup(fw->data, fw->size, GFP_KERNEL);
		sdev->fw_size = fw->size;
		if (!sdev->fw_image)
			ret = -ENOMEM;
	}
	release_firmware(fw);
	return ret;
}

/* Stops the control processor: engines abort, the mailbox empties. */
void sa_fw_halt(struct sa_device *sdev)
{
	sa_mbox_set_up(sdev, false);
	sa_wr(sdev, SA_REG_CP_CTRL, SA_CP_CTRL_RESET);
}

static void sa_fw_copy(struct sa_device *sdev, const struct sa_fw_segment *seg, u32 window,
		       u32 base)
{
	if (seg->size)
		memcpy_toio(sdev->regs + window + (seg->load_addr - base),
			    (const u8 *)sdev->fw_image + seg->offset, seg->size);
}

static int sa_fw_check_report(struct sa_device *sdev, const struct sa_hw_mbox_msg *msg)
{
	struct sa_fw_boot_report *r = &sdev->fw;
	struct device *dev = sdev->drm.dev;
	u32 major, minor;

	memset(r, 0, sizeof(*r));
	memcpy(r, msg->data, min_t(size_t, sizeof(*r), msg->length * sizeof(u32)));
	major = SA_FW_VERSION_WORD_MAJOR(r->version);
	minor = SA_FW_VERSION_WORD_MINOR(r->version);
	if (r->status != SA_FW_OK) {
		dev_err(dev,
			"firmware %s failed its self-check (status %u, code CRC %#010x over %u bytes)\n",
			sa_fw_name(), r->status, r->code_crc, r->code_bytes);
		return -EIO;
	}
	if (!SA_FW_VERSION_COMPATIBLE(SA_FW_VERSION_MAJOR, SA_FW_VERSION_MINOR, major, minor)) {
		dev_err(dev, "running firmware reports version %u.%u; this driver needs %u.x\n",
			major, minor, SA_FW_VERSION_MAJOR);
		return -EIO;
	}
	if (r->build_id != sdev->fw_header.build_id)
		dev_warn(dev, "firmware build id %#010x differs from its image's %#010x\n",
			 r->build_id, sdev->fw_header.build_id);
	if (!r->num_queues || !r->num_contexts) {
		dev_err(dev, "firmware serves %u queues and %u contexts\n", r->num_queues,
			r->num_contexts);
		return -EIO;
	}
	return 0;
}

/*
 * Loads the kept image into the CP, releases it and waits for its boot
 * report.  On success the mailbox accepts requests.
 */
int sa_fw_boot(struct sa_device *sdev)
{
	const struct sa_fw_header *h = &sdev->fw_header;
	struct device *dev = sdev->drm.dev;
	struct sa_hw_mbox_msg msg;
	unsigned long left;
	int ret;

	sa_fw_halt(sdev);
	sa_fw_copy(sdev, &h->iram, SA_REG_IRAM_WINDOW, SA_CP_IRAM_BASE);
	sa_fw_copy(sdev, &h->dram, SA_REG_DRAM_WINDOW, SA_CP_DRAM_BASE);
	sa_wr(sdev, SA_REG_CP_BOOT_ADDR, h->entry);

	reinit_completion(&sdev->boot_done);
	sa_irq_enable_events(sdev);
	sa_wr(sdev, SA_REG_CP_CTRL, 0);

	left = wait_for_completion_timeout(&sdev->boot_done, msecs_to_jiffies(sa_boot_timeout_ms));
	if (!left) {
		dev_err(dev,
			"firmware %s did not report boot within %u ms (CP status %#x pc %#x fatal %#x)\n",
			sa_fw_name(), sa_boot_timeout_ms, sa_rd(sdev, SA_REG_CP_STATUS),
			sa_rd(sdev, SA_REG_CP_PC), sa_rd(sdev, SA_REG_CP_FATAL));
		sa_fw_halt(sdev);
		return -ETIMEDOUT;
	}
	spin_lock_irq(&sdev->mbox_irq_lock);
	msg = sdev->boot_msg;
	spin_unlock_irq(&sdev->mbox_irq_lock);
	ret = sa_fw_check_report(sdev, &msg);
	if (ret) {
		sa_fw_halt(sdev);
		return ret;
	}
	sdev->heartbeat_jiffies = jiffies;
	sdev->last_heartbeat = sa_rd(sdev, SA_REG_HEARTBEAT);
	sa_mbox_set_up(sdev, true);
	return 0;
}

int sa_ctx_fw_create(struct sa_device *sdev, struct sa_ctx *ctx)
{
	struct sa_fw_context_create m = {
		.context = ctx->id,
		.root_lo = lower_32_bits(ctx->vm.root->dma),
		.root_hi = upper_32_bits(ctx->vm.root->dma),
	};
	int ret;

	ret = sa_mbox_request(sdev, SA_FW_MSG_CONTEXT_CREATE, &m, sizeof(m), NULL, 0);
	ctx->fw_live = !ret;
	return ret;
}

int sa_ctx_fw_destroy(struct sa_device *sdev, struct sa_ctx *ctx)
{
	struct sa_fw_context_id m = { .context = ctx->id };
	int ret;

	ret = sa_mbox_request(sdev, SA_FW_MSG_CONTEXT_DESTROY, &m, sizeof(m), NULL, 0);
	ctx->fw_live = false;
	if (ret && ret != -EIO) {
		/* The card may still walk these tables: stop it before they are freed. */
		sa_fw_halt(sdev);
	}
	return ret;
}

int sa_ctx_fw_invalidate(struct sa_device *sdev, struct sa_ctx *ctx)
{
	struct sa_fw_context_id m = { .context = ctx->id };

	if (!ctx->fw_live || !(sdev->fw.capabilities & SA_FW_CAP_INVALIDATE))
		return 0;
	return sa_mbox_request(sdev, SA_FW_MSG_CONTEXT_INVALIDATE, &m, sizeof(m), NULL, 0);
}
