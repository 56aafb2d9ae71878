// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the ONNX reader (libshiftaccel/src/onnx/).  Every
 * input either fails with a status the reader documents, or gives a graph
 * whose guarantees (onnx_graph.h) are checked here: every node input is a
 * value defined before the node, every output a value of its own, the
 * image input is a float tensor, initializer data has exactly `count`
 * elements; a ShiftAccel export (onnx_read_export.c) fails cleanly or gives
 * a .dsm the model reader accepts.  A violation traps and libFuzzer reports
 * it like a crash.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../libshiftaccel/src/onnx/onnx_graph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile double sink; /* keeps the reads from being optimised away */

#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

static void check_graph(const struct sa_onnx_graph *g)
{
	/* Values a node may read: defined before it (initializers and the input first). */
	uint8_t *defined = calloc(g->n_values ? g->n_values : 1, 1);

	REQUIRE(defined);
	REQUIRE(g->opset >= SA_ONNX_OPSET_MIN && g->opset <= SA_ONNX_OPSET_MAX);
	REQUIRE(g->input < g->n_values && g->values[g->input].is_input);
	REQUIRE(g->values[g->input].elem_type == SA_ONNX_FLOAT);
	for (uint32_t i = 0; i < g->n_values; i++) {
		const struct sa_onnx_value *v = &g->values[i];

		REQUIRE(v->name && v->ndim <= SA_ONNX_MAX_DIMS);
		if (v->is_initializer) {
			REQUIRE(v->count <= SA_ONNX_MAX_ELEMENTS);
			REQUIRE(!!v->f32 + !!v->i64 == 1);
			for (uint64_t k = 0; k < v->count; k++)
				sink += v->f32 ? v->f32[k] : (double)v->i64[k];
			defined[i] = 1;
		}
	}
	defined[g->input] = 1;
	for (uint32_t n = 0; n < g->n_nodes; n++) {
		const struct sa_onnx_node *nd = &g->nodes[n];

		REQUIRE(nd->op < SA_ONNX_NUM_OPS && nd->name && nd->n_inputs >= 1);
		REQUIRE(nd->inputs[0] != SA_ONNX_NONE);
		for (uint32_t k = 0; k < nd->n_inputs; k++)
			REQUIRE(nd->inputs[k] == SA_ONNX_NONE ||
				(nd->inputs[k] < g->n_values && defined[nd->inputs[k]]));
		for (uint32_t k = 0; k < nd->n_outputs; k++) {
			REQUIRE(nd->outputs[k] < g->n_values && !defined[nd->outputs[k]]);
			defined[nd->outputs[k]] = 1;
		}
		sink += nd->a.strides[0] + nd->a.pads[3] + nd->a.group;
	}
	REQUIRE(g->n_outputs >= 1);
	for (uint32_t k = 0; k < g->n_outputs; k++)
		REQUIRE(g->outputs[k] < g->n_values && defined[g->outputs[k]]);
	free(defined);
}

/* The reader of ShiftAccel exports: a clean error, or a .dsm the model reader accepts. */
static void check_export(const uint8_t *data, size_t size)
{
	int is_export = 0;
	void *dsm = NULL;
	size_t dsm_size = 0;
	sa_model *m = NULL;

	if (sa_onnx_parse_export(data, size, "fuzz", &is_export, &dsm, &dsm_size) == SA_OK &&
	    is_export) {
		REQUIRE(sa_model_open_memory(dsm, dsm_size, "fuzz", &m) == SA_OK);
		sa_model_close(m);
		free(dsm);
	} else {
		REQUIRE(*sa_last_error() || !is_export);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sa_onnx_graph *g = NULL;
	sa_status st = sa_onnx_parse(data, size, "fuzz", &g);

	if (st == SA_OK) {
		check_graph(g);
		sa_onnx_free(g);
	} else {
		REQUIRE(g == NULL);
		REQUIRE(st == SA_ERR_BAD_MODEL || st == SA_ERR_UNSUPPORTED ||
			st == SA_ERR_NO_MEMORY);
	}
	check_export(data, size);
	return 0;
}
