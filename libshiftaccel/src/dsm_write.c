// SPDX-License-Identifier: MIT
/*
 * Serialises sections into a .dsm file image: the 64-byte header, the
 * section table right after it, then each section at the next aligned
 * offset.  The buffer starts zeroed, so padding and reserved fields are
 * zero and the same sections always give the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "dsm.h"
#include "error.h"

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

sa_status dsm_write(uint16_t version_minor, const struct dsm_out_section *sections, uint32_t count,
		    void **out, size_t *size)
{
	struct dsm_header h = {.version_major = DSM_VERSION_MAJOR,
			       .version_minor = version_minor,
			       .header_size = sizeof(struct dsm_header),
			       .section_count = count,
			       .section_table_offset = sizeof(struct dsm_header)};
	memcpy(h.magic, DSM_MAGIC, sizeof(h.magic));

	/* First pass: offsets.  Sizes are bounded by DSM_MAX_FILE_SIZE before adding the next. */
	uint64_t end = h.section_table_offset + (uint64_t)count * sizeof(struct dsm_section);
	for (uint32_t i = 0; i < count && end <= DSM_MAX_FILE_SIZE; i++) {
		uint64_t align =
			sections[i].kind == DSM_SEC_DATA ? DSM_DATA_ALIGN : DSM_SECTION_ALIGN;
		end = align_up(end, align);
		if (sections[i].size > DSM_MAX_FILE_SIZE - end)
			end = DSM_MAX_FILE_SIZE + 1;
		else
			end += sections[i].size;
	}
	/* The file ends 8-aligned so another section could be appended. */
	end = align_up(end, DSM_SECTION_ALIGN);
	if (end > DSM_MAX_FILE_SIZE)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "model too large: a .dsm file is at most %llu bytes",
			       (unsigned long long)DSM_MAX_FILE_SIZE);

	uint8_t *buf = calloc(1, (size_t)end);
	if (!buf)
		return sa_fail(SA_ERR_NO_MEMORY, "out of memory for a %llu-byte model",
			       (unsigned long long)end);
	h.file_size = end;

	uint64_t pos = h.section_table_offset + (uint64_t)count * sizeof(struct dsm_section);
	for (uint32_t i = 0; i < count; i++) {
		uint64_t align =
			sections[i].kind == DSM_SEC_DATA ? DSM_DATA_ALIGN : DSM_SECTION_ALIGN;
		struct dsm_section s = {.kind = sections[i].kind,
					.entry_size = sections[i].entry_size,
					.offset = align_up(pos, align),
					.size = sections[i].size};
		if (s.size > 0)
			memcpy(buf + s.offset, sections[i].data, (size_t)s.size);
		memcpy(buf + h.section_table_offset + (uint64_t)i * sizeof(s), &s, sizeof(s));
		pos = s.offset + s.size;
	}
	memcpy(buf, &h, sizeof(h));
	h.checksum = dsm_checksum(buf, (size_t)end);
	memcpy(buf + DSM_CHECKSUM_OFFSET, &h.checksum, sizeof(h.checksum));

	*out = buf;
	*size = (size_t)end;
	return SA_OK;
}
