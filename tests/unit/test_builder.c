// SPDX-License-Identifier: MIT
/*
 * The builder API: every op kind round-trips through a file, bad arguments
 * are refused at the call that makes them (SA_ERR_INVALID_ARGUMENT, with a
 * message naming the function and the problem), and a refused call leaves
 * the builder exactly as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "../../libshiftaccel/src/model.h"
#include "dsm_fixture.h"

#define CHECK_REFUSED(call, text)                                                                  \
	do {                                                                                       \
		CHECK_EQ_INT((call), SA_ERR_INVALID_ARGUMENT);                                     \
		CHECK_STR_CONTAINS(sa_last_error(), text);                                         \
	} while (0)

/* Writes and reopens; the model is the caller's. */
static sa_status write_and_open(sa_builder *b, sa_model **m)
{
	void *data;
	size_t size;
	sa_status st = sa_builder_write_memory(b, &data, &size);
	if (st != SA_OK)
		return st;
	st = fx_open(data, size, m);
	free(data);
	return st;
}

/* input [2,8,8] -> maxpool 3x3/2 pad 1 -> avgpool 2x2/2 -> flatten -> fc 32->5 relu6 */
TEST(sequential_ops_round_trip)
{
	sa_builder *b;
	uint32_t in, mp, ap, fl, fc;
	sa_model *m;
	int8_t w[5 * 8];

	for (int i = 0; i < 40; i++)
		w[i] = (int8_t)(i % 3 - 1);
	CHECK_EQ_INT(sa_builder_create(&b), SA_OK);
	struct sa_pool_params mpp = {.kernel_h = 3,
				     .kernel_w = 3,
				     .stride_h = 2,
				     .stride_w = 2,
				     .pad_top = 1,
				     .pad_left = 1,
				     .pad_bottom = 1,
				     .pad_right = 1};
	struct sa_pool_params app = {.kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2};
	struct sa_fc_params fcp = {
		.out_features = 5, .weight_bits = 2, .weight_base = 1, .act = SA_ACT_RELU6};
	const float mean[2] = {0.5f, -0.25f}, std[2] = {2.0f, 0.125f};
	int ok = sa_builder_input(b, 2, 8, 8, SA_DTYPE_I16, -10, mean, std, &in) == SA_OK &&
		 sa_builder_maxpool(b, in, &mpp, &mp) == SA_OK &&
		 sa_builder_avgpool(b, mp, &app, &ap) == SA_OK &&
		 sa_builder_flatten(b, ap, &fl) == SA_OK &&
		 sa_builder_fc(b, fl, &fcp, w, NULL, SA_DTYPE_I8, -3, &fc) == SA_OK &&
		 sa_builder_set_output(b, fc) == SA_OK;
	if (!ok)
		fprintf(stderr, "  %s\n", sa_last_error());
	CHECK(ok);
	sa_status st = write_and_open(b, &m);
	sa_builder_destroy(b);
	CHECK_EQ_INT(st, SA_OK);

	struct sa_model_info info;
	CHECK_EQ_INT(sa_model_get_info(m, &info), SA_OK);
	int same = info.input_c == 2 && info.input_dtype == SA_DTYPE_I16 && info.input_exp == -10 &&
		   info.mean[1] == -0.25f && info.std[1] == 0.125f && info.num_outputs == 5 &&
		   info.num_labels == 0 && info.num_nodes == 4 && info.output_exp == -3 &&
		   m->nodes[0].op == DSM_OP_MAXPOOL && m->nodes[1].op == DSM_OP_AVGPOOL &&
		   m->nodes[2].op == DSM_OP_FLATTEN && m->nodes[3].op == DSM_OP_FC &&
		   m->nodes[3].rec->params.fc.act == SA_ACT_RELU6 &&
		   m->nodes[0].rec->params.pool.pad_left == 1;
	const struct sa_shape *s_mp = &m->tensors[mp].shape, *s_ap = &m->tensors[ap].shape;
	const struct sa_shape *s_fl = &m->tensors[fl].shape;
	same = same && s_mp->c == 2 && s_mp->h == 4 && s_mp->w == 4 &&
	       s_mp->dtype == SA_DTYPE_I16 && s_mp->exp == -10 && s_ap->h == 2 && s_ap->w == 2 &&
	       s_fl->c == 8 && s_fl->h == 1 && s_fl->w == 1 && s_fl->exp == -10 &&
	       sa_model_meta_at(m, 0, &(const char *){0}, &(const char *){0}) != SA_OK;
	sa_model_close(m);
	CHECK(same);
}

TEST(bad_op_parameters_are_refused_and_leave_no_trace)
{
	struct fx_model fx;
	fx_model_init(&fx);
	sa_builder *b = fx_builder(&fx);
	CHECK(b != NULL);
	uint32_t out = 12345;

	struct sa_conv_params p = fx.conv2;
	p.groups = 3;
	CHECK_REFUSED(sa_builder_conv(b, fx.t_conv1, &p, fx.conv2_w, NULL, SA_DTYPE_I8, -4, &out),
		      "sa_builder_conv: conv: groups does not divide the input channels");
	p = fx.conv2;
	p.stride_h = 0;
	CHECK_REFUSED(sa_builder_conv(b, fx.t_conv1, &p, fx.conv2_w, NULL, SA_DTYPE_I8, -4, &out),
		      "conv: stride is zero");
	int8_t w[FX_CONV2_WEIGHTS];
	memcpy(w, fx.conv2_w, sizeof(w));
	w[17] = 4; /* 3-bit codes hold |k| <= 3 */
	CHECK_REFUSED(sa_builder_conv(b, fx.t_conv1, &fx.conv2, w, NULL, SA_DTYPE_I8, -4, &out),
		      "sa_builder_conv: weight 17 is 4, outside [-3, 3] for 3-bit codes");
	w[17] = -4;
	CHECK_REFUSED(sa_builder_conv(b, fx.t_conv1, &fx.conv2, w, NULL, SA_DTYPE_I8, -4, &out),
		      "weight 17 is -4");
	CHECK_REFUSED(sa_builder_conv(b, fx.t_conv1, &fx.conv2, NULL, NULL, SA_DTYPE_I8, -4, &out),
		      "weights are NULL");
	CHECK_REFUSED(sa_builder_conv(b, fx.t_conv1, &fx.conv2, fx.conv2_w, fx.conv1_b, SA_DTYPE_I8,
				      -4, &out),
		      "a bias is given but SA_PARAM_HAS_BIAS is not set");
	CHECK_REFUSED(sa_builder_fc(b, fx.t_gap, &fx.fc, fx.fc_w, NULL, SA_DTYPE_I16, -6, &out),
		      "sa_builder_fc: SA_PARAM_HAS_BIAS is set but bias is NULL");
	CHECK_REFUSED(sa_builder_fc(b, fx.t_gap, &fx.fc, fx.fc_w, fx.fc_b, SA_DTYPE_I16, -18, &out),
		      "fc: requantisation shift");
	CHECK_REFUSED(sa_builder_conv(b, 99, &fx.conv2, fx.conv2_w, NULL, SA_DTYPE_I8, -4, &out),
		      "sa_builder_conv: tensor 99 does not exist");
	CHECK_REFUSED(sa_builder_conv(b, 1, &fx.conv2, fx.conv2_w, NULL, SA_DTYPE_I8, -4, &out),
		      "tensor 1 (conv1.weights) is a constant, not an activation");
	CHECK_REFUSED(sa_builder_add(b, fx.t_conv1, fx.t_gap, &fx.add, SA_DTYPE_I8, -4, &out),
		      "sa_builder_add: add: the two inputs have different shapes");
	struct sa_pool_params pool = {.kernel_h = 3, .kernel_w = 3, .stride_h = 1, .stride_w = 1};
	pool.pad_top = 3;
	CHECK_REFUSED(sa_builder_maxpool(b, fx.t_add, &pool, &out), "vertical padding");
	CHECK_EQ_INT(sa_builder_global_avgpool(b, fx.t_fc, &out), SA_OK); /* 1x1 is 2^0 */
	CHECK_REFUSED(sa_builder_maxpool(b, fx.t_add, NULL, &out), "NULL argument");
	CHECK_EQ_INT(out, 11); /* refused calls created no tensors: ids continue at 11 */

	sa_model *m;
	CHECK_EQ_INT(write_and_open(b, &m), SA_OK);
	uint32_t tensors = m->num_tensors, nodes = m->num_nodes;
	sa_model_close(m);
	sa_builder_destroy(b);
	CHECK_EQ_INT(tensors, 12);
	CHECK_EQ_INT(nodes, 6);
}

TEST(input_rules)
{
	sa_builder *b;
	uint32_t t;
	const float mean[4] = {0}, std_ok[4] = {1, 1, 1, 1}, std_zero[2] = {1, 0};

	CHECK_EQ_INT(sa_builder_create(&b), SA_OK);
	CHECK_REFUSED(sa_builder_input(b, 5, 8, 8, SA_DTYPE_I8, 0, NULL, NULL, &t),
		      "sa_builder_input: 5 channels; the input has 1 to 4");
	CHECK_REFUSED(sa_builder_input(b, 0, 8, 8, SA_DTYPE_I8, 0, NULL, NULL, &t), "0 channels");
	CHECK_REFUSED(sa_builder_input(b, 1, 0, 8, SA_DTYPE_I8, 0, NULL, NULL, &t),
		      "height and width must be at least 1");
	CHECK_REFUSED(sa_builder_input(b, 1, 8, 8, SA_DTYPE_I32, 0, NULL, NULL, &t),
		      "dtype 3 is not SA_DTYPE_I8");
	CHECK_REFUSED(sa_builder_input(b, 1, 8, 8, SA_DTYPE_I8, 30, NULL, NULL, &t),
		      "exponent 30 is outside");
	CHECK_REFUSED(sa_builder_input(b, 2, 8, 8, SA_DTYPE_I8, 0, mean, std_zero, &t),
		      "std[1] is 0; it must be positive and finite");
	CHECK_REFUSED(sa_builder_input(b, 4, 1 << 14, 1 << 14, SA_DTYPE_I8, 0, NULL, NULL, &t),
		      "more than 16777216 elements");
	CHECK_EQ_INT(sa_builder_input(b, 4, 8, 8, SA_DTYPE_I8, 0, mean, std_ok, &t), SA_OK);
	CHECK_EQ_INT(t, 0);
	CHECK_REFUSED(sa_builder_input(b, 4, 8, 8, SA_DTYPE_I8, 0, mean, std_ok, &t),
		      "the graph input is already declared");
	CHECK_REFUSED(sa_builder_set_output(b, t), "not be the graph input");
	sa_builder_destroy(b);
}

/*
 * The activation limits of shiftaccel_limits.h, alone and together: a
 * 4096x4096 input and three 3x3 convolutions at that size fill 2^26
 * elements exactly; one more activation of any size crosses the total.
 */
TEST(activation_limits_alone_and_together)
{
	static const float mean[1] = {0}, std[1] = {1};
	static const int8_t w[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
	struct sa_conv_params c = {.kernel_h = 3,
				   .kernel_w = 3,
				   .stride_h = 1,
				   .stride_w = 1,
				   .dilation_h = 1,
				   .dilation_w = 1,
				   .pad_top = 1,
				   .pad_left = 1,
				   .pad_bottom = 1,
				   .pad_right = 1,
				   .groups = 1,
				   .out_channels = 1,
				   .weight_bits = 5,
				   .weight_base = -4};
	struct sa_pool_params p = {.kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2};
	sa_builder *b;
	uint32_t t;

	CHECK_EQ_INT(sa_builder_create(&b), SA_OK);
	CHECK_REFUSED(sa_builder_input(b, 1, 4097, 4096, SA_DTYPE_I8, -7, mean, std, &t),
		      "more than 16777216 elements");
	CHECK_EQ_INT(sa_builder_input(b, 1, 4096, 4096, SA_DTYPE_I8, -7, mean, std, &t), SA_OK);
	for (int i = 0; i < 3; i++)
		CHECK_EQ_INT(sa_builder_conv(b, t, &c, w, NULL, SA_DTYPE_I8, -7, &t), SA_OK);
	CHECK_REFUSED(sa_builder_maxpool(b, t, &p, &t),
		      "the activations together would exceed 67108864 elements");
	sa_builder_destroy(b);
}

TEST(write_needs_a_complete_graph)
{
	sa_builder *b;
	void *data;
	size_t size;
	uint32_t in, out;

	CHECK_EQ_INT(sa_builder_create(&b), SA_OK);
	CHECK_REFUSED(sa_builder_write_memory(b, &data, &size), "no graph input");
	CHECK_REFUSED(sa_builder_flatten(b, 0, &out),
		      "tensor 0 does not exist (declare the input with sa_builder_input)");
	CHECK_EQ_INT(sa_builder_input(b, 1, 2, 2, SA_DTYPE_I8, 0, NULL, NULL, &in), SA_OK);
	CHECK_REFUSED(sa_builder_write_memory(b, &data, &size), "the graph has no ops");
	CHECK_EQ_INT(sa_builder_flatten(b, in, &out), SA_OK);
	CHECK_REFUSED(sa_builder_write_memory(b, &data, &size), "no graph output");
	CHECK_EQ_INT(sa_builder_set_output(b, out), SA_OK);
	CHECK_EQ_INT(sa_builder_add_label(b, "one"), SA_OK);
	CHECK_REFUSED(sa_builder_write_memory(b, &data, &size),
		      "1 labels but the output has 4 elements");
	for (int i = 0; i < 3; i++)
		CHECK_EQ_INT(sa_builder_add_label(b, "more"), SA_OK);
	CHECK_EQ_INT(sa_builder_write_memory(b, &data, &size), SA_OK);
	free(data);
	sa_builder_destroy(b);
}

TEST(strings_meta_and_names)
{
	sa_builder *b;
	uint32_t in, out;
	sa_model *m;

	CHECK_EQ_INT(sa_builder_create(&b), SA_OK);
	CHECK_REFUSED(sa_builder_add_label(b, "bad \xff label"),
		      "sa_builder_add_label: label is not valid UTF-8");
	CHECK_REFUSED(sa_builder_set_meta(b, "", "x"), "sa_builder_set_meta: key is empty");
	CHECK_REFUSED(sa_builder_set_meta(b, "k", NULL), "value is NULL");
	CHECK_EQ_INT(sa_builder_set_meta(b, "epochs", "10"), SA_OK);
	CHECK_EQ_INT(sa_builder_set_meta(b, "dataset", "cifar10"), SA_OK);
	CHECK_EQ_INT(sa_builder_set_meta(b, "epochs", "20"), SA_OK); /* replaces, keeps order */
	CHECK_EQ_INT(sa_builder_set_meta(b, "empty", ""), SA_OK);
	CHECK_EQ_INT(sa_builder_input(b, 1, 2, 2, SA_DTYPE_I8, 0, NULL, NULL, &in), SA_OK);
	CHECK_EQ_INT(sa_builder_flatten(b, in, &out), SA_OK);
	CHECK_REFUSED(sa_builder_name_tensor(b, 7, "x"), "tensor 7 does not exist");
	CHECK_REFUSED(sa_builder_name_tensor(b, out, "\xc3"), "name is not valid UTF-8");
	CHECK_EQ_INT(sa_builder_name_tensor(b, out, "features"), SA_OK);
	CHECK_EQ_INT(sa_builder_name_tensor(b, in, ""), SA_OK);
	CHECK_EQ_INT(sa_builder_set_output(b, out), SA_OK);
	sa_status st = write_and_open(b, &m);
	sa_builder_destroy(b);
	CHECK_EQ_INT(st, SA_OK);
	const char *k0, *v0, *k1, *v1;
	int ok = m->num_meta == 3 && sa_model_meta_at(m, 0, &k0, &v0) == SA_OK &&
		 sa_model_meta_at(m, 1, &k1, &v1) == SA_OK && strcmp(k0, "epochs") == 0 &&
		 strcmp(v0, "20") == 0 && strcmp(k1, "dataset") == 0 &&
		 strcmp(sa_model_meta(m, "empty"), "") == 0 &&
		 strcmp(m->tensors[out].name, "features") == 0 &&
		 strcmp(m->tensors[in].name, "") == 0;
	sa_model_close(m);
	CHECK(ok);
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(sequential_ops_round_trip);
	RUN(bad_op_parameters_are_refused_and_leave_no_trace);
	RUN(input_rules);
	RUN(activation_limits_alone_and_together);
	RUN(write_needs_a_complete_graph);
	RUN(strings_meta_and_names);
	CHECK_MAIN_END();
}
