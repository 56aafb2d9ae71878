// SPDX-License-Identifier: MIT
/*
 * The ONNX reader against files made by the onnx Python package
 * (tests/onnx/make_models.py) and the manifest it wrote: what each model
 * holds (ops in order, input shape, initializers and the sum of their
 * weights) or which error it must get and what the message must say.  Then
 * what careless or hostile users hand it: every truncation and byte flip of
 * a good model, a FIFO, a directory, a missing file.
 *
 *   test_onnx_read FIXTURE_DIR [TEST]
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../libshiftaccel/src/onnx/onnx_graph.h"
#include "../check.h"

static const char *dir;

static char *path_of(const char *file)
{
	static char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	return p;
}

/* "ops=A,B;input=1x3x16x16;inits=N;sum=S" of a graph, as the manifest writes it. */
static void describe(const struct sa_onnx_graph *g, char *out, size_t len)
{
	const struct sa_onnx_value *in = &g->values[g->input];
	size_t o = 0;
	double sum = 0;
	uint32_t inits = 0;

	o += (size_t)snprintf(out + o, len - o, "ops=");
	for (uint32_t i = 0; i < g->n_nodes && o < len; i++)
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? "," : "",
				      sa_onnx_op_name(g->nodes[i].op));
	o += (size_t)snprintf(out + o, len - o, ";input=");
	for (uint32_t i = 0; i < in->ndim && o < len; i++) {
		if (in->dims[i] < 0)
			o += (size_t)snprintf(out + o, len - o, "%s?", i ? "x" : "");
		else
			o += (size_t)snprintf(out + o, len - o, "%s%lld", i ? "x" : "",
					      (long long)in->dims[i]);
	}
	for (uint32_t i = 0; i < g->n_values; i++) {
		inits += (uint32_t)g->values[i].is_initializer;
		for (uint64_t k = 0; g->values[i].f32 && k < g->values[i].count; k++)
			sum += g->values[i].f32[k];
	}
	if (o < len)
		snprintf(out + o, len - o, ";inits=%u;sum=%.6f", inits, sum);
}

TEST(every_fixture_as_the_manifest_says)
{
	char line[1024], got[1024];
	FILE *f = fopen(path_of("manifest.tsv"), "r");
	int rows = 0, bad = 0;

	CHECK(f);
	while (fgets(line, sizeof(line), f)) {
		char *file = strtok(line, "\t"), *expect = strtok(NULL, "\t"),
		     *detail = strtok(NULL, "\n");
		struct sa_onnx_graph *g = NULL;
		sa_status st;

		if (!file || !expect || !detail)
			continue;
		rows++;
		st = sa_onnx_load(path_of(file), &g);
		if (strcmp(expect, "ok") == 0) {
			if (st != SA_OK) {
				fprintf(stderr, "  %s: %s: %s\n", file, sa_status_name(st),
					sa_last_error());
				bad++;
				continue;
			}
			describe(g, got, sizeof(got));
			if (strcmp(got, detail) != 0) {
				fprintf(stderr, "  %s:\n    read     %s\n    expected %s\n", file,
					got, detail);
				bad++;
			}
			sa_onnx_free(g);
		} else if (strcmp(sa_status_name(st), expect) != 0 ||
			   !strstr(sa_last_error(), detail) || g) {
			fprintf(stderr, "  %s: %s \"%s\", expected %s containing \"%s\"\n", file,
				sa_status_name(st), sa_last_error(), expect, detail);
			bad++;
		}
	}
	fclose(f);
	CHECK(rows >= 20);
	CHECK_EQ_INT(bad, 0);
}

static unsigned char *read_all(const char *file, size_t *len)
{
	FILE *f = fopen(path_of(file), "rb");
	unsigned char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Each prefix of a good model: a clean error or a smaller valid model, never a crash. */
TEST(every_truncation_is_refused_cleanly)
{
	size_t len, ok = 0;
	unsigned char *buf = read_all("cnn_every_op.onnx", &len);

	CHECK(buf && len > 100);
	for (size_t n = 0; n < len; n++) {
		struct sa_onnx_graph *g = NULL;
		sa_status st = sa_onnx_parse(buf, n, "prefix", &g);

		if (st == SA_OK) {
			ok++;
			sa_onnx_free(g);
		} else if (st != SA_ERR_BAD_MODEL && st != SA_ERR_UNSUPPORTED) {
			fprintf(stderr, "  prefix %zu: %s\n", n, sa_status_name(st));
			CHECK(0);
		} else {
			CHECK(g == NULL && sa_last_error()[0]);
		}
	}
	free(buf);
	/* The graph comes before the opsets in the file, so no prefix is complete. */
	CHECK_EQ_INT(ok, 0);
}

/* Every byte flipped in turn: whatever the reader says, it says it cleanly. */
TEST(every_byte_flip_is_handled)
{
	size_t len;
	unsigned char *buf = read_all("cnn_every_op.onnx", &len);

	CHECK(buf);
	for (size_t i = 0; i < len; i++) {
		struct sa_onnx_graph *g = NULL;
		sa_status st;

		buf[i] ^= 0xff;
		st = sa_onnx_parse(buf, len, "flipped", &g);
		buf[i] ^= 0xff;
		if (st == SA_OK)
			sa_onnx_free(g);
		else
			CHECK(g == NULL && (st == SA_ERR_BAD_MODEL || st == SA_ERR_UNSUPPORTED ||
					    st == SA_ERR_NO_MEMORY));
	}
	free(buf);
}

TEST(files_that_are_no_regular_files)
{
	char fifo[PATH_MAX];
	struct sa_onnx_graph *g = NULL;

	snprintf(fifo, sizeof(fifo), "%s/fifo.onnx", dir);
	unlink(fifo);
	CHECK(mkfifo(fifo, 0600) == 0);
	/* Nobody writes the FIFO: the reader must refuse it, not wait. */
	CHECK_EQ_INT(sa_onnx_load(fifo, &g), SA_ERR_IO);
	CHECK_STR_CONTAINS(sa_last_error(), "not a regular file");
	unlink(fifo);
	CHECK_EQ_INT(sa_onnx_load(dir, &g), SA_ERR_IO);
	CHECK_EQ_INT(sa_onnx_load(path_of("no-such-model.onnx"), &g), SA_ERR_IO);
	CHECK_STR_CONTAINS(sa_last_error(), "cannot open");
	CHECK(g == NULL);
}

TEST(attributes_and_defaults_are_decoded)
{
	struct sa_onnx_graph *g = NULL;
	const struct sa_onnx_node *n;

	CHECK_EQ_INT(sa_onnx_load(path_of("cnn_every_op.onnx"), &g), SA_OK);
	n = &g->nodes[0]; /* conv1: 3x3, pads 1, stride 1 */
	CHECK_EQ_INT(n->a.kernel[0], 3);
	CHECK_EQ_INT(n->a.pads[2], 1);
	CHECK_EQ_INT(n->a.strides[1], 1);
	CHECK_EQ_INT(n->a.group, 1);
	CHECK_EQ_INT(n->n_inputs, 3);
	n = &g->nodes[3]; /* depthwise: group 8, no bias, kernel from the weights */
	CHECK_EQ_INT(n->a.group, 8);
	CHECK_EQ_INT(n->a.kernel[0], 0);
	CHECK_EQ_INT(n->n_inputs, 2);
	n = &g->nodes[6]; /* MaxPool 2x2 stride 2 */
	CHECK_EQ_INT(n->a.kernel[1], 2);
	CHECK_EQ_INT(n->a.strides[0], 2);
	n = &g->nodes[13]; /* Gemm transB */
	CHECK_EQ_INT(n->a.trans_b, 1);
	CHECK(n->a.alpha == 1.0f && n->a.beta == 1.0f);
	n = &g->nodes[1]; /* BatchNormalization */
	CHECK(n->a.epsilon > 0.99e-5f && n->a.epsilon < 1.01e-5f);
	CHECK_EQ_INT(g->nodes[17].a.axis, 1);
	CHECK_EQ_INT(g->opset, 13);
	CHECK_EQ_INT(g->n_outputs, 1);
	CHECK(strcmp(g->values[g->outputs[0]].name, "out") == 0);
	sa_onnx_free(g);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FIXTURE_DIR [TEST]\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	CHECK_MAIN_BEGIN(argc - 1, argv + 1);
	RUN(every_fixture_as_the_manifest_says);
	RUN(every_truncation_is_refused_cleanly);
	RUN(every_byte_flip_is_handled);
	RUN(files_that_are_no_regular_files);
	RUN(attributes_and_defaults_are_decoded);
	CHECK_MAIN_END();
}
