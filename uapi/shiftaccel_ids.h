/* SPDX-License-Identifier: MIT */
/* PCI identity of the ShiftAccel card (QEMU's test vendor ID, our device ID). */
#ifndef SHIFTACCEL_IDS_H
#define SHIFTACCEL_IDS_H

#define SA_PCI_VENDOR_ID 0x1234
#define SA_PCI_DEVICE_ID 0x5a11
/* PCI class: processing accelerator (base class 0x12), subclass 0, prog-if 0. */
#define SA_PCI_CLASS 0x120000

#endif /* SHIFTACCEL_IDS_H */
