/* SPDX-License-Identifier: MIT */
/*
 * What a device string names (shiftaccel.h, sa_session_create_on): a
 * backend, and for the card which one.  Parsing only; accel_device.c finds
 * the card.
 */
#ifndef SA_DEVICE_CHOICE_H
#define SA_DEVICE_CHOICE_H

#include <stdint.h>

#include "../include/shiftaccel.h"

enum sa_card_by {
	SA_CARD_FIRST_USABLE, /* "accel", "auto": the first card that opens, in index order */
	SA_CARD_INDEX,	      /* "accel:N" */
	SA_CARD_NODE,	      /* "accel:/dev/accel/accelN" */
	SA_CARD_PCI,	      /* "accel:0000:01:00.0" */
};

struct sa_device_choice {
	sa_device_kind kind; /* AUTO, CPU, CPU_FLOAT or ACCEL */
	enum sa_card_by by;
	uint32_t index;
	char name[64];	/* SA_CARD_NODE: the path; SA_CARD_PCI: the address, lower case */
	char asked[96]; /* what was asked, for messages: "accel:5", "SHIFTACCEL_DEVICE=accel:5" */
};

/*
 * Parses one device string (no environment): SA_ERR_INVALID_ARGUMENT with
 * a message quoting it when it is not one of the documented forms.
 */
sa_status sa_device_parse(const char *device, struct sa_device_choice *c);
/*
 * The choice a caller's string makes: an explicit string wins; NULL, "" or
 * "auto" take SHIFTACCEL_DEVICE when it is set and not empty, else "auto".
 */
sa_status sa_device_choose(const char *device, struct sa_device_choice *c);

#endif /* SA_DEVICE_CHOICE_H */
