// SPDX-License-Identifier: MIT
/*
 * Engine runner: drives the tensor engine and the DMA engine from CP code
 * the way firmware will, one job per mailbox message.  Word 0 is the job:
 *   1 TE      word 1 = CP address of a struct sa_hw_te_cmd in DRAM
 *   2 DMA     word 1 = CP address of 11 words in DRAM: op, flags, src lo/hi,
 *             dst lo/hi, len, ctx, value lo/hi, vector
 *   3 DESC    word 1 = context, words 2/3 = device VA of a struct sa_hw_desc
 *             with a layer op, word 4 = MSI-X vector: fetch it by DMA, run
 *             it on the TE, then write its fence (and interrupt) by DMA
 * The reply: word 0 = job, 1 = status, 2/3 = TE cycles, 4 = fault sequence.
 */
#include "cp.h"

#define TE(reg) (SA_CP_TE_BASE + (reg))
#define DMA(reg) (SA_CP_DMA_BASE + (reg))

static struct sa_hw_desc desc;

static uint32_t wait_engine(uint32_t status_addr, uint32_t cause)
{
	for (;;) {
		uint32_t status = rd(status_addr);

		if (SA_ENGINE_STATE(status) != SA_ENGINE_BUSY) {
			wr(SA_CP_INTC_BASE + SA_CP_INTC_PENDING, cause);
			return status;
		}
		wfi();
	}
}

static uint32_t run_te(const uint32_t *cmd)
{
	for (unsigned int i = 0; i < sizeof(struct sa_hw_te_cmd) / 4; i++)
		wr(TE(SA_CP_TE_CMD) + 4 * i, cmd[i]);
	wr(TE(SA_CP_TE_CTRL), SA_ENGINE_CTRL_START);
	return wait_engine(TE(SA_CP_TE_STATUS), SA_CP_IRQ_TE_DONE);
}

static uint32_t run_dma(const uint32_t *job)
{
	static const uint32_t regs[] = {
		SA_CP_DMA_OP,	    SA_CP_DMA_FLAGS,	SA_CP_DMA_SRC_LO, SA_CP_DMA_SRC_HI,
		SA_CP_DMA_DST_LO,   SA_CP_DMA_DST_HI,	SA_CP_DMA_LEN,	  SA_CP_DMA_CTX,
		SA_CP_DMA_VALUE_LO, SA_CP_DMA_VALUE_HI, SA_CP_DMA_VECTOR,
	};

	for (unsigned int i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		wr(DMA(regs[i]), job[i]);
	wr(DMA(SA_CP_DMA_CTRL), SA_ENGINE_CTRL_START);
	return wait_engine(DMA(SA_CP_DMA_STATUS), SA_CP_IRQ_DMA_DONE);
}

static uint32_t run_desc(uint32_t ctx, uint64_t va, uint32_t vector)
{
	uint32_t job[11] = {SA_DMA_OP_TO_DRAM,
			    0,
			    (uint32_t)va,
			    (uint32_t)(va >> 32),
			    (uint32_t)(uintptr_t)&desc,
			    0,
			    sizeof(desc),
			    ctx,
			    0,
			    0,
			    0};
	const uint32_t *layer = (const uint32_t *)&desc.u.layer;
	uint32_t status = run_dma(job);

	if (SA_ENGINE_STATE(status) != SA_ENGINE_DONE)
		return status;
	if (!SA_OP_IS_LAYER(desc.opcode))
		return SA_ENGINE_ERROR | SA_ENGINE_ERR_BAD_OP << 8;
	/* The TE command is the descriptor's layer body under the queue's context. */
	wr(TE(SA_CP_TE_CMD), desc.opcode | ctx << 16);
	wr(TE(SA_CP_TE_CMD) + 4, 0);
	for (unsigned int i = 0; i < sizeof(desc.u.layer) / 4; i++)
		wr(TE(SA_CP_TE_CMD) + 8 + 4 * i, layer[i]);
	wr(TE(SA_CP_TE_CTRL), SA_ENGINE_CTRL_START);
	status = wait_engine(TE(SA_CP_TE_STATUS), SA_CP_IRQ_TE_DONE);
	if (SA_ENGINE_STATE(status) != SA_ENGINE_DONE || !(desc.flags & SA_DESC_F_FENCE))
		return status;
	job[0] = SA_DMA_OP_FENCE;
	job[1] = (desc.flags & SA_DESC_F_IRQ) ? SA_DMA_F_IRQ : 0;
	job[4] = (uint32_t)desc.fence_addr;
	job[5] = (uint32_t)(desc.fence_addr >> 32);
	job[6] = 8;
	job[7] = ctx << 16;
	job[8] = (uint32_t)desc.fence_value;
	job[9] = (uint32_t)(desc.fence_value >> 32);
	job[10] = vector;
	uint32_t fence = run_dma(job);

	return SA_ENGINE_STATE(fence) == SA_ENGINE_DONE ? status : fence;
}

int main(void)
{
	wr(SA_CP_INTC_BASE + SA_CP_INTC_ENABLE,
	   SA_CP_IRQ_MBOX_H2F | SA_CP_IRQ_MBOX_F2H_ACK | SA_CP_IRQ_TE_DONE | SA_CP_IRQ_DMA_DONE);
	mie_set(MIE_MEIE);
	for (;;) {
		uint32_t msg[5], reply[5];

		wait_h2f();
		for (unsigned int i = 0; i < 5; i++)
			msg[i] = rd(SA_CP_MBOX_BASE + SA_CP_MBOX_H2F_DATA + 4 * i);
		wr(SA_CP_MBOX_BASE + SA_CP_MBOX_H2F_CTRL, SA_MBOX_CTRL_ACK);
		reply[0] = msg[0];
		reply[1] = SA_ENGINE_ERROR | SA_ENGINE_ERR_BAD_OP << 8;
		reply[4] = 0;
		if (msg[0] == 1) {
			reply[1] = run_te((const uint32_t *)(uintptr_t)msg[1]);
			reply[4] = rd(TE(SA_CP_TE_FAULT_SEQ));
		} else if (msg[0] == 2) {
			reply[1] = run_dma((const uint32_t *)(uintptr_t)msg[1]);
			reply[4] = rd(DMA(SA_CP_DMA_FAULT_SEQ));
		} else if (msg[0] == 3) {
			reply[1] = run_desc(msg[1], (uint64_t)msg[3] << 32 | msg[2], msg[4]);
		}
		reply[2] = rd(TE(SA_CP_TE_LAST_CYCLES_LO));
		reply[3] = rd(TE(SA_CP_TE_LAST_CYCLES_HI));
		send_f2h(reply, 5);
	}
}
