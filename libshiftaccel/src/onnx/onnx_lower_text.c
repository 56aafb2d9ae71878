// SPDX-License-Identifier: MIT
/*
 * The architecture text (docs/training.md) of a lowered ONNX graph: one line
 * per layer, each naming its input with from=, and a comment naming the ONNX
 * node it came from.  Line 1 is the input, line k + 2 layer k, so the
 * trainer's "architecture line N" messages lead back to the node.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx_lower.h"

static const char *act_option(int act)
{
	return act == SA_ACT_RELU ? " relu" : act == SA_ACT_RELU6 ? " relu6" : "";
}

static void put_window(FILE *t, const struct tr_layer_spec *p)
{
	fprintf(t, " stride=%dx%d pad=%d,%d,%d,%d", p->sh, p->sw, p->pt, p->pl, p->pb, p->pr);
}

/* The ONNX node's name in a comment: printable characters only, so the line stays one line. */
static void put_origin(FILE *t, const struct sa_lowered *l, const struct sa_lowered_layer *y)
{
	const struct sa_onnx_node *n = &l->graph->nodes[y->node];
	char name[72];
	size_t i;

	for (i = 0; i < sizeof(name) - 1 && n->name[i]; i++)
		name[i] = isprint((unsigned char)n->name[i]) ? n->name[i] : '?';
	name[i] = '\0';
	fprintf(t, "    # %s %s\n", sa_onnx_op_name(n->op), name);
}

char *sa_lowered_arch_text(const struct sa_lowered *l)
{
	char *text = NULL;
	size_t size = 0;
	FILE *t = open_memstream(&text, &size);

	if (!t)
		return NULL;
	fprintf(t, "input %d %d %d\n", l->in_c, l->in_h, l->in_w);
	for (int i = 0; i < l->num_layers; i++) {
		const struct sa_lowered_layer *y = &l->layers[i];
		const struct tr_layer_spec *p = &y->spec;

		switch (p->op) {
		case TR_OP_CONV:
			fprintf(t, "conv %d %dx%d", p->out, p->kh, p->kw);
			put_window(t, p);
			fprintf(t, " dilation=%dx%d groups=%d bias=%d%s", p->dh, p->dw, p->groups,
				p->bias, act_option(p->act));
			break;
		case TR_OP_FC:
			fprintf(t, "fc %d bias=%d%s", p->out, p->bias, act_option(p->act));
			break;
		case TR_OP_MAXPOOL:
		case TR_OP_AVGPOOL:
			fprintf(t, "%s %dx%d", p->op == TR_OP_MAXPOOL ? "maxpool" : "avgpool",
				p->kh, p->kw);
			put_window(t, p);
			break;
		case TR_OP_GAP: fprintf(t, "gap"); break;
		case TR_OP_FLATTEN: fprintf(t, "flatten"); break;
		case TR_OP_ADD: fprintf(t, "add %s%s", p->other, act_option(p->act)); break;
		case TR_OP_CONCAT: fprintf(t, "concat %s%s", p->other, act_option(p->act)); break;
		case TR_OP_CLIP: fprintf(t, "%s", p->act == SA_ACT_RELU6 ? "relu6" : "relu"); break;
		default: fprintf(t, "dropout 0"); break;
		}
		fprintf(t, " name=%s from=%s", p->name, p->from);
		put_origin(t, l, y);
	}
	if (fclose(t)) {
		free(text);
		return NULL;
	}
	return text;
}
