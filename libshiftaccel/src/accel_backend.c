// SPDX-License-Identifier: MIT
/*
 * The accel backend (accel_backend.h): compile, upload constants once, and
 * per run copy the input into the activation arena, push the descriptors
 * through the mapped ring, wait for the fence, copy the output back.
 */
#include "accel_backend.h"

#include <stdlib.h>
#include <string.h>

#include "accel_compile.h"
#include "accel_device.h"
#include "error.h"

/* Generous for the emulated card under TCG; the driver's own job timeout comes first. */
#define RUN_TIMEOUT_NS (120ll * 1000 * 1000 * 1000)

/* Inferences in flight in a batch, each with its own activation arena. */
#define MAX_SLOTS 4
/* Arenas larger than this are not duplicated for pipelining. */
#define SLOT_ARENA_LIMIT (16u << 20)

struct sa_accel {
	const struct sa_model *model;
	struct sa_accel_program prog;
	struct sa_accel_dev dev;
	struct sa_drm_buf consts;
	uint32_t slots;
	struct sa_drm_buf acts[MAX_SLOTS];
	struct sa_hw_desc *descs[MAX_SLOTS]; /* the program for each arena, without fences */
	uint64_t slot_fence[MAX_SLOTS];	     /* fence of the job last given to each arena */
	struct sa_accel_queue q;
	struct sa_run_timing timing; /* of the last single run */
	uint64_t seq;		     /* last fence value asked for */
	int dead;		     /* a card error stopped the queue */
};

/* As many arenas as fit the limits, with room in one ring for all their jobs. */
static uint32_t slot_count(const struct sa_accel_program *p)
{
	uint32_t k = MAX_SLOTS;

	while (k > 1 && ((uint64_t)k * p->num_steps > SA_RING_MAX_ENTRIES ||
			 (uint64_t)k * p->act_bytes > SLOT_ARENA_LIMIT))
		k--;
	return k;
}

static uint32_t ring_entries(uint32_t steps)
{
	uint32_t n = SA_RING_MIN_ENTRIES;

	while (n < steps && n < SA_RING_MAX_ENTRIES)
		n *= 2;
	return n;
}

static sa_status setup(struct sa_accel *a, const struct sa_device_choice *card)
{
	const uint32_t rw = SHIFTACCEL_VM_READ | SHIFTACCEL_VM_WRITE;
	/*
	 * Compiled before the card is opened, so a model no card can run says
	 * which node is the problem, card or no card.
	 */
	sa_status st = sa_accel_compile(a->model, &a->prog);

	if (st == SA_OK)
		st = sa_accel_dev_open(&a->dev, card);
	if (st == SA_OK)
		st = sa_accel_bo_new(&a->dev, a->prog.const_bytes, SHIFTACCEL_VM_READ, &a->consts);
	if (st == SA_OK)
		st = sa_accel_write_constants(a->model, &a->prog, a->consts.cpu);
	if (st != SA_OK)
		return st;
	a->slots = slot_count(&a->prog);
	for (uint32_t k = 0; k < a->slots; k++) {
		st = sa_accel_bo_new(&a->dev, a->prog.act_bytes, rw, &a->acts[k]);
		if (st != SA_OK)
			return st;
		a->descs[k] = malloc((size_t)a->prog.num_steps * sizeof(struct sa_hw_desc));
		if (!a->descs[k])
			return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory for descriptors",
				       a->model->name);
		sa_accel_emit(a->model, &a->prog, a->consts.va, a->acts[k].va, a->descs[k]);
	}
	return sa_accel_queue_new(&a->dev, ring_entries(a->slots * a->prog.num_steps), &a->q);
}

sa_status sa_accel_create(const struct sa_model *model, const struct sa_device_choice *card,
			  struct sa_accel **out)
{
	struct sa_accel *a = calloc(1, sizeof(*a));
	sa_status st;

	if (!a)
		return sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory for an accel session",
			       model->name);
	a->model = model;
	a->dev.fd = -1;
	a->q.efd = -1;
	st = setup(a, card);
	if (st != SA_OK) {
		sa_accel_destroy(a);
		return st;
	}
	*out = a;
	return SA_OK;
}

void sa_accel_destroy(struct sa_accel *a)
{
	if (!a)
		return;
	if (a->dev.fd >= 0) {
		sa_accel_queue_free(&a->dev, &a->q);
		for (uint32_t k = 0; k < MAX_SLOTS; k++)
			sa_drm_buf_free(a->dev.fd, &a->acts[k]);
		sa_drm_buf_free(a->dev.fd, &a->consts);
		sa_accel_dev_close(&a->dev);
	}
	for (uint32_t k = 0; k < MAX_SLOTS; k++)
		free(a->descs[k]);
	sa_accel_program_free(&a->prog);
	free(a);
}

/* Turns the driver's account of a stopped queue into the API's error. */
static sa_status card_error(struct sa_accel *a, const struct drm_shiftaccel_status *why)
{
	const struct sa_model *m = a->model;
	uint32_t node = why->error_tag;

	a->dead = 1;
	if (why->queue_state == SHIFTACCEL_QUEUE_STATE_RUNNING)
		return SA_ERR_DEVICE; /* the wait timed out; its message says so */
	if (why->error == SHIFTACCEL_ERR_RESET || why->error == SHIFTACCEL_ERR_TIMEOUT ||
	    why->error == SHIFTACCEL_ERR_DEVICE_LOST)
		return sa_fail(SA_ERR_DEVICE,
			       "%s: the card failed the inference: %s (card resets so far: %u); "
			       "create a new session to retry",
			       m->name, sa_accel_error_name(why->error), why->reset_count);
	return sa_fail(SA_ERR_DEVICE,
		       "%s: the card stopped the inference at node %u (op %u): %s (firmware "
		       "reason %u, ring index %u, address 0x%llx); create a new session to retry",
		       m->name, node, node < m->num_nodes ? m->nodes[node].op : 0,
		       sa_accel_error_name(why->error), why->fw_error, why->error_index,
		       (unsigned long long)why->error_addr);
}

/* Waits for fence value; a failure is the card's error, and the session is dead. */
static sa_status wait_fence(struct sa_accel *a, uint64_t value)
{
	struct drm_shiftaccel_status why;
	sa_status st = sa_accel_queue_wait(&a->dev, &a->q, value, RUN_TIMEOUT_NS, &why);

	return st == SA_OK ? SA_OK : card_error(a, &why);
}

/* Pushes steps [first, first + count) of arena k with a fence on the last; returns the fence. */
static uint64_t push_steps(struct sa_accel *a, uint32_t k, uint32_t first, uint32_t count)
{
	struct sa_hw_desc *last = &a->descs[k][first + count - 1];

	last->flags = SA_DESC_F_FENCE | SA_DESC_F_IRQ;
	last->fence_addr = a->q.hw.fence.va;
	last->fence_value = ++a->seq;
	sa_accel_queue_push(&a->q, &a->descs[k][first], count);
	last->flags = 0;
	last->fence_addr = 0;
	last->fence_value = 0;
	a->slot_fence[k] = a->seq;
	return a->seq;
}

static sa_status check_alive(const struct sa_accel *a)
{
	if (!a->dead)
		return SA_OK;
	return sa_fail(SA_ERR_DEVICE,
		       "%s: an earlier card error stopped this session's queue; create a new "
		       "session",
		       a->model->name);
}

sa_status sa_accel_run_quantized(struct sa_accel *a, const void *input, void *output)
{
	const struct sa_accel_program *p = &a->prog;
	uint8_t *arena = a->acts[0].cpu;
	sa_status st = check_alive(a);
	int64_t t0 = sa_accel_now_ns(), host = 0, device = 0, blocked0 = a->q.blocked_ns;

	if (st != SA_OK)
		return st;
	memcpy(arena + p->input_off, input, p->input_bytes);
	/* A ring holds at most q.entries descriptors: longer programs go in turns. */
	for (uint32_t first = 0; first < p->num_steps; first += a->q.hw.entries) {
		uint32_t n = p->num_steps - first < a->q.hw.entries ? p->num_steps - first
								    : a->q.hw.entries;
		uint64_t fence = push_steps(a, 0, first, n);
		int64_t rung = sa_accel_now_ns();

		host += rung - t0;
		st = wait_fence(a, fence);
		t0 = sa_accel_now_ns();
		device += t0 - rung;
		if (st != SA_OK)
			return st;
	}
	memcpy(output, arena + p->output_off, p->output_bytes);
	host += sa_accel_now_ns() - t0;
	a->timing.host_ms = (double)host / 1e6;
	a->timing.device_ms = (double)device / 1e6;
	a->timing.wait_ms = (double)(a->q.blocked_ns - blocked0) / 1e6;
	return SA_OK;
}

sa_status sa_accel_run_batch(struct sa_accel *a, size_t n, const void *inputs, void *outputs)
{
	const struct sa_accel_program *p = &a->prog;
	const uint8_t *in = inputs;
	uint8_t *out = outputs;
	sa_status st = check_alive(a);

	if (st != SA_OK || a->slots == 1) {
		for (size_t j = 0; st == SA_OK && j < n; j++)
			st = sa_accel_run_quantized(a, in + j * p->input_bytes,
						    out + j * p->output_bytes);
		return st;
	}
	/*
	 * Job j runs in arena j % slots: while the card works on up to `slots`
	 * jobs, the host collects the oldest and writes the next.  Results are
	 * read in submission order, each after its own fence.
	 */
	for (size_t j = 0; j < n + a->slots; j++) {
		uint32_t k = (uint32_t)(j % a->slots);
		uint8_t *arena = a->acts[k].cpu;

		if (j >= a->slots && j - a->slots < n) {
			st = wait_fence(a, a->slot_fence[k]);
			if (st != SA_OK)
				return st;
			memcpy(out + (j - a->slots) * p->output_bytes, arena + p->output_off,
			       p->output_bytes);
		}
		if (j < n) {
			memcpy(arena + p->input_off, in + j * p->input_bytes, p->input_bytes);
			push_steps(a, k, 0, p->num_steps);
		}
	}
	return SA_OK;
}

void sa_accel_last_timing(const struct sa_accel *a, struct sa_run_timing *t)
{
	*t = a->timing;
}

void sa_accel_card(const struct sa_accel *a, struct sa_card_id *card)
{
	*card = a->dev.card;
}
