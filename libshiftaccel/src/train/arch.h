/* SPDX-License-Identifier: MIT */
/*
 * Network architectures: the small text format (docs/training.md) and the
 * built-in networks, which are written in the same format.
 *
 * One layer per line; '#' starts a comment.  Each layer takes the previous
 * line's output unless it names another with from=NAME, and may be named
 * with name=NAME for later from= and add references:
 *
 *   input C H W                 optional; must match the data set
 *   conv OUT K [stride=S] [pad=P | pad=T,L,B,R] [dilation=D] [groups=G]
 *        [bias=0|1] [bn] [relu | relu6]          (K is N or HxW)
 *   fc OUT [bias=0|1] [bn] [relu | relu6]       (OUT may be "classes")
 *   maxpool K [stride=S] [pad=P]   avgpool K [stride=S] [pad=P]
 *   gap                          global average pool
 *   add NAME [relu | relu6]      previous output + the output of NAME
 *   concat NAME... [relu | relu6] previous output's channels, then each NAME's
 *   relu   relu6                 a standalone activation (no producer to fuse into)
 *   flatten      dropout P
 *
 * "concat A B C" becomes a chain of binary concat layers (the integer op
 * takes two inputs); only the last carries the line's name and activation.
 */
#ifndef TR_ARCH_H
#define TR_ARCH_H

#include "../../include/shiftaccel.h"

enum tr_op {
	TR_OP_INPUT,
	TR_OP_CONV,
	TR_OP_FC,
	TR_OP_MAXPOOL,
	TR_OP_AVGPOOL,
	TR_OP_GAP,
	TR_OP_ADD,
	TR_OP_FLATTEN,
	TR_OP_DROPOUT,
	TR_OP_CONCAT, /* in[0]'s channels, then in[1]'s */
	TR_OP_CLIP,   /* a standalone activation */
};

#define TR_NAME_MAX 32
#define TR_CLASSES (-1) /* "fc classes" */

struct tr_layer_spec {
	int op;
	int line;
	char name[TR_NAME_MAX];	 /* "" when unnamed */
	char from[TR_NAME_MAX];	 /* "" = previous layer */
	char other[TR_NAME_MAX]; /* add, concat: the second input */
	int out;		 /* conv channels or fc features (TR_CLASSES allowed for fc) */
	int kh, kw, sh, sw, dh, dw;
	int pt, pl, pb, pr;
	int groups;
	int bias; /* 1 or 0; default 1 unless bn */
	int bn;
	int act;   /* SA_ACT_* */
	float p;   /* dropout */
	int names; /* concat: how many names its line gave (the chain's length) */
};

struct tr_arch {
	int num_layers;
	struct tr_layer_spec *layers;
	int has_input;
	int in_c, in_h, in_w;
};

/* Parses the text format; messages name `source` and the line. */
sa_status tr_arch_parse(const char *text, const char *source, struct tr_arch *out);
void tr_arch_free(struct tr_arch *a);

/*
 * Text of a built-in network for inputs of c x h x w ("simple-fc",
 * "simple-cnn", "lenet5", "resnet20"); malloc()ed, NULL with an error set
 * when the name is unknown or the input does not suit the network.
 */
char *tr_arch_builtin(const char *name, int c, int h, int w);
/* The built-in names, comma separated, for messages and --help. */
#define TR_ARCH_BUILTINS "simple-fc, simple-cnn, lenet5, resnet20"

#endif /* TR_ARCH_H */
