// SPDX-License-Identifier: MIT
/*
 * Data sets (idx files, PNG folders, named sets, copies), the architecture
 * text format and the built-in networks, the GEMM against a naive product,
 * deterministic shuffling, and the curve plot.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../libshiftaccel/src/train/arch.h"
#include "../../libshiftaccel/src/train/gemm.h"
#include "../../libshiftaccel/src/train/net.h"
#include "../../libshiftaccel/src/train/rng.h"
#include "../check.h"
#include "shiftaccel_train.h"

static char tmpdir[64];

static void path_in_tmp(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
}

static void put_be32(FILE *f, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	fwrite(b, 1, 4, f);
}

/* idx images (magic, count, rows, cols, pixels) and labels; `extra` bytes appended to images. */
static void write_idx(const char *images, const char *labels, uint32_t magic, uint32_t count,
		      uint32_t label_count, int extra)
{
	FILE *f = fopen(images, "wb");

	put_be32(f, magic);
	put_be32(f, count);
	put_be32(f, 3);
	put_be32(f, 2);
	for (uint32_t i = 0; i < count * 6 + (uint32_t)extra; i++)
		fputc((int)(i * 7 % 256), f);
	fclose(f);
	f = fopen(labels, "wb");
	put_be32(f, 0x801);
	put_be32(f, label_count);
	for (uint32_t i = 0; i < label_count; i++)
		fputc((int)(i % 3), f);
	fclose(f);
}

static sa_status open_idx(const char *images, const char *labels, sa_dataset **ds)
{
	char spec[512];

	snprintf(spec, sizeof(spec), "idx:%s,%s", images, labels);
	return sa_dataset_open(spec, SA_SPLIT_TRAIN, NULL, ds);
}

TEST(idx_files)
{
	char img[256], lab[256];
	sa_dataset *ds = NULL;
	struct sa_dataset_info info;

	path_in_tmp(img, sizeof(img), "img.idx");
	path_in_tmp(lab, sizeof(lab), "lab.idx");
	write_idx(img, lab, 0x803, 5, 5, 0);
	CHECK(open_idx(img, lab, &ds) == SA_OK);
	sa_dataset_get_info(ds, &info);
	CHECK(info.count == 5 && info.channels == 1 && info.height == 3 && info.width == 2);
	CHECK(info.num_classes == 3 && !info.has_split);
	CHECK(sa_dataset_label(ds, 4) == 1);
	CHECK(sa_dataset_image(ds, 1)[0] == 42 && sa_dataset_image(ds, 1)[5] == 77);
	CHECK(!strcmp(sa_dataset_class_name(ds, 2), "2"));
	CHECK(sa_dataset_image(ds, 5) == NULL);
	sa_dataset_close(ds);

	/* every malformation is named */
	write_idx(img, lab, 0x802, 5, 5, 0);
	CHECK(open_idx(img, lab, &ds) == SA_ERR_BAD_DATA);
	CHECK_STR_CONTAINS(sa_last_error(), "not an idx image file");
	write_idx(img, lab, 0x803, 5, 5, -1);
	CHECK(open_idx(img, lab, &ds) == SA_ERR_BAD_DATA);
	CHECK_STR_CONTAINS(sa_last_error(), "header says 5 images");
	write_idx(img, lab, 0x803, 5, 4, 0);
	CHECK(open_idx(img, lab, &ds) == SA_ERR_BAD_DATA);
	CHECK_STR_CONTAINS(sa_last_error(), "has 5 images but");
	CHECK(open_idx(img, "/nonexistent/labels", &ds) == SA_ERR_IO);
	CHECK_STR_CONTAINS(sa_last_error(), "/nonexistent/labels");
	FILE *f = fopen(img, "wb");

	fputc(0, f);
	fclose(f);
	CHECK(open_idx(img, lab, &ds) == SA_ERR_BAD_DATA);
	CHECK_STR_CONTAINS(sa_last_error(), "too short");
	CHECK(sa_dataset_open("idx:onlyone", SA_SPLIT_TRAIN, NULL, &ds) == SA_ERR_INVALID_ARGUMENT);
	CHECK(sa_dataset_open("cifar", SA_SPLIT_TRAIN, NULL, &ds) == SA_ERR_INVALID_ARGUMENT);
	CHECK_STR_CONTAINS(sa_last_error(), "unknown data set 'cifar'");
	unlink(img);
	unlink(lab);
}

TEST(named_set_missing_says_how_to_fetch)
{
	sa_dataset *ds = NULL;

	CHECK(sa_dataset_open("fashion-mnist", SA_SPLIT_TEST, tmpdir, &ds) == SA_ERR_IO);
	CHECK_STR_CONTAINS(sa_last_error(), "fashion-mnist/t10k-images-idx3-ubyte");
	CHECK_STR_CONTAINS(sa_last_error(), "make data");
}

static void write_png(const char *dir, const char *cls, const char *name, uint32_t w, uint32_t h,
		      uint32_t c, uint8_t seed)
{
	char path[512];
	uint8_t px[64 * 3];
	sa_image img;

	snprintf(path, sizeof(path), "%s/%s", dir, cls);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, cls, name);
	for (uint32_t i = 0; i < w * h * c; i++)
		px[i] = (uint8_t)(seed + i);
	img.width = w;
	img.height = h;
	img.channels = c;
	img.pixels = px;
	sa_image_write_png(path, &img);
}

TEST(png_folders)
{
	char dir[512], spec[600], sub[256];
	sa_dataset *ds = NULL, *copy = NULL;
	struct sa_dataset_info info;

	snprintf(dir, sizeof(dir), "%s/pngs", tmpdir);
	mkdir(dir, 0755);
	/* classes in name order, images in name order */
	write_png(dir, "zebra", "b.png", 4, 3, 3, 10);
	write_png(dir, "zebra", "a.png", 4, 3, 3, 20);
	write_png(dir, "apple", "x.png", 4, 3, 3, 30);
	snprintf(spec, sizeof(spec), "pngdir:%s", dir);
	CHECK(sa_dataset_open(spec, SA_SPLIT_TRAIN, NULL, &ds) == SA_OK);
	sa_dataset_get_info(ds, &info);
	CHECK(info.count == 3 && info.channels == 3 && info.width == 4 && info.height == 3);
	CHECK(info.num_classes == 2 && !strcmp(sa_dataset_class_name(ds, 0), "apple"));
	CHECK(sa_dataset_label(ds, 0) == 0 && sa_dataset_label(ds, 1) == 1);
	/* planar [C][H][W]: image 1 is zebra/a.png, pixel (0,0) R=20 G=21 B=22 */
	const uint8_t *p = sa_dataset_image(ds, 1);

	CHECK(p[0] == 20 && p[12] == 21 && p[24] == 22 && p[1] == 23);
	/* and back to interleaved */
	sa_image img;

	CHECK(sa_dataset_get_image(ds, 1, &img) == SA_OK);
	CHECK(img.channels == 3 && img.pixels[0] == 20 && img.pixels[1] == 21);
	sa_image_free(&img);
	uint32_t pick[2] = {2, 0};

	CHECK(sa_dataset_take(ds, pick, 2, &copy) == SA_OK);
	CHECK(sa_dataset_label(copy, 0) == 1 && sa_dataset_image(copy, 1)[0] == 30);
	pick[0] = 3;
	sa_dataset_close(copy);
	CHECK(sa_dataset_take(ds, pick, 2, &copy) == SA_ERR_INVALID_ARGUMENT);
	sa_dataset_close(ds);

	/* a different size is named */
	write_png(dir, "zebra", "c.png", 5, 3, 3, 40);
	CHECK(sa_dataset_open(spec, SA_SPLIT_TRAIN, NULL, &ds) == SA_ERR_SHAPE);
	CHECK_STR_CONTAINS(sa_last_error(), "zebra/c.png");

	/* train/ and test/ are the splits */
	path_in_tmp(sub, sizeof(sub), "pngs/split");
	mkdir(sub, 0755);
	snprintf(dir, sizeof(dir), "%s/train", sub);
	mkdir(dir, 0755);
	write_png(dir, "0", "a.png", 2, 2, 1, 1);
	write_png(dir, "1", "a.png", 2, 2, 1, 2);
	snprintf(dir, sizeof(dir), "%s/test", sub);
	mkdir(dir, 0755);
	write_png(dir, "0", "a.png", 2, 2, 1, 3);
	write_png(dir, "1", "a.png", 2, 2, 1, 4);
	write_png(dir, "1", "b.png", 2, 2, 1, 5);
	snprintf(spec, sizeof(spec), "pngdir:%s", sub);
	CHECK(sa_dataset_open(spec, SA_SPLIT_TEST, NULL, &ds) == SA_OK);
	sa_dataset_get_info(ds, &info);
	CHECK(info.count == 3 && info.has_split && info.channels == 1);
	sa_dataset_close(ds);
	CHECK(system("rm -rf /tmp/sa_train_data*/pngs") == 0);
}

TEST(from_memory_validation)
{
	uint8_t px[8] = {0};
	sa_label labels[2] = {0, 5};
	sa_dataset *ds;

	CHECK(sa_dataset_from_memory("m", 2, 1, 2, 2, px, labels, 3, NULL, &ds) == SA_ERR_BAD_DATA);
	CHECK_STR_CONTAINS(sa_last_error(), "label 5 of 3 classes");
	CHECK(sa_dataset_from_memory("m", 2, 1, 2, 2, px, labels, 1, NULL, &ds) ==
	      SA_ERR_INVALID_ARGUMENT);
}

/* ImageNet's 1000 classes: labels above 255 survive every copy of a data set. */
TEST(labels_beyond_one_byte)
{
	enum { N = 1000 };
	static uint8_t px[N * 4];
	static sa_label labels[N];
	uint32_t pick[3] = {999, 256, 255};
	sa_dataset *ds = NULL, *some = NULL, *big = NULL;

	for (uint32_t i = 0; i < N; i++)
		labels[i] = (sa_label)(N - 1 - i);
	CHECK(sa_dataset_from_memory("imagenet-like", N, 1, 2, 2, px, labels, N, NULL, &ds) ==
	      SA_OK);
	if (!ds)
		return;
	CHECK(sa_dataset_label(ds, 0) == 999 && sa_dataset_label(ds, 743) == 256);
	CHECK(sa_dataset_take(ds, pick, 3, &some) == SA_OK);
	CHECK(some && sa_dataset_label(some, 0) == 0 && sa_dataset_label(some, 1) == 743 &&
	      sa_dataset_label(some, 2) == 744);
	CHECK(sa_dataset_resize(ds, 3, 3, &big) == SA_OK);
	CHECK(big && sa_dataset_label(big, 999) == 0 && sa_dataset_label(big, 500) == 499);
	CHECK(strcmp(sa_dataset_class_name(ds, 999), "999") == 0);
	sa_dataset_close(big);
	sa_dataset_close(some);
	sa_dataset_close(ds);
}

static sa_status build(const char *text, struct tr_shape in, int classes)
{
	struct tr_arch a;
	struct tr_net_config cfg = {2, 1, TR_WEIGHTS_PS, 5, 1};
	struct tr_net *net = NULL;
	sa_status st = tr_arch_parse(text, "model.arch", &a);

	if (st)
		return st;
	st = tr_net_create(&a, in, classes, &cfg, &net);
	tr_net_destroy(net);
	tr_arch_free(&a);
	return st;
}

/* Building `text` fails as invalid, with a message containing `msg`. */
static int refused(const char *text, struct tr_shape in, int classes, const char *msg)
{
	return build(text, in, classes) == SA_ERR_INVALID_ARGUMENT &&
	       strstr(sa_last_error(), msg) != NULL;
}

TEST(builtin_architectures)
{
	const char *names[] = {"simple-fc", "simple-cnn", "lenet5", "resnet20"};
	/* parameter counts of the paper's networks (weights + biases) */
	size_t expect[] = {784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10,
			   20 * 25 + 20 + 50 * 500 + 50 + 800 * 500 + 500 + 500 * 10 + 10, 0, 0};

	for (int i = 0; i < 4; i++) {
		char *text = tr_arch_builtin(names[i], 1, 28, 28);
		struct tr_arch a;
		struct tr_net_config cfg = {2, 1, TR_WEIGHTS_FLOAT, 5, 1};
		struct tr_net *net = NULL;

		CHECK(text);
		CHECK(tr_arch_parse(text, names[i], &a) == SA_OK);
		CHECK(tr_net_create(&a, (struct tr_shape){1, 28, 28}, 10, &cfg, &net) == SA_OK);
		size_t n = 0;

		for (int p = 0; p < net->num_params; p++)
			n += net->params[p]->n;
		if (expect[i])
			CHECK_EQ_INT(n, expect[i]);
		if (i == 3) /* 19 convolutions + 2 projections, 9 residual adds, gap */
			CHECK(net->nodes[net->num_nodes - 2].op == TR_OP_GAP &&
			      net->nodes[net->num_nodes - 2].ish.h == 8);
		tr_net_destroy(net);
		tr_arch_free(&a);
		free(text);
	}
	CHECK(tr_arch_builtin("vgg", 1, 28, 28) == NULL);
	CHECK_STR_CONTAINS(sa_last_error(), "unknown model 'vgg'");
	CHECK(tr_arch_builtin("resnet20", 1, 28, 20) == NULL);
	CHECK_STR_CONTAINS(sa_last_error(), "square");
}

TEST(architecture_errors_name_the_line)
{
	struct tr_shape in = {1, 8, 8};
	struct tr_arch a;

	CHECK(build("conv 4 3\n\n  # comment\npool 2\n", in, 3) == SA_ERR_INVALID_ARGUMENT);
	CHECK_STR_CONTAINS(sa_last_error(), "model.arch:4: unknown layer 'pool'");
	CHECK(build("conv 4 3 strid=2\n", in, 3) == SA_ERR_INVALID_ARGUMENT);
	CHECK_STR_CONTAINS(sa_last_error(), "unknown option 'strid=2'");
	CHECK(build("conv 4 0\n", in, 3) == SA_ERR_INVALID_ARGUMENT);
	CHECK_STR_CONTAINS(sa_last_error(), "model.arch:1");
	CHECK(build("conv 4 3 name=a\nconv 4 3 name=a\n", in, 3) == SA_ERR_INVALID_ARGUMENT);
	CHECK_STR_CONTAINS(sa_last_error(), "already used on line 1");
	CHECK(build("conv 4 3\nadd nowhere\nfc classes\n", in, 3) == SA_ERR_INVALID_ARGUMENT);
	CHECK_STR_CONTAINS(sa_last_error(), "add nowhere names no earlier layer");
	CHECK(build("conv 4 3 relu relu6\n", in, 3) == SA_ERR_INVALID_ARGUMENT);
	CHECK(build("dropout 1.5\n", in, 3) == SA_ERR_INVALID_ARGUMENT);
	/* shapes are checked with the integer kernels' own rules */
	CHECK(build("avgpool 300\nfc classes\n", in, 3) == SA_ERR_INVALID_ARGUMENT);
	CHECK_STR_CONTAINS(sa_last_error(), "line 1: pool: window area (kernel_h * kernel_w) "
					    "exceeds SA_MAX_POOL_AREA");
	CHECK(build("conv 4 9\nfc classes\n", in, 3) == SA_ERR_INVALID_ARGUMENT);
	CHECK(build("conv 5 3 groups=2\nfc classes\n", in, 3) == SA_ERR_INVALID_ARGUMENT);
	CHECK(build("conv 4 3 name=a\nconv 4 1 stride=2\nadd a\nfc classes\n", in, 3) ==
	      SA_ERR_INVALID_ARGUMENT);
	CHECK_STR_CONTAINS(sa_last_error(), "different shapes");
	CHECK(build("fc 7\n", in, 3) == SA_ERR_INVALID_ARGUMENT);
	CHECK_STR_CONTAINS(sa_last_error(), "3 classes");
	CHECK(build("fc classes relu\n", in, 3) == SA_ERR_INVALID_ARGUMENT);
	CHECK_STR_CONTAINS(sa_last_error(), "no activation");
	CHECK(build("input 3 8 8\nfc classes\n", in, 3) == SA_ERR_SHAPE);
	/* a valid one with every option */
	CHECK(build("input 1 8 8\nconv 4 3x1 stride=1x2 pad=1,0,1,0 dilation=2 bias=0 bn relu6 "
		    "name=c\nmaxpool 2 stride=1 pad=1\nconv 4 1 from=c name=d\nadd c relu\n"
		    "fc classes\n",
		    in, 3) == SA_OK);
	CHECK(tr_arch_parse("# nothing\n", "empty", &a) == SA_ERR_INVALID_ARGUMENT);
	CHECK_STR_CONTAINS(sa_last_error(), "no layers");
}

/* "concat a b c" is a chain of binary concats; the line's from=, name and activation land right. */
TEST(concat_and_standalone_activation_lines)
{
	struct tr_shape in = {1, 8, 8};
	struct tr_arch a;

	CHECK(tr_arch_parse("conv 2 3 pad=1 name=a\nconv 3 1 from=a name=b\nconv 4 1 from=a "
			    "name=c\nconcat b c relu6 from=a name=cat\nrelu6\nrelu name=r\n",
			    "model.arch", &a) == SA_OK);
	CHECK_EQ_INT(a.num_layers, 7);
	if (a.num_layers == 7) {
		const struct tr_layer_spec *x = &a.layers[3], *y = &a.layers[4];

		CHECK(x->op == TR_OP_CONCAT && y->op == TR_OP_CONCAT);
		CHECK(!strcmp(x->from, "a") && !strcmp(x->other, "b") && !x->name[0]);
		CHECK(x->act == SA_ACT_NONE && x->line == 4);
		CHECK(!y->from[0] && !strcmp(y->other, "c") && !strcmp(y->name, "cat"));
		CHECK(y->act == SA_ACT_RELU6 && y->line == 4);
		CHECK(a.layers[5].op == TR_OP_CLIP && a.layers[5].act == SA_ACT_RELU6);
		CHECK(a.layers[6].op == TR_OP_CLIP && a.layers[6].act == SA_ACT_RELU);
		CHECK(!strcmp(a.layers[6].name, "r"));
	}
	tr_arch_free(&a);
	/* built: 2 + 3 + 4 channels */
	{
		struct tr_arch b;
		struct tr_net_config cfg = {2, 1, TR_WEIGHTS_FLOAT, 5, 1};
		struct tr_net *net = NULL;

		CHECK(tr_arch_parse("conv 2 3 pad=1 name=a\nconv 3 1 name=b\nconv 4 1 from=a "
				    "name=c\nconcat b c from=a\nrelu\nflatten\nfc classes\n",
				    "model.arch", &b) == SA_OK);
		CHECK(tr_net_create(&b, in, 3, &cfg, &net) == SA_OK);
		if (net) {
			CHECK_EQ_INT(net->nodes[5].osh.c, 9);
			CHECK_EQ_INT(net->nodes[5].osh.h, 8);
			CHECK_EQ_INT(net->nodes[4].osh.c, 5);
			CHECK(net->nodes[4].in[0] == 1 && net->nodes[4].in[1] == 2);
			CHECK(net->nodes[5].in[0] == 4 && net->nodes[5].in[1] == 3);
		}
		tr_net_destroy(net);
		tr_arch_free(&b);
	}
	/* each refused, saying where and what is wrong (the last: logits come from conv, fc, add)
	 */
	CHECK(refused("conv 4 3\nconcat\n", in, 3, "model.arch:2: expected: concat NAME"));
	CHECK(refused("conv 4 3\nconcat relu\n", in, 3, "model.arch:2"));
	CHECK(refused("conv 4 3 name=a\nconcat a b$d\n", in, 3, "'b$d' is not a layer name"));
	CHECK(refused("conv 4 3 name=a\nconcat a stride=2\n", in, 3,
		      "concat: unknown option 'stride=2'"));
	CHECK(refused("conv 4 3 name=a\nrelu 6\n", in, 3,
		      "model.arch:2: relu: unknown option '6'"));
	CHECK(refused("conv 4 3 name=a\nconcat a nowhere\nfc classes\n", in, 3,
		      "line 2: concat nowhere names no earlier layer"));
	CHECK(refused("conv 4 3 name=a\nconv 4 1 stride=2\nconcat a\nfc classes\n", in, 3,
		      "line 3: concat: the two inputs have different heights or widths"));
	CHECK(refused("fc 3 name=a\nfc 3\nconcat a\n", (struct tr_shape){1, 1, 3}, 6,
		      "last layer must be"));
	/* 23 names: more layers than the first allocation holds */
	CHECK(build("conv 1 1 name=a\nconcat a a a a a a a a a a a a a a a a a a a a a a a\n"
		    "flatten\nfc classes\n",
		    in, 3) == SA_OK);
}

TEST(gemm_against_naive)
{
	struct tr_gemm_ws ws;
	int sizes[][3] = {{1, 1, 1}, {7, 19, 5}, {13, 33, 300}, {130, 17, 9}};

	CHECK(tr_gemm_ws_init(&ws) == 0);
	for (int s = 0; s < 4; s++) {
		int m = sizes[s][0], n = sizes[s][1], k = sizes[s][2];
		float *a = malloc(sizeof(float) * (size_t)(m * k)),
		      *b = malloc(sizeof(float) * (size_t)(k * n)),
		      *c = malloc(sizeof(float) * (size_t)(m * n * 2));

		for (int i = 0; i < m * k; i++)
			a[i] = (float)((i * 13) % 17) - 8.0f;
		for (int i = 0; i < k * n; i++)
			b[i] = (float)((i * 7) % 11) - 5.0f;
		for (int t = 0; t < 8; t++) {
			struct tr_mat A = t & 1 ? tr_mat_trans(a, m) : tr_mat_rows(a, k);
			struct tr_mat B = t & 2 ? tr_mat_trans(b, k) : tr_mat_rows(b, n);
			/* t & 4: C transposed, accumulating onto 1s */
			ptrdiff_t rsc = t & 4 ? 1 : n, csc = t & 4 ? m : 1;

			for (int i = 0; i < m * n; i++)
				c[i] = 1.0f;
			tr_gemm(m, n, k, A, B, c, rsc, csc, (t & 4) != 0, &ws);
			for (int i = 0; i < m; i++)
				for (int j = 0; j < n; j++) {
					double r = (t & 4) ? 1.0 : 0.0;

					for (int p = 0; p < k; p++)
						r += (double)A.p[i * A.rs + p * A.cs] *
						     B.p[p * B.rs + j * B.cs];
					/* small integers: the float result is exact */
					CHECK(c[i * rsc + j * csc] == (float)r);
				}
		}
		free(a), free(b), free(c);
	}
	tr_gemm_ws_free(&ws);
}

TEST(shuffle_is_deterministic_and_a_permutation)
{
	uint32_t a[100], b[100];
	int seen[100] = {0};
	struct tr_rng r1, r2;

	for (int i = 0; i < 100; i++)
		a[i] = b[i] = (uint32_t)i;
	tr_rng_seed_stream(&r1, 42, 3);
	tr_rng_seed_stream(&r2, 42, 3);
	tr_rng_shuffle(&r1, a, 100);
	tr_rng_shuffle(&r2, b, 100);
	CHECK(!memcmp(a, b, sizeof(a)));
	for (int i = 0; i < 100; i++)
		seen[a[i]]++;
	for (int i = 0; i < 100; i++)
		CHECK(seen[i] == 1);
	int moved = 0;

	for (int i = 0; i < 100; i++)
		moved += a[i] != (uint32_t)i;
	CHECK(moved > 80);
	for (int i = 0; i < 1000; i++)
		CHECK(tr_rng_below(&r1, 7) < 7);
}

TEST(plot_curves_png)
{
	char path[256];
	struct sa_curve_point pts[3] = {{0.9, 70, 80}, {0.4, 90, 93}, {0.2, 95, -1}};
	sa_image img;

	path_in_tmp(path, sizeof(path), "curves.png");
	CHECK(sa_plot_curves(path, pts, 3, "test", 400, 240) == SA_OK);
	CHECK(sa_image_load_png(path, &img) == SA_OK);
	CHECK(img.width == 400 && img.height == 240 && img.channels == 3);
	/* something was drawn: not every pixel is white */
	size_t dark = 0;

	for (size_t i = 0; i < (size_t)400 * 240 * 3; i++)
		dark += img.pixels[i] < 128;
	CHECK(dark > 1000);
	sa_image_free(&img);
	CHECK(sa_plot_curves(path, pts, 0, "x", 400, 240) == SA_ERR_INVALID_ARGUMENT);
	CHECK(sa_plot_curves(path, pts, 3, "x", 10, 10) == SA_ERR_INVALID_ARGUMENT);
	unlink(path);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sa_train_dataXXXXXX");
	if (!mkdtemp(tmpdir)) {
		printf("cannot create a temporary directory\n");
		return 1;
	}
	RUN(idx_files);
	RUN(named_set_missing_says_how_to_fetch);
	RUN(png_folders);
	RUN(from_memory_validation);
	RUN(labels_beyond_one_byte);
	RUN(builtin_architectures);
	RUN(architecture_errors_name_the_line);
	RUN(concat_and_standalone_activation_lines);
	RUN(gemm_against_naive);
	RUN(shuffle_is_deterministic_and_a_permutation);
	RUN(plot_curves_png);
	rmdir(tmpdir);
	CHECK_MAIN_END();
}
