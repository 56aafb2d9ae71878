// SPDX-License-Identifier: MIT
/*
 * Descriptor validation, part 1: the header and the non-layer ops.  The
 * firmware validates its own copy of a descriptor (fetched into CP memory),
 * so userspace cannot change it between the check and its use.  Every
 * address is a device VA of the queue's own context: the firmware programs
 * the engines with that context only, so an address of another context
 * simply does not translate (an MMU fault), and here it only has to lie
 * inside the VA space without wrapping.
 */
#include "fw.h"

#define VA_LIMIT (1ull << SA_MMU_VA_BITS)

bool fw_va_range_ok(uint64_t addr, uint64_t len)
{
	return addr < VA_LIMIT && len <= VA_LIMIT - addr;
}

int fw_invalid(struct fw_fault *f, uint32_t reason, uint32_t field, uint64_t addr)
{
	f->reason = reason;
	f->detail = field;
	f->stage = SA_FW_STAGE_VALIDATE;
	f->addr = addr;
	return -1;
}

bool fw_all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i = 0;

	/* Word by word where aligned: descriptor bodies are most of a descriptor's cost. */
	if (((uintptr_t)b & 3) == 0) {
		const fw_word *w = p;
		uint32_t any = 0;

		for (; i + 4 <= n; i += 4)
			any |= w[i / 4];
		if (any)
			return false;
	}
	for (; i < n; i++) {
		if (b[i])
			return false;
	}
	return true;
}

static bool overlap(uint64_t a, uint64_t b, uint64_t len)
{
	return a < b + len && b < a + len;
}

static int check_copy(const struct sa_hw_desc_copy *c, struct fw_fault *f)
{
	if (!fw_all_zero(c->reserved, sizeof(c->reserved)))
		return fw_invalid(f, SA_FW_FAULT_RESERVED, SA_FW_FIELD_BODY, 0);
	if (c->length == 0)
		return fw_invalid(f, SA_FW_FAULT_PARAMS, SA_FW_FIELD_COPY_LENGTH, 0);
	if (c->length > SA_DMA_MAX_LEN)
		return fw_invalid(f, SA_FW_FAULT_TOO_LARGE, SA_FW_FIELD_COPY_LENGTH, c->length);
	if (!fw_va_range_ok(c->src, c->length))
		return fw_invalid(f, SA_FW_FAULT_ADDRESS, SA_FW_FIELD_COPY_SRC, c->src);
	if (!fw_va_range_ok(c->dst, c->length))
		return fw_invalid(f, SA_FW_FAULT_ADDRESS, SA_FW_FIELD_COPY_DST, c->dst);
	/* The result of an overlapping copy would depend on the engine's order. */
	if (overlap(c->src, c->dst, c->length))
		return fw_invalid(f, SA_FW_FAULT_PARAMS, SA_FW_FIELD_COPY_DST, c->dst);
	return 0;
}

static int check_wait(const struct sa_hw_desc_wait *w, struct fw_fault *f)
{
	if (!fw_all_zero(w->reserved, sizeof(w->reserved)))
		return fw_invalid(f, SA_FW_FAULT_RESERVED, SA_FW_FIELD_BODY, 0);
	if (w->cond != SA_WAIT_GE)
		return fw_invalid(f, SA_FW_FAULT_PARAMS, SA_FW_FIELD_WAIT, w->cond);
	if (w->addr % 8)
		return fw_invalid(f, SA_FW_FAULT_ALIGN, SA_FW_FIELD_WAIT, w->addr);
	if (!fw_va_range_ok(w->addr, 8))
		return fw_invalid(f, SA_FW_FAULT_ADDRESS, SA_FW_FIELD_WAIT, w->addr);
	return 0;
}

/* The layer body is followed by union bytes no op uses: they must be zero. */
static int check_layer_body(const struct sa_hw_desc *d, struct fw_fault *f)
{
	if (!fw_all_zero(d->u.raw + sizeof(d->u.layer), sizeof(d->u.raw) - sizeof(d->u.layer)))
		return fw_invalid(f, SA_FW_FAULT_RESERVED, SA_FW_FIELD_BODY, 0);
	return fw_validate_layer(d->opcode, &d->u.layer, f);
}

int fw_validate(const struct sa_hw_desc *d, uint32_t ops, struct fw_fault *f)
{
	if (d->opcode == SA_OP_INVALID || d->opcode >= SA_OP_COUNT || !(ops & (1u << d->opcode)))
		return fw_invalid(f, SA_FW_FAULT_BAD_OPCODE, SA_FW_FIELD_HEADER, d->opcode);
	if (d->flags & ~SA_DESC_F_ALL)
		return fw_invalid(f, SA_FW_FAULT_BAD_FLAGS, SA_FW_FIELD_HEADER, d->flags);
	if (d->reserved0)
		return fw_invalid(f, SA_FW_FAULT_RESERVED, SA_FW_FIELD_HEADER, d->reserved0);
	if ((d->flags & SA_DESC_F_FENCE) || d->opcode == SA_OP_FENCE) {
		if (d->fence_addr % 8)
			return fw_invalid(f, SA_FW_FAULT_ALIGN, SA_FW_FIELD_FENCE, d->fence_addr);
		if (!fw_va_range_ok(d->fence_addr, 8))
			return fw_invalid(f, SA_FW_FAULT_ADDRESS, SA_FW_FIELD_FENCE, d->fence_addr);
	}
	switch (d->opcode) {
	case SA_OP_COPY: return check_copy(&d->u.copy, f);
	case SA_OP_WAIT: return check_wait(&d->u.wait, f);
	case SA_OP_FENCE:
	case SA_OP_NOP:
		if (!fw_all_zero(d->u.raw, sizeof(d->u.raw)))
			return fw_invalid(f, SA_FW_FAULT_RESERVED, SA_FW_FIELD_BODY, 0);
		return 0;
	default: return check_layer_body(d, f);
	}
}
