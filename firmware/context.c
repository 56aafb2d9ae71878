// SPDX-License-Identifier: MIT
/*
 * MMU contexts: the driver builds each context's page tables in host memory
 * and names their root; the firmware alone programs the card's context
 * table (docs/hardware.md 6.1) and invalidates it, always between two
 * descriptors, so no command ever runs on a half-changed context.
 */
#include "fw.h"

/* Page-table roots are 4 KiB aligned bus addresses of at most 52 bits (PTE format). */
#define ROOT_MASK SA_PTE_ADDR_MASK

bool fw_context_valid(uint32_t ctx)
{
	return ctx < fw.num_contexts && (fw.ctx_valid[ctx / 32] & (1u << (ctx % 32)));
}

int fw_context_create(const struct sa_fw_context_create *req)
{
	uint64_t root = (uint64_t)req->root_hi << 32 | req->root_lo;

	if (req->context >= fw.num_contexts || req->flags || (root & ~ROOT_MASK))
		return SA_FW_E_INVALID;
	if (fw_context_valid(req->context))
		return SA_FW_E_EXISTS;
	hal_mmu_set_context(req->context, root, true);
	hal_mmu_invalidate(req->context);
	fw.ctx_valid[req->context / 32] |= 1u << (req->context % 32);
	return SA_FW_OK;
}

int fw_context_destroy(uint32_t ctx)
{
	if (ctx >= fw.num_contexts)
		return SA_FW_E_INVALID;
	if (!fw_context_valid(ctx))
		return SA_FW_E_NO_CONTEXT;
	for (uint32_t i = 0; i < fw.num_queues; i++) {
		if (fw.q[i].created && fw.q[i].context == ctx)
			return SA_FW_E_BUSY;
	}
	hal_mmu_set_context(ctx, 0, false);
	hal_mmu_invalidate(ctx);
	fw.ctx_valid[ctx / 32] &= ~(1u << (ctx % 32));
	return SA_FW_OK;
}

int fw_context_invalidate(uint32_t ctx)
{
	if (ctx >= fw.num_contexts)
		return SA_FW_E_INVALID;
	if (!fw_context_valid(ctx))
		return SA_FW_E_NO_CONTEXT;
	hal_mmu_invalidate(ctx);
	return SA_FW_OK;
}
