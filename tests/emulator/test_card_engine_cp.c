// SPDX-License-Identifier: MIT
/*
 * The engines driven by a real control-processor program (cp/cp_engine.c):
 * tensor-engine commands built in CP DRAM, DMA jobs, and the firmware-shaped
 * path "fetch a ring descriptor by DMA, run its layer on the TE, write its
 * fence and raise its interrupt".  A whole network run that way gives the
 * same bytes as the CPU backend (sa_session on SA_DEVICE_CPU).
 */
#include <stdlib.h>
#include <string.h>

#include "shiftaccel.h"

#include "../check.h"
#include "../../emulator/card_internal.h"
#include "card_harness.h"
#include "te_cases.h"

#define CMD_DRAM 0x8000 /* DRAM offset where the host leaves jobs for the CP */
#define JOB_TE 1
#define JOB_DMA 2
#define JOB_DESC 3

static bool boot_engine_program(struct harness *h)
{
	return h_load_program(h, "cp_engine") == 0 && h_run(h, 100000);
}

static bool job(struct harness *h, const uint32_t *msg, unsigned int n, uint32_t *reply)
{
	h_mbox_send(h, msg, n);
	return h_mbox_recv(h, reply, 1ull << 34);
}

TEST(te_commands_from_cp_code)
{
	struct harness *h = h_create(4, false);
	uint64_t root = h_context(h, 2), next_va = 0x10000000;
	uint32_t seed = 4242, reply[SA_MBOX_WORDS];

	CHECK(boot_engine_program(h));
	for (uint8_t op = SA_OP_CONV; op <= SA_OP_ADD; op++) {
		for (int i = 0; i < 4; i++) {
			struct te_case c;
			const uint32_t *words;
			uint32_t msg[2] = {JOB_TE, SA_CP_DRAM_BASE + CMD_DRAM};

			te_case_random(&c, op, &seed);
			te_case_place(h, root, 2, &c, &next_va, &seed);
			words = (const uint32_t *)&c.cmd;
			for (unsigned int k = 0; k < sizeof(c.cmd) / 4; k++)
				h_wr32(h, SA_REG_DRAM_WINDOW + CMD_DRAM + 4 * k, words[k]);
			CHECK(job(h, msg, 2, reply));
			CHECK_EQ_INT(reply[0], JOB_TE);
			CHECK_EQ_INT(reply[1], SA_ENGINE_DONE);
			CHECK_EQ_INT((uint64_t)reply[3] << 32 | reply[2], te_case_cycles(&c));
			CHECK(te_case_output_ok(h, &c));
			te_case_free(&c);
		}
	}
	CHECK_EQ_INT(h_rd64(h, SA_REG_PERF(SA_PERF_TE_OPS)), 24);
	/* The CP slept while the engine worked. */
	CHECK(h_rd64(h, SA_REG_PERF(SA_PERF_CP_IDLE_CYCLES)) > 0);
	h_destroy(h);
}

TEST(dma_jobs_from_cp_code)
{
	struct harness *h = h_create(4, false);
	uint64_t root = h_context(h, 1);
	uint64_t src = h_map_new(h, root, 0x2000100, 10000, SA_PTE_VALID | SA_PTE_READ);
	uint64_t dst = h_map_new(h, root, 0x3000000, 10000, SA_PTE_VALID | SA_PTE_WRITE);
	uint32_t seed = 5, reply[SA_MBOX_WORDS];
	const uint32_t copy[11] = {SA_DMA_OP_COPY, 0,		0x2000100, 0, 0x3000000, 0,
				   10000,	   1 | 1 << 16, 0,	   0, 0};
	uint32_t msg[2] = {JOB_DMA, SA_CP_DRAM_BASE + CMD_DRAM};

	CHECK(boot_engine_program(h));
	h_fill_random(h, src, 10000, &seed);
	for (unsigned int k = 0; k < 11; k++)
		h_wr32(h, SA_REG_DRAM_WINDOW + CMD_DRAM + 4 * k, copy[k]);
	CHECK(job(h, msg, 2, reply));
	CHECK_EQ_INT(reply[1], SA_ENGINE_DONE);
	CHECK(memcmp(h_ptr(h, src), h_ptr(h, dst), 10000) == 0);
	/* Backwards it faults: the source is write-only. */
	h_wr32(h, SA_REG_DRAM_WINDOW + CMD_DRAM + 8, 0x3000000);
	h_wr32(h, SA_REG_DRAM_WINDOW + CMD_DRAM + 16, 0x2000100);
	CHECK(job(h, msg, 2, reply));
	CHECK_EQ_INT(reply[1], SA_ENGINE_ERROR | SA_ENGINE_ERR_MMU_FAULT << 8);
	CHECK_EQ_INT(reply[4], 0);
	CHECK_EQ_INT(h_rd32(h, SA_REG_FAULT_COUNT), 1);
	h_destroy(h);
}

/* Writes a layer descriptor for `cmd` into the ring at `ring_bus`. */
static void write_desc(struct harness *h, uint64_t ring_bus, const struct sa_hw_te_cmd *cmd,
		       uint8_t flags, uint64_t fence_va, uint64_t fence_value)
{
	struct sa_hw_desc d;

	memset(&d, 0, sizeof(d));
	d.opcode = cmd->op;
	d.flags = flags;
	d.tag = 0x1234;
	d.fence_addr = fence_va;
	d.fence_value = fence_value;
	d.u.layer = cmd->layer;
	memcpy(h_ptr(h, ring_bus), &d, sizeof(d));
}

TEST(descriptor_fence_and_interrupt)
{
	struct harness *h = h_create(4, false);
	uint64_t root = h_context(h, 6), next_va = 0x20000000;
	const uint64_t rw = SA_PTE_VALID | SA_PTE_READ | SA_PTE_WRITE;
	uint64_t ring = h_map_new(h, root, 0x1000000, 8 * sizeof(struct sa_hw_desc), rw);
	uint64_t fence = h_map_new(h, root, 0x1100000, 4096, rw);
	uint32_t seed = 99, reply[SA_MBOX_WORDS];
	struct te_case c;

	CHECK(boot_engine_program(h));
	te_case_random(&c, SA_OP_CONV, &seed);
	te_case_place(h, root, 6, &c, &next_va, &seed);
	write_desc(h, ring, &c.cmd, SA_DESC_F_FENCE | SA_DESC_F_IRQ, 0x1100008, 0xabcdef0123ull);
	h->watch_bus = fence + 8;
	uint32_t msg[5] = {JOB_DESC, 6, 0x1000000, 0, 2};

	CHECK(job(h, msg, 5, reply));
	CHECK_EQ_INT(reply[1], SA_ENGINE_DONE);
	CHECK(te_case_output_ok(h, &c));
	CHECK_EQ_INT(*(uint64_t *)h_ptr(h, fence + 8), 0xabcdef0123ull);
	/* Vector 2 went out after the fence value was in memory. */
	CHECK_EQ_INT(h->msi_count, 1);
	CHECK_EQ_INT(h->msi_log[0], 2);
	CHECK_EQ_INT(h->watch_at_msi[0], 0xabcdef0123ull);

	/* A descriptor whose output is in another context's space faults; no fence. */
	struct sa_hw_te_cmd bad = c.cmd;

	bad.layer.out.addr = 0x7700000000ull;
	write_desc(h, ring + 256, &bad, SA_DESC_F_FENCE | SA_DESC_F_IRQ, 0x1100008, 7);
	msg[2] = 0x1000100;
	CHECK(job(h, msg, 5, reply));
	CHECK_EQ_INT(reply[1], SA_ENGINE_ERROR | SA_ENGINE_ERR_MMU_FAULT << 8);
	CHECK_EQ_INT(*(uint64_t *)h_ptr(h, fence + 8), 0xabcdef0123ull);
	CHECK_EQ_INT(h->msi_count, 1);
	te_case_free(&c);
	h_destroy(h);
}

/* ---- a whole network: the CPU backend versus descriptors on the card ---- */

struct net_layer {
	uint8_t op;
	int in, in_b; /* tensor indices */
	union {
		struct sa_conv_params conv;
		struct sa_fc_params fc;
		struct sa_pool_params pool;
		struct sa_add_params add;
	} p;
	uint8_t out_dtype;
	int8_t out_exp;
	int8_t *w;
	int32_t *bias;
	size_t nw;
};

#define NET_LAYERS 8

static void random_weights(struct net_layer *l, size_t n, unsigned int bits, uint32_t nbias,
			   uint32_t *seed)
{
	int kmax = SA_WEIGHT_K_MAX(bits);

	l->nw = n;
	l->w = malloc(n);
	for (size_t i = 0; i < n; i++)
		l->w[i] = (int8_t)((int)(h_rand(seed) % (uint32_t)(2 * kmax + 1)) - kmax);
	if (nbias) {
		l->bias = malloc(4 * nbias);
		for (uint32_t i = 0; i < nbias; i++)
			l->bias[i] = (int32_t)(h_rand(seed) % 2001) - 1000;
	}
}

static void conv_params(struct sa_conv_params *p, uint16_t k, uint16_t stride, uint16_t pad,
			uint32_t groups, uint32_t oc, uint8_t bits, int8_t base, uint8_t act,
			uint8_t flags)
{
	*p = (struct sa_conv_params){.kernel_h = k,
				     .kernel_w = k,
				     .stride_h = stride,
				     .stride_w = stride,
				     .dilation_h = 1,
				     .dilation_w = 1,
				     .pad_top = pad,
				     .pad_left = pad,
				     .pad_bottom = pad,
				     .pad_right = pad,
				     .groups = groups,
				     .out_channels = oc,
				     .weight_bits = bits,
				     .weight_base = base,
				     .act = act,
				     .flags = flags};
}

/* input 3x8x8 -> conv -> maxpool -> depthwise conv -> add -> avgpool -> grouped 1x1 -> gap -> fc */
static void make_net(struct net_layer *L, uint32_t *seed)
{
	const struct sa_pool_params pool2 = {2, 2, 2, 2, 0, 0, 0, 0};

	memset(L, 0, sizeof(*L) * NET_LAYERS);
	L[0] = (struct net_layer){
		.op = SA_OP_CONV, .in = 0, .out_dtype = SA_DTYPE_I8, .out_exp = -3};
	conv_params(&L[0].p.conv, 3, 1, 1, 1, 8, 4, -3, SA_ACT_RELU, SA_PARAM_HAS_BIAS);
	random_weights(&L[0], 8 * 3 * 9, 4, 8, seed);
	L[1] = (struct net_layer){.op = SA_OP_MAXPOOL, .in = 1};
	L[1].p.pool = pool2;
	L[2] = (struct net_layer){
		.op = SA_OP_CONV, .in = 2, .out_dtype = SA_DTYPE_I16, .out_exp = -8};
	conv_params(&L[2].p.conv, 3, 1, 1, 8, 8, 3, -2, SA_ACT_RELU6, 0);
	random_weights(&L[2], 8 * 9, 3, 0, seed);
	L[3] = (struct net_layer){
		.op = SA_OP_ADD, .in = 2, .in_b = 3, .out_dtype = SA_DTYPE_I8, .out_exp = -3};
	L[4] = (struct net_layer){.op = SA_OP_AVGPOOL, .in = 4};
	L[4].p.pool = pool2;
	L[5] = (struct net_layer){
		.op = SA_OP_CONV, .in = 5, .out_dtype = SA_DTYPE_I8, .out_exp = -4};
	conv_params(&L[5].p.conv, 1, 1, 0, 2, 16, 5, -3, SA_ACT_NONE, SA_PARAM_HAS_BIAS);
	random_weights(&L[5], 16 * 4, 5, 16, seed);
	L[6] = (struct net_layer){.op = SA_OP_GLOBAL_AVGPOOL, .in = 6};
	L[7] = (struct net_layer){
		.op = SA_OP_FC, .in = 7, .out_dtype = SA_DTYPE_I16, .out_exp = -6};
	L[7].p.fc = (struct sa_fc_params){.out_features = 10,
					  .weight_bits = 2,
					  .weight_base = -2,
					  .flags = SA_PARAM_HAS_BIAS};
	random_weights(&L[7], 10 * 16, 2, 10, seed);
}

static void free_net(struct net_layer *L)
{
	for (int i = 0; i < NET_LAYERS; i++) {
		free(L[i].w);
		free(L[i].bias);
	}
}

/* Tensor shapes of the network, from the reference's own checks. */
static bool net_shapes(const struct net_layer *L, struct sa_shape *t)
{
	t[0] = (struct sa_shape){3, 8, 8, SA_DTYPE_I8, -4};
	for (int i = 0; i < NET_LAYERS; i++) {
		struct sa_shape *out = &t[i + 1], *in = &t[L[i].in];
		const char *err;

		out->dtype = L[i].out_dtype;
		out->exp = L[i].out_exp;
		switch (L[i].op) {
		case SA_OP_CONV: err = sa_check_conv(in, &L[i].p.conv, out); break;
		case SA_OP_FC: err = sa_check_fc(in, &L[i].p.fc, out); break;
		case SA_OP_MAXPOOL: err = sa_check_maxpool(in, &L[i].p.pool, out); break;
		case SA_OP_AVGPOOL: err = sa_check_avgpool(in, &L[i].p.pool, out); break;
		case SA_OP_GLOBAL_AVGPOOL: err = sa_check_global_avgpool(in, out); break;
		default: err = sa_check_add(in, &t[L[i].in_b], &L[i].p.add, out); break;
		}
		if (err) {
			fprintf(stderr, "  layer %d: %s\n", i, err);
			return false;
		}
	}
	return true;
}

static sa_model *build_model(const struct net_layer *L)
{
	const float mean[3] = {0, 0, 0}, std[3] = {1, 1, 1};
	uint32_t tid[NET_LAYERS + 1];
	sa_builder *b;
	sa_model *model = NULL;
	void *data = NULL;
	size_t size = 0;
	sa_status st;

	if (sa_builder_create(&b) != SA_OK)
		return NULL;
	st = sa_builder_input(b, 3, 8, 8, SA_DTYPE_I8, -4, mean, std, &tid[0]);
	for (int i = 0; st == SA_OK && i < NET_LAYERS; i++) {
		const struct net_layer *l = &L[i];

		switch (l->op) {
		case SA_OP_CONV:
			st = sa_builder_conv(b, tid[l->in], &l->p.conv, l->w, l->bias, l->out_dtype,
					     l->out_exp, &tid[i + 1]);
			break;
		case SA_OP_FC:
			st = sa_builder_fc(b, tid[l->in], &l->p.fc, l->w, l->bias, l->out_dtype,
					   l->out_exp, &tid[i + 1]);
			break;
		case SA_OP_MAXPOOL:
			st = sa_builder_maxpool(b, tid[l->in], &l->p.pool, &tid[i + 1]);
			break;
		case SA_OP_AVGPOOL:
			st = sa_builder_avgpool(b, tid[l->in], &l->p.pool, &tid[i + 1]);
			break;
		case SA_OP_GLOBAL_AVGPOOL:
			st = sa_builder_global_avgpool(b, tid[l->in], &tid[i + 1]);
			break;
		default:
			st = sa_builder_add(b, tid[l->in], tid[l->in_b], &l->p.add, l->out_dtype,
					    l->out_exp, &tid[i + 1]);
			break;
		}
	}
	if (st == SA_OK)
		st = sa_builder_set_output(b, tid[NET_LAYERS]);
	if (st == SA_OK)
		st = sa_builder_write_memory(b, &data, &size);
	if (st == SA_OK)
		st = sa_model_open_memory(data, size, "card-net", &model);
	if (st != SA_OK)
		fprintf(stderr, "  building the model: %s\n", sa_last_error());
	free(data);
	sa_builder_destroy(b);
	return model;
}

static size_t tensor_bytes(const struct sa_shape *s)
{
	return sa_shape_elems(s) * (s->dtype == SA_DTYPE_I16 ? 2 : 1);
}

static void set_tensor(struct sa_hw_tensor *t, const struct sa_shape *s, uint64_t va)
{
	*t = (struct sa_hw_tensor){
		.addr = va, .c = s->c, .h = s->h, .w = s->w, .dtype = s->dtype, .exp = s->exp};
}

TEST(network_matches_cpu_backend)
{
	const uint64_t rw = SA_PTE_VALID | SA_PTE_READ | SA_PTE_WRITE;
	struct net_layer L[NET_LAYERS];
	struct sa_shape t[NET_LAYERS + 1];
	uint64_t tva[NET_LAYERS + 1], tbus[NET_LAYERS + 1];
	uint32_t seed = 2024, reply[SA_MBOX_WORDS];
	struct harness *h = h_create(8, false);
	uint64_t root = h_context(h, 3);
	uint64_t ring = h_map_new(h, root, 0x100000, NET_LAYERS * 256, rw);
	uint64_t fence = h_map_new(h, root, 0x200000, 8, rw);
	uint64_t va = 0x1000000;
	sa_session *session = NULL;
	sa_model *model;
	uint8_t *cpu_out;

	make_net(L, &seed);
	CHECK(net_shapes(L, t));
	model = build_model(L);
	CHECK(model != NULL);
	CHECK(boot_engine_program(h));
	/* Every tensor and every weight/bias blob at its own device VA. */
	for (int i = 0; i <= NET_LAYERS; i++) {
		tva[i] = va;
		tbus[i] = h_map_new(h, root, va, tensor_bytes(&t[i]), rw);
		va += 0x100000;
	}
	h_fill_random(h, tbus[0], tensor_bytes(&t[0]), &seed);
	for (int i = 0; i < NET_LAYERS; i++) {
		struct sa_hw_te_cmd cmd = {.op = L[i].op, .context = 3};

		set_tensor(&cmd.layer.in, &t[L[i].in], tva[L[i].in]);
		if (L[i].op == SA_OP_ADD)
			set_tensor(&cmd.layer.in_b, &t[L[i].in_b], tva[L[i].in_b]);
		set_tensor(&cmd.layer.out, &t[i + 1], tva[i + 1]);
		memcpy(&cmd.layer.params, &L[i].p, sizeof(L[i].p));
		if (L[i].w) {
			unsigned int bits = L[i].op == SA_OP_CONV ? L[i].p.conv.weight_bits
								  : L[i].p.fc.weight_bits;
			size_t n = sa_weight_packed_size(L[i].nw, bits);
			uint64_t bus = h_map_new(h, root, va, n, SA_PTE_VALID | SA_PTE_READ);

			sa_weight_pack(L[i].w, L[i].nw, bits, h_ptr(h, bus));
			cmd.layer.weights = va;
			va += 0x100000;
		}
		if (L[i].bias) {
			uint64_t bus =
				h_map_new(h, root, va, 4 * t[i + 1].c, SA_PTE_VALID | SA_PTE_READ);

			memcpy(h_ptr(h, bus), L[i].bias, 4 * t[i + 1].c);
			cmd.layer.bias = va;
			va += 0x100000;
		}
		write_desc(h, ring + 256 * (uint64_t)i, &cmd, SA_DESC_F_FENCE, 0x200000,
			   (uint64_t)i + 1);
	}
	/* One job per descriptor, in ring order, as firmware would consume them. */
	for (int i = 0; i < NET_LAYERS; i++) {
		uint32_t msg[5] = {JOB_DESC, 3, 0x100000 + 256 * (uint32_t)i, 0, 1};

		CHECK(job(h, msg, 5, reply));
		CHECK_EQ_INT(reply[1], SA_ENGINE_DONE);
		CHECK_EQ_INT(*(uint64_t *)h_ptr(h, fence), (uint64_t)i + 1);
	}
	/* The CPU backend on the same model and input. */
	cpu_out = calloc(1, tensor_bytes(&t[NET_LAYERS]));
	CHECK(sa_session_create(model, SA_DEVICE_CPU, &session) == SA_OK);
	CHECK(sa_session_run_quantized(session, h_ptr(h, tbus[0]), cpu_out) == SA_OK);
	CHECK(memcmp(cpu_out, h_ptr(h, tbus[NET_LAYERS]), tensor_bytes(&t[NET_LAYERS])) == 0);
	/* And the output is not trivially constant. */
	const int16_t *y = h_ptr(h, tbus[NET_LAYERS]);
	int distinct = 0;

	for (int i = 1; i < 10; i++)
		distinct += y[i] != y[0];
	CHECK(distinct > 0);
	free(cpu_out);
	sa_session_destroy(session);
	sa_model_close(model);
	free_net(L);
	h_destroy(h);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(te_commands_from_cp_code);
	RUN(dma_jobs_from_cp_code);
	RUN(descriptor_fence_and_interrupt);
	RUN(network_matches_cpu_backend);
	CHECK_MAIN_END();
}
