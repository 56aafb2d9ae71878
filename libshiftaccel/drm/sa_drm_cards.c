// SPDX-License-Identifier: MIT
/*
 * Finding the cards through sysfs (sa_drm.h): every PCI function with the
 * ShiftAccel IDs, its bound driver and the accel device the driver
 * registered under it, in PCI address order so that "accel:N" names the
 * same card every time.
 */
#include "sa_drm.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../uapi/shiftaccel_ids.h"

/* A sysfs hex attribute such as "0x1234\n"; -1 when missing or malformed. */
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
	return errno || end == buf ? -1 : v;
}

/* Copies a sysfs name, truncating what cannot fit. */
static void copy_name(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%.*s", (int)(len - 1), src);
}

/* The name of the driver bound to a device ("" if none), from its driver symlink. */
static void bound_driver(const char *dev, char *name, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

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

/* The accel device the driver registered under the PCI device: <dev>/accel/accelN. */
static void accel_device(const char *dev, struct sa_drm_card *c)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	if (snprintf(path, sizeof(path), "%s/accel", dev) >= (int)sizeof(path))
		return;
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "accel", 5) == 0 &&
		    strlen(e->d_name) < sizeof(c->accel_name)) {
			copy_name(c->accel_name, sizeof(c->accel_name), e->d_name);
			snprintf(c->node, sizeof(c->node), "/dev/accel/%s", c->accel_name);
			break;
		}
	}
	closedir(d);
}

static int by_pci_addr(const void *a, const void *b)
{
	return strcmp(((const struct sa_drm_card *)a)->pci_addr,
		      ((const struct sa_drm_card *)b)->pci_addr);
}

/* Keeps the max lowest addresses seen so far in cards[0..max), sorted. */
static void keep_lowest(struct sa_drm_card *cards, int max, int seen, const struct sa_drm_card *c)
{
	int n = seen < max ? seen : max;

	if (n == max && (max == 0 || by_pci_addr(c, &cards[max - 1]) >= 0))
		return;
	if (n == max)
		n--;
	cards[n] = *c;
	qsort(cards, (size_t)n + 1, sizeof(*cards), by_pci_addr);
}

int sa_drm_cards(const char *sysfs_root, struct sa_drm_card *cards, int max)
{
	char dir[PATH_MAX], dev[PATH_MAX];
	struct dirent *e;
	int n = 0;
	DIR *d;

	if (snprintf(dir, sizeof(dir), "%s/sys/bus/pci/devices", sysfs_root) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		struct sa_drm_card c;

		if (e->d_name[0] == '.' || strlen(e->d_name) >= sizeof(c.pci_addr) ||
		    snprintf(dev, sizeof(dev), "%s/%s", dir, e->d_name) >= (int)sizeof(dev))
			continue;
		if (read_hex_attr(dev, "vendor") != SA_PCI_VENDOR_ID ||
		    read_hex_attr(dev, "device") != SA_PCI_DEVICE_ID)
			continue;
		memset(&c, 0, sizeof(c));
		copy_name(c.pci_addr, sizeof(c.pci_addr), e->d_name);
		bound_driver(dev, c.driver, sizeof(c.driver));
		if (strcmp(c.driver, SA_DRM_DRIVER_NAME) == 0)
			accel_device(dev, &c);
		keep_lowest(cards, max, n, &c);
		if (n < INT_MAX)
			n++;
	}
	closedir(d);
	return n;
}
