/* SPDX-License-Identifier: MIT */
/* Finding a usable ShiftAccel card through sysfs, and saying why there is none. */
#ifndef SA_ACCEL_PROBE_H
#define SA_ACCEL_PROBE_H

#include <stddef.h>

#include "../include/shiftaccel.h"

struct sa_drm_card;

/*
 * Looks under <sysfs_root>/sys (sysfs_root is "" for the running system; tests
 * pass a fake tree) for a ShiftAccel card (uapi/shiftaccel_ids.h) bound to the
 * "shiftaccel" driver with an accel device registered, in card index order.
 * SA_OK: one was found; its PCI address ("0000:00:04.0") is in pci_addr.
 * SA_ERR_NO_DEVICE: none; sa_last_error() says why (no /sys/class/accel, no
 * card on the bus, card present but driver not bound or bound elsewhere).
 */
sa_status sa_accel_probe(const char *sysfs_root, char *pci_addr, size_t addr_len);

/* Why card c has no accel node to open, from sysfs alone; "" when it has one. */
void sa_accel_card_problem(const struct sa_drm_card *c, const char *sysfs_root, char *buf,
			   size_t len);

/* "2 ShiftAccel cards: accel:0 0000:00:04.0 /dev/accel/accel0, accel:1 ..." for messages. */
void sa_accel_cards_text(const struct sa_drm_card *cards, int n, char *buf, size_t len);

#endif /* SA_ACCEL_PROBE_H */
