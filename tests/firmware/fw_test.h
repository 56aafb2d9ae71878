/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the native firmware tests: play the driver against the
 * firmware logic running on the fake HAL (fake_hal.h).  Device memory of
 * each test queue lives at fixed VAs of its context, so tests can name and
 * inspect it.
 */
#ifndef FW_TEST_H
#define FW_TEST_H

#include <stdbool.h>
#include <stdint.h>

#include "../../firmware/fw.h"
#include "fake_hal.h"

#define T_MAX_EVENTS 256

/* Events received since the last t_boot (SA_MBOX_WORDS words each). */
extern uint32_t t_events[T_MAX_EVENTS][SA_MBOX_WORDS];
extern uint32_t t_event_count;

/* Fresh fake hardware, firmware booted, boot event taken; false if it did not boot. */
bool t_boot(void);
/* Runs the event loop until it is idle, taking every message the firmware sends. */
void t_run(void);
/*
 * Sends a request (payload of `words` words, token chosen by the helper)
 * and runs until the reply comes; copies the reply's payload into reply
 * (if not NULL) and returns its status word, or -1 if no reply came.
 */
int t_request(uint16_t type, const void *payload, uint32_t words, uint32_t *reply);
/* Same with an explicit header word (for malformed requests). */
int t_request_raw(uint32_t word0, const void *payload, uint32_t words, uint32_t *reply_word0,
		  uint32_t *reply);
/* Number of events of a type received, and the last one's payload. */
uint32_t t_count_events(uint16_t type, uint32_t *last_payload);

/* A test queue: ring, status block and fence slots mapped in its context. */
struct t_queue {
	uint32_t id, ctx, entries, tail;
	uint64_t ring_va, status_va, fence_va;
	uint8_t *ring;
	struct sa_hw_queue_status *status;
	uint64_t *fences; /* 512 slots */
};

int t_context(uint32_t ctx);
int t_queue_create(struct t_queue *q, uint32_t id, uint32_t ctx, uint32_t prio, uint32_t entries);
/* Writes d at the queue's tail slot and advances the local tail (no doorbell). */
void t_push(struct t_queue *q, const struct sa_hw_desc *d);
void t_ring(struct t_queue *q);

/* Descriptors.  Layer ones use buffers t_layer_buffers mapped in ctx. */
struct sa_hw_desc t_nop(uint8_t flags, uint64_t fence_va, uint64_t value);
void t_layer_buffers(uint32_t ctx);
/* A valid 2x2/2 max pool [4][8][8] -> [4][4][4] of ctx's layer buffers (tag = tag). */
struct sa_hw_desc t_pool(uint32_t tag);
#define T_IN_VA 0x20000000ull
#define T_OUT_VA 0x20100000ull

#endif /* FW_TEST_H */
