/* SPDX-License-Identifier: MIT */
/* Finding a usable ShiftAccel card through sysfs, and saying why there is none. */
#ifndef SA_ACCEL_PROBE_H
#define SA_ACCEL_PROBE_H

#include <stddef.h>

#include "../include/shiftaccel.h"

/*
 * Looks under <sysfs_root>/sys (sysfs_root is "" for the running system; tests
 * pass a fake tree) for an accel device whose PCI device has the ShiftAccel
 * IDs (uapi/shiftaccel_ids.h) and is bound to the "shiftaccel" driver.
 * SA_OK: one was found; its PCI address ("0000:00:04.0") is in pci_addr.
 * SA_ERR_NO_DEVICE: none; sa_last_error() says why (no /sys/class/accel, no
 * card on the bus, card present but driver not bound or bound elsewhere).
 */
sa_status sa_accel_probe(const char *sysfs_root, char *pci_addr, size_t addr_len);

#endif /* SA_ACCEL_PROBE_H */
