// SPDX-License-Identifier: MIT
/*
 * ONNX models as trainers (shiftaccel_train.h, docs/import.md): the graph is
 * read, lowered to an architecture text, the trainer built from that text,
 * and the ONNX weights copied into its float parameters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../error.h"
#include "../onnx/onnx_lower.h"
#include "dataset.h"
#include "trainer.h"

struct sa_onnx_import {
	char *path;
	struct sa_onnx_graph *graph;
	struct sa_lowered low;
	char *arch;
};

sa_status sa_onnx_import_open(const char *path, uint32_t c, uint32_t h, uint32_t w,
			      sa_onnx_import **out)
{
	struct sa_onnx_import *imp;
	sa_status st;

	if (!path || !out || !c || !h || !w || c > SA_MAX_INPUT_CHANNELS || h > SA_LOWER_MAX_SIDE ||
	    w > SA_LOWER_MAX_SIDE)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_onnx_import_open: bad argument");
	imp = calloc(1, sizeof(*imp));
	if (!imp || !(imp->path = strdup(path))) {
		free(imp);
		return sa_fail(SA_ERR_NO_MEMORY, "import: out of memory");
	}
	st = sa_onnx_load(path, &imp->graph);
	if (!st)
		st = sa_onnx_lower(imp->graph, imp->path, (int)c, (int)h, (int)w, &imp->low);
	if (!st && !(imp->arch = sa_lowered_arch_text(&imp->low)))
		st = sa_fail(SA_ERR_NO_MEMORY, "import: out of memory");
	if (st) {
		sa_onnx_import_close(imp);
		return st;
	}
	*out = imp;
	sa_clear_error();
	return SA_OK;
}

void sa_onnx_import_close(sa_onnx_import *imp)
{
	if (!imp)
		return;
	if (imp->low.layers)
		sa_lowered_free(&imp->low);
	sa_onnx_free(imp->graph);
	free(imp->arch);
	free(imp->path);
	free(imp);
}

uint32_t sa_onnx_import_classes(const sa_onnx_import *imp)
{
	return (uint32_t)imp->low.classes;
}

const char *sa_onnx_import_arch(const sa_onnx_import *imp)
{
	return imp->arch;
}

int64_t sa_onnx_import_opset(const sa_onnx_import *imp)
{
	return imp->graph->opset;
}

uint64_t sa_onnx_import_param_count(const sa_onnx_import *imp)
{
	uint64_t n = 0;

	for (int i = 0; i < imp->low.num_layers; i++) {
		const struct sa_lowered_layer *y = &imp->low.layers[i];

		n += y->n_weight + (y->bias ? (uint64_t)y->out_c : 0);
	}
	return n;
}

uint32_t sa_onnx_import_layers(const sa_onnx_import *imp)
{
	return (uint32_t)imp->low.num_layers;
}

static const char *kind_name(int op)
{
	static const char *const names[] = {
		[TR_OP_INPUT] = "input",     [TR_OP_CONV] = "conv",
		[TR_OP_FC] = "fc",	     [TR_OP_MAXPOOL] = "maxpool",
		[TR_OP_AVGPOOL] = "avgpool", [TR_OP_GAP] = "gap",
		[TR_OP_ADD] = "add",	     [TR_OP_FLATTEN] = "flatten",
		[TR_OP_DROPOUT] = "dropout", [TR_OP_CONCAT] = "concat",
		[TR_OP_CLIP] = "clip",
	};

	return op >= 0 && op <= TR_OP_CLIP ? names[op] : "?";
}

void sa_onnx_import_layer(const sa_onnx_import *imp, uint32_t i, struct sa_import_layer_info *info)
{
	const struct sa_lowered_layer *y = &imp->low.layers[i];
	const struct sa_onnx_node *n = &imp->graph->nodes[y->node];

	info->kind = kind_name(y->spec.op);
	info->op = sa_onnx_op_name(n->op);
	info->node = n->name;
	info->in_c = (uint32_t)y->in_c, info->in_h = (uint32_t)y->in_h;
	info->in_w = (uint32_t)y->in_w;
	info->out_c = (uint32_t)y->out_c, info->out_h = (uint32_t)y->out_h;
	info->out_w = (uint32_t)y->out_w;
}

/* A trainer's "architecture line N" message, told with the ONNX node of that line. */
static sa_status name_the_node(const struct sa_onnx_import *imp, sa_status st)
{
	char msg[512], where[160];
	const char *at = strstr(sa_last_error(), "architecture line ");
	int line;

	if (!at || sscanf(at, "architecture line %d", &line) != 1 || line < 2 ||
	    line - 2 >= imp->low.num_layers)
		return st;
	snprintf(msg, sizeof(msg), "%s", sa_last_error());
	sa_onnx_node_where(imp->graph, imp->low.layers[line - 2].node, where, sizeof(where));
	return sa_fail(st, "%s: %s: %s", imp->path, where, msg);
}

sa_status sa_trainer_create_from_onnx(const sa_onnx_import *imp, const struct sa_train_config *cfg,
				      const sa_dataset *data, sa_trainer **out)
{
	struct sa_train_config c;
	sa_trainer *t;
	sa_status st;

	if (!imp || !cfg || !data || !out)
		return sa_fail(SA_ERR_INVALID_ARGUMENT,
			       "sa_trainer_create_from_onnx: NULL argument");
	if (data->num_classes != (uint32_t)imp->low.classes)
		return sa_fail(SA_ERR_SHAPE, "%s: %u classes, but %s gives %d values", data->name,
			       data->num_classes, imp->path, imp->low.classes);
	c = *cfg;
	c.arch_text = imp->arch;
	c.arch_name = imp->path;
	c.weights = SA_WEIGHTS_FLOAT;
	st = sa_trainer_create(&c, data, &t);
	if (st)
		return name_the_node(imp, st);
	for (int i = 0; i < imp->low.num_layers; i++) {
		const struct sa_lowered_layer *y = &imp->low.layers[i];
		struct tr_node *nd = &t->net->nodes[i + 1];

		if (y->spec.op != TR_OP_CONV && y->spec.op != TR_OP_FC)
			continue;
		/* The text made the trainer, so its layers are the lowering's, size for size. */
		if (nd->nw != y->n_weight || nd->has_bias != (y->bias != NULL) ||
		    nd->osh.c != y->out_c) {
			sa_trainer_destroy(t);
			return sa_fail(SA_ERR_INVALID_ARGUMENT,
				       "import: layer %s has %zu weights, the "
				       "lowering %zu",
				       nd->name, nd->nw, y->n_weight);
		}
		memcpy(nd->weight.value, y->weight, sizeof(float) * y->n_weight);
		if (y->bias)
			memcpy(nd->bias.value, y->bias, sizeof(float) * (size_t)y->out_c);
	}
	tr_net_prepare_weights(t->net);
	*out = t;
	sa_clear_error();
	return SA_OK;
}
