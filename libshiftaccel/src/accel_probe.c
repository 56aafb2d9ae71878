// SPDX-License-Identifier: MIT
/*
 * Card discovery (accel_probe.h).  A "device not found" with no reason is
 * the most common complaint about accelerator stacks, so every way of not
 * finding the card gets its own message.  The cards themselves are listed
 * by the DRM wrapper (sa_drm_cards).
 */
#include "accel_probe.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "../../uapi/shiftaccel_ids.h"
#include "../drm/sa_drm.h"
#include "error.h"

#define DRIVER_NAME SA_DRM_DRIVER_NAME
#define MAX_CARDS (SA_MAX_CARD_INDEX + 1)
/* The probe looks at this many cards (3 KiB of stack): enough to find one usable. */
#define PROBE_CARDS 32

void sa_accel_card_problem(const struct sa_drm_card *c, const char *root, char *buf, size_t len)
{
	if (c->node[0])
		buf[0] = '\0';
	else if (!c->driver[0])
		snprintf(buf, len,
			 "no driver is bound to it (load the module: modprobe " DRIVER_NAME ")");
	else if (strcmp(c->driver, DRIVER_NAME) != 0)
		snprintf(buf, len, "it is bound to driver \"%s\", not " DRIVER_NAME, c->driver);
	else
		snprintf(buf, len,
			 "it is bound to " DRIVER_NAME ", but has no accel device in "
			 "%s/sys/class/accel (the driver failed to initialise it; see the kernel "
			 "log)",
			 root);
}

void sa_accel_cards_text(const struct sa_drm_card *cards, int n, char *buf, size_t len)
{
	int shown = n < MAX_CARDS ? n : MAX_CARDS;

	snprintf(buf, len, "%d ShiftAccel card%s:", n, n == 1 ? "" : "s");
	for (int i = 0; i < shown; i++) {
		size_t used = strlen(buf);

		snprintf(buf + used, len - used, "%s accel:%d %s %s", i ? "," : "", i,
			 cards[i].pci_addr, cards[i].node[0] ? cards[i].node : "(no accel node)");
	}
}

/* No card on the bus at all: say what is missing. */
static sa_status no_card(const char *root, const char *dir)
{
	char class_dir[PATH_MAX];
	DIR *d;

	snprintf(class_dir, sizeof(class_dir), "%s/sys/class/accel", root);
	d = opendir(class_dir);
	if (d) {
		closedir(d);
		return sa_fail(
			SA_ERR_NO_DEVICE,
			"no ShiftAccel card: no PCI device %04x:%04x is on the bus (%s lists "
			"none)",
			SA_PCI_VENDOR_ID, SA_PCI_DEVICE_ID, dir);
	}
	return sa_fail(SA_ERR_NO_DEVICE,
		       "no ShiftAccel card: %s/sys/class/accel does not exist (no DRM accel "
		       "driver is loaded) and no PCI device %04x:%04x is on the bus",
		       root, SA_PCI_VENDOR_ID, SA_PCI_DEVICE_ID);
}

sa_status sa_accel_probe(const char *root, char *pci_addr, size_t addr_len)
{
	/* The first card with an accel node; the first card for the reason when none has one. */
	struct sa_drm_card cards[PROBE_CARDS];
	char dir[PATH_MAX], why[384];
	int n = sa_drm_cards(root, cards, PROBE_CARDS);

	snprintf(dir, sizeof(dir), "%s/sys/bus/pci/devices", root);
	if (n < 0)
		return sa_fail(SA_ERR_NO_DEVICE,
			       "no ShiftAccel card: cannot list PCI devices in %s: %s", dir,
			       strerror(-n));
	if (n == 0)
		return no_card(root, dir);
	for (int i = 0; i < n && i < PROBE_CARDS; i++) {
		if (cards[i].node[0]) {
			snprintf(pci_addr, addr_len, "%s", cards[i].pci_addr);
			return SA_OK;
		}
	}
	/* None usable (of the first PROBE_CARDS): the first card's reason. */
	sa_accel_card_problem(&cards[0], root, why, sizeof(why));
	return sa_fail(SA_ERR_NO_DEVICE, "ShiftAccel card found at %s but %s", cards[0].pci_addr,
		       why);
}
