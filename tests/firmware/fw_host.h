/* SPDX-License-Identifier: MIT */
/*
 * The driver's side of the firmware, played by a host program against the
 * card model (emulator/card.h through tests/emulator/card_harness.h): load
 * the real image, boot it, talk the mailbox protocol, build page tables in
 * fake host memory, create queues, write rings, ring doorbells, and run the
 * card (advancing card time to its next deadline whenever it idles, so the
 * heartbeat and the wait polling work as on a real clock).
 */
#ifndef FW_HOST_H
#define FW_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "../../uapi/shiftaccel_fw.h"
#include "../emulator/card_harness.h"

#define FWH_MAX_EVENTS 256
#define FWH_MAX_CTX 8

/* One context's address space: page-table root and a VA bump allocator. */
struct fwh_ctx {
	uint32_t id;
	uint64_t root; /* bus address of the top table */
	uint64_t next_va;
};

struct fwh {
	struct harness *h;
	struct sa_fw_header image;
	struct sa_fw_boot_report boot;
	uint8_t token;
	uint32_t events[FWH_MAX_EVENTS][SA_MBOX_WORDS];
	uint32_t event_count;
	struct fwh_ctx ctx[FWH_MAX_CTX];
};

/* A queue as the driver sets it up: ring, status block, fence page. */
struct fwh_queue {
	uint32_t id, ctx, entries, tail, vector;
	uint64_t ring_va, status_va, fence_va;
	uint64_t ring_bus, status_bus, fence_bus;
};

/* $SA_BUILD/firmware/shiftaccel-fw.bin (or build/...). */
const char *fwh_image_path(void);
/*
 * Creates a card (`queues` doorbells, debug block if `debug`), loads the
 * image through the BAR0 windows, releases the CP and waits for the boot
 * report.  NULL (with a message on stderr) if any step fails.
 */
struct fwh *fwh_create(uint32_t queues, bool debug);
void fwh_destroy(struct fwh *f);
/* Loads the image again (CP held in reset first) and waits for the boot report. */
bool fwh_load_and_boot(struct fwh *f);
/* Releases the CP again without reloading (IRAM is kept across a CP reset). */
bool fwh_restart(struct fwh *f);

/* Runs the card until `done(arg)` or `max_instructions`; true if done. */
bool fwh_run_until(struct fwh *f, bool (*done)(struct fwh *f, void *arg), void *arg,
		   uint64_t max_instructions);
/* Runs until the card is idle with no deadline within `horizon_ns` of card time. */
void fwh_settle(struct fwh *f, uint64_t horizon_ns);

/* Request/reply; returns the status word, or -1 without a matching reply. */
int fwh_request(struct fwh *f, uint16_t type, const void *payload, uint32_t words, uint32_t *reply);
uint32_t fwh_count_events(struct fwh *f, uint16_t type, uint32_t *last_payload);

/* Contexts and device memory. */
struct fwh_ctx *fwh_context(struct fwh *f, uint32_t id);
/* Tells a restarted firmware about an existing context (same page tables). */
int fwh_context_recreate(struct fwh *f, const struct fwh_ctx *c);
/* Maps `len` bytes of fresh host memory at the next VA of ctx; returns the VA. */
uint64_t fwh_alloc(struct fwh *f, struct fwh_ctx *c, uint64_t len, uint64_t perms, uint64_t *bus);
void *fwh_ptr(struct fwh *f, uint64_t bus);

/* Queues. */
int fwh_queue(struct fwh *f, struct fwh_queue *q, uint32_t id, struct fwh_ctx *c, uint32_t prio,
	      uint32_t entries);
/*
 * Re-creates q on a restarted firmware, resuming at ring index `start` (the
 * last completed index the driver saw); the next fwh_ring() hands it the
 * descriptors written since.
 */
int fwh_queue_recreate(struct fwh *f, struct fwh_queue *q, uint32_t prio, uint32_t start);
void fwh_push(struct fwh *f, struct fwh_queue *q, const struct sa_hw_desc *d);
void fwh_ring(struct fwh *f, struct fwh_queue *q);
struct sa_hw_queue_status *fwh_status(struct fwh *f, const struct fwh_queue *q);
uint64_t *fwh_fences(struct fwh *f, const struct fwh_queue *q);
/* Runs until q's status block shows `completed` or a fault; true if completed. */
bool fwh_wait_completed(struct fwh *f, const struct fwh_queue *q, uint32_t completed);

#endif /* FW_HOST_H */
