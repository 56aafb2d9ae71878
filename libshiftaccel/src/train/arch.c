// SPDX-License-Identifier: MIT
/* The architecture text format (see arch.h and docs/training.md) and the built-in networks. */
#include "arch.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../error.h"

#define MAX_TOKENS 24
#define MAX_LINE 512

struct parser {
	const char *source;
	int line;
};

static sa_status bad(const struct parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static sa_status bad(const struct parser *ps, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sa_fail(SA_ERR_INVALID_ARGUMENT, "%s:%d: %s", ps->source, ps->line, msg);
}

/* A whole-token integer in [lo, hi]. */
static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* "N" or "HxW". */
static int parse_pair(const char *s, int lo, int hi, int *a, int *b)
{
	char buf[64];
	char *x;

	snprintf(buf, sizeof(buf), "%s", s);
	x = strchr(buf, 'x');
	if (!x)
		return parse_int(buf, lo, hi, a) || parse_int(buf, lo, hi, b) ? -1 : 0;
	*x = '\0';
	return parse_int(buf, lo, hi, a) || parse_int(x + 1, lo, hi, b) ? -1 : 0;
}

/* "P" or "T,L,B,R". */
static int parse_pad(const char *s, struct tr_layer_spec *l)
{
	int v[4], n = 0;
	char buf[64];
	char *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok && n < 4; tok = strtok_r(NULL, ",", &save))
		if (parse_int(tok, 0, 1024, &v[n++]))
			return -1;
	if (tok)
		return -1;
	if (n == 1) {
		l->pt = l->pl = l->pb = l->pr = v[0];
		return 0;
	}
	if (n != 4)
		return -1;
	l->pt = v[0], l->pl = v[1], l->pb = v[2], l->pr = v[3];
	return 0;
}

static int valid_name(const char *s)
{
	if (!*s || strlen(s) >= TR_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return 0;
	return 1;
}

/* An option word (key=value or an activation) rather than a layer name. */
static int is_option(const char *t)
{
	return strchr(t, '=') || !strcmp(t, "relu") || !strcmp(t, "relu6") || !strcmp(t, "bn");
}

/* Options of one line after its positional arguments. */
static sa_status parse_options(const struct parser *ps, char **tok, int ntok, const char *kind,
			       struct tr_layer_spec *l, const char *allowed)
{
	for (int i = 0; i < ntok; i++) {
		const char *t = tok[i];
		const char *eq = strchr(t, '=');
		char key[32];
		const char *val = eq ? eq + 1 : "";

		snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - t) : (int)strlen(t), t);
		/* `allowed` lists the option keys of this kind, space separated. */
		char pat[40];

		snprintf(pat, sizeof(pat), " %s ", key);
		if (!strstr(allowed, pat))
			return bad(ps, "%s: unknown option '%s'", kind, t);
		if (!strcmp(key, "relu") || !strcmp(key, "relu6")) {
			if (eq || l->act != SA_ACT_NONE)
				return bad(ps, "%s: '%s': give one activation, without a value",
					   kind, t);
			l->act = key[4] ? SA_ACT_RELU6 : SA_ACT_RELU;
		} else if (!strcmp(key, "bn")) {
			if (eq)
				return bad(ps, "%s: 'bn' takes no value", kind);
			l->bn = 1;
		} else if (!strcmp(key, "stride")) {
			if (parse_pair(val, 1, 1024, &l->sh, &l->sw))
				return bad(ps, "%s: stride '%s': expected N or HxW, 1..1024", kind,
					   val);
		} else if (!strcmp(key, "dilation")) {
			if (parse_pair(val, 1, 1024, &l->dh, &l->dw))
				return bad(ps, "%s: dilation '%s': expected N or HxW, 1..1024",
					   kind, val);
		} else if (!strcmp(key, "pad")) {
			if (parse_pad(val, l))
				return bad(ps, "%s: pad '%s': expected P or T,L,B,R, 0..1024", kind,
					   val);
		} else if (!strcmp(key, "groups")) {
			if (parse_int(val, 1, 65536, &l->groups))
				return bad(ps, "%s: groups '%s': expected 1..65536", kind, val);
		} else if (!strcmp(key, "bias")) {
			if (parse_int(val, 0, 1, &l->bias))
				return bad(ps, "%s: bias '%s': expected 0 or 1", kind, val);
		} else if (!strcmp(key, "name") || !strcmp(key, "from")) {
			if (!valid_name(val))
				return bad(ps,
					   "%s: %s '%s': names are 1..%d letters, digits, '_', "
					   "'-', '.'",
					   kind, key, val, TR_NAME_MAX - 1);
			snprintf(key[0] == 'n' ? l->name : l->from, TR_NAME_MAX, "%s", val);
		}
	}
	return SA_OK;
}

static sa_status parse_layer(const struct parser *ps, char **tok, int ntok, struct tr_layer_spec *l)
{
	const char *kind = tok[0];

	memset(l, 0, sizeof(*l));
	l->line = ps->line;
	l->sh = l->sw = l->dh = l->dw = l->groups = 1;
	l->bias = -1;
	l->act = SA_ACT_NONE;
	if (!strcmp(kind, "conv")) {
		l->op = TR_OP_CONV;
		if (ntok < 3 || parse_int(tok[1], 1, 65536, &l->out) ||
		    parse_pair(tok[2], 1, 1024, &l->kh, &l->kw))
			return bad(ps,
				   "expected: conv OUT K [options] (OUT 1..65536, K = N or HxW)");
		if (parse_options(ps, tok + 3, ntok - 3, kind, l,
				  " stride pad dilation groups bias bn relu relu6 name from "))
			return SA_ERR_INVALID_ARGUMENT;
	} else if (!strcmp(kind, "fc")) {
		l->op = TR_OP_FC;
		if (ntok < 2)
			return bad(ps, "expected: fc OUT [options]");
		if (!strcmp(tok[1], "classes"))
			l->out = TR_CLASSES;
		else if (parse_int(tok[1], 1, 1 << 24, &l->out))
			return bad(ps, "fc: OUT '%s': expected a count or 'classes'", tok[1]);
		if (parse_options(ps, tok + 2, ntok - 2, kind, l, " bias bn relu relu6 name from "))
			return SA_ERR_INVALID_ARGUMENT;
	} else if (!strcmp(kind, "maxpool") || !strcmp(kind, "avgpool")) {
		l->op = kind[0] == 'm' ? TR_OP_MAXPOOL : TR_OP_AVGPOOL;
		if (ntok < 2 || parse_pair(tok[1], 1, 1024, &l->kh, &l->kw))
			return bad(ps, "expected: %s K [stride=S] [pad=P] (K = N or HxW)", kind);
		l->sh = l->kh;
		l->sw = l->kw;
		if (parse_options(ps, tok + 2, ntok - 2, kind, l, " stride pad name from "))
			return SA_ERR_INVALID_ARGUMENT;
	} else if (!strcmp(kind, "gap") || !strcmp(kind, "flatten")) {
		l->op = kind[0] == 'g' ? TR_OP_GAP : TR_OP_FLATTEN;
		if (parse_options(ps, tok + 1, ntok - 1, kind, l, " name from "))
			return SA_ERR_INVALID_ARGUMENT;
	} else if (!strcmp(kind, "add")) {
		l->op = TR_OP_ADD;
		if (ntok < 2 || !valid_name(tok[1]) || strchr(tok[1], '='))
			return bad(ps,
				   "expected: add NAME [relu|relu6] (NAME of an earlier layer)");
		snprintf(l->other, sizeof(l->other), "%s", tok[1]);
		if (parse_options(ps, tok + 2, ntok - 2, kind, l, " relu relu6 name from "))
			return SA_ERR_INVALID_ARGUMENT;
	} else if (!strcmp(kind, "concat")) {
		l->op = TR_OP_CONCAT;
		while (1 + l->names < ntok && !is_option(tok[1 + l->names])) {
			if (!valid_name(tok[1 + l->names]))
				return bad(ps, "concat: '%s' is not a layer name",
					   tok[1 + l->names]);
			l->names++;
		}
		if (l->names == 0)
			return bad(ps, "expected: concat NAME... [relu|relu6] (NAMEs of earlier "
				       "layers)");
		snprintf(l->other, sizeof(l->other), "%s", tok[1]);
		if (parse_options(ps, tok + 1 + l->names, ntok - 1 - l->names, kind, l,
				  " relu relu6 name from "))
			return SA_ERR_INVALID_ARGUMENT;
	} else if (!strcmp(kind, "relu") || !strcmp(kind, "relu6")) {
		l->op = TR_OP_CLIP;
		l->act = kind[4] ? SA_ACT_RELU6 : SA_ACT_RELU;
		if (parse_options(ps, tok + 1, ntok - 1, kind, l, " name from "))
			return SA_ERR_INVALID_ARGUMENT;
	} else if (!strcmp(kind, "dropout")) {
		char *end;

		l->op = TR_OP_DROPOUT;
		if (ntok < 2)
			return bad(ps, "expected: dropout P (0 <= P < 1)");
		l->p = strtof(tok[1], &end);
		if (*end || !(l->p >= 0.0f && l->p < 1.0f))
			return bad(ps, "dropout: P '%s' is not in [0, 1)", tok[1]);
		if (parse_options(ps, tok + 2, ntok - 2, kind, l, " name from "))
			return SA_ERR_INVALID_ARGUMENT;
	} else {
		return bad(ps,
			   "unknown layer '%s' (conv, fc, maxpool, avgpool, gap, add, concat, "
			   "relu, relu6, flatten, dropout, input)",
			   kind);
	}
	if (l->bias < 0)
		l->bias = !l->bn;
	return SA_OK;
}

/*
 * The last layer parsed is "concat N1 N2 ... [options]": it becomes the
 * binary concats (prev, N1), (that, N2), ...; the first keeps the line's
 * from=, the last its name and activation (the array has room, see below).
 */
static void expand_concat(struct tr_arch *a, char **tok)
{
	struct tr_layer_spec line = a->layers[a->num_layers - 1];

	for (int j = 0; j < line.names; j++) {
		struct tr_layer_spec *l = &a->layers[a->num_layers - 1 + j];

		*l = line;
		snprintf(l->other, sizeof(l->other), "%s", tok[1 + j]);
		if (j > 0)
			l->from[0] = '\0';
		if (j < line.names - 1) {
			l->name[0] = '\0';
			l->act = SA_ACT_NONE;
		}
	}
	a->num_layers += line.names - 1;
}

void tr_arch_free(struct tr_arch *a)
{
	free(a->layers);
	memset(a, 0, sizeof(*a));
}

sa_status tr_arch_parse(const char *text, const char *source, struct tr_arch *out)
{
	struct parser ps = {source, 0};
	struct tr_arch a = {0};
	int cap = 0;
	const char *p = text;
	sa_status st = SA_OK;

	while (*p && !st) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[MAX_LINE];
		char *tok[MAX_TOKENS], *save = NULL, *t;
		int ntok = 0;

		ps.line++;
		if (len >= sizeof(line)) {
			st = bad(&ps, "line longer than %d characters", MAX_LINE - 1);
			break;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl ? nl + 1 : p + len;
		if ((t = strchr(line, '#')))
			*t = '\0';
		for (t = strtok_r(line, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
			if (ntok == MAX_TOKENS) {
				st = bad(&ps, "more than %d words", MAX_TOKENS);
				break;
			}
			tok[ntok++] = t;
		}
		if (st || ntok == 0)
			continue;
		if (!strcmp(tok[0], "input")) {
			if (a.num_layers > 0 || a.has_input)
				st = bad(&ps, "'input' must be the first line");
			else if (ntok != 4 || parse_int(tok[1], 1, 4, &a.in_c) ||
				 parse_int(tok[2], 1, 65536, &a.in_h) ||
				 parse_int(tok[3], 1, 65536, &a.in_w))
				st = bad(&ps, "expected: input C H W (C 1..4)");
			a.has_input = 1;
			continue;
		}
		/* room for this line's layers: a concat of N names is a chain of N */
		while (!st && a.num_layers + ntok - 1 >= cap) {
			int ncap = cap ? 2 * cap : 16;
			void *n = realloc(a.layers, sizeof(*a.layers) * (size_t)ncap);

			if (!n) {
				st = sa_fail(SA_ERR_NO_MEMORY, "%s: out of memory", source);
				break;
			}
			a.layers = n;
			cap = ncap;
		}
		if (st)
			break;
		st = parse_layer(&ps, tok, ntok, &a.layers[a.num_layers]);
		if (st)
			break;
		struct tr_layer_spec *l = &a.layers[a.num_layers];

		for (int i = 0; l->name[0] && i < a.num_layers; i++)
			if (!strcmp(a.layers[i].name, l->name))
				st = bad(&ps, "name '%s' is already used on line %d", l->name,
					 a.layers[i].line);
		if (!strcmp(l->name, "input"))
			st = bad(&ps, "the name 'input' is reserved");
		a.num_layers++;
		if (!st && l->op == TR_OP_CONCAT)
			expand_concat(&a, tok);
	}
	if (!st && a.num_layers == 0)
		st = sa_fail(SA_ERR_INVALID_ARGUMENT, "%s: no layers", source);
	if (st) {
		tr_arch_free(&a);
		return st;
	}
	*out = a;
	return SA_OK;
}

/* ------------------------------------------------------------ built-ins */

static const char simple_fc[] = "# Simple FC (DeepShift paper): 784-512-512-classes\n"
				"flatten\n"
				"fc 512 relu\n"
				"dropout 0.2\n"
				"fc 512 relu\n"
				"dropout 0.2\n"
				"fc classes\n";

static const char simple_cnn[] = "# Simple CNN (DeepShift paper)\n"
				 "conv 20 5 relu\n"
				 "maxpool 2\n"
				 "conv 50 5 relu\n"
				 "maxpool 2\n"
				 "flatten\n"
				 "fc 500 relu\n"
				 "fc classes\n";

static const char lenet5[] = "# LeNet-5 with ReLU and 2x2 average pooling\n"
			     "conv 6 5 pad=2 relu\n"
			     "avgpool 2\n"
			     "conv 16 5 relu\n"
			     "avgpool 2\n"
			     "flatten\n"
			     "fc 120 relu\n"
			     "fc 84 relu\n"
			     "fc classes\n";

struct text {
	char *s;
	size_t len, cap;
	int failed;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->cap - t->len) {
		t->failed = 1;
		return;
	}
	t->len += (size_t)n;
}

/*
 * ResNet-20 (He et al. 2016, the CIFAR variant: 3 stages of 3 basic blocks,
 * 16/32/64 channels, 1x1 projection shortcuts when the shape changes).  The
 * first convolution pads the input up to a power-of-two size so the global
 * average pool covers a power-of-two area, as the integer op required
 * before format 1.1 (28x28 MNIST: 32x32, then 16x16 and 8x8); kept so that
 * resnet20 models stay format 1.0 files, readable by 1.0 libraries.
 */
static char *resnet20(int h, int w)
{
	struct text t = {malloc(16384), 0, 16384, 0};
	int size = 4, prev = 16;
	char last[16] = "stem";

	if (!t.s)
		return NULL;
	while (size < h)
		size *= 2;
	if (h != w || h < 4 || (size - h) % 2) {
		free(t.s);
		sa_fail(SA_ERR_SHAPE,
			"resnet20 needs a square input of at least 4x4 whose side differs from a "
			"power of two by an even number (got %dx%d)",
			h, w);
		return NULL;
	}
	put(&t, "# ResNet-20 (3 stages x 3 basic blocks), %dx%d input padded to %dx%d\n", h, w,
	    size, size);
	put(&t, "conv 16 3 pad=%d bn relu name=stem\n", 1 + (size - h) / 2);
	for (int stage = 0; stage < 3; stage++) {
		int ch = 16 << stage;

		for (int blk = 0; blk < 3; blk++) {
			int stride = stage > 0 && blk == 0 ? 2 : 1;
			char name[16];

			snprintf(name, sizeof(name), "s%db%d", stage + 1, blk + 1);
			put(&t, "conv %d 3 stride=%d pad=1 bn relu from=%s\n", ch, stride, last);
			put(&t, "conv %d 3 pad=1 bn name=%s_main\n", ch, name);
			if (stride != 1 || ch != prev) {
				put(&t, "conv %d 1 stride=%d bn from=%s\n", ch, stride, last);
				put(&t, "add %s_main relu name=%s\n", name, name);
			} else {
				put(&t, "add %s relu name=%s\n", last, name);
			}
			snprintf(last, sizeof(last), "%s", name);
			prev = ch;
		}
	}
	put(&t, "gap\nfc classes\n");
	if (t.failed) {
		free(t.s);
		sa_fail(SA_ERR_NO_MEMORY, "resnet20: text too long");
		return NULL;
	}
	return t.s;
}

char *tr_arch_builtin(const char *name, int c, int h, int w)
{
	const char *text = NULL;

	(void)c;
	if (!strcmp(name, "simple-fc"))
		text = simple_fc;
	else if (!strcmp(name, "simple-cnn"))
		text = simple_cnn;
	else if (!strcmp(name, "lenet5"))
		text = lenet5;
	else if (!strcmp(name, "resnet20"))
		return resnet20(h, w);
	if (!text) {
		sa_fail(SA_ERR_INVALID_ARGUMENT,
			"unknown model '%s' (built in: %s, or a .arch file)", name,
			TR_ARCH_BUILTINS);
		return NULL;
	}
	char *s = strdup(text);

	if (!s)
		sa_fail(SA_ERR_NO_MEMORY, "out of memory");
	return s;
}
