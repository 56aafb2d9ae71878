// SPDX-License-Identifier: MIT
/*
 * The PCI side of shiftaccel-info: every device with the ShiftAccel IDs as
 * libpci sees it (address, IDs, class, revision, NUMA node, bound driver),
 * and its negotiated link from the PCIe capability when config space beyond
 * the first 64 bytes is readable (root), else from sysfs.
 */
#include <pci/pci.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../uapi/shiftaccel_ids.h"
#include "cli_util.h"
#include "info_card.h"

#define PCI_DEVICES_DIR "/sys/bus/pci/devices"

/* libpci expects its error callback not to return. */
static void pci_error_exit(char *msg, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void pci_error_exit(char *msg, ...)
{
	va_list ap;

	fprintf(stderr, "%s: libpci: ", cli_program());
	va_start(ap, msg);
	vfprintf(stderr, msg, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(CLI_EXIT_INTERNAL);
}

static void pci_quiet(char *msg, ...)
{
	(void)msg;
}

/* Copies src (NULL for none) into dst, truncated to fit. */
static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= len)
		n = len - 1;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

/* Reads one line of a sysfs attribute of the device, newline stripped; 0 or -1. */
static int read_dev_attr(const char *addr, const char *attr, char *buf, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), PCI_DEVICES_DIR "/%s/%s", addr, attr);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The negotiated link from the PCIe capability's Link Status register. */
static int link_from_capability(struct pci_dev *d, struct info_card *c)
{
	static const char *const speeds[] = {"",	  "2.5 GT/s",  "5.0 GT/s", "8.0 GT/s",
					     "16.0 GT/s", "32.0 GT/s", "64.0 GT/s"};
	u8 cfg[256];
	struct pci_cap *cap;
	unsigned sta, speed;

	/* Non-root users only see 64 bytes; the capability lives beyond them. */
	if (!pci_read_block(d, 0, cfg, sizeof(cfg)))
		return -1;
	pci_fill_info(d, PCI_FILL_CAPS);
	cap = pci_find_cap(d, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);
	if (!cap)
		return -1;
	sta = pci_read_word(d, cap->addr + PCI_EXP_LNKSTA);
	speed = sta & PCI_EXP_LNKSTA_SPEED;
	if (sta == 0xffff || speed == 0 || speed >= sizeof(speeds) / sizeof(speeds[0]))
		return -1;
	copy_str(c->link_speed, sizeof(c->link_speed), speeds[speed]);
	c->link_width = (int)((sta & PCI_EXP_LNKSTA_WIDTH) >> 4);
	c->link_source = "pcie-capability";
	return 0;
}

/* sysfs says "2.5 GT/s PCIe" (older kernels "2.5 GT/s"); keep the GT/s part. */
static void link_from_sysfs(struct info_card *c)
{
	char speed[64], width[16], *end;
	long w;

	if (read_dev_attr(c->pci_addr, "current_link_speed", speed, sizeof(speed)) ||
	    read_dev_attr(c->pci_addr, "current_link_width", width, sizeof(width)))
		return;
	end = strstr(speed, " PCIe");
	if (end)
		*end = '\0';
	w = strtol(width, &end, 10);
	if (end == width || strncmp(speed, "Unknown", 7) == 0)
		return;
	copy_str(c->link_speed, sizeof(c->link_speed), speed);
	c->link_width = (int)w;
	c->link_source = "sysfs";
}

static void fill_card(struct pci_dev *d, struct info_card *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->pci_addr, sizeof(c->pci_addr), "%04x:%02x:%02x.%d", d->domain, d->bus, d->dev,
		 d->func);
	c->vendor = d->vendor_id;
	c->device = d->device_id;
	c->subsys_vendor = d->subsys_vendor_id;
	c->subsys_device = d->subsys_id;
	c->revision = d->rev_id;
	c->class_code = (unsigned)d->device_class << 8 | d->prog_if;
	c->numa_node = d->numa_node;
	copy_str(c->driver, sizeof(c->driver), pci_get_string_property(d, PCI_FILL_DRIVER));
	c->reset_count = -1;
	if (link_from_capability(d, c))
		link_from_sysfs(c);
}

static int by_address(const void *a, const void *b)
{
	return strcmp(((const struct info_card *)a)->pci_addr,
		      ((const struct info_card *)b)->pci_addr);
}

int info_pci_scan(struct info_card *cards, int max, char *err, size_t err_len)
{
	struct pci_access *pacc;
	struct pci_dev *d;
	int n = 0;

	/* Checked first: libpci would otherwise fall back to raw port I/O. */
	if (access(PCI_DEVICES_DIR, R_OK) != 0) {
		snprintf(err, err_len, "cannot read the PCI bus: %s is not readable",
			 PCI_DEVICES_DIR);
		return -1;
	}
	pacc = pci_alloc();
	pacc->error = pci_error_exit;
	pacc->warning = pci_quiet;
	pacc->debug = pci_quiet;
	pacc->method = PCI_ACCESS_SYS_BUS_PCI;
	pci_init(pacc);
	pci_scan_bus(pacc);
	for (d = pacc->devices; d; d = d->next) {
		pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT |
					 PCI_FILL_SUBSYS | PCI_FILL_NUMA_NODE | PCI_FILL_DRIVER);
		if (d->vendor_id != SA_PCI_VENDOR_ID || d->device_id != SA_PCI_DEVICE_ID)
			continue;
		if (n < max)
			fill_card(d, &cards[n++]);
	}
	pci_cleanup(pacc);
	qsort(cards, (size_t)n, sizeof(*cards), by_address);
	return n;
}
