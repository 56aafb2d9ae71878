// SPDX-License-Identifier: MIT
/*
 * Firmware figures for `make bench` (bench/firmware.sh), never pass/fail:
 * how many control-processor instructions the real firmware spends per
 * layer while a network runs on the card model, measured two ways (the
 * card's SA_PERF_CP_INSTRET counter over whole runs, and the firmware's own
 * per-queue cp_instret counter), plus the cost of an empty descriptor and of
 * two queues sharing the engines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_host.h"
#include "fw_lower.h"

#define RUNS 20u

struct setup {
	struct fwh_ctx *ctx;
	struct fwh_queue q;
	sa_model *model;
	struct fw_lowered low;
};

static int prepare(struct fwh *f, struct setup *s, uint32_t ctx, uint32_t queue, uint32_t seed)
{
	void *data = NULL;
	size_t size;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	s->ctx = fwh_context(f, ctx);
	if (s->ctx && fwh_queue(f, &s->q, queue, s->ctx, SA_FW_PRIO_NORMAL, 1024) == SA_FW_OK &&
	    fw_test_network(seed, &data, &size) == 0 &&
	    sa_model_open_memory(data, size, "bench-net", &s->model) == SA_OK &&
	    fw_lower(f, s->ctx, s->model, &s->low) == 0)
		rc = 0;
	free(data);
	return rc;
}

static void submit(struct fwh *f, struct setup *s, uint32_t runs)
{
	for (uint32_t r = 0; r < runs; r++) {
		for (uint32_t i = 0; i < s->low.num_desc; i++) {
			struct sa_hw_desc d = s->low.desc[i];

			/* One fence and interrupt per inference, as a runtime would ask. */
			if (i + 1 == s->low.num_desc) {
				d.flags = SA_DESC_F_FENCE | SA_DESC_F_IRQ;
				d.fence_addr = s->q.fence_va;
				d.fence_value = r + 1;
			}
			fwh_push(f, &s->q, &d);
		}
	}
	fwh_ring(f, &s->q);
}

static uint64_t perf(struct fwh *f, unsigned int i)
{
	return h_rd64(f->h, SA_REG_PERF(i));
}

static int queue_instret(struct fwh *f, uint32_t queue, uint64_t *instret, uint64_t *desc)
{
	struct sa_fw_queue_id id = {.queue = queue};
	uint32_t reply[SA_FW_MSG_MAX_PAYLOAD];
	struct sa_fw_counters_reply c;

	if (fwh_request(f, SA_FW_MSG_COUNTERS, &id, 1, reply) != SA_FW_OK)
		return -1;
	memcpy(&c, reply, sizeof(c));
	*instret = (uint64_t)c.cp_instret_hi << 32 | c.cp_instret_lo;
	*desc = (uint64_t)c.descriptors_hi << 32 | c.descriptors_lo;
	return 0;
}

static int one_queue(struct fwh *f)
{
	struct setup s;
	uint64_t i0, c0, t0, instret, desc;
	uint32_t layers;

	if (prepare(f, &s, 1, 0, 7))
		return -1;
	layers = RUNS * s.low.num_desc;
	i0 = perf(f, SA_PERF_CP_INSTRET);
	c0 = perf(f, SA_PERF_CYCLES);
	t0 = perf(f, SA_PERF_TE_CYCLES);
	submit(f, &s, RUNS);
	if (!fwh_wait_completed(f, &s.q, layers) || queue_instret(f, 0, &instret, &desc))
		return -1;
	printf("network: %u layers x %u inferences on one queue\n", s.low.num_desc, RUNS);
	printf("  CP instructions per layer (SA_PERF_CP_INSTRET, all firmware work): %.0f\n",
	       (double)(perf(f, SA_PERF_CP_INSTRET) - i0) / layers);
	printf("  CP instructions per layer (queue counter, fetch to fence):          %.0f\n",
	       (double)instret / (double)desc);
	printf("  tensor engine busy: %.1f%% of %llu device cycles\n",
	       100.0 * (double)(perf(f, SA_PERF_TE_CYCLES) - t0) /
		       (double)(perf(f, SA_PERF_CYCLES) - c0),
	       (unsigned long long)(perf(f, SA_PERF_CYCLES) - c0));
	fw_lowered_free(&s.low);
	sa_model_close(s.model);
	return 0;
}

static int empty_descriptors(struct fwh *f)
{
	struct fwh_ctx *c = fwh_context(f, 3);
	struct fwh_queue q;
	uint64_t i0;
	const uint32_t n = 200;

	if (!c || fwh_queue(f, &q, 2, c, SA_FW_PRIO_NORMAL, 256) != SA_FW_OK)
		return -1;
	i0 = perf(f, SA_PERF_CP_INSTRET);
	for (uint32_t i = 0; i < n; i++) {
		struct sa_hw_desc d;

		memset(&d, 0, sizeof(d));
		d.opcode = SA_OP_NOP;
		fwh_push(f, &q, &d);
	}
	fwh_ring(f, &q);
	if (!fwh_wait_completed(f, &q, n))
		return -1;
	printf("  CP instructions per NOP descriptor (fetch, validate, bookkeeping): %.0f\n",
	       (double)(perf(f, SA_PERF_CP_INSTRET) - i0) / n);
	return 0;
}

static int two_queues(struct fwh *f)
{
	struct fwh *g = fwh_create(4, false);
	struct setup a, b;
	uint64_t i0, ia, da, ib, db;
	int rc = -1;

	(void)f;
	if (!g || prepare(g, &a, 1, 0, 11) || prepare(g, &b, 2, 1, 12))
		goto out;
	i0 = perf(g, SA_PERF_CP_INSTRET);
	submit(g, &a, RUNS);
	submit(g, &b, RUNS);
	if (!fwh_wait_completed(g, &a.q, RUNS * a.low.num_desc) ||
	    !fwh_wait_completed(g, &b.q, RUNS * b.low.num_desc) || queue_instret(g, 0, &ia, &da) ||
	    queue_instret(g, 1, &ib, &db))
		goto out;
	printf("two queues, two contexts, round-robin per layer:\n");
	printf("  CP instructions per layer: %.0f (queue counters %.0f / %.0f)\n",
	       (double)(perf(g, SA_PERF_CP_INSTRET) - i0) / (double)(da + db),
	       (double)ia / (double)da, (double)ib / (double)db);
	rc = 0;
	fw_lowered_free(&a.low);
	fw_lowered_free(&b.low);
	sa_model_close(a.model);
	sa_model_close(b.model);
out:
	fwh_destroy(g);
	return rc;
}

int main(void)
{
	struct fwh *f = fwh_create(4, false);
	int rc;

	if (!f) {
		fprintf(stderr, "fw_bench: the firmware did not boot\n");
		return 1;
	}
	printf("firmware %u.%u.%u build %08x, code %u bytes\n", f->image.version_major,
	       f->image.version_minor, f->image.version_patch, f->image.build_id,
	       f->image.iram.size);
	rc = one_queue(f) || empty_descriptors(f) || two_queues(f);
	if (rc)
		fprintf(stderr, "fw_bench: a run did not complete\n");
	fwh_destroy(f);
	return rc;
}
