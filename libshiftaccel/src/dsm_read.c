// SPDX-License-Identifier: MIT
/*
 * The .dsm reader, first half: header, checksum, section table, string
 * table, metadata and tensors (docs/model-format.md).
 *
 * The file is untrusted.  Every count, offset and length is checked against
 * the bytes that exist before anything is read through it, with 64-bit
 * arithmetic that cannot wrap (all fields are at most 64 bits, file sizes at
 * most 2^32).  Records are copied out with memcpy, so their placement never
 * causes an unaligned access.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc32c.h"
#include "dsm_reader.h"
#include "error.h"

/* The format is little-endian and biases are used in place: refuse big-endian hosts. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "libshiftaccel needs a little-endian host");
_Static_assert(offsetof(struct dsm_header, checksum) == DSM_CHECKSUM_OFFSET, "checksum offset");

/* Record sizes this reader knows, by section kind (0: a blob). */
static const uint32_t known_entry_size[DSM_NUM_KNOWN_KINDS] = {
	[DSM_SEC_META] = sizeof(struct dsm_meta),      [DSM_SEC_LABELS] = sizeof(struct dsm_label),
	[DSM_SEC_TENSORS] = sizeof(struct dsm_tensor), [DSM_SEC_NODES] = sizeof(struct dsm_node),
	[DSM_SEC_GRAPH] = sizeof(struct dsm_graph),
};

const char *dsm_section_name(uint32_t kind)
{
	static const char *const names[DSM_NUM_KNOWN_KINDS] = {
		[DSM_SEC_STRINGS] = "STRINGS", [DSM_SEC_META] = "META",
		[DSM_SEC_LABELS] = "LABELS",   [DSM_SEC_TENSORS] = "TENSORS",
		[DSM_SEC_NODES] = "NODES",     [DSM_SEC_GRAPH] = "GRAPH",
		[DSM_SEC_DATA] = "DATA",
	};
	return kind < DSM_NUM_KNOWN_KINDS && names[kind] ? names[kind] : "unknown";
}

const char *dsm_dtype_name(uint32_t dtype)
{
	switch (dtype) {
	case SA_DTYPE_I8: return "i8";
	case SA_DTYPE_I16: return "i16";
	case SA_DTYPE_I32: return "i32";
	case SA_DTYPE_SHIFT: return "shift";
	}
	return "?";
}

sa_status dsm_bad(const struct dsm_reader *r, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sa_fail(SA_ERR_BAD_MODEL, "%s: %s", r->m->name, msg);
}

uint32_t dsm_record_count(const struct dsm_reader *r, uint32_t kind)
{
	return (uint32_t)(r->sec[kind].size / r->sec[kind].entry_size);
}

void dsm_record_read(const struct dsm_reader *r, uint32_t kind, uint32_t i, void *dst, size_t len)
{
	const struct dsm_section *s = &r->sec[kind];
	memcpy(dst, r->base + s->offset + (uint64_t)i * s->entry_size, len);
}

uint32_t dsm_checksum(const void *file, size_t size)
{
	static const uint8_t zero[4];
	const uint8_t *p = file;
	uint32_t crc = sa_crc32c(0, p, DSM_CHECKSUM_OFFSET);

	crc = sa_crc32c(crc, zero, sizeof(zero));
	return sa_crc32c(crc, p + DSM_CHECKSUM_OFFSET + 4, size - DSM_CHECKSUM_OFFSET - 4);
}

int dsm_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned c = p[i], cp, min;
		size_t more;

		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			more = 1, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			more = 2, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			more = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return 0;
		}
		if (len - i - 1 < more)
			return 0;
		for (size_t k = 1; k <= more; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += more + 1;
	}
	return 1;
}

static int all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < len; i++) {
		if (b[i])
			return 0;
	}
	return 1;
}

/* Magic, version and sizes: enough to trust the checksum over the file. */
static sa_status read_header(struct dsm_reader *r)
{
	struct dsm_header *h = &r->hdr;

	if (r->size >= sizeof(h->magic) && memcmp(r->base, DSM_MAGIC, sizeof(h->magic)) != 0)
		return dsm_bad(r, "not a .dsm model (the file does not start with \"SHIFTDSM\")");
	if (r->size < sizeof(*h))
		return dsm_bad(r,
			       "file is %" PRIu64 " bytes, too short for the %zu-byte .dsm header "
			       "(truncated?)",
			       r->size, sizeof(*h));
	memcpy(h, r->base, sizeof(*h));
	if (h->version_major > DSM_VERSION_MAJOR)
		return sa_fail(
			SA_ERR_VERSION,
			"%s: format version %u.%u is newer than this library supports (%u.x)",
			r->m->name, h->version_major, h->version_minor, DSM_VERSION_MAJOR);
	if (h->version_major < DSM_VERSION_MAJOR)
		return sa_fail(
			SA_ERR_VERSION,
			"%s: format version %u.%u is older than this library supports (%u.x)",
			r->m->name, h->version_major, h->version_minor, DSM_VERSION_MAJOR);
	if (h->file_size > r->size)
		return dsm_bad(r,
			       "file is truncated: the header says %" PRIu64
			       " bytes but only %" PRIu64 " are present",
			       h->file_size, r->size);
	if (h->file_size < r->size)
		return dsm_bad(r,
			       "file is %" PRIu64 " bytes but the header says %" PRIu64
			       " (trailing bytes after the model?)",
			       r->size, h->file_size);
	if (h->file_size > DSM_MAX_FILE_SIZE)
		return dsm_bad(r, "file is %" PRIu64 " bytes, larger than the %llu-byte limit",
			       h->file_size, (unsigned long long)DSM_MAX_FILE_SIZE);
	if (h->header_size < sizeof(*h) || h->header_size > r->size)
		return dsm_bad(
			r,
			"header_size %u is invalid (at least %zu, at most the file size %" PRIu64
			")",
			h->header_size, sizeof(*h), r->size);

	uint32_t computed = dsm_checksum(r->base, r->size);
	if (computed != h->checksum)
		return sa_fail(
			SA_ERR_CHECKSUM,
			"%s: bad checksum (stored 0x%08x, computed 0x%08x): the file is corrupt",
			r->m->name, h->checksum, computed);

	if (!all_zero(h->reserved, sizeof(h->reserved)))
		return dsm_bad(r, "header reserved bytes are not zero");
	r->m->version_major = h->version_major;
	r->m->version_minor = h->version_minor;
	return SA_OK;
}

/* A byte range of the file for the overlap check: the header, the table or a section. */
struct file_range {
	uint64_t start, end;
	uint32_t section; /* index in the table, or one of: */
};
#define RANGE_HEADER 0xfffffffeu
#define RANGE_TABLE 0xffffffffu

static int range_cmp(const void *pa, const void *pb)
{
	const struct file_range *a = pa, *b = pb;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return a->section < b->section ? -1 : a->section > b->section;
}

static void describe_range(const struct dsm_reader *r, const struct file_range *fr, char *buf,
			   size_t len)
{
	struct dsm_section s;

	if (fr->section == RANGE_HEADER) {
		snprintf(buf, len, "the header");
	} else if (fr->section == RANGE_TABLE) {
		snprintf(buf, len, "the section table");
	} else {
		memcpy(&s,
		       r->base + r->hdr.section_table_offset + (uint64_t)fr->section * sizeof(s),
		       sizeof(s));
		snprintf(buf, len, "section %u (%s)", fr->section, dsm_section_name(s.kind));
	}
}

/* No two of {header, section table, non-empty sections} share a byte. */
static sa_status check_overlaps(struct dsm_reader *r, struct file_range *ranges, size_t n)
{
	qsort(ranges, n, sizeof(*ranges), range_cmp);
	size_t widest = 0; /* the range seen so far that reaches furthest */
	for (size_t i = 1; i < n; i++) {
		if (ranges[i].start < ranges[widest].end) {
			char a[48], b[48];
			/* Name a section first (the header and the table never overlap). */
			const struct file_range *first = &ranges[i], *second = &ranges[widest];
			if (first->section >= RANGE_HEADER) {
				first = &ranges[widest];
				second = &ranges[i];
			}
			describe_range(r, first, a, sizeof(a));
			describe_range(r, second, b, sizeof(b));
			return dsm_bad(r, "%s overlaps %s", a, b);
		}
		if (ranges[i].end > ranges[widest].end)
			widest = i;
	}
	return SA_OK;
}

static sa_status check_section(struct dsm_reader *r, uint32_t i, const struct dsm_section *s)
{
	const char *name = dsm_section_name(s->kind);
	uint64_t align = s->kind == DSM_SEC_DATA ? DSM_DATA_ALIGN : DSM_SECTION_ALIGN;

	if (s->reserved != 0)
		return dsm_bad(r, "section %u (%s): reserved field is not zero", i, name);
	if (s->offset > r->size || s->size > r->size - s->offset) {
		if (s->offset <= UINT64_MAX - s->size)
			return dsm_bad(r,
				       "section %u (%s) ends at %" PRIu64
				       ", beyond the end of the file (%" PRIu64 " bytes)",
				       i, name, s->offset + s->size, r->size);
		return dsm_bad(r,
			       "section %u (%s) at offset %" PRIu64 " with size %" PRIu64
			       " extends beyond the end of the file (%" PRIu64 " bytes)",
			       i, name, s->offset, s->size, r->size);
	}
	if (s->offset % align != 0)
		return dsm_bad(r,
			       "section %u (%s) offset %" PRIu64 " is not %" PRIu64 "-byte aligned",
			       i, name, s->offset, align);
	if (s->kind >= DSM_NUM_KNOWN_KINDS || s->kind == 0)
		return SA_OK; /* a later minor version's section: skipped */

	if (r->present[s->kind])
		return dsm_bad(r, "section %u is a second %s section (the first is section %u)", i,
			       name, r->index[s->kind]);
	uint32_t known = known_entry_size[s->kind];
	if (known == 0 && s->entry_size != 0)
		return dsm_bad(r, "section %u (%s) is a blob but has entry_size %u (must be 0)", i,
			       name, s->entry_size);
	if (known != 0) {
		if (s->entry_size < known)
			return dsm_bad(r,
				       "section %u (%s) entry_size %u is smaller than the %u-byte "
				       "record this library reads",
				       i, name, s->entry_size, known);
		if (s->size % s->entry_size != 0)
			return dsm_bad(r,
				       "section %u (%s) size %" PRIu64
				       " is not a multiple of its entry_size %u",
				       i, name, s->size, s->entry_size);
	}
	r->present[s->kind] = 1;
	r->index[s->kind] = i;
	r->sec[s->kind] = *s;
	return SA_OK;
}

static sa_status read_section_table(struct dsm_reader *r)
{
	const struct dsm_header *h = &r->hdr;
	uint64_t off = h->section_table_offset;
	uint32_t count = h->section_count;

	if (off % DSM_SECTION_ALIGN != 0)
		return dsm_bad(r, "section table offset %" PRIu64 " is not %d-byte aligned", off,
			       DSM_SECTION_ALIGN);
	if (off < h->header_size)
		return dsm_bad(r, "section table offset %" PRIu64 " lies inside the %u-byte header",
			       off, h->header_size);
	if (off > r->size || count > (r->size - off) / sizeof(struct dsm_section))
		return dsm_bad(r,
			       "section table (%u entries at offset %" PRIu64
			       ") extends beyond the end of the file (%" PRIu64 " bytes)",
			       count, off, r->size);

	struct file_range *ranges = calloc((size_t)count + 2, sizeof(*ranges));
	if (!ranges)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory for %u sections", r->m->name,
			       count);
	size_t n = 0;
	ranges[n++] = (struct file_range){0, h->header_size, RANGE_HEADER};
	if (count > 0)
		ranges[n++] = (struct file_range){
			off, off + (uint64_t)count * sizeof(struct dsm_section), RANGE_TABLE};
	sa_status st = SA_OK;
	for (uint32_t i = 0; i < count && st == SA_OK; i++) {
		struct dsm_section s;
		memcpy(&s, r->base + off + (uint64_t)i * sizeof(s), sizeof(s));
		st = check_section(r, i, &s);
		if (s.size > 0)
			ranges[n++] = (struct file_range){s.offset, s.offset + s.size, i};
	}
	if (st == SA_OK)
		st = check_overlaps(r, ranges, n);
	free(ranges);
	if (st != SA_OK)
		return st;

	static const uint32_t required[] = {DSM_SEC_STRINGS, DSM_SEC_TENSORS, DSM_SEC_NODES,
					    DSM_SEC_GRAPH};
	for (size_t k = 0; k < sizeof(required) / sizeof(required[0]); k++) {
		if (!r->present[required[k]])
			return dsm_bad(r, "required section %s is missing",
				       dsm_section_name(required[k]));
	}
	return SA_OK;
}

static sa_status read_strings(struct dsm_reader *r)
{
	const struct dsm_section *s = &r->sec[DSM_SEC_STRINGS];

	r->strings = (const char *)r->base + s->offset;
	r->strings_size = s->size;
	if (s->size == 0 || r->strings[s->size - 1] != '\0')
		return dsm_bad(r, "section %u (STRINGS) does not end with a NUL byte",
			       r->index[DSM_SEC_STRINGS]);
	if (!dsm_utf8_valid(r->strings, s->size))
		return dsm_bad(r, "section %u (STRINGS) is not valid UTF-8",
			       r->index[DSM_SEC_STRINGS]);
	return SA_OK;
}

/* The string with this id (a byte offset); the table ends with NUL, so it is terminated. */
sa_status dsm_string_at(const struct dsm_reader *r, uint32_t id, const char *what, const char **out)
{
	if (id >= r->strings_size)
		return dsm_bad(r,
			       "%s: string id %u is outside the string table (%" PRIu64 " bytes)",
			       what, id, r->strings_size);
	*out = r->strings + id;
	return SA_OK;
}

static int str_ptr_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static sa_status read_meta(struct dsm_reader *r)
{
	struct sa_model *m = r->m;

	if (!r->present[DSM_SEC_META])
		return SA_OK;
	uint32_t n = dsm_record_count(r, DSM_SEC_META);
	if (n == 0)
		return SA_OK;
	m->meta_keys = calloc(n, sizeof(*m->meta_keys));
	m->meta_values = calloc(n, sizeof(*m->meta_values));
	if (!m->meta_keys || !m->meta_values)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory for %u metadata entries",
			       m->name, n);
	for (uint32_t i = 0; i < n; i++) {
		struct dsm_meta rec;
		char what[48];
		sa_status st;

		dsm_record_read(r, DSM_SEC_META, i, &rec, sizeof(rec));
		snprintf(what, sizeof(what), "metadata entry %u key", i);
		if ((st = dsm_string_at(r, rec.key, what, &m->meta_keys[i])) != SA_OK)
			return st;
		snprintf(what, sizeof(what), "metadata entry %u value", i);
		if ((st = dsm_string_at(r, rec.value, what, &m->meta_values[i])) != SA_OK)
			return st;
		if (m->meta_keys[i][0] == '\0')
			return dsm_bad(r, "metadata entry %u has an empty key", i);
		const char *allowed = dsm_meta_value_rule(m->meta_keys[i], m->meta_values[i]);
		if (allowed)
			return dsm_bad(r, "metadata %s is \"%.64s\"; it must be %s",
				       m->meta_keys[i], m->meta_values[i], allowed);
	}
	m->num_meta = n;

	/* Keys are unique, so sa_model_meta() has one answer. */
	const char **sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", m->name);
	memcpy(sorted, m->meta_keys, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), str_ptr_cmp);
	for (uint32_t i = 1; i < n; i++) {
		if (strcmp(sorted[i - 1], sorted[i]) == 0) {
			sa_status st = dsm_bad(r, "metadata key \"%.64s\" appears more than once",
					       sorted[i]);
			free(sorted);
			return st;
		}
	}
	free(sorted);
	return SA_OK;
}

/* Index of the first invalid code of a packed SHIFT tensor, or count for bad trailing bits. */
static uint64_t first_bad_code(const uint8_t *data, uint64_t count, unsigned bits)
{
	unsigned sign = 1u << (bits - 1), mask = (1u << bits) - 1;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t bit = i * bits;
		unsigned window = data[bit / 8];
		if ((bit % 8) + bits > 8)
			window |= (unsigned)data[bit / 8 + 1] << 8;
		if (((window >> (bit % 8)) & mask) == sign)
			return i;
	}
	return count;
}

/* Every code decodes (no negative zero) and the bits after the last code are zero. */
static sa_status check_shift_codes(struct dsm_reader *r, uint32_t i, const char *name,
				   const uint8_t *data, uint64_t count, unsigned bits)
{
	enum { CHUNK = 4096 }; /* a multiple of 8 codes, so chunks start on byte boundaries */
	int8_t buf[CHUNK];

	for (uint64_t done = 0; done < count; done += CHUNK) {
		size_t n = count - done < CHUNK ? (size_t)(count - done) : CHUNK;
		if (sa_weight_unpack(data + done / 8 * bits, n, bits, buf) == 0)
			continue;
		uint64_t bad = first_bad_code(data, count, bits);
		if (bad < count)
			return dsm_bad(r,
				       "tensor %u (%s): weight code %" PRIu64
				       " is a negative zero (sign bit set, magnitude 0)",
				       i, name, bad);
		return dsm_bad(r,
			       "tensor %u (%s): nonzero trailing bits after the last weight code",
			       i, name);
	}
	return SA_OK;
}

static sa_status read_activation(struct dsm_reader *r, uint32_t i, const struct dsm_tensor *rec,
				 struct sa_model_tensor *t)
{
	const char *name = t->name;

	if (rec->dtype != SA_DTYPE_I8 && rec->dtype != SA_DTYPE_I16)
		return dsm_bad(r, "tensor %u (%s): activation dtype %u is not i8 (1) or i16 (2)", i,
			       name, rec->dtype);
	if (rec->exp < SA_EXP_MIN || rec->exp > SA_EXP_MAX)
		return dsm_bad(r, "tensor %u (%s): exponent %d is outside [%d, %d]", i, name,
			       rec->exp, SA_EXP_MIN, SA_EXP_MAX);
	if (rec->rank != 3 || rec->dims[3] != 0)
		return dsm_bad(r, "tensor %u (%s): an activation has rank 3 ({c, h, w}), not %u", i,
			       name, rec->rank);
	if (rec->dims[0] == 0 || rec->dims[1] == 0 || rec->dims[2] == 0)
		return dsm_bad(r, "tensor %u (%s): dims [%u,%u,%u] include a zero", i, name,
			       rec->dims[0], rec->dims[1], rec->dims[2]);
	if (rec->weight_bits != 0 || rec->data_offset != 0 || rec->data_size != 0)
		return dsm_bad(r,
			       "tensor %u (%s): an activation has weight_bits, data_offset and "
			       "data_size 0",
			       i, name);
	/* Activations are allocated by sessions: a tiny file must not declare gigabytes. */
	uint64_t elems = (uint64_t)rec->dims[0] * rec->dims[1];
	if (elems > SA_MAX_ACTIVATION_ELEMS || elems * rec->dims[2] > SA_MAX_ACTIVATION_ELEMS)
		return dsm_bad(r, "tensor %u (%s): activation %ux%ux%u has more than %u elements",
			       i, name, rec->dims[0], rec->dims[1], rec->dims[2],
			       SA_MAX_ACTIVATION_ELEMS);
	t->elems = elems * rec->dims[2];
	t->shape =
		(struct sa_shape){rec->dims[0], rec->dims[1], rec->dims[2], rec->dtype, rec->exp};
	return SA_OK;
}

static sa_status read_constant(struct dsm_reader *r, uint32_t i, const struct dsm_tensor *rec,
			       struct sa_model_tensor *t)
{
	const char *name = t->name;

	if (rec->exp != 0)
		return dsm_bad(r, "tensor %u (%s): a constant has exp 0, not %d", i, name,
			       rec->exp);
	if (rec->rank < 1 || rec->rank > 4)
		return dsm_bad(r, "tensor %u (%s): rank %u is outside 1..4", i, name, rec->rank);
	uint64_t elems = 1;
	for (uint32_t d = 0; d < 4; d++) {
		if (d >= rec->rank) {
			if (rec->dims[d] != 0)
				return dsm_bad(r, "tensor %u (%s): unused dim %u is not zero", i,
					       name, d);
			continue;
		}
		if (rec->dims[d] == 0)
			return dsm_bad(r, "tensor %u (%s): dim %u is zero", i, name, d);
		elems *= rec->dims[d]; /* < 2^28 * 2^32: cannot wrap */
		if (elems > DSM_MAX_TENSOR_ELEMS)
			return dsm_bad(r, "tensor %u (%s): more than %u elements", i, name,
				       DSM_MAX_TENSOR_ELEMS);
	}

	uint64_t expect;
	if (rec->dtype == SA_DTYPE_SHIFT) {
		if (rec->weight_bits < SA_WEIGHT_BITS_MIN || rec->weight_bits > SA_WEIGHT_BITS_MAX)
			return dsm_bad(r, "tensor %u (%s): weight_bits %u is outside %d..%d", i,
				       name, rec->weight_bits, SA_WEIGHT_BITS_MIN,
				       SA_WEIGHT_BITS_MAX);
		expect = sa_weight_packed_size(elems, rec->weight_bits);
	} else if (rec->dtype == SA_DTYPE_I32) {
		if (rec->weight_bits != 0)
			return dsm_bad(r, "tensor %u (%s): an i32 tensor has weight_bits 0", i,
				       name);
		expect = elems * 4;
	} else {
		return dsm_bad(r, "tensor %u (%s): constant dtype %u is not shift (4) or i32 (3)",
			       i, name, rec->dtype);
	}
	if (rec->data_size != expect)
		return dsm_bad(r,
			       "tensor %u (%s): data_size is %" PRIu64 " but %" PRIu64
			       " %s elements take %" PRIu64 " bytes",
			       i, name, rec->data_size, elems, dsm_dtype_name(rec->dtype), expect);
	if (!r->present[DSM_SEC_DATA])
		return dsm_bad(r, "tensor %u (%s): constant data but the file has no DATA section",
			       i, name);
	const struct dsm_section *data = &r->sec[DSM_SEC_DATA];
	if (rec->data_offset % DSM_DATA_ALIGN != 0)
		return dsm_bad(r, "tensor %u (%s): data_offset %" PRIu64 " is not %d-byte aligned",
			       i, name, rec->data_offset, DSM_DATA_ALIGN);
	if (rec->data_offset > data->size || rec->data_size > data->size - rec->data_offset)
		return dsm_bad(r,
			       "tensor %u (%s): data at offset %" PRIu64 " size %" PRIu64
			       " lies outside the DATA section (%" PRIu64 " bytes)",
			       i, name, rec->data_offset, rec->data_size, data->size);

	t->elems = elems;
	t->data = r->base + data->offset + rec->data_offset;
	t->data_size = rec->data_size;
	if (rec->dtype == SA_DTYPE_SHIFT)
		return check_shift_codes(r, i, name, t->data, elems, rec->weight_bits);
	return SA_OK;
}

static sa_status read_tensors(struct dsm_reader *r)
{
	struct sa_model *m = r->m;
	uint32_t n = dsm_record_count(r, DSM_SEC_TENSORS);

	if (n == 0)
		return dsm_bad(r, "section TENSORS holds no tensors");
	m->tensors = calloc(n, sizeof(*m->tensors));
	if (!m->tensors)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory for %u tensors", m->name, n);
	m->num_tensors = n;
	uint64_t activation_total = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct sa_model_tensor *t = &m->tensors[i];
		struct dsm_tensor rec;
		char what[32];
		sa_status st;

		dsm_record_read(r, DSM_SEC_TENSORS, i, &rec, sizeof(rec));
		snprintf(what, sizeof(what), "tensor %u name", i);
		if ((st = dsm_string_at(r, rec.name, what, &t->name)) != SA_OK)
			return st;
		if (rec.reserved != 0)
			return dsm_bad(r, "tensor %u (%s): reserved field is not zero", i, t->name);
		t->kind = rec.kind;
		t->dtype = rec.dtype;
		t->weight_bits = rec.weight_bits;
		t->rank = rec.rank;
		memcpy(t->dims, rec.dims, sizeof(t->dims));
		if (rec.kind == DSM_TENSOR_ACTIVATION) {
			st = read_activation(r, i, &rec, t);
			activation_total += st == SA_OK ? t->elems : 0;
			if (activation_total > SA_MAX_ACTIVATION_TOTAL)
				st = dsm_bad(r,
					     "tensor %u (%s): the activations together exceed %u "
					     "elements",
					     i, t->name, SA_MAX_ACTIVATION_TOTAL);
		} else if (rec.kind == DSM_TENSOR_CONSTANT)
			st = read_constant(r, i, &rec, t);
		else
			st = dsm_bad(r,
				     "tensor %u (%s): unknown kind %u (1 activation, 2 constant)",
				     i, t->name, rec.kind);
		if (st != SA_OK)
			return st;
	}
	return SA_OK;
}

sa_status dsm_parse(struct sa_model *m)
{
	struct dsm_reader r = {.m = m, .base = m->map, .size = m->map_size};
	sa_status st;

	if ((st = read_header(&r)) != SA_OK || (st = read_section_table(&r)) != SA_OK ||
	    (st = read_strings(&r)) != SA_OK || (st = read_meta(&r)) != SA_OK ||
	    (st = read_tensors(&r)) != SA_OK || (st = dsm_read_graph(&r)) != SA_OK)
		return st;
	return SA_OK;
}
