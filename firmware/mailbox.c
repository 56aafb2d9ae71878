// SPDX-License-Identifier: MIT
/*
 * The host's requests (uapi/shiftaccel_fw.h, docs/firmware.md): each one is
 * checked for its exact payload length before any field is read, handled at
 * a descriptor boundary (the event loop never interrupts a descriptor), and
 * answered with the request's token and a status word.  A failing request
 * is answered with the status word alone.
 */
#include <string.h>

#include "fw.h"

/* Payload words each request must carry. */
static int request_words(uint32_t type)
{
	switch (type) {
	case SA_FW_MSG_HELLO:
	case SA_FW_MSG_SUSPEND:
	case SA_FW_MSG_RESUME: return 0;
	case SA_FW_MSG_PING: return sizeof(struct sa_fw_ping) / 4;
	case SA_FW_MSG_CONTEXT_CREATE: return sizeof(struct sa_fw_context_create) / 4;
	case SA_FW_MSG_CONTEXT_DESTROY:
	case SA_FW_MSG_CONTEXT_INVALIDATE: return sizeof(struct sa_fw_context_id) / 4;
	case SA_FW_MSG_QUEUE_CREATE: return sizeof(struct sa_fw_queue_create) / 4;
	case SA_FW_MSG_QUEUE_RESET: return sizeof(struct sa_fw_queue_reset) / 4;
	case SA_FW_MSG_QUEUE_DESTROY:
	case SA_FW_MSG_QUEUE_STATUS:
	case SA_FW_MSG_COUNTERS: return sizeof(struct sa_fw_queue_id) / 4;
	case SA_FW_MSG_CONFIG: return sizeof(struct sa_fw_config) / 4;
	default: return -1;
	}
}

/* Copies a reply struct into the reply words; returns its word count. */
static uint32_t put(uint32_t *reply, const void *r, size_t size)
{
	memcpy(reply, r, size);
	return (uint32_t)(size / 4);
}

static uint32_t suspend(uint32_t *reply)
{
	struct sa_fw_suspend_reply r = {.status = SA_FW_OK};

	/* Descriptors never span a pass of the loop: being here is a boundary. */
	fw.suspended = true;
	for (uint32_t i = 0; i < fw.num_queues; i++) {
		struct fw_queue *q = &fw.q[i];

		if (!q->created)
			continue;
		if (fw_queue_has_work(q))
			r.pending_queues++;
		/* The driver may save or inspect the status blocks while suspended. */
		if (q->state == SA_QUEUE_RUNNING)
			fw_queue_publish(q);
	}
	return put(reply, &r, sizeof(r));
}

static uint32_t ping(const uint32_t *p, uint32_t *reply)
{
	struct sa_fw_ping_reply r = {.status = SA_FW_OK};
	uint64_t cycles = hal_cycles();

	r.cookie = p[0];
	r.heartbeat = fw.heartbeats;
	r.cycles_lo = (uint32_t)cycles;
	r.cycles_hi = (uint32_t)(cycles >> 32);
	return put(reply, &r, sizeof(r));
}

static uint32_t config(const uint32_t *p, uint32_t *reply)
{
	struct sa_fw_config req;
	struct sa_fw_config_reply r;

	memcpy(&req, p, sizeof(req));
	r.status = (uint32_t)fw_timer_config(&req, &r.config);
	return put(reply, &r, sizeof(r));
}

/* Requests whose reply is the status word alone. */
static int simple_request(uint32_t type, const uint32_t *p)
{
	switch (type) {
	case SA_FW_MSG_CONTEXT_CREATE: {
		struct sa_fw_context_create req;

		memcpy(&req, p, sizeof(req));
		return fw_context_create(&req);
	}
	case SA_FW_MSG_CONTEXT_DESTROY: return fw_context_destroy(p[0]);
	case SA_FW_MSG_CONTEXT_INVALIDATE: return fw_context_invalidate(p[0]);
	case SA_FW_MSG_QUEUE_CREATE: {
		struct sa_fw_queue_create req;

		memcpy(&req, p, sizeof(req));
		return fw_queue_create(&req);
	}
	case SA_FW_MSG_QUEUE_RESET: {
		struct sa_fw_queue_reset req;

		memcpy(&req, p, sizeof(req));
		return fw_queue_reset(&req);
	}
	case SA_FW_MSG_QUEUE_DESTROY: return fw_queue_destroy(p[0]);
	default: /* SA_FW_MSG_RESUME */ fw.suspended = false; return SA_FW_OK;
	}
}

uint32_t fw_mbox_handle(const uint32_t *msg, uint32_t *reply_type, uint32_t *reply)
{
	uint32_t type = SA_FW_MSG_TYPE(msg[0]);
	int want = request_words(type);
	const uint32_t *p = msg + 1;
	int status;

	*reply_type = type;
	memset(reply, 0, SA_FW_MSG_MAX_PAYLOAD * 4);
	if (want < 0) {
		reply[0] = SA_FW_E_UNKNOWN;
		return 1;
	}
	if (SA_FW_MSG_LENGTH(msg[0]) != (uint32_t)want) {
		reply[0] = SA_FW_E_LENGTH;
		return 1;
	}
	switch (type) {
	case SA_FW_MSG_HELLO: {
		struct sa_fw_boot_report r;

		fw_boot_report(&r);
		return put(reply, &r, sizeof(r));
	}
	case SA_FW_MSG_PING: return ping(p, reply);
	case SA_FW_MSG_SUSPEND: return suspend(reply);
	case SA_FW_MSG_CONFIG: return config(p, reply);
	case SA_FW_MSG_QUEUE_STATUS: {
		struct sa_fw_queue_status_reply r;

		status = fw_queue_status(p[0], &r);
		if (status == SA_FW_OK)
			return put(reply, &r, sizeof(r));
		break;
	}
	case SA_FW_MSG_COUNTERS: {
		struct sa_fw_counters_reply r;

		status = fw_queue_counters(p[0], &r);
		if (status == SA_FW_OK)
			return put(reply, &r, sizeof(r));
		break;
	}
	default: status = simple_request(type, p); break;
	}
	reply[0] = (uint32_t)status;
	return 1;
}

void fw_mbox_service(void)
{
	uint32_t msg[SA_MBOX_WORDS], reply[SA_FW_MSG_MAX_PAYLOAD], type, words;

	fw_outbox_flush();
	if (!hal_mbox_h2f_full() || !fw_outbox_has_reply_room())
		return;
	hal_mbox_h2f_read(msg);
	words = fw_mbox_handle(msg, &type, reply);
	fw_reply((uint16_t)type, (uint8_t)SA_FW_MSG_TOKEN(msg[0]), reply, words);
	hal_mbox_h2f_ack();
	fw_outbox_flush();
}
