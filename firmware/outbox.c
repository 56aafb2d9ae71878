// SPDX-License-Identifier: MIT
/*
 * Firmware-to-host messages.  The F2H mailbox holds one message until the
 * host ACKs it, so replies and events wait here, in the order they were
 * made, and leave one at a time.  One slot is always kept for a reply: the
 * mailbox service takes a request only when there is room for its answer,
 * so a flood of events can delay requests but never lose a reply.  Events
 * that find no room are counted and reported (SA_FW_ERROR_EVENTS_LOST) as
 * soon as there is room again; the queue state they describe can always be
 * read back with QUEUE_STATUS.
 */
#include <string.h>

#include "fw.h"

static uint32_t *slot_at(uint32_t i)
{
	return fw.outbox[(fw.out_first + i) % SA_FW_OUTBOX_DEPTH];
}

static void push(uint16_t type, uint8_t token, const void *payload, uint32_t words)
{
	uint32_t *m = slot_at(fw.out_count);

	memset(m, 0, SA_MBOX_WORDS * 4);
	m[0] = SA_FW_MSG_WORD0(type, token, words);
	memcpy(m + 1, payload, (size_t)words * 4);
	fw.out_count++;
}

bool fw_outbox_has_reply_room(void)
{
	return fw.out_count < SA_FW_OUTBOX_DEPTH;
}

void fw_reply(uint16_t type, uint8_t token, const void *payload, uint32_t words)
{
	/* The caller checked fw_outbox_has_reply_room() before taking the request. */
	if (fw.out_count < SA_FW_OUTBOX_DEPTH)
		push(type | SA_FW_MSG_REPLY, token, payload, words);
}

/* Events may fill all but the reply slot. */
static bool event_room(void)
{
	return fw.out_count + 1 < SA_FW_OUTBOX_DEPTH;
}

static void report_lost(void)
{
	struct sa_fw_error e = {.code = SA_FW_ERROR_EVENTS_LOST};

	if (fw.events_lost == fw.events_lost_reported || !event_room())
		return;
	e.info[0] = fw.events_lost - fw.events_lost_reported;
	fw.events_lost_reported = fw.events_lost;
	push(SA_FW_EVT_FW_ERROR, fw.event_seq++, &e, sizeof(e) / 4);
}

void fw_event(uint16_t type, const void *payload, uint32_t words)
{
	report_lost();
	if (!event_room()) {
		fw.events_lost++;
		/* The token still advances, so the driver sees the gap. */
		fw.event_seq++;
		return;
	}
	push(type, fw.event_seq++, payload, words);
}

void fw_outbox_flush(void)
{
	if (fw.out_count == 0 || hal_mbox_f2h_full())
		return;
	hal_mbox_f2h_send(slot_at(0));
	fw.out_first = (fw.out_first + 1) % SA_FW_OUTBOX_DEPTH;
	fw.out_count--;
	report_lost();
}
