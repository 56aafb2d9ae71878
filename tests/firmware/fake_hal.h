/* SPDX-License-Identifier: MIT */
/*
 * A fake of the firmware's hardware access layer (firmware/hal.h) for the
 * native unit tests: a functional model of what the firmware sees, with
 * every action logged and every failure injectable.  Device memory is a set
 * of regions per MMU context; the tensor engine checks and logs commands
 * (it computes nothing: the arithmetic is the emulator's business); the DMA
 * engine moves bytes.  Engines finish at once unless told to stay busy.
 */
#ifndef FAKE_HAL_H
#define FAKE_HAL_H

#include <stdbool.h>
#include <stdint.h>

#include "../../firmware/hal.h"

#define FAKE_MAX_REGIONS 64
#define FAKE_MAX_LOG 4096

struct fake_region {
	uint32_t ctx;
	uint64_t va, len;
	uint32_t perms; /* SA_PTE_READ | SA_PTE_WRITE */
	uint8_t *mem;
};

/* One engine action, in order. */
struct fake_op {
	uint32_t engine; /* 1 TE, 2 DMA */
	uint32_t op;	 /* SA_OP_* for the TE, SA_DMA_OP_* for the DMA */
	uint32_t ctx;
	uint64_t src, dst, len, value;
	uint32_t flags, vector;
	uint32_t error; /* SA_ENGINE_ERR_* it ended with */
	struct sa_hw_layer layer;
};

struct fake_hw {
	/* Capability block. */
	uint32_t num_queues, queue_vectors, ops;

	/* Mailbox. */
	uint32_t h2f[SA_MBOX_WORDS], f2h[SA_MBOX_WORDS];
	bool h2f_full, f2h_full;

	/* Doorbells, interrupt controller, MSI-X. */
	uint64_t db_pending;
	uint32_t db_tail[SA_HW_MAX_QUEUES];
	uint32_t irq_pending, irq_enable;
	uint32_t msi[FAKE_MAX_LOG], msi_count;

	/* Time and counters. */
	uint64_t now_ns, timer_deadline, cycles, instret;
	uint64_t cycle_step; /* hal_cycles() advances by this (default 7) */
	uint32_t wdt_timeout_us, wdt_kicks, heartbeats, waits;
	bool wdt_enabled;

	/* MMU. */
	uint64_t ctx_root[SA_HW_NUM_CONTEXTS];
	bool ctx_valid[SA_HW_NUM_CONTEXTS];
	uint32_t invalidations;
	struct sa_hw_fault_record faults[SA_HW_FAULT_RING_SIZE];
	uint32_t fault_count;
	struct fake_region regions[FAKE_MAX_REGIONS];
	uint32_t num_regions;

	/* Engines. */
	uint32_t te_status, te_fault_seq, dma_status, dma_fault_seq;
	uint64_t te_last_cycles;
	uint32_t te_fail_next, dma_fail_next; /* SA_ENGINE_ERR_* for the next op, once */
	uint32_t dma_fail_after; /* fail the DMA op after this many more succeed (0: off) */
	uint32_t busy_waits;	 /* each op stays BUSY for this many hal_wait() calls */
	uint32_t te_busy_left, dma_busy_left;
	uint64_t te_cycles_per_op;
	struct fake_op log[FAKE_MAX_LOG];
	uint32_t log_count;

	/* Code for the self-check. */
	uint8_t code[256];
	struct sa_fw_trailer trailer;

	uint32_t fatal_code;
	bool fatal;
};

extern struct fake_hw fake;

/* Back to power-on: 16 queues, 8 queue vectors, every op, valid code trailer. */
void fake_reset(void);
/* Maps [va, va + len) of `ctx` to fresh zeroed memory; returns it. */
uint8_t *fake_map(uint32_t ctx, uint64_t va, uint64_t len, uint32_t perms);
/* Host pointer of a mapped VA (NULL if unmapped). */
uint8_t *fake_ptr(uint32_t ctx, uint64_t va);

/* The host side. */
void fake_doorbell(uint32_t queue, uint32_t tail);
void fake_host_send(const uint32_t *words);
/* Takes the firmware's message if there is one (and ACKs it). */
bool fake_host_recv(uint32_t *words);

/* Log queries. */
uint32_t fake_count_ops(uint32_t engine, uint32_t op);

#endif /* FAKE_HAL_H */
