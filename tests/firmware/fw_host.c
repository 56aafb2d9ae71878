// SPDX-License-Identifier: MIT
/*
 * Driver-side helpers of the firmware integration tests (fw_host.h).
 */
#include "fw_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/fwimage.h"

/* The last reply taken from the mailbox. */
static uint32_t reply_msg[SA_MBOX_WORDS];
static bool have_reply;

const char *fwh_image_path(void)
{
	static char path[512];
	const char *dir = getenv("SA_BUILD");

	snprintf(path, sizeof(path), "%s/firmware/shiftaccel-fw.bin", dir ? dir : "build");
	return path;
}

static uint8_t *read_image(const char *path, size_t *size)
{
	FILE *file = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!file) {
		fprintf(stderr, "  firmware image %s is missing (make firmware builds it)\n", path);
		return NULL;
	}
	if (fseek(file, 0, SEEK_END) == 0 && (n = ftell(file)) > 0 &&
	    fseek(file, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, file) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*size = (size_t)n;
	}
	fclose(file);
	if (!buf)
		fprintf(stderr, "  cannot read %s\n", path);
	return buf;
}

/* Takes one F2H message if there is one: replies aside, events into the log. */
static bool take_message(struct fwh *f)
{
	uint32_t m[SA_MBOX_WORDS];

	if (!(h_rd32(f->h, SA_REG_MBOX_F2H_CTRL) & SA_MBOX_STATUS_FULL))
		return false;
	for (unsigned int i = 0; i < SA_MBOX_WORDS; i++)
		m[i] = h_rd32(f->h, SA_REG_MBOX_F2H_DATA + 4 * i);
	h_wr32(f->h, SA_REG_EVENT_CAUSE, SA_EVENT_MBOX_F2H);
	h_wr32(f->h, SA_REG_MBOX_F2H_CTRL, SA_MBOX_CTRL_ACK);
	if (SA_FW_MSG_TYPE(m[0]) & SA_FW_MSG_REPLY) {
		memcpy(reply_msg, m, sizeof(m));
		have_reply = true;
	} else if (f->event_count < FWH_MAX_EVENTS) {
		memcpy(f->events[f->event_count++], m, sizeof(m));
	}
	return true;
}

bool fwh_run_until(struct fwh *f, bool (*done)(struct fwh *f, void *arg), void *arg,
		   uint64_t max_instructions)
{
	const uint64_t slice = 20000;

	for (uint64_t used = 0; used < max_instructions; used += slice) {
		bool busy;

		while (take_message(f))
			;
		if (done(f, arg))
			return true;
		busy = sa_card_run(f->h->card, slice);
		if (!busy && !(h_rd32(f->h, SA_REG_MBOX_F2H_CTRL) & SA_MBOX_STATUS_FULL)) {
			/* Idle: let card time jump to whatever it waits for next. */
			uint64_t next = sa_card_next_deadline_ns(f->h->card);

			if (next == UINT64_MAX)
				break;
			h_set_time(f->h, next);
		}
	}
	while (take_message(f))
		;
	return done(f, arg);
}

void fwh_settle(struct fwh *f, uint64_t horizon_ns)
{
	for (int i = 0; i < 100000; i++) {
		uint64_t next;

		while (take_message(f))
			;
		if (sa_card_run(f->h->card, 100000))
			continue;
		if (h_rd32(f->h, SA_REG_MBOX_F2H_CTRL) & SA_MBOX_STATUS_FULL)
			continue;
		next = sa_card_next_deadline_ns(f->h->card);
		if (next == UINT64_MAX || next > f->h->now_ns + horizon_ns)
			return;
		h_set_time(f->h, next);
	}
}

static bool got_reply(struct fwh *f, void *arg)
{
	(void)f;
	(void)arg;
	return have_reply;
}

static bool h2f_free(struct fwh *f, void *arg)
{
	(void)arg;
	return !(h_rd32(f->h, SA_REG_MBOX_H2F_CTRL) & SA_MBOX_STATUS_FULL);
}

int fwh_request(struct fwh *f, uint16_t type, const void *payload, uint32_t words, uint32_t *reply)
{
	uint32_t m[SA_MBOX_WORDS] = {0};
	uint8_t token = f->token++;

	if (!fwh_run_until(f, h2f_free, NULL, 1u << 26))
		return -1;
	m[0] = SA_FW_MSG_WORD0(type, token, words);
	if (words)
		memcpy(m + 1, payload, (size_t)words * 4);
	have_reply = false;
	h_mbox_send(f->h, m, SA_MBOX_WORDS);
	if (!fwh_run_until(f, got_reply, NULL, 1u << 28))
		return -1;
	if (SA_FW_MSG_TYPE(reply_msg[0]) != (type | SA_FW_MSG_REPLY) ||
	    SA_FW_MSG_TOKEN(reply_msg[0]) != token)
		return -1;
	if (reply)
		memcpy(reply, reply_msg + 1, SA_FW_MSG_MAX_PAYLOAD * 4);
	return (int)reply_msg[1];
}

uint32_t fwh_count_events(struct fwh *f, uint16_t type, uint32_t *last_payload)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < f->event_count; i++) {
		if (SA_FW_MSG_TYPE(f->events[i][0]) != type)
			continue;
		n++;
		if (last_payload)
			memcpy(last_payload, f->events[i] + 1, SA_FW_MSG_MAX_PAYLOAD * 4);
	}
	return n;
}

static bool boot_seen(struct fwh *f, void *arg)
{
	uint32_t *before = arg;

	return fwh_count_events(f, SA_FW_EVT_BOOT, NULL) > *before;
}

/* Releases the CP and waits for its boot report. */
static bool release_and_wait(struct fwh *f)
{
	uint32_t before = fwh_count_events(f, SA_FW_EVT_BOOT, NULL);
	uint32_t p[SA_FW_MSG_MAX_PAYLOAD];

	h_wr32(f->h, SA_REG_EVENT_ENABLE, SA_EVENT_ALL);
	h_wr32(f->h, SA_REG_CP_BOOT_ADDR, f->image.entry);
	h_wr32(f->h, SA_REG_CP_CTRL, 0);
	if (!fwh_run_until(f, boot_seen, &before, 1u << 24)) {
		fprintf(stderr, "  no boot report (CP status 0x%x, pc 0x%x, fatal 0x%x)\n",
			h_rd32(f->h, SA_REG_CP_STATUS), h_rd32(f->h, SA_REG_CP_PC),
			h_rd32(f->h, SA_REG_CP_FATAL));
		return false;
	}
	fwh_count_events(f, SA_FW_EVT_BOOT, p);
	memcpy(&f->boot, p, sizeof(f->boot));
	return true;
}

static void copy_segment(struct fwh *f, const uint8_t *image, const struct sa_fw_segment *s,
			 uint64_t window, uint32_t base)
{
	for (uint32_t i = 0; i < s->size; i += 4) {
		uint32_t w;

		memcpy(&w, image + s->offset + i, 4);
		h_wr32(f->h, window + (s->load_addr - base) + i, w);
	}
}

bool fwh_load_and_boot(struct fwh *f)
{
	char why[256];
	size_t size = 0;
	uint8_t *image = read_image(fwh_image_path(), &size);

	if (!image)
		return false;
	if (sa_fw_image_check(image, size, &f->image, why, sizeof(why))) {
		fprintf(stderr, "  %s: %s\n", fwh_image_path(), why);
		free(image);
		return false;
	}
	if (h_rd32(f->h, SA_REG_ID) != SA_HW_ID_MAGIC ||
	    h_rd32(f->h, SA_REG_VERSION) >> 16 != f->image.hw_version >> 16) {
		fprintf(stderr, "  the card is not a ShiftAccel of this spec version\n");
		free(image);
		return false;
	}
	/* The driver's way (docs/hardware.md 4.1): CP in reset, copy, release. */
	h_wr32(f->h, SA_REG_CP_CTRL, SA_CP_CTRL_RESET);
	copy_segment(f, image, &f->image.iram, SA_REG_IRAM_WINDOW, SA_CP_IRAM_BASE);
	copy_segment(f, image, &f->image.dram, SA_REG_DRAM_WINDOW, SA_CP_DRAM_BASE);
	free(image);
	return release_and_wait(f);
}

bool fwh_restart(struct fwh *f)
{
	h_wr32(f->h, SA_REG_CP_CTRL, SA_CP_CTRL_RESET);
	return release_and_wait(f);
}

struct fwh *fwh_create(uint32_t queues, bool debug)
{
	struct fwh *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->h = h_create(queues, debug);
	f->token = 1;
	if (!fwh_load_and_boot(f)) {
		fwh_destroy(f);
		return NULL;
	}
	return f;
}

void fwh_destroy(struct fwh *f)
{
	if (!f)
		return;
	h_destroy(f->h);
	free(f);
}

int fwh_context_recreate(struct fwh *f, const struct fwh_ctx *c)
{
	struct sa_fw_context_create req;

	memset(&req, 0, sizeof(req));
	req.context = c->id;
	req.root_lo = (uint32_t)c->root;
	req.root_hi = (uint32_t)(c->root >> 32);
	return fwh_request(f, SA_FW_MSG_CONTEXT_CREATE, &req, sizeof(req) / 4, NULL);
}

struct fwh_ctx *fwh_context(struct fwh *f, uint32_t id)
{
	struct fwh_ctx *c = NULL;

	for (int i = 0; i < FWH_MAX_CTX && !c; i++) {
		if (f->ctx[i].root == 0)
			c = &f->ctx[i];
	}
	if (!c)
		return NULL;
	c->id = id;
	c->root = h_alloc(f->h, SA_MMU_PAGE_SIZE);
	/* Each context gets its own 4 GiB of VA, so addresses never coincide by accident. */
	c->next_va = 0x100000000ull * (id + 1);
	if (fwh_context_recreate(f, c) != SA_FW_OK) {
		c->root = 0;
		return NULL;
	}
	return c;
}

uint64_t fwh_alloc(struct fwh *f, struct fwh_ctx *c, uint64_t len, uint64_t perms, uint64_t *bus)
{
	uint64_t va = c->next_va;
	uint64_t pages = (len + SA_MMU_PAGE_SIZE - 1) / SA_MMU_PAGE_SIZE;

	*bus = h_map_new(f->h, c->root, va, len ? len : 1, perms | SA_PTE_VALID);
	/* An unmapped guard page after every buffer catches overruns. */
	c->next_va += (pages + 1) * SA_MMU_PAGE_SIZE;
	return va;
}

void *fwh_ptr(struct fwh *f, uint64_t bus)
{
	return h_ptr(f->h, bus);
}

static int create_queue(struct fwh *f, struct fwh_queue *q, uint32_t prio, uint32_t start)
{
	struct sa_fw_queue_create c;

	memset(&c, 0, sizeof(c));
	c.queue = q->id;
	c.context = q->ctx;
	c.ring_lo = (uint32_t)q->ring_va;
	c.ring_hi = (uint32_t)(q->ring_va >> 32);
	c.entries = q->entries;
	c.status_lo = (uint32_t)q->status_va;
	c.status_hi = (uint32_t)(q->status_va >> 32);
	c.vector = q->vector;
	c.priority = prio;
	c.start_index = start;
	return fwh_request(f, SA_FW_MSG_QUEUE_CREATE, &c, sizeof(c) / 4, NULL);
}

int fwh_queue(struct fwh *f, struct fwh_queue *q, uint32_t id, struct fwh_ctx *c, uint32_t prio,
	      uint32_t entries)
{
	memset(q, 0, sizeof(*q));
	q->id = id;
	q->ctx = c->id;
	q->entries = entries;
	q->vector = 1 + id % h_rd32(f->h, SA_REG_QUEUE_VECTORS);
	q->ring_va = fwh_alloc(f, c, (uint64_t)entries * sizeof(struct sa_hw_desc), SA_PTE_READ,
			       &q->ring_bus);
	q->status_va = fwh_alloc(f, c, sizeof(struct sa_hw_queue_status),
				 SA_PTE_READ | SA_PTE_WRITE, &q->status_bus);
	q->fence_va = fwh_alloc(f, c, SA_MMU_PAGE_SIZE, SA_PTE_READ | SA_PTE_WRITE, &q->fence_bus);
	/* Doorbells keep their last tail across CP resets: a new queue starts there. */
	q->tail = (uint32_t)sa_card_mmio_read(f->h->card, SA_BAR_DOORBELL,
					      (uint64_t)id * SA_DOORBELL_PAGE_SIZE, 4);
	return create_queue(f, q, prio, q->tail);
}

int fwh_queue_recreate(struct fwh *f, struct fwh_queue *q, uint32_t prio, uint32_t start)
{
	return create_queue(f, q, prio, start);
}

void fwh_push(struct fwh *f, struct fwh_queue *q, const struct sa_hw_desc *d)
{
	uint64_t slot = q->tail & (q->entries - 1);

	memcpy(fwh_ptr(f, q->ring_bus + slot * sizeof(*d)), d, sizeof(*d));
	q->tail++;
}

void fwh_ring(struct fwh *f, struct fwh_queue *q)
{
	h_doorbell(f->h, q->id, q->tail);
}

struct sa_hw_queue_status *fwh_status(struct fwh *f, const struct fwh_queue *q)
{
	return fwh_ptr(f, q->status_bus);
}

uint64_t *fwh_fences(struct fwh *f, const struct fwh_queue *q)
{
	return fwh_ptr(f, q->fence_bus);
}

struct completion_goal {
	const struct fwh_queue *q;
	uint32_t completed;
};

static bool reached(struct fwh *f, void *arg)
{
	const struct completion_goal *g = arg;
	const struct sa_hw_queue_status *st = fwh_status(f, g->q);

	return st->state == SA_QUEUE_FAULTED || st->completed - g->completed < 0x80000000u;
}

bool fwh_wait_completed(struct fwh *f, const struct fwh_queue *q, uint32_t completed)
{
	struct completion_goal g = {q, completed};

	fwh_run_until(f, reached, &g, 1ull << 34);
	return fwh_status(f, q)->state != SA_QUEUE_FAULTED &&
	       fwh_status(f, q)->completed == completed;
}
