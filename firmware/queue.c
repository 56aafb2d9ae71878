// SPDX-License-Identifier: MIT
/*
 * The queue table: creation from the driver's request, the status block the
 * firmware keeps in the queue's own context, faults that stop one queue and
 * nothing else, and the per-queue counters.
 */
#include <string.h>

#include "fw.h"

/* Staging copy of a status block in CP data memory, moved out by DMA. */
static struct sa_hw_queue_status status_buf __attribute__((aligned(8)));

struct fw_queue *fw_queue_get(uint32_t id)
{
	if (id >= fw.num_queues || !fw.q[id].created)
		return NULL;
	return &fw.q[id];
}

/* The created queue a driver request names: SA_FW_OK, or the error its reply carries. */
static int find_queue(uint32_t id, struct fw_queue **out)
{
	if (id >= fw.num_queues)
		return SA_FW_E_INVALID;
	*out = fw_queue_get(id);
	return *out ? SA_FW_OK : SA_FW_E_NO_QUEUE;
}

uint32_t fw_queue_id(const struct fw_queue *q)
{
	return (uint32_t)(q - fw.q);
}

bool fw_queue_has_work(const struct fw_queue *q)
{
	return q->created && q->state == SA_QUEUE_RUNNING && q->head != q->tail;
}

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* Writes the status block; on failure fills *f and leaves the queue alone. */
static bool write_status(struct fw_queue *q, uint32_t state, struct fw_fault *f)
{
	struct sa_hw_queue_status *st = &status_buf;

	memset(st, 0, sizeof(*st));
	st->head = q->head;
	st->completed = q->completed;
	st->state = state;
	if (state == SA_QUEUE_FAULTED) {
		st->error = q->fault.reason;
		st->error_index = q->fault_index;
		st->error_tag = q->fault_tag;
		st->error_addr = q->fault.addr;
	}
	hal_dma_from_dram(q->context, st, q->status_va, sizeof(*st));
	if (fw_dma_finish(SA_FW_STAGE_STATUS, f))
		return false;
	q->since_publish = 0;
	return true;
}

bool fw_queue_publish(struct fw_queue *q)
{
	struct fw_fault f;

	if (write_status(q, q->state, &f))
		return true;
	fw_queue_fault(q, &f, q->head, 0, 0);
	return false;
}

void fw_queue_fault(struct fw_queue *q, const struct fw_fault *f, uint32_t index, uint32_t tag,
		    uint32_t opcode)
{
	struct sa_fw_queue_fault ev;
	struct fw_fault ignored;

	q->state = SA_QUEUE_FAULTED;
	q->fault = *f;
	q->fault_index = index;
	q->fault_tag = tag;
	q->fault_opcode = opcode;
	q->faults++;
	q->waiting = false;
	q->wait.valid = false;
	/* A status block that cannot be written is itself the fault: the event says it. */
	if (f->stage != SA_FW_STAGE_STATUS)
		write_status(q, SA_QUEUE_FAULTED, &ignored);

	memset(&ev, 0, sizeof(ev));
	ev.queue = fw_queue_id(q);
	ev.context = q->context;
	ev.index = index;
	ev.tag = tag;
	ev.reason = f->reason;
	ev.detail = f->detail;
	ev.stage = f->stage;
	ev.addr_lo = (uint32_t)f->addr;
	ev.addr_hi = (uint32_t)(f->addr >> 32);
	ev.opcode = opcode;
	fw_event(SA_FW_EVT_QUEUE_FAULT, &ev, sizeof(ev) / 4);
}

static int check_create(const struct sa_fw_queue_create *r)
{
	uint64_t ring = (uint64_t)r->ring_hi << 32 | r->ring_lo;
	uint64_t status = (uint64_t)r->status_hi << 32 | r->status_lo;

	if (r->queue >= fw.num_queues || r->context >= fw.num_contexts || r->flags)
		return SA_FW_E_INVALID;
	if (!is_pow2(r->entries) || r->entries < SA_RING_MIN_ENTRIES ||
	    r->entries > SA_RING_MAX_ENTRIES)
		return SA_FW_E_INVALID;
	if (ring % sizeof(struct sa_hw_desc) ||
	    !fw_va_range_ok(ring, (uint64_t)r->entries * sizeof(struct sa_hw_desc)))
		return SA_FW_E_INVALID;
	if (status % sizeof(struct sa_hw_queue_status) ||
	    !fw_va_range_ok(status, sizeof(struct sa_hw_queue_status)))
		return SA_FW_E_INVALID;
	/* Vector 0 is the device-event vector: queues use 1 .. queue_vectors. */
	if (r->vector < 1 || r->vector > fw.queue_vectors || r->priority >= SA_FW_NUM_PRIORITIES)
		return SA_FW_E_INVALID;
	if (fw.q[r->queue].created)
		return SA_FW_E_EXISTS;
	if (!fw_context_valid(r->context))
		return SA_FW_E_NO_CONTEXT;
	return SA_FW_OK;
}

/* Back to an empty running queue starting at `index`; counters survive. */
static void restart(struct fw_queue *q, uint32_t index)
{
	q->state = SA_QUEUE_RUNNING;
	q->head = index;
	q->completed = index;
	q->tail = index;
	q->waiting = false;
	q->wait.valid = false;
	memset(&q->fault, 0, sizeof(q->fault));
	q->fault_index = 0;
	q->fault_tag = 0;
	q->fault_opcode = 0;
	q->ready_since = hal_cycles();
}

int fw_queue_create(const struct sa_fw_queue_create *r)
{
	struct fw_queue *q;
	struct fw_fault f;
	int status = check_create(r);

	if (status != SA_FW_OK)
		return status;
	q = &fw.q[r->queue];
	memset(q, 0, sizeof(*q));
	q->context = (uint16_t)r->context;
	q->ring = (uint64_t)r->ring_hi << 32 | r->ring_lo;
	q->mask = r->entries - 1;
	q->status_va = (uint64_t)r->status_hi << 32 | r->status_lo;
	q->vector = r->vector;
	q->priority = (uint8_t)r->priority;
	restart(q, r->start_index);
	/* A queue whose status block is not writable would fail silently: refuse it. */
	if (!write_status(q, SA_QUEUE_RUNNING, &f))
		return SA_FW_E_FAULT;
	q->created = true;
	/*
	 * The host may have rung the doorbell while the queue did not exist
	 * here (the card was being reset, which also clears the pending bits):
	 * that work starts now, or the queue faults if the tail is bogus.
	 */
	if (hal_db_tail(r->queue) != q->tail)
		fw_queue_take_tail(q, hal_db_tail(r->queue));
	return SA_FW_OK;
}

int fw_queue_reset(const struct sa_fw_queue_reset *r)
{
	struct fw_queue *q;
	int err = find_queue(r->queue, &q);

	if (err != SA_FW_OK)
		return err;
	restart(q, r->start_index);
	return fw_queue_publish(q) ? SA_FW_OK : SA_FW_E_FAULT;
}

int fw_queue_destroy(uint32_t id)
{
	struct fw_queue *q;
	struct fw_fault ignored;
	int err = find_queue(id, &q);

	if (err != SA_FW_OK)
		return err;
	/* Best effort: tell whoever still watches the block that the queue is gone. */
	write_status(q, SA_QUEUE_STOPPED, &ignored);
	memset(q, 0, sizeof(*q));
	return SA_FW_OK;
}

int fw_queue_status(uint32_t id, struct sa_fw_queue_status_reply *r)
{
	struct fw_queue *q;
	int err = find_queue(id, &q);

	if (err != SA_FW_OK)
		return err;
	memset(r, 0, sizeof(*r));
	r->status = SA_FW_OK;
	r->state = q->state;
	r->head = q->head;
	r->completed = q->completed;
	r->tail = q->tail;
	if (q->state == SA_QUEUE_FAULTED) {
		r->error = q->fault.reason;
		r->error_index = q->fault_index;
		r->error_tag = q->fault_tag;
		r->error_addr_lo = (uint32_t)q->fault.addr;
		r->error_addr_hi = (uint32_t)(q->fault.addr >> 32);
		r->error_detail = q->fault.detail;
		r->error_stage = q->fault.stage;
	}
	r->context = q->context;
	r->priority = q->priority;
	/* Blocked on a wait means its head is an unsatisfied SA_OP_WAIT (re-checked or not). */
	r->flags = (q->wait.valid ? SA_FW_QF_WAITING : 0) | (fw.suspended ? SA_FW_QF_SUSPENDED : 0);
	return SA_FW_OK;
}

int fw_queue_counters(uint32_t id, struct sa_fw_counters_reply *r)
{
	struct fw_queue *q;
	int err = find_queue(id, &q);

	if (err != SA_FW_OK)
		return err;
	memset(r, 0, sizeof(*r));
	r->status = SA_FW_OK;
	r->descriptors_lo = (uint32_t)q->descriptors;
	r->descriptors_hi = (uint32_t)(q->descriptors >> 32);
	r->engine_cycles_lo = (uint32_t)q->engine_cycles;
	r->engine_cycles_hi = (uint32_t)(q->engine_cycles >> 32);
	r->stall_cycles_lo = (uint32_t)q->stall_cycles;
	r->stall_cycles_hi = (uint32_t)(q->stall_cycles >> 32);
	r->cp_instret_lo = (uint32_t)q->cp_instret;
	r->cp_instret_hi = (uint32_t)(q->cp_instret >> 32);
	r->faults = q->faults;
	r->waits = q->waits;
	return SA_FW_OK;
}
