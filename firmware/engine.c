// SPDX-License-Identifier: MIT
/*
 * Waiting for the tensor engine and the DMA engine, and turning their
 * errors into queue faults.  While an engine works the CP sleeps in wfi
 * with only that engine's completion (and the timer, for the heartbeat)
 * enabled, so a doorbell or a mailbox message arriving meanwhile does not
 * keep waking it; they are served at the next descriptor boundary.
 */
#include "fw.h"

static void engine_stuck(uint32_t which, uint32_t status)
{
	struct sa_fw_error e = {.code = SA_FW_ERROR_ENGINE_STUCK};

	e.info[0] = which;
	e.info[1] = status;
	fw_event(SA_FW_EVT_FW_ERROR, &e, sizeof(e) / 4);
	/* Best effort: the host may already have a message pending. */
	fw_outbox_flush();
	fw.halted = true;
	hal_fatal(FW_FATAL_ENGINE_STUCK);
}

/* Returns the engine's final status (BUSY only if it never finished). */
static uint32_t wait_for(uint32_t cause, uint32_t (*status)(void), uint32_t which)
{
	uint64_t start = hal_cycles();
	uint32_t s;

	hal_irq_enable(cause);
	while (SA_ENGINE_STATE(s = status()) == SA_ENGINE_BUSY) {
		if (hal_cycles() - start > FW_ENGINE_TIMEOUT_CYCLES) {
			engine_stuck(which, s);
			break;
		}
		fw_timer_service();
		hal_wait();
	}
	hal_irq_clear(cause);
	hal_irq_enable(fw_irq_mask());
	return s;
}

static int engine_fault(uint32_t status, uint32_t seq, uint32_t stage, struct fw_fault *f)
{
	uint32_t err = SA_ENGINE_ERR(status);

	f->stage = stage;
	f->addr = 0;
	f->detail = err;
	if (SA_ENGINE_STATE(status) == SA_ENGINE_BUSY) {
		f->reason = SA_FW_FAULT_ENGINE;
	} else if (err == SA_ENGINE_ERR_MMU_FAULT) {
		struct sa_hw_fault_record rec;

		f->reason = SA_FW_FAULT_MMU;
		hal_mmu_fault_record(seq, &rec);
		if (rec.sequence == seq) {
			f->addr = rec.address;
			f->detail =
				rec.reason | (uint32_t)rec.access << 8 | (uint32_t)rec.source << 16;
		} else {
			/* Overwritten by 16 later faults: say so rather than guess. */
			f->detail = 1u << 24;
		}
	} else if (err == SA_ENGINE_ERR_BAD_WEIGHTS) {
		f->reason = SA_FW_FAULT_WEIGHTS;
		f->detail = SA_FW_FIELD_WEIGHTS;
	} else {
		f->reason = SA_FW_FAULT_ENGINE;
	}
	return -1;
}

int fw_te_run(uint8_t op, uint32_t ctx, const struct sa_hw_layer *layer, uint32_t stage,
	      struct fw_fault *f)
{
	uint32_t s;

	hal_te_start(op, ctx, layer);
	s = wait_for(SA_CP_IRQ_TE_DONE, hal_te_status, 1);
	if (SA_ENGINE_STATE(s) == SA_ENGINE_DONE)
		return 0;
	return engine_fault(s, hal_te_fault_seq(), stage, f);
}

int fw_dma_finish(uint32_t stage, struct fw_fault *f)
{
	uint32_t s = wait_for(SA_CP_IRQ_DMA_DONE, hal_dma_status, 2);

	if (SA_ENGINE_STATE(s) == SA_ENGINE_DONE)
		return 0;
	return engine_fault(s, hal_dma_fault_seq(), stage, f);
}
