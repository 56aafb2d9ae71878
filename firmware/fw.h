/* SPDX-License-Identifier: MIT */
/*
 * The firmware's state and the interfaces between its parts.  One file per
 * job: boot.c (self-check, boot report), timer.c (heartbeat, watchdog, wait
 * polling), outbox.c and mailbox.c (the protocol of uapi/shiftaccel_fw.h),
 * context.c (MMU contexts), queue.c (queue table, status blocks, faults),
 * doorbell.c (tails), sched.c (which queue runs next), validate.c and
 * validate_layer.c (descriptor rules), engine.c (waiting for the engines),
 * exec.c (running one descriptor), loop.c (the event loop).
 *
 * Everything is single-threaded: the firmware polls its interrupt causes and
 * sleeps with wfi; no interrupt handler ever runs, so no state is shared
 * with one.
 */
#ifndef FW_FW_H
#define FW_FW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal.h"

#define FW_MAX_QUEUES SA_HW_MAX_QUEUES
#define FW_MAX_CONTEXTS SA_HW_NUM_CONTEXTS
/* Opcodes this firmware executes (bit n: opcode n). */
#define FW_OPS_SUPPORTED 0x7feu
#define FW_CAPABILITIES                                                                            \
	(SA_FW_CAP_PRIORITY | SA_FW_CAP_WAIT | SA_FW_CAP_SUSPEND | SA_FW_CAP_COUNTERS |            \
	 SA_FW_CAP_CONFIG | SA_FW_CAP_SELFCHECK | SA_FW_CAP_INVALIDATE)
/* Publish the status block at least every this many descriptors of a busy queue. */
#define FW_STATUS_EVERY 16
/*
 * An engine command is bounded by its limits (2^30 shift-adds, 16 MiB per
 * DMA): far below 2^34 cycles (17 s).  An engine still busy after that is
 * broken, and the firmware halts so the driver resets the card.
 */
#define FW_ENGINE_TIMEOUT_CYCLES (1ull << 34)
#define FW_FATAL_ENGINE_STUCK SA_FW_FATAL_ENGINE_STUCK

/* Why a queue stops: becomes the status block's error fields and the fault event. */
struct fw_fault {
	uint32_t reason; /* SA_FW_FAULT_* */
	uint32_t detail;
	uint32_t stage; /* SA_FW_STAGE_* */
	uint64_t addr;
};

/* A blocked SA_OP_WAIT, kept so that re-checking it costs one 8-byte read. */
struct fw_wait {
	bool valid;
	uint8_t flags; /* the descriptor's SA_DESC_F_* */
	uint32_t tag;
	uint64_t addr, value;
	uint64_t fence_addr, fence_value;
};

struct fw_queue {
	bool created;
	bool waiting; /* its head is an SA_OP_WAIT whose value is not there yet */
	uint8_t priority;
	uint16_t context;
	uint32_t state; /* SA_QUEUE_RUNNING or SA_QUEUE_FAULTED */
	uint32_t vector;
	uint64_t ring; /* device VA */
	uint32_t mask; /* entries - 1 */
	uint64_t status_va;
	uint32_t head, completed, tail;
	uint32_t since_publish; /* descriptors since the status block was written */

	struct fw_fault fault;
	uint32_t fault_index, fault_tag, fault_opcode;
	struct fw_wait wait;

	/* Performance counters (struct sa_fw_counters_reply). */
	uint64_t descriptors, engine_cycles, stall_cycles, cp_instret;
	uint32_t faults, waits;
	uint64_t ready_since; /* device cycle since which it has work and is not served */
};

struct fw_state {
	/* What the card offers (capability block), read at boot. */
	uint32_t num_queues, num_contexts, queue_vectors, ops, hw_version;

	uint32_t ctx_valid[FW_MAX_CONTEXTS / 32];
	struct fw_queue q[FW_MAX_QUEUES];
	uint32_t rr[SA_FW_NUM_PRIORITIES]; /* round-robin cursor per priority level */
	bool suspended;
	bool halted; /* hal_fatal was called (native builds return from it) */

	/* Timing (card time, ns). */
	uint32_t heartbeat_us, watchdog_us, wait_poll_us;
	uint64_t next_heartbeat_ns, next_poll_ns;
	uint32_t heartbeats;

	/* Outgoing mailbox messages waiting for the host's ACK. */
	uint32_t outbox[SA_FW_OUTBOX_DEPTH][SA_MBOX_WORDS];
	uint32_t out_first, out_count;
	uint8_t event_seq;
	uint32_t events_lost, events_lost_reported;

	/* Boot self-check. */
	uint32_t boot_status, build_id, code_crc, code_bytes;
};

extern struct fw_state fw;

/* boot.c */
void fw_init(void);
uint32_t fw_selfcheck(void);
void fw_boot_report(struct sa_fw_boot_report *r);
/* Init, self-check, boot report; false if the firmware halted. */
bool fw_boot(void);

/* timer.c */
void fw_timer_start(void);
/* Heartbeat, watchdog kick and wait polling when due; re-arms the CP timer. */
void fw_timer_service(void);
int fw_timer_config(const struct sa_fw_config *req, struct sa_fw_config *now);

/* outbox.c */
/* Queues a reply (always has room while requests are taken) or an event. */
void fw_reply(uint16_t type, uint8_t token, const void *payload, uint32_t words);
void fw_event(uint16_t type, const void *payload, uint32_t words);
bool fw_outbox_has_reply_room(void);
/* Hands the oldest queued message to the mailbox if the host took the last one. */
void fw_outbox_flush(void);

/* mailbox.c */
void fw_mbox_service(void);
/* The request dispatcher, also for tests: fills reply words, returns their count. */
uint32_t fw_mbox_handle(const uint32_t *msg, uint32_t *reply_type, uint32_t *reply);

/* context.c */
bool fw_context_valid(uint32_t ctx);
int fw_context_create(const struct sa_fw_context_create *req);
int fw_context_destroy(uint32_t ctx);
int fw_context_invalidate(uint32_t ctx);

/* queue.c */
struct fw_queue *fw_queue_get(uint32_t id);
int fw_queue_create(const struct sa_fw_queue_create *req);
int fw_queue_reset(const struct sa_fw_queue_reset *req);
int fw_queue_destroy(uint32_t id);
int fw_queue_status(uint32_t id, struct sa_fw_queue_status_reply *r);
int fw_queue_counters(uint32_t id, struct sa_fw_counters_reply *r);
/* Writes the status block; false (and the queue faulted) if that failed. */
bool fw_queue_publish(struct fw_queue *q);
/* Stops the queue at ring index `index`: records why, publishes it, tells the driver. */
void fw_queue_fault(struct fw_queue *q, const struct fw_fault *f, uint32_t index, uint32_t tag,
		    uint32_t opcode);
uint32_t fw_queue_id(const struct fw_queue *q);
bool fw_queue_has_work(const struct fw_queue *q);

/* doorbell.c */
void fw_doorbell_service(void);
/* Takes a new tail for a queue: false (queue faulted) if it is not valid. */
bool fw_queue_take_tail(struct fw_queue *q, uint32_t tail);

/* sched.c */
struct fw_queue *fw_sched_pick(void);
void fw_sched_wake_waiters(void);
bool fw_sched_any_waiting(void);
/* Runs one descriptor of the next queue; false if nothing was runnable. */
bool fw_sched_step(void);

/* validate.c, validate_layer.c: 0 if valid, else fills *f (stage VALIDATE). */
int fw_validate(const struct sa_hw_desc *d, uint32_t ops, struct fw_fault *f);
int fw_validate_layer(uint8_t op, const struct sa_hw_layer *l, struct fw_fault *f);
/* [addr, addr + len) lies inside the 2^39 device VA space. */
bool fw_va_range_ok(uint64_t addr, uint64_t len);
bool fw_all_zero(const void *p, size_t n);
/* Fills *f as a validation fault (reason, offending field, address); returns -1. */
int fw_invalid(struct fw_fault *f, uint32_t reason, uint32_t field, uint64_t addr);

/* engine.c: run a started engine to its end; 0 or fills *f (stage given). */
int fw_te_run(uint8_t op, uint32_t ctx, const struct sa_hw_layer *layer, uint32_t stage,
	      struct fw_fault *f);
int fw_dma_finish(uint32_t stage, struct fw_fault *f);

/* exec.c */
void fw_exec_one(struct fw_queue *q);

/* loop.c: one pass over everything; true if there may be more to do at once. */
bool fw_step(void);
uint32_t fw_irq_mask(void);

#endif /* FW_FW_H */
