// SPDX-License-Identifier: MIT
/*
 * Driver-side helpers of the native firmware tests (fw_test.h).
 */
#include "fw_test.h"

#include <string.h>

uint32_t t_events[T_MAX_EVENTS][SA_MBOX_WORDS];
uint32_t t_event_count;
static uint32_t reply_msg[SA_MBOX_WORDS];
static bool have_reply;
static uint8_t next_token = 1;

/* Takes whatever the firmware sent: replies aside, events into the log. */
static void take_messages(void)
{
	uint32_t m[SA_MBOX_WORDS];

	while (fake_host_recv(m)) {
		if (SA_FW_MSG_TYPE(m[0]) & SA_FW_MSG_REPLY) {
			memcpy(reply_msg, m, sizeof(m));
			have_reply = true;
		} else if (t_event_count < T_MAX_EVENTS) {
			memcpy(t_events[t_event_count++], m, sizeof(m));
		}
		fw_step();
	}
}

void t_run(void)
{
	for (int i = 0; i < 100000; i++) {
		bool busy = fw_step();

		take_messages();
		if (!busy && !fake.f2h_full && !(fake.irq_pending & fake.irq_enable))
			return;
	}
}

bool t_boot(void)
{
	bool ok;

	fake_reset();
	t_event_count = 0;
	have_reply = false;
	ok = fw_boot();
	take_messages();
	return ok;
}

int t_request_raw(uint32_t word0, const void *payload, uint32_t words, uint32_t *reply_word0,
		  uint32_t *reply)
{
	uint32_t m[SA_MBOX_WORDS] = {word0};

	if (words)
		memcpy(m + 1, payload, (size_t)words * 4);
	have_reply = false;
	fake_host_send(m);
	for (int i = 0; i < 1000 && !have_reply; i++) {
		fw_step();
		take_messages();
	}
	if (!have_reply)
		return -1;
	if (reply_word0)
		*reply_word0 = reply_msg[0];
	if (reply)
		memcpy(reply, reply_msg + 1, SA_FW_MSG_MAX_PAYLOAD * 4);
	return (int)reply_msg[1];
}

int t_request(uint16_t type, const void *payload, uint32_t words, uint32_t *reply)
{
	uint32_t w0;
	uint8_t token = next_token++;
	int status = t_request_raw(SA_FW_MSG_WORD0(type, token, words), payload, words, &w0, reply);

	/* Every reply must match its request; a mismatch is reported as no reply. */
	if (status >= 0 &&
	    (SA_FW_MSG_TYPE(w0) != (type | SA_FW_MSG_REPLY) || SA_FW_MSG_TOKEN(w0) != token))
		return -1;
	return status;
}

uint32_t t_count_events(uint16_t type, uint32_t *last_payload)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < t_event_count; i++) {
		if (SA_FW_MSG_TYPE(t_events[i][0]) != type)
			continue;
		n++;
		if (last_payload)
			memcpy(last_payload, t_events[i] + 1, SA_FW_MSG_MAX_PAYLOAD * 4);
	}
	return n;
}

int t_context(uint32_t ctx)
{
	struct sa_fw_context_create c = {.context = ctx, .root_lo = 0x1000u * (ctx + 1)};

	return t_request(SA_FW_MSG_CONTEXT_CREATE, &c, sizeof(c) / 4, NULL);
}

int t_queue_create(struct t_queue *q, uint32_t id, uint32_t ctx, uint32_t prio, uint32_t entries)
{
	struct sa_fw_queue_create c;

	memset(q, 0, sizeof(*q));
	q->id = id;
	q->ctx = ctx;
	q->entries = entries;
	q->ring_va = 0x100000ull * (id + 1);
	q->status_va = 0x40000000ull + 0x1000ull * id;
	q->fence_va = 0x50000000ull + 0x1000ull * id;
	q->ring = fake_map(ctx, q->ring_va, (uint64_t)entries * sizeof(struct sa_hw_desc),
			   SA_PTE_READ);
	q->status = (struct sa_hw_queue_status *)(void *)fake_map(
		ctx, q->status_va, SA_MMU_PAGE_SIZE, SA_PTE_READ | SA_PTE_WRITE);
	q->fences = (uint64_t *)(void *)fake_map(ctx, q->fence_va, SA_MMU_PAGE_SIZE,
						 SA_PTE_READ | SA_PTE_WRITE);
	memset(&c, 0, sizeof(c));
	c.queue = id;
	c.context = ctx;
	c.ring_lo = (uint32_t)q->ring_va;
	c.ring_hi = (uint32_t)(q->ring_va >> 32);
	c.entries = entries;
	c.status_lo = (uint32_t)q->status_va;
	c.status_hi = (uint32_t)(q->status_va >> 32);
	c.vector = 1 + id % SA_HW_MAX_QUEUE_VECTORS;
	c.priority = prio;
	return t_request(SA_FW_MSG_QUEUE_CREATE, &c, sizeof(c) / 4, NULL);
}

void t_push(struct t_queue *q, const struct sa_hw_desc *d)
{
	memcpy(q->ring + (size_t)(q->tail & (q->entries - 1)) * sizeof(*d), d, sizeof(*d));
	q->tail++;
}

void t_ring(struct t_queue *q)
{
	fake_doorbell(q->id, q->tail);
}

struct sa_hw_desc t_nop(uint8_t flags, uint64_t fence_va, uint64_t value)
{
	struct sa_hw_desc d;

	memset(&d, 0, sizeof(d));
	d.opcode = SA_OP_NOP;
	d.flags = flags;
	d.fence_addr = fence_va;
	d.fence_value = value;
	return d;
}

void t_layer_buffers(uint32_t ctx)
{
	fake_map(ctx, T_IN_VA, 4 * 8 * 8, SA_PTE_READ);
	fake_map(ctx, T_OUT_VA, 4 * 4 * 4, SA_PTE_READ | SA_PTE_WRITE);
}

struct sa_hw_desc t_pool(uint32_t tag)
{
	struct sa_hw_desc d;
	struct sa_hw_layer *l = &d.u.layer;

	memset(&d, 0, sizeof(d));
	d.opcode = SA_OP_MAXPOOL;
	d.tag = tag;
	l->in = (struct sa_hw_tensor){
		.addr = T_IN_VA, .c = 4, .h = 8, .w = 8, .dtype = SA_DTYPE_I8, .exp = -3};
	l->out = (struct sa_hw_tensor){
		.addr = T_OUT_VA, .c = 4, .h = 4, .w = 4, .dtype = SA_DTYPE_I8, .exp = -3};
	l->params.pool =
		(struct sa_pool_params){.kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2};
	return d;
}
