// SPDX-License-Identifier: MIT
#include "image_signature.h"

#include <string.h>

#define CONVERT_HINT ", not a PNG (convert it to PNG first)"

struct signature {
	size_t offset, len;
	const char *bytes, *message;
};

/* Magic numbers from each format's specification. */
static const struct signature signatures[] = {
	{0, 3, "\xff\xd8\xff", "a JPEG image" CONVERT_HINT},
	{0, 6, "GIF87a", "a GIF image" CONVERT_HINT},
	{0, 6, "GIF89a", "a GIF image" CONVERT_HINT},
	{0, 2, "BM", "a BMP image" CONVERT_HINT},
	{8, 4, "WEBP", "a WebP image" CONVERT_HINT}, /* after "RIFF" and a 4-byte size */
	{0, 4, "II*\0", "a TIFF image" CONVERT_HINT},
	{0, 4, "MM\0*", "a TIFF image" CONVERT_HINT},
};

const char *sa_image_signature_name(const unsigned char *head, size_t n)
{
	if (n == 0)
		return "empty file, not a PNG";
	for (size_t i = 0; i < sizeof(signatures) / sizeof(signatures[0]); i++) {
		const struct signature *s = &signatures[i];

		if (n < s->offset + s->len || memcmp(head + s->offset, s->bytes, s->len) != 0)
			continue;
		if (s->offset == 8 && memcmp(head, "RIFF", 4) != 0)
			continue;
		return s->message;
	}
	return "not a PNG file (no PNG signature in the first 8 bytes)";
}
