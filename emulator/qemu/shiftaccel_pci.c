/* SPDX-License-Identifier: MIT */
/*
 * QEMU glue for the ShiftAccel card: a PCIe device whose behaviour lives in
 * the plain C model behind emulator/card.h.  This file only translates
 * between QEMU and the model, in the manner of hw/misc/edu.c and hw/nvme:
 * BAR accesses go to sa_card_mmio_read/write, the model's bus-master
 * accesses become pci_dma_read/write (so Bus Master Enable and the IOMMU
 * apply), its interrupts become msix_notify (QEMU applies the MSI-X table
 * masking and pending bits), and a virtual-clock timer lets the control
 * processor and the engines run.
 *
 * Everything runs in QEMU's main loop with the BQL held; there are no
 * threads.  The model runs in bounded slices so the guest's MMIO accesses
 * (which need the BQL) are never held off for long.
 *
 * Build: emulator/qemu/build-qemu.sh links this file and the model into
 * Debian's QEMU source as hw/misc/shiftaccel (CONFIG_SHIFTACCEL).
 * Use:   -device shiftaccel[,queues=N][,debug=on]   (queues: 1..SA_HW_MAX_QUEUES)
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qapi/error.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "qom/object.h"
#include "sysemu/dma.h"

#include "../card.h"
#include "../../uapi/shiftaccel_hw.h"
#include "../../uapi/shiftaccel_ids.h"

#define TYPE_SHIFTACCEL "shiftaccel"
OBJECT_DECLARE_SIMPLE_TYPE(ShiftAccelState, SHIFTACCEL)

/* Control-processor instructions per slice of sa_card_run(). */
#define SA_RUN_BUDGET 20000
/*
 * While the card reports more work, the next slice starts after a pause at
 * least as long as the slice took on the host (and at least this long), so
 * the main loop drops the BQL for half the time and the guest's vCPU can do
 * its MMIO: a spinning control processor must not starve the guest.
 */
#define SA_BUSY_PAUSE_MIN_NS (20 * SCALE_US)
/* Offset of the PCI Express capability in configuration space. */
#define SA_PCIE_CAP_OFFSET 0x80

struct ShiftAccelBar {
	ShiftAccelState *dev;
	unsigned int index;
	MemoryRegion mr;
};

struct ShiftAccelState {
	PCIDevice parent_obj;

	struct sa_card *card;
	struct ShiftAccelBar bars[PCI_ROM_SLOT];
	QEMUTimer run_timer;
	QEMUBH *kick_bh;

	/* properties */
	uint32_t num_queues;
	bool debug;
};

/* ---- host services for the model ---- */

static int sa_host_dma_read(void *opaque, uint64_t bus_addr, void *buf, size_t len)
{
	ShiftAccelState *s = opaque;

	return pci_dma_read(PCI_DEVICE(s), bus_addr, buf, len) == MEMTX_OK ? 0 : -1;
}

static int sa_host_dma_write(void *opaque, uint64_t bus_addr, const void *buf, size_t len)
{
	ShiftAccelState *s = opaque;

	return pci_dma_write(PCI_DEVICE(s), bus_addr, buf, len) == MEMTX_OK ? 0 : -1;
}

static void sa_host_msi_notify(void *opaque, unsigned int vector)
{
	ShiftAccelState *s = opaque;
	PCIDevice *pdev = PCI_DEVICE(s);

	if (vector >= pdev->msix_entries_nr) {
		qemu_log_mask(LOG_GUEST_ERROR, "shiftaccel: model raised MSI-X vector %u of %u\n",
			      vector, pdev->msix_entries_nr);
		return;
	}
	/* Masked or disabled vectors become pending in the PBA inside msix_notify. */
	msix_notify(pdev, vector);
}

static void sa_host_kick(void *opaque)
{
	ShiftAccelState *s = opaque;

	qemu_bh_schedule(s->kick_bh);
}

/* ---- letting the card run ---- */

/*
 * Card time is QEMU's virtual clock in nanoseconds, so the card's timers
 * stop while the VM is paused.  After a slice the timer is armed for the
 * next slice while the card is busy, else for the card's next timer
 * deadline (CP timer or watchdog), else not at all: a register or doorbell
 * write, or the model's kick, wakes the card.  Either way the card gets at
 * most about half of the main loop's time.
 */
static void sa_schedule(ShiftAccelState *s, int64_t now, bool busy, int64_t slice_ns)
{
	uint64_t deadline;

	if (busy) {
		timer_mod(&s->run_timer, now + MAX(slice_ns, SA_BUSY_PAUSE_MIN_NS));
		return;
	}
	deadline = sa_card_next_deadline_ns(s->card);
	if (deadline == UINT64_MAX) {
		timer_del(&s->run_timer);
		return;
	}
	/*
	 * The same pause before a timer deadline: a firmware that re-checks
	 * SA_OP_WAITs every few microseconds of card time would otherwise run
	 * slice after slice while it is "idle" and starve the vCPU just as a
	 * spinning one would (seen as multi-second guest stalls on a slow
	 * host).  A late timer interrupt is harmless: it is a level.
	 */
	if (deadline < (uint64_t)(now + slice_ns)) {
		deadline = (uint64_t)(now + slice_ns);
	}
	timer_mod(&s->run_timer, (int64_t)MIN(deadline, (uint64_t)INT64_MAX));
}

static void sa_run_slice(ShiftAccelState *s)
{
	int64_t start = get_clock();
	bool busy;

	sa_card_set_time(s->card, (uint64_t)qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
	busy = sa_card_run(s->card, SA_RUN_BUDGET);
	sa_schedule(s, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL), busy, get_clock() - start);
}

static void sa_run_timer_cb(void *opaque)
{
	sa_run_slice(opaque);
}

static void sa_kick_bh_cb(void *opaque)
{
	sa_run_slice(opaque);
}

/* ---- BARs ---- */

static uint64_t sa_bar_read(void *opaque, hwaddr addr, unsigned int size)
{
	struct ShiftAccelBar *bar = opaque;

	return sa_card_mmio_read(bar->dev->card, bar->index, addr, size);
}

static void sa_bar_write(void *opaque, hwaddr addr, uint64_t val, unsigned int size)
{
	struct ShiftAccelBar *bar = opaque;

	sa_card_mmio_write(bar->dev->card, bar->index, addr, val, size);
	/* A register or doorbell write may have given the card work. */
	qemu_bh_schedule(bar->dev->kick_bh);
}

static const MemoryRegionOps sa_bar_ops = {
	.read = sa_bar_read,
	.write = sa_bar_write,
	.endianness = DEVICE_LITTLE_ENDIAN,
	/* The model takes 1, 2, 4 and 8-byte accesses itself. */
	.valid = {.min_access_size = 1, .max_access_size = 8},
	.impl = {.min_access_size = 1, .max_access_size = 8},
};

static bool sa_register_bars(ShiftAccelState *s, Error **errp)
{
	PCIDevice *pdev = PCI_DEVICE(s);
	unsigned int i;

	for (i = 0; i < PCI_ROM_SLOT; i++) {
		uint64_t size = sa_card_bar_size(s->card, i);
		uint8_t type = PCI_BASE_ADDRESS_SPACE_MEMORY;
		struct ShiftAccelBar *bar = &s->bars[i];
		char name[32];

		/* The MSI-X table and PBA BAR belongs to QEMU's MSI-X emulation. */
		if (i == SA_BAR_MSIX || size == 0) {
			continue;
		}
		if (size < 16 || !is_power_of_2(size)) {
			error_setg(errp,
				   "shiftaccel: BAR%u size 0x%" PRIx64
				   " is not a power of two >= 16",
				   i, size);
			return false;
		}
		/* An even BAR whose odd neighbour is unused becomes a 64-bit BAR. */
		if (i % 2 == 0 && i + 1 != SA_BAR_MSIX && sa_card_bar_size(s->card, i + 1) == 0) {
			type |= PCI_BASE_ADDRESS_MEM_TYPE_64;
		}
		bar->dev = s;
		bar->index = i;
		snprintf(name, sizeof(name), "shiftaccel-bar%u", i);
		memory_region_init_io(&bar->mr, OBJECT(s), &sa_bar_ops, bar, name, size);
		pci_register_bar(pdev, i, type, &bar->mr);
		if (type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
			i++;
		}
	}
	return true;
}

static bool sa_init_msix(ShiftAccelState *s, Error **errp)
{
	PCIDevice *pdev = PCI_DEVICE(s);
	unsigned int vectors = sa_card_msix_vectors(s->card);
	uint64_t spec_size = sa_card_bar_size(s->card, SA_BAR_MSIX);
	unsigned int v;

	if (vectors == 0 || vectors > PCI_MSIX_FLAGS_QSIZE + 1) {
		error_setg(errp, "shiftaccel: the model reports %u MSI-X vectors", vectors);
		return false;
	}
	if (msix_init_exclusive_bar(pdev, vectors, SA_BAR_MSIX, errp)) {
		return false;
	}
	/* If the model states the MSI-X BAR's size, QEMU's layout must agree with it. */
	if (spec_size && spec_size != memory_region_size(&pdev->msix_exclusive_bar)) {
		error_setg(errp,
			   "shiftaccel: MSI-X BAR%u is 0x%" PRIx64
			   " bytes in QEMU, the model says 0x%" PRIx64,
			   SA_BAR_MSIX, (uint64_t)memory_region_size(&pdev->msix_exclusive_bar),
			   spec_size);
		msix_uninit_exclusive_bar(pdev);
		return false;
	}
	/* Every vector is wired: the model decides which one fires. */
	for (v = 0; v < vectors; v++) {
		msix_vector_use(pdev, v);
	}
	return true;
}

/* ---- lifecycle ---- */

static void sa_realize(PCIDevice *pdev, Error **errp)
{
	ShiftAccelState *s = SHIFTACCEL(pdev);
	const struct sa_card_config cfg = {
		.num_queues = s->num_queues,
		.debug = s->debug,
	};
	const struct sa_card_host_ops ops = {
		.opaque = s,
		.dma_read = sa_host_dma_read,
		.dma_write = sa_host_dma_write,
		.msi_notify = sa_host_msi_notify,
		.kick = sa_host_kick,
	};

	if (s->num_queues < 1 || s->num_queues > SA_HW_MAX_QUEUES) {
		error_setg(errp, "shiftaccel: queues=%" PRIu32 " is out of range 1..%u",
			   s->num_queues, (unsigned int)SA_HW_MAX_QUEUES);
		return;
	}
	s->card = sa_card_create(&cfg, &ops);
	if (!s->card) {
		error_setg(errp,
			   "shiftaccel: the card model could not be created (queues=%" PRIu32
			   ", debug=%d)",
			   s->num_queues, s->debug);
		return;
	}

	pci_config_set_prog_interface(pdev->config, SA_PCI_CLASS & 0xff);
	/* MSI-X only: the interrupt pin stays 0 (no INTx), as docs/hardware.md states. */
	if (pcie_endpoint_cap_init(pdev, SA_PCIE_CAP_OFFSET) < 0) {
		error_setg(errp, "shiftaccel: cannot add the PCI Express capability");
		goto fail_card;
	}
	pcie_cap_flr_init(pdev);

	s->kick_bh = qemu_bh_new_guarded(sa_kick_bh_cb, s, &DEVICE(s)->mem_reentrancy_guard);
	timer_init_ns(&s->run_timer, QEMU_CLOCK_VIRTUAL, sa_run_timer_cb, s);

	if (!sa_register_bars(s, errp) || !sa_init_msix(s, errp)) {
		goto fail_timer;
	}
	sa_card_set_time(s->card, (uint64_t)qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
	return;

fail_timer:
	timer_del(&s->run_timer);
	qemu_bh_delete(s->kick_bh);
	s->kick_bh = NULL;
	pcie_cap_exit(pdev);
fail_card:
	sa_card_destroy(s->card);
	s->card = NULL;
}

static void sa_exit(PCIDevice *pdev)
{
	ShiftAccelState *s = SHIFTACCEL(pdev);

	timer_del(&s->run_timer);
	qemu_bh_delete(s->kick_bh);
	s->kick_bh = NULL;
	msix_uninit_exclusive_bar(pdev);
	pcie_cap_exit(pdev);
	sa_card_destroy(s->card);
	s->card = NULL;
}

/* Bus reset, system reset and FLR all land here (through pci_device_reset). */
static void sa_reset(DeviceState *dev)
{
	ShiftAccelState *s = SHIFTACCEL(dev);

	timer_del(&s->run_timer);
	sa_card_reset(s->card);
	sa_card_set_time(s->card, (uint64_t)qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL));
}

static void sa_config_write(PCIDevice *pdev, uint32_t addr, uint32_t val, int len)
{
	pci_default_write_config(pdev, addr, val, len);
	pcie_cap_flr_write_config(pdev, addr, val, len);
}

static Property sa_properties[] = {
	DEFINE_PROP_UINT32("queues", ShiftAccelState, num_queues, SA_HW_DEFAULT_QUEUES),
	DEFINE_PROP_BOOL("debug", ShiftAccelState, debug, false),
	DEFINE_PROP_END_OF_LIST(),
};

/* The model's state lives outside QEMU's reach, so the device blocks migration. */
static const VMStateDescription sa_vmstate = {
	.name = TYPE_SHIFTACCEL,
	.unmigratable = 1,
};

static void sa_class_init(ObjectClass *klass, void *data)
{
	DeviceClass *dc = DEVICE_CLASS(klass);
	PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

	k->realize = sa_realize;
	k->exit = sa_exit;
	k->config_write = sa_config_write;
	k->vendor_id = SA_PCI_VENDOR_ID;
	k->device_id = SA_PCI_DEVICE_ID;
	k->class_id = SA_PCI_CLASS >> 8; /* base class and subclass; prog-if below */
	k->revision = SA_PCI_REVISION;
	k->subsystem_vendor_id = SA_PCI_SUBSYSTEM_VENDOR_ID;
	k->subsystem_id = SA_PCI_SUBSYSTEM_ID;
	dc->desc = "ShiftAccel shift-MAC neural network accelerator";
	dc->reset = sa_reset;
	dc->vmsd = &sa_vmstate;
	device_class_set_props(dc, sa_properties);
	set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo sa_type_info = {
	.name = TYPE_SHIFTACCEL,
	.parent = TYPE_PCI_DEVICE,
	.instance_size = sizeof(ShiftAccelState),
	.class_init = sa_class_init,
	.interfaces =
		(InterfaceInfo[]){
			{INTERFACE_PCIE_DEVICE},
			{},
		},
};

static void sa_register_types(void)
{
	type_register_static(&sa_type_info);
}

type_init(sa_register_types)
