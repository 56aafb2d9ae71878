// SPDX-License-Identifier: MIT
/*
 * Card discovery (accel_probe.h).  A "device not found" with no reason is
 * the most common complaint about accelerator stacks, so every way of not
 * finding the card gets its own message.
 */
#include "accel_probe.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../uapi/shiftaccel_ids.h"
#include "error.h"

#define DRIVER_NAME "shiftaccel"

/* Copies a sysfs name (device address, driver name), truncating what cannot fit. */
static void copy_name(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Reads a sysfs hex attribute such as "0x1234\n"; -1 if it is missing or malformed. */
static long read_hex_attr(const char *dir, const char *attr)
{
	char path[PATH_MAX], buf[32], *end;
	FILE *f;
	long v;

	if (snprintf(path, sizeof(path), "%s/%s", dir, attr) >= (int)sizeof(path))
		return -1;
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	errno = 0;
	v = strtol(buf, &end, 16);
	if (errno || end == buf)
		return -1;
	return v;
}

static int is_shiftaccel_pci(const char *dev)
{
	return read_hex_attr(dev, "vendor") == SA_PCI_VENDOR_ID &&
	       read_hex_attr(dev, "device") == SA_PCI_DEVICE_ID;
}

/* The name of the driver bound to a device ("" if none), from its driver symlink. */
static void bound_driver(const char *dev, char *name, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	const char *base;

	name[0] = '\0';
	if (snprintf(path, sizeof(path), "%s/driver", dev) >= (int)sizeof(path))
		return;
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	copy_name(name, len, base ? base + 1 : target);
}

/* The PCI address a device directory (or symlink to one) stands for: its last path element. */
static void pci_address(const char *dev, char *addr, size_t len)
{
	char resolved[PATH_MAX];
	const char *p = realpath(dev, resolved) ? resolved : dev;
	const char *base = strrchr(p, '/');

	copy_name(addr, len, base ? base + 1 : p);
}

/* Step 1: a registered accel device backed by the card and our driver. */
static int find_accel_node(const char *root, char *addr, size_t len, int *have_class)
{
	char dir[PATH_MAX], dev[PATH_MAX], driver[64];
	struct dirent *e;
	DIR *d;
	int found = 0;

	snprintf(dir, sizeof(dir), "%s/sys/class/accel", root);
	d = opendir(dir);
	*have_class = d != NULL;
	if (!d)
		return 0;
	while (!found && (e = readdir(d))) {
		if (strncmp(e->d_name, "accel", 5) != 0)
			continue;
		if (snprintf(dev, sizeof(dev), "%s/%s/device", dir, e->d_name) >= (int)sizeof(dev))
			continue;
		bound_driver(dev, driver, sizeof(driver));
		if (is_shiftaccel_pci(dev) && strcmp(driver, DRIVER_NAME) == 0) {
			pci_address(dev, addr, len);
			found = 1;
		}
	}
	closedir(d);
	return found;
}

sa_status sa_accel_probe(const char *root, char *pci_addr, size_t addr_len)
{
	char dir[PATH_MAX], dev[PATH_MAX], driver[64], addr[64];
	struct dirent *e;
	int have_class;
	DIR *d;

	if (find_accel_node(root, pci_addr, addr_len, &have_class))
		return SA_OK;

	/* Step 2: no usable accel node; is the card on the bus at all? */
	snprintf(dir, sizeof(dir), "%s/sys/bus/pci/devices", root);
	d = opendir(dir);
	if (!d)
		return sa_fail(SA_ERR_NO_DEVICE,
			       "no ShiftAccel card: cannot list PCI devices in %s: %s", dir,
			       strerror(errno));
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(dev, sizeof(dev), "%s/%s", dir, e->d_name) >= (int)sizeof(dev) ||
		    !is_shiftaccel_pci(dev))
			continue;
		closedir(d);
		pci_address(dev, addr, sizeof(addr));
		bound_driver(dev, driver, sizeof(driver));
		if (!driver[0])
			return sa_fail(SA_ERR_NO_DEVICE,
				       "ShiftAccel card found at %s but no driver is bound to it "
				       "(load the module: modprobe " DRIVER_NAME ")",
				       addr);
		if (strcmp(driver, DRIVER_NAME) != 0)
			return sa_fail(
				SA_ERR_NO_DEVICE,
				"ShiftAccel card found at %s but it is bound to driver \"%s\", "
				"not " DRIVER_NAME,
				addr, driver);
		return sa_fail(SA_ERR_NO_DEVICE,
			       "ShiftAccel card found at %s and bound to " DRIVER_NAME
			       ", but it has no accel device in %s/sys/class/accel (the driver "
			       "failed to initialise it; see the kernel log)",
			       addr, root);
	}
	closedir(d);
	if (!have_class)
		return sa_fail(
			SA_ERR_NO_DEVICE,
			"no ShiftAccel card: %s/sys/class/accel does not exist (no DRM accel "
			"driver is loaded) and no PCI device %04x:%04x is on the bus",
			root, SA_PCI_VENDOR_ID, SA_PCI_DEVICE_ID);
	return sa_fail(SA_ERR_NO_DEVICE,
		       "no ShiftAccel card: no PCI device %04x:%04x is on the bus (%s lists none)",
		       SA_PCI_VENDOR_ID, SA_PCI_DEVICE_ID, dir);
}
