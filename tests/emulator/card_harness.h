/* SPDX-License-Identifier: MIT */
/*
 * Test harness for the card model: plays the host side of emulator/card.h
 * with a bounds-checked fake host memory, a recording MSI sink and a
 * controllable clock, and builds page tables in that memory the way a
 * driver would.  CP-side blocks are reached either through a real CP
 * program (h_load_program, tests/emulator/cp/) or through the model's CP-bus
 * accessors (emulator/card_internal.h).
 */
#ifndef SA_CARD_HARNESS_H
#define SA_CARD_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../emulator/card.h"
#include "../../uapi/shiftaccel_hw.h"

#define H_MEM_BASE 0x80000000ull /* bus address of the fake host memory */
#define H_MEM_SIZE (40u << 20)
#define H_MAX_MSI 4096

struct harness {
	struct sa_card *card;
	uint8_t *mem;
	uint64_t next_free;		 /* bump allocator, bus address */
	unsigned int msi_count;		 /* MSI-X messages received */
	unsigned int msi_log[H_MAX_MSI]; /* their vectors, in order */
	uint64_t watch_bus; /* if not 0: a u64 in host memory sampled at each MSI ... */
	uint64_t watch_at_msi[H_MAX_MSI]; /* ... here (e.g. a fence, to check ordering) */
	unsigned int kicks;
	unsigned int dma_rejected; /* accesses outside the fake memory */
	uint64_t dma_reads;	   /* read requests the card made */
	uint64_t max_dma_len;	   /* largest single host access */
	uint64_t dma_write_bytes;  /* every byte the card wrote to host memory */
	uint64_t now_ns;
};

struct harness *h_create(uint32_t num_queues, bool debug);
void h_destroy(struct harness *h);

/* BAR0 / BAR2 accesses. */
uint32_t h_rd32(struct harness *h, uint64_t offset);
void h_wr32(struct harness *h, uint64_t offset, uint32_t value);
uint64_t h_rd64(struct harness *h, uint64_t offset);
void h_doorbell(struct harness *h, uint32_t queue, uint32_t tail);

/* CP-side registers through the model's CP-bus accessor (aborts on an access fault). */
uint32_t h_cp_rd32(struct harness *h, uint32_t addr);
void h_cp_wr32(struct harness *h, uint32_t addr, uint32_t value);

/* Fake host memory. */
uint64_t h_alloc(struct harness *h, uint64_t size); /* page-aligned, zeroed; aborts if full */
void *h_ptr(struct harness *h, uint64_t bus);
void h_fill_random(struct harness *h, uint64_t bus, size_t len, uint32_t *seed);

/* Page tables.  h_context() creates a root and makes context `ctx` use it. */
uint64_t h_context(struct harness *h, uint32_t ctx);
void h_map(struct harness *h, uint64_t root, uint64_t va, uint64_t bus, uint64_t len,
	   uint64_t perms);
/* Allocates `len` bytes of host memory and maps it at va; returns its bus address. */
uint64_t h_map_new(struct harness *h, uint64_t root, uint64_t va, uint64_t len, uint64_t perms);
/* The PTE slot for va at `level` (allocating intermediate tables). */
uint64_t *h_pte(struct harness *h, uint64_t root, uint64_t va, int level);

/* Running the card. */
void h_set_time(struct harness *h, uint64_t now_ns);
/* Runs until idle or `max_instructions`; returns true if the card went idle. */
bool h_run(struct harness *h, uint64_t max_instructions);

/* Loads $SA_BUILD/cptests/<name>.bin into IRAM and releases the CP; 0 or -1. */
int h_load_program(struct harness *h, const char *name);

/* Mailbox, host side: send a message, and wait (running the card) for the reply. */
void h_mbox_send(struct harness *h, const uint32_t *words, unsigned int n);
bool h_mbox_recv(struct harness *h, uint32_t *words, uint64_t max_instructions);

/* Tensor engine / DMA through the accessor: program, start, run until done; returns status. */
uint32_t h_te_run(struct harness *h, const struct sa_hw_te_cmd *cmd);
void h_te_start(struct harness *h, const struct sa_hw_te_cmd *cmd);
uint32_t h_dma_run(struct harness *h, uint32_t op, uint32_t flags, uint64_t src, uint64_t dst,
		   uint32_t len, uint32_t src_ctx, uint32_t dst_ctx, uint64_t value,
		   uint32_t vector);

/* Fault record `seq` as the host sees it in BAR0. */
void h_fault_record(struct harness *h, uint32_t seq, struct sa_hw_fault_record *rec);

uint32_t h_rand(uint32_t *seed);

#endif /* SA_CARD_HARNESS_H */
