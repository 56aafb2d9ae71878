// SPDX-License-Identifier: MIT
#include "png_chunks.h"

#include <ctype.h>
#include <string.h>

#include "error.h"

#define PNG_SIGNATURE_BYTES 8
/* Length, type, data, CRC: 12 bytes around each chunk's data. */
#define PNG_CHUNK_OVERHEAD 12u
/* The PNG specification's largest chunk length: 2^31 - 1. */
#define PNG_MAX_CHUNK_LENGTH 0x7fffffffu

sa_status sa_png_check_chunk_lengths(FILE *f, uint64_t file_size, const char *path)
{
	uint64_t pos = PNG_SIGNATURE_BYTES;
	unsigned char head[8];
	sa_status st = SA_OK;

	while (pos + sizeof(head) <= file_size) {
		if (fseeko(f, (off_t)pos, SEEK_SET) != 0 ||
		    fread(head, 1, sizeof(head), f) != sizeof(head))
			break; /* the decoder reports what it cannot read */
		uint32_t len = (uint32_t)head[0] << 24 | (uint32_t)head[1] << 16 |
			       (uint32_t)head[2] << 8 | head[3];
		char type[5];

		for (int i = 0; i < 4; i++)
			type[i] = isalpha(head[4 + i]) ? (char)head[4 + i] : '?';
		type[4] = '\0';
		if (len > PNG_MAX_CHUNK_LENGTH || pos + PNG_CHUNK_OVERHEAD + len > file_size) {
			st = sa_fail(
				SA_ERR_BAD_IMAGE,
				"%s: corrupt PNG: chunk %s at byte %llu claims %u bytes, more than "
				"the %llu left in the file (truncated or corrupt)",
				path, type, (unsigned long long)pos, len,
				(unsigned long long)(file_size - pos - sizeof(head)));
			break;
		}
		pos += PNG_CHUNK_OVERHEAD + len;
		if (!memcmp(head + 4, "IEND", 4))
			break;
	}
	if (fseeko(f, PNG_SIGNATURE_BYTES, SEEK_SET) != 0 && st == SA_OK)
		st = sa_fail(SA_ERR_IO, "%s: cannot seek", path);
	return st;
}
