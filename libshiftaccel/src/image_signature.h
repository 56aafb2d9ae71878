/* SPDX-License-Identifier: MIT */
/* Naming an image file by its first bytes, for "not a PNG" messages. */
#ifndef SA_IMAGE_SIGNATURE_H
#define SA_IMAGE_SIGNATURE_H

#include <stddef.h>

/*
 * A sentence for a file whose first `n` bytes `head` are not a PNG
 * signature: names JPEG, GIF, BMP, WebP, TIFF and an empty file, else says
 * no PNG signature was found.  Static storage.
 */
const char *sa_image_signature_name(const unsigned char *head, size_t n);

#endif /* SA_IMAGE_SIGNATURE_H */
