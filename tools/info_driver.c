// SPDX-License-Identifier: MIT
/*
 * The driver side of shiftaccel-info: the shiftaccel driver's sysfs
 * attributes and debugfs counters for a card, its accel node and the
 * GET_INFO / DRM version ioctls, and the reason a card is not usable.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../libshiftaccel/drm/sa_drm.h"
#include "info_card.h"

#define DRIVER_NAME SA_DRM_DRIVER_NAME
#define PCI_DEVICES_DIR "/sys/bus/pci/devices"

static const char *const live_counts[] = {"bo_count", "pinned_pages", "mappings", "queue_count",
					  "ctx_count"};

const char *info_status_name(enum info_status s)
{
	switch (s) {
	case INFO_USABLE: return "usable";
	case INFO_NO_DRIVER: return "driver-not-loaded";
	case INFO_PROBE_FAILED: return "probe-failed";
	case INFO_OTHER_DRIVER: return "other-driver";
	case INFO_NO_NODE: return "no-accel-node";
	case INFO_NOT_READY: return "not-ready";
	case INFO_PERMISSION: return "permission-denied";
	case INFO_OPEN_FAILED: return "open-failed";
	}
	return "?";
}

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

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

static int read_dev_attr(const struct info_card *c, const char *attr, char *buf, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), PCI_DEVICES_DIR "/%s/%s", c->pci_addr, attr);
	return read_line(path, buf, len);
}

int info_driver_loaded(void)
{
	return access("/sys/module/" DRIVER_NAME, F_OK) == 0;
}

int info_module_version(char *buf, size_t len)
{
	return read_line("/sys/module/" DRIVER_NAME "/version", buf, len);
}

static void add_counter(struct info_card *c, const char *name, long long value)
{
	if (c->n_counters >= INFO_MAX_COUNTERS)
		return;
	snprintf(c->counters[c->n_counters].name, sizeof(c->counters[0].name), "%s", name);
	c->counters[c->n_counters++].value = value;
}

static int by_pci_addr(const void *a, const void *b)
{
	return strcmp(((const struct info_card *)a)->pci_addr,
		      ((const struct info_card *)b)->pci_addr);
}

void info_number_cards(struct info_card *cards, int n)
{
	static struct sa_drm_card drm[INFO_MAX_CARDS];
	int n_drm = sa_drm_cards("", drm, INFO_MAX_CARDS);

	qsort(cards, (size_t)n, sizeof(*cards), by_pci_addr);
	for (int i = 0; i < n; i++) {
		struct info_card *c = &cards[i];

		c->index = -1;
		for (int j = 0; j < n_drm && j < INFO_MAX_CARDS; j++) {
			if (strcmp(drm[j].pci_addr, c->pci_addr) != 0)
				continue;
			c->index = j;
			snprintf(c->accel_name, sizeof(c->accel_name), "%s", drm[j].accel_name);
			snprintf(c->accel_node, sizeof(c->accel_node), "%s", drm[j].node);
		}
	}
}

/*
 * debugfs counters (root only, debugfs mounted): "name value" lines.  The DRM
 * core names the directory after the device's unique name (its PCI address);
 * older kernels used the minor number.
 */
static void read_debugfs_counters(struct info_card *c)
{
	char path[256], line[128], name[32];
	long long value;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/accel/%s/counters", c->pci_addr);
	f = fopen(path, "re");
	if (!f) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/accel/%s/counters",
			 c->accel_name + 5);
		f = fopen(path, "re");
	}
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		/* The live-object counts are already there from sysfs. */
		if (sscanf(line, "%31s %lld", name, &value) == 2 && strcmp(name, "bo_count") &&
		    strcmp(name, "pinned_pages") && strcmp(name, "mappings") &&
		    strcmp(name, "queues") && strcmp(name, "contexts") &&
		    strcmp(name, "reset_count"))
			add_counter(c, name, value);
	}
	fclose(f);
}

static void read_attributes(struct info_card *c)
{
	char buf[64], *end;
	size_t i;
	long long v;

	read_dev_attr(c, "device_state", c->device_state, sizeof(c->device_state));
	read_dev_attr(c, "fw_version", c->fw_version, sizeof(c->fw_version));
	read_dev_attr(c, "fw_build_id", c->fw_build_id, sizeof(c->fw_build_id));
	if (!read_dev_attr(c, "reset_count", buf, sizeof(buf))) {
		v = strtoll(buf, &end, 10);
		if (end != buf)
			c->reset_count = v;
	}
	for (i = 0; i < sizeof(live_counts) / sizeof(live_counts[0]); i++) {
		if (read_dev_attr(c, live_counts[i], buf, sizeof(buf)))
			continue;
		v = strtoll(buf, &end, 10);
		if (end != buf)
			add_counter(c, live_counts[i], v);
	}
	if (c->accel_name[0])
		read_debugfs_counters(c);
}

static void describe_node_mode(struct info_card *c)
{
	struct stat st;
	struct passwd *pw;
	struct group *gr;
	char perms[11] = "c---------";
	static const char rwx[] = "rwxrwxrwx";
	int i;

	if (stat(c->accel_node, &st))
		return;
	for (i = 0; i < 9; i++)
		if (st.st_mode & (0400u >> i))
			perms[i + 1] = rwx[i];
	pw = getpwuid(st.st_uid);
	gr = getgrgid(st.st_gid);
	snprintf(c->node_mode, sizeof(c->node_mode), "%s %s:%s", perms, pw ? pw->pw_name : "?",
		 gr ? gr->gr_name : "?");
}

/* Opens the node like the library does (read/write) and asks the driver about the card. */
static void query_node(struct info_card *c)
{
	struct drm_shiftaccel_info info;
	struct drm_version ver;
	int fd;

	describe_node_mode(c);
	fd = sa_drm_open(c->accel_node);
	if (fd < 0) {
		c->open_errno = -fd;
		return;
	}
	c->node_readable_writable = 1;
	if (sa_drm_get_info(fd, &info) == 0) {
		c->have_info = 1;
		c->hw_version = info.hw_version;
		c->hw_revision = info.hw_revision;
		c->num_queues = info.num_queues;
		c->num_contexts = info.num_contexts;
		c->fw_capabilities = info.fw_capabilities;
	}
	memset(&ver, 0, sizeof(ver));
	if (sa_drm_ioctl(fd, DRM_IOCTL_VERSION, &ver) == 0)
		snprintf(c->driver_version, sizeof(c->driver_version), "%d.%d.%d",
			 ver.version_major, ver.version_minor, ver.version_patchlevel);
	close(fd);
}

static void decide_status(struct info_card *c, int driver_loaded)
{
	size_t n = sizeof(c->hint);

	if (!c->driver[0] && !driver_loaded) {
		c->status = INFO_NO_DRIVER;
		snprintf(c->hint, n,
			 "no driver is bound: the " DRIVER_NAME
			 " driver is not loaded (run `modprobe " DRIVER_NAME "`)");
	} else if (!c->driver[0]) {
		c->status = INFO_PROBE_FAILED;
		snprintf(c->hint, n,
			 "the " DRIVER_NAME " driver is loaded but its probe of this card failed "
			 "(often a firmware problem): see `dmesg | grep " DRIVER_NAME "`");
	} else if (strcmp(c->driver, DRIVER_NAME) != 0) {
		c->status = INFO_OTHER_DRIVER;
		snprintf(c->hint, n,
			 "bound to driver \"%s\", not " DRIVER_NAME
			 ": unbind it (echo %s > /sys/bus/pci/drivers/%s/unbind) and "
			 "bind " DRIVER_NAME,
			 c->driver, c->pci_addr, c->driver);
	} else if (!c->accel_name[0]) {
		c->status = INFO_NO_NODE;
		snprintf(c->hint, n,
			 "bound to " DRIVER_NAME
			 " but no accel device is registered: see `dmesg | grep " DRIVER_NAME "`");
	} else if (strcmp(c->device_state, "ready") != 0) {
		c->status = INFO_NOT_READY;
		snprintf(c->hint, n,
			 "the card is \"%s\", not ready%s: see `dmesg | grep " DRIVER_NAME "`",
			 c->device_state[0] ? c->device_state : "unknown",
			 strcmp(c->device_state, "lost") == 0
				 ? " (its firmware could not be restarted; reload the driver)"
				 : "");
	} else if (!c->node_readable_writable &&
		   (c->open_errno == EACCES || c->open_errno == EPERM)) {
		c->status = INFO_PERMISSION;
		snprintf(c->hint, n,
			 "permission denied opening %s (%s): run as a user with read/write access "
			 "to it (e.g. add the user to its group) or adjust the udev rule",
			 c->accel_node, c->node_mode[0] ? c->node_mode : "mode unknown");
	} else if (!c->node_readable_writable) {
		c->status = INFO_OPEN_FAILED;
		snprintf(c->hint, n, "cannot open %s: %s", c->accel_node, strerror(c->open_errno));
	} else {
		c->status = INFO_USABLE;
		c->hint[0] = '\0';
	}
}

void info_driver_query(struct info_card *c, int driver_loaded)
{
	if (strcmp(c->driver, DRIVER_NAME) == 0) {
		read_attributes(c);
		if (c->accel_name[0])
			query_node(c);
	}
	decide_status(c, driver_loaded);
}
