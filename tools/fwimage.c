// SPDX-License-Identifier: MIT
/*
 * Building and checking firmware images.  The image is deterministic: the
 * header holds no time or path, and the build id is the CRC-32C of the code,
 * so the same firmware sources and compiler give the same bytes.
 */
#include "fwimage.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../libshiftaccel/src/crc32c.h"

static int fail(char *why, size_t why_size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_size, fmt, ap);
	va_end(ap);
	return -1;
}

static uint32_t header_crc(const struct sa_fw_header *h)
{
	return sa_crc32c(0, h, offsetof(struct sa_fw_header, header_crc));
}

int sa_fw_image_build(const uint8_t *code, size_t code_size, uint32_t entry, uint8_t **image,
		      size_t *image_size, char *why, size_t why_size)
{
	struct sa_fw_header h;
	struct sa_fw_trailer t;
	size_t covered;
	uint8_t *out;

	if (code_size < sizeof(t) || code_size % 4 || code_size > SA_CP_IRAM_SIZE)
		return fail(why, why_size,
			    "code is %zu bytes: it must be a multiple of 4 between 16 and %u",
			    code_size, SA_CP_IRAM_SIZE);
	covered = code_size - sizeof(t);
	memcpy(&t, code + covered, sizeof(t));
	if (t.magic != SA_FW_TRAILER_MAGIC || t.covered || t.crc || t.build_id)
		return fail(why, why_size,
			    "the code does not end with an unfilled trailer (magic 0x%08x): "
			    "is .trailer last in IRAM?",
			    t.magic);
	if (entry % 4 || entry >= code_size)
		return fail(why, why_size, "entry 0x%x is not an aligned address inside the code",
			    entry);

	t.covered = (uint32_t)covered;
	t.crc = sa_crc32c(0, code, covered);
	t.build_id = t.crc;

	memset(&h, 0, sizeof(h));
	h.magic = SA_FW_MAGIC;
	h.header_version = SA_FW_HEADER_VERSION;
	h.header_size = sizeof(h);
	h.version_major = SA_FW_VERSION_MAJOR;
	h.version_minor = SA_FW_VERSION_MINOR;
	h.version_patch = SA_FW_VERSION_PATCH;
	h.build_id = t.build_id;
	h.image_size = (uint32_t)(sizeof(h) + code_size);
	h.entry = SA_CP_IRAM_BASE + entry;
	h.hw_version = SA_HW_VERSION;
	h.iram.offset = sizeof(h);
	h.iram.size = (uint32_t)code_size;
	h.iram.load_addr = SA_CP_IRAM_BASE;

	out = malloc(h.image_size);
	if (!out)
		return fail(why, why_size, "out of memory");
	memcpy(out + sizeof(h), code, covered);
	memcpy(out + sizeof(h) + covered, &t, sizeof(t));
	h.payload_crc = sa_crc32c(0, out + sizeof(h), code_size);
	h.header_crc = header_crc(&h);
	memcpy(out, &h, sizeof(h));
	*image = out;
	*image_size = h.image_size;
	return 0;
}

static int check_segment(const struct sa_fw_segment *s, const char *name, size_t image_size,
			 uint32_t mem_base, uint32_t mem_size, char *why, size_t why_size)
{
	if (s->reserved)
		return fail(why, why_size, "%s segment: reserved field is not zero", name);
	if (s->size == 0)
		return 0;
	if (s->size % 4 || s->offset < sizeof(struct sa_fw_header) || s->offset > image_size ||
	    s->size > image_size - s->offset)
		return fail(why, why_size,
			    "%s segment (offset %u, %u bytes) is not inside the file", name,
			    s->offset, s->size);
	if (s->load_addr < mem_base || s->load_addr - mem_base > mem_size ||
	    s->size > mem_size - (s->load_addr - mem_base) || s->load_addr % 4)
		return fail(
			why, why_size,
			"%s segment (0x%x, %u bytes) does not fit its CP memory (0x%x, %u bytes)",
			name, s->load_addr, s->size, mem_base, mem_size);
	return 0;
}

static int check_trailer(const uint8_t *image, const struct sa_fw_header *h, char *why,
			 size_t why_size)
{
	struct sa_fw_trailer t;
	size_t covered;

	if (h->iram.size < sizeof(t))
		return fail(why, why_size, "code segment is too small for its trailer");
	covered = h->iram.size - sizeof(t);
	memcpy(&t, image + h->iram.offset + covered, sizeof(t));
	if (t.magic != SA_FW_TRAILER_MAGIC || t.covered != covered ||
	    t.crc != sa_crc32c(0, image + h->iram.offset, covered))
		return fail(why, why_size, "the code's trailer does not match the code");
	if (t.build_id != h->build_id)
		return fail(why, why_size, "build id 0x%08x in the header, 0x%08x in the code",
			    h->build_id, t.build_id);
	return 0;
}

int sa_fw_image_check(const uint8_t *image, size_t size, struct sa_fw_header *hdr, char *why,
		      size_t why_size)
{
	struct sa_fw_header h;

	if (size < sizeof(h))
		return fail(why, why_size, "%zu bytes is shorter than the %zu-byte header", size,
			    sizeof(h));
	memcpy(&h, image, sizeof(h));
	if (h.magic != SA_FW_MAGIC)
		return fail(why, why_size, "bad magic 0x%08x (expected 0x%08x \"SAFW\")", h.magic,
			    SA_FW_MAGIC);
	if (h.header_version != SA_FW_HEADER_VERSION || h.header_size != sizeof(h))
		return fail(why, why_size, "header version %u size %u (this loader knows %u, %zu)",
			    h.header_version, h.header_size, SA_FW_HEADER_VERSION, sizeof(h));
	if (h.header_crc != header_crc(&h))
		return fail(why, why_size, "header checksum mismatch");
	if (h.image_size != size)
		return fail(why, why_size, "header says %u bytes, the file has %zu", h.image_size,
			    size);
	if (h.payload_crc != sa_crc32c(0, image + sizeof(h), size - sizeof(h)))
		return fail(why, why_size, "payload checksum mismatch (corrupted image)");
	if (!SA_FW_VERSION_COMPATIBLE(SA_FW_VERSION_MAJOR, SA_FW_VERSION_MINOR, h.version_major,
				      h.version_minor))
		return fail(why, why_size,
			    "firmware %u.%u.%u is not compatible with protocol %u.%u",
			    h.version_major, h.version_minor, h.version_patch, SA_FW_VERSION_MAJOR,
			    SA_FW_VERSION_MINOR);
	if (h.hw_version >> 16 != SA_HW_VERSION_MAJOR)
		return fail(why, why_size, "built for card spec %u.%u, this is %u.%u",
			    h.hw_version >> 16, h.hw_version & 0xffff, SA_HW_VERSION_MAJOR,
			    SA_HW_VERSION_MINOR);
	if (h.flags)
		return fail(why, why_size, "unknown header flags 0x%x", h.flags);
	for (size_t i = 0; i < sizeof(h.reserved) / sizeof(h.reserved[0]); i++) {
		if (h.reserved[i])
			return fail(why, why_size, "reserved header word %zu is not zero", i);
	}
	if (check_segment(&h.iram, "code", size, SA_CP_IRAM_BASE, SA_CP_IRAM_SIZE, why, why_size) ||
	    check_segment(&h.dram, "data", size, SA_CP_DRAM_BASE, SA_CP_DRAM_SIZE, why, why_size))
		return -1;
	if (h.iram.size == 0 || h.entry % 4 || h.entry < h.iram.load_addr ||
	    h.entry - h.iram.load_addr >= h.iram.size)
		return fail(why, why_size, "entry 0x%x is not inside the code", h.entry);
	if (check_trailer(image, &h, why, why_size))
		return -1;
	*hdr = h;
	return 0;
}
