/* SPDX-License-Identifier: MIT */
/*
 * Firmware images (uapi/shiftaccel_fw.h) on the host: building one around
 * the firmware's code, and the checks a loader applies before it trusts
 * one.  Used by tools/mkfwimage and by the tests that load the firmware.
 */
#ifndef SA_TOOLS_FWIMAGE_H
#define SA_TOOLS_FWIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "../uapi/shiftaccel_fw.h"

/*
 * Wraps `code` (the IRAM image, ending with a zeroed struct sa_fw_trailer
 * carrying only its magic) into an image: fills the trailer, builds the
 * header.  *image is malloc()ed.  0, or -1 with a message in why.
 */
int sa_fw_image_build(const uint8_t *code, size_t code_size, uint32_t entry, uint8_t **image,
		      size_t *image_size, char *why, size_t why_size);

/*
 * Every check a driver makes before loading (the list in
 * uapi/shiftaccel_fw.h), including the code's own trailer.  0 and *hdr
 * filled, or -1 with a message naming the first thing wrong.
 */
int sa_fw_image_check(const uint8_t *image, size_t size, struct sa_fw_header *hdr, char *why,
		      size_t why_size);

#endif /* SA_TOOLS_FWIMAGE_H */
