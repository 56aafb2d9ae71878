/* SPDX-License-Identifier: MIT */
/*
 * What shiftaccel-info knows about one ShiftAccel card: its PCI identity
 * (libpci, info_pci.c), what the driver says about it (sysfs, debugfs and the
 * accel node's ioctls, info_driver.c), and, when it is not usable, why.
 */
#ifndef SA_INFO_CARD_H
#define SA_INFO_CARD_H

#include <stdint.h>
#include <stdio.h>

#define INFO_MAX_CARDS 64
#define INFO_MAX_COUNTERS 16

/* Why a card is or is not usable; the first state that applies wins. */
enum info_status {
	INFO_USABLE,	   /* bound, ready, accel node opened */
	INFO_NO_DRIVER,	   /* no driver bound and the module is not loaded */
	INFO_PROBE_FAILED, /* module loaded but not bound: its probe failed */
	INFO_OTHER_DRIVER, /* bound to another driver (vfio-pci, ...) */
	INFO_NO_NODE,	   /* bound to shiftaccel but no accel device registered */
	INFO_NOT_READY,	   /* device_state is not "ready" (recovering, lost, down) */
	INFO_PERMISSION,   /* the accel node exists but this user may not open it */
	INFO_OPEN_FAILED,  /* the accel node could not be opened for another reason */
};

struct info_counter {
	char name[32];
	long long value;
};

struct info_card {
	int index; /* the N of accel:N (cards in PCI address order); -1 if sysfs lacks it */
	/* libpci */
	char pci_addr[32];
	unsigned vendor, device, subsys_vendor, subsys_device;
	unsigned revision, class_code; /* class_code: base << 16 | sub << 8 | prog-if */
	int numa_node;		       /* -1: none */
	char link_speed[24];	       /* "2.5 GT/s", "" if unknown */
	int link_width;		       /* lanes, 0 if unknown */
	const char *link_source;       /* "pcie-capability", "sysfs" or NULL */
	char driver[64];	       /* bound driver, "" for none */

	/* the driver (sysfs attributes; "" / -1 when absent) */
	char accel_name[32];   /* "accel0" */
	char accel_node[64];   /* "/dev/accel/accel0" */
	char device_state[16]; /* "ready", ... */
	char fw_version[32];   /* "1.0.0" */
	char fw_build_id[24];  /* "0x1234abcd" */
	long long reset_count;
	int n_counters; /* sysfs live-object counts, then debugfs counters */
	struct info_counter counters[INFO_MAX_COUNTERS];

	/* the accel node */
	int node_readable_writable; /* open(O_RDWR) succeeded */
	int open_errno;
	char node_mode[64]; /* "crw-rw---- root:render" */
	int have_info;	    /* DRM_IOCTL_SHIFTACCEL_GET_INFO answered */
	unsigned hw_version, hw_revision, num_queues, num_contexts, fw_capabilities;
	char driver_version[48]; /* DRM_IOCTL_VERSION: "1.0.0" */

	enum info_status status;
	char hint[512]; /* what to do when not usable */
};

/*
 * Lists every PCI device with the ShiftAccel IDs through libpci and fills the
 * libpci fields of cards[0..n).  Returns n (0..max), or -1 with err set when
 * the PCI bus cannot be read at all.
 */
int info_pci_scan(struct info_card *cards, int max, char *err, size_t err_len);

/*
 * Sorts cards[0..n) by PCI address and gives each the index the library's
 * "accel:N" uses, and its accel node, from the DRM wrapper's card list.
 */
void info_number_cards(struct info_card *cards, int n);

/* 1 when the shiftaccel module is loaded (/sys/module/shiftaccel exists). */
int info_driver_loaded(void);
/* The module's version attribute, if the module declares one; 0 or -1. */
int info_module_version(char *buf, size_t len);
/* Fills the driver fields of c, opens its accel node, and decides c->status and c->hint. */
void info_driver_query(struct info_card *c, int driver_loaded);

const char *info_status_name(enum info_status s);

#endif /* SA_INFO_CARD_H */
