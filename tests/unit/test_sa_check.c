// SPDX-License-Identifier: MIT
/*
 * The op validation rules (sa_check_*), window arithmetic, weight code
 * packing, CRC-32C and the UTF-8 check: each rule accepted at its limit and
 * rejected just past it, with a message that names it.
 */
#include <stdlib.h>
#include <string.h>

#include "../check.h"
#include "../../libshiftaccel/kernels/sa_kernels.h"
#include "../../libshiftaccel/src/crc32c.h"
#include "../../libshiftaccel/src/dsm.h"

static const struct sa_shape in8 = {4, 8, 8, SA_DTYPE_I8, -7};

static struct sa_conv_params conv3x3(void)
{
	return (struct sa_conv_params){.kernel_h = 3,
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
				       .out_channels = 8,
				       .weight_bits = 4,
				       .weight_base = -3};
}

/* Runs sa_check_conv on a copy of in8 with output type i8 2^-4. */
static const char *conv_err(const struct sa_conv_params *p, struct sa_shape *out)
{
	*out = (struct sa_shape){.dtype = SA_DTYPE_I8, .exp = -4};
	return sa_check_conv(&in8, p, out);
}

#define CHECK_ERR(expr, text)                                                                      \
	do {                                                                                       \
		const char *e_ = (expr);                                                           \
		CHECK(e_ != NULL);                                                                 \
		CHECK_STR_CONTAINS(e_, text);                                                      \
	} while (0)

TEST(window_out)
{
	CHECK_EQ_INT(sa_window_out(8, 3, 1, 1, 1, 1), 8);
	CHECK_EQ_INT(sa_window_out(8, 3, 2, 1, 1, 1), 4);
	CHECK_EQ_INT(sa_window_out(7, 3, 2, 0, 0, 1), 3);
	CHECK_EQ_INT(sa_window_out(8, 3, 1, 0, 0, 2), 4); /* dilated extent 5 */
	CHECK_EQ_INT(sa_window_out(5, 2, 2, 0, 1, 1), 3); /* asymmetric padding */
	CHECK_EQ_INT(sa_window_out(3, 3, 1, 0, 0, 1), 1);
	CHECK_EQ_INT(sa_window_out(2, 3, 1, 0, 0, 1), 0); /* never fits */
	CHECK_EQ_INT(sa_window_out(8, 3, 0, 0, 0, 1), 0);
	CHECK_EQ_INT(sa_window_out(8, 0, 1, 0, 0, 1), 0);
	CHECK_EQ_INT(sa_window_out(8, 3, 1, 0, 0, 0), 0);
	CHECK_EQ_INT(sa_window_out(UINT32_MAX, 1, 1, 65535, 65535, 1), 0); /* would not fit u32 */
	CHECK_EQ_INT(sa_window_out(UINT32_MAX, 1, 2, 0, 0, 1), 1u << 31);
}

TEST(conv_valid_shapes)
{
	struct sa_conv_params p = conv3x3();
	struct sa_shape out;

	CHECK(conv_err(&p, &out) == NULL);
	CHECK(out.c == 8 && out.h == 8 && out.w == 8 && out.dtype == SA_DTYPE_I8 && out.exp == -4);
	p.stride_h = 2;
	p.pad_bottom = 0;
	p.dilation_w = 2;
	p.pad_right = 3;
	CHECK(conv_err(&p, &out) == NULL);
	CHECK_EQ_INT(out.h, 4); /* (8 + 1 + 0 - 3) / 2 + 1 */
	CHECK_EQ_INT(out.w, 8); /* 8 + 1 + 3 - 5 + 1 */
	p = conv3x3();
	p.groups = 4; /* depthwise: groups == C_in == C_out */
	p.out_channels = 4;
	CHECK(conv_err(&p, &out) == NULL);
	CHECK_EQ_INT(out.c, 4);
}

TEST(conv_rules)
{
	struct sa_conv_params p;
	struct sa_shape out, bad_in = in8;

#define CONV_CASE(field_edit, text)                                                                \
	do {                                                                                       \
		p = conv3x3();                                                                     \
		field_edit;                                                                        \
		CHECK_ERR(conv_err(&p, &out), text);                                               \
	} while (0)
	CONV_CASE(p.kernel_w = 0, "conv: kernel size is zero");
	CONV_CASE(p.stride_h = 0, "conv: stride is zero");
	CONV_CASE(p.dilation_w = 0, "conv: dilation is zero");
	CONV_CASE(p.out_channels = 0, "conv: out_channels is zero");
	CONV_CASE(p.groups = 0, "conv: groups is zero");
	CONV_CASE(p.groups = 3, "conv: groups does not divide the input channels");
	CONV_CASE((p.groups = 4, p.out_channels = 6), "conv: groups does not divide out_channels");
	CONV_CASE(p.weight_bits = 1, "weight_bits is outside");
	CONV_CASE(p.weight_bits = 6, "weight_bits is outside");
	CONV_CASE(p.weight_base = -32, "weight_base is outside");
	CONV_CASE(p.weight_base = 16, "weight_base is outside");
	CONV_CASE(p.act = 3, "unknown activation");
	CONV_CASE(p.flags = 2, "unknown flag bits");
	CONV_CASE(p.kernel_h = 11, "conv: the dilated kernel is taller than the padded input");
	CONV_CASE(p.dilation_w = 5, "conv: the dilated kernel is wider than the padded input");
#undef CONV_CASE

	/* Input and output types. */
	p = conv3x3();
	bad_in.h = 0;
	out = (struct sa_shape){.dtype = SA_DTYPE_I8, .exp = -4};
	CHECK_ERR(sa_check_conv(&bad_in, &p, &out), "input tensor has a zero dimension");
	bad_in = in8;
	bad_in.dtype = SA_DTYPE_I32;
	CHECK_ERR(sa_check_conv(&bad_in, &p, &out), "input tensor dtype is not i8 or i16");
	bad_in = in8;
	bad_in.exp = -25;
	CHECK_ERR(sa_check_conv(&bad_in, &p, &out), "input tensor exponent is outside");
	out = (struct sa_shape){.dtype = SA_DTYPE_SHIFT, .exp = -4};
	CHECK_ERR(sa_check_conv(&in8, &p, &out), "output dtype is not i8 or i16");
	out = (struct sa_shape){.dtype = SA_DTYPE_I16, .exp = 25};
	CHECK_ERR(sa_check_conv(&in8, &p, &out), "output exponent is outside");
}

TEST(conv_requant_shift_limits)
{
	struct sa_conv_params p = conv3x3();			  /* acc scale = -7 + -3 = -10 */
	struct sa_shape out = {.dtype = SA_DTYPE_I8, .exp = -18}; /* r = -8 */

	CHECK(sa_check_conv(&in8, &p, &out) == NULL);
	out = (struct sa_shape){.dtype = SA_DTYPE_I8, .exp = -19}; /* r = -9 */
	CHECK_ERR(sa_check_conv(&in8, &p, &out), "conv: requantisation shift");
	p.weight_base = -31;
	struct sa_shape in = {4, 8, 8, SA_DTYPE_I16, -24};	 /* acc scale -55 */
	out = (struct sa_shape){.dtype = SA_DTYPE_I8, .exp = 7}; /* r = 62 */
	CHECK(sa_check_conv(&in, &p, &out) == NULL);
	out = (struct sa_shape){.dtype = SA_DTYPE_I8, .exp = 8}; /* r = 63 */
	CHECK_ERR(sa_check_conv(&in, &p, &out), "conv: requantisation shift");
}

TEST(conv_fan_in_limit)
{
	struct sa_conv_params p = conv3x3();
	struct sa_shape in = {1u << 16, 16, 16, SA_DTYPE_I8, 0};
	struct sa_shape out = {.dtype = SA_DTYPE_I8, .exp = 0};

	p.kernel_h = 16;
	p.kernel_w = 16;
	p.weight_base = 0;
	CHECK(sa_check_conv(&in, &p, &out) == NULL); /* exactly 2^24 */
	p.kernel_w = 17;
	p.pad_right = 1;
	CHECK_ERR(sa_check_conv(&in, &p, &out), "conv: fan-in");
	p.groups = 2; /* halves the fan-in again */
	CHECK(sa_check_conv(&in, &p, &out) == NULL);
}

TEST(fc_rules)
{
	struct sa_fc_params p = {.out_features = 10, .weight_bits = 5, .weight_base = -4};
	struct sa_shape out = {.dtype = SA_DTYPE_I16, .exp = -6};
	struct sa_shape in = {8, 2, 2, SA_DTYPE_I16, -5};

	CHECK(sa_check_fc(&in, &p, &out) == NULL);
	CHECK(out.c == 10 && out.h == 1 && out.w == 1 && out.dtype == SA_DTYPE_I16 &&
	      out.exp == -6);
	p.out_features = 0;
	CHECK_ERR(sa_check_fc(&in, &p, &out), "fc: out_features is zero");
	p.out_features = 10;
	p.reserved[1] = 1;
	CHECK_ERR(sa_check_fc(&in, &p, &out), "fc: reserved parameter fields are not zero");
	p.reserved[1] = 0;
	p.flags = 0x81;
	CHECK_ERR(sa_check_fc(&in, &p, &out), "unknown flag bits");
	p.flags = SA_PARAM_HAS_BIAS;
	CHECK(sa_check_fc(&in, &p, &out) == NULL);
	out.exp = 20; /* r = 20 + 9 = 29: fine */
	CHECK(sa_check_fc(&in, &p, &out) == NULL);
	out.exp = -18; /* r = -9 */
	CHECK_ERR(sa_check_fc(&in, &p, &out), "fc: requantisation shift");
	out.exp = -6;
	struct sa_shape big = {4096, 4096, 1, SA_DTYPE_I8, 0}; /* exactly 2^24 */
	CHECK(sa_check_fc(&big, &p, &out) == NULL);
	big.w = 2;
	CHECK_ERR(sa_check_fc(&big, &p, &out), "fc: fan-in");
}

TEST(pool_rules)
{
	struct sa_pool_params p = {.kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2};
	struct sa_shape in = {3, 7, 8, SA_DTYPE_I16, -3};
	struct sa_shape out = {.dtype = SA_DTYPE_I8, .exp = 5}; /* ignored: pools keep input's */

	CHECK(sa_check_maxpool(&in, &p, &out) == NULL);
	CHECK(out.c == 3 && out.h == 3 && out.w == 4 && out.dtype == SA_DTYPE_I16 && out.exp == -3);
	CHECK(sa_check_avgpool(&in, &p, &out) == NULL);

	p.pad_bottom = 1; /* padding < kernel: allowed */
	CHECK(sa_check_maxpool(&in, &p, &out) == NULL);
	CHECK_EQ_INT(out.h, 4);
	p.pad_bottom = 2;
	CHECK_ERR(sa_check_maxpool(&in, &p, &out), "pool: vertical padding is not smaller");
	p.pad_bottom = 0;
	p.pad_left = 2;
	CHECK_ERR(sa_check_avgpool(&in, &p, &out), "pool: horizontal padding is not smaller");
	p.pad_left = 0;
	p.stride_w = 0;
	CHECK_ERR(sa_check_maxpool(&in, &p, &out), "pool: stride is zero");
	p.stride_w = 2;
	p.kernel_h = 0;
	CHECK_ERR(sa_check_avgpool(&in, &p, &out), "pool: kernel size is zero");

	p.kernel_h = 3; /* 3x2: any area is fine for both since format 1.1 */
	CHECK(sa_check_maxpool(&in, &p, &out) == NULL);
	CHECK(sa_check_avgpool(&in, &p, &out) == NULL);
	p.kernel_h = 9;
	CHECK_ERR(sa_check_maxpool(&in, &p, &out),
		  "pool: the kernel is taller than the padded input");

	struct sa_shape huge = {1, 512, 512, SA_DTYPE_I8, 0};
	p = (struct sa_pool_params){.kernel_h = 256, .kernel_w = 256, .stride_h = 1, .stride_w = 1};
	CHECK(sa_check_avgpool(&huge, &p, &out) == NULL); /* area 2^16 */
	p.kernel_w = 512;
	CHECK_ERR(sa_check_avgpool(&huge, &p, &out), "exceeds SA_MAX_POOL_AREA");
	p.kernel_w = 257;
	CHECK_ERR(sa_check_maxpool(&huge, &p, &out), "exceeds SA_MAX_POOL_AREA");
}

TEST(global_avgpool_rules)
{
	struct sa_shape in = {5, 8, 4, SA_DTYPE_I8, -2}, out = {0};

	CHECK(sa_check_global_avgpool(&in, &out) == NULL);
	CHECK(out.c == 5 && out.h == 1 && out.w == 1 && out.dtype == SA_DTYPE_I8 && out.exp == -2);
	in = (struct sa_shape){3, 7, 7, SA_DTYPE_I16, -2}; /* 49: any area since format 1.1 */
	CHECK(sa_check_global_avgpool(&in, &out) == NULL);
	CHECK(out.c == 3 && out.h == 1 && out.w == 1 && out.dtype == SA_DTYPE_I16 && out.exp == -2);
	in = (struct sa_shape){1, 256, 256, SA_DTYPE_I8, 0};
	CHECK(sa_check_global_avgpool(&in, &out) == NULL);
	in.h = 512;
	CHECK_ERR(sa_check_global_avgpool(&in, &out), "exceeds SA_MAX_POOL_AREA");
	in.h = 0;
	CHECK_ERR(sa_check_global_avgpool(&in, &out), "zero dimension");
}

TEST(add_rules)
{
	struct sa_shape a = {8, 4, 4, SA_DTYPE_I8, -4}, b = {8, 4, 4, SA_DTYPE_I16, -20};
	struct sa_add_params p = {.act = SA_ACT_RELU6};
	struct sa_shape out = {.dtype = SA_DTYPE_I16, .exp = -12};

	CHECK(sa_check_add(&a, &b, &p, &out) == NULL); /* exp diff 16, r = 8 */
	CHECK(out.c == 8 && out.h == 4 && out.w == 4 && out.dtype == SA_DTYPE_I16 &&
	      out.exp == -12);
	b.exp = -21;
	CHECK_ERR(sa_check_add(&a, &b, &p, &out), "add: input exponents differ by more than");
	b.exp = -4;
	b.w = 5;
	CHECK_ERR(sa_check_add(&a, &b, &p, &out), "add: the two inputs have different shapes");
	b.w = 4;
	out.exp = -13; /* r = -9 */
	CHECK_ERR(sa_check_add(&a, &b, &p, &out), "add: requantisation shift");
	out.exp = -12;
	p.reserved[14] = 1;
	CHECK_ERR(sa_check_add(&a, &b, &p, &out), "add: reserved parameter fields are not zero");
	p.reserved[14] = 0;
	p.act = 7;
	CHECK_ERR(sa_check_add(&a, &b, &p, &out), "unknown activation");
	p.act = SA_ACT_NONE;
	b.dtype = 0;
	CHECK_ERR(sa_check_add(&a, &b, &p, &out), "input tensor dtype is not i8 or i16");
}

TEST(concat_rules)
{
	struct sa_shape a = {3, 5, 7, SA_DTYPE_I8, -4}, b = {2, 5, 7, SA_DTYPE_I16, -20};
	struct sa_concat_params p = {.act = SA_ACT_RELU};
	struct sa_shape out = {.dtype = SA_DTYPE_I8, .exp = -4};

	/* b is 16 below the output (a right shift of 16), a equal: both at the limit or in. */
	CHECK(sa_check_concat(&a, &b, &p, &out) == NULL);
	CHECK(out.c == 5 && out.h == 5 && out.w == 7 && out.dtype == SA_DTYPE_I8 && out.exp == -4);
	b.exp = -21;
	CHECK_ERR(sa_check_concat(&a, &b, &p, &out), "concat: an input exponent differs from the "
						     "output's by more than");
	b.exp = 12; /* 16 above the output: a left shift of 16 */
	CHECK(sa_check_concat(&a, &b, &p, &out) == NULL);
	b.exp = 13;
	CHECK_ERR(sa_check_concat(&a, &b, &p, &out), "concat: an input exponent differs");
	b.exp = -4;
	b.w = 6;
	CHECK_ERR(sa_check_concat(&a, &b, &p, &out),
		  "concat: the two inputs have different heights or widths");
	b.w = 7;
	b.c = 9; /* channel counts may differ */
	CHECK(sa_check_concat(&a, &b, &p, &out) == NULL);
	CHECK_EQ_INT(out.c, 12);
	p.reserved[14] = 1;
	CHECK_ERR(sa_check_concat(&a, &b, &p, &out),
		  "concat: reserved parameter fields are not zero");
	p.reserved[14] = 0;
	p.act = 3;
	CHECK_ERR(sa_check_concat(&a, &b, &p, &out), "unknown activation");
	p.act = SA_ACT_RELU6;
	out.dtype = SA_DTYPE_I32;
	CHECK_ERR(sa_check_concat(&a, &b, &p, &out), "output dtype is not i8 or i16");
	out.dtype = SA_DTYPE_I16;
	out.exp = SA_EXP_MAX + 1;
	CHECK_ERR(sa_check_concat(&a, &b, &p, &out), "output exponent is outside");
	out.exp = -4;
	a.h = 0;
	CHECK_ERR(sa_check_concat(&a, &b, &p, &out), "zero dimension");
	a.h = 5;
	b.c = UINT32_MAX;
	CHECK_ERR(sa_check_concat(&a, &b, &p, &out), "concat: too many channels");
}

TEST(clip_rules)
{
	struct sa_shape in = {4, 3, 3, SA_DTYPE_I16, 8}, out = {.dtype = SA_DTYPE_I8, .exp = -8};
	struct sa_clip_params p = {.act = SA_ACT_RELU6};

	CHECK(sa_check_clip(&in, &p, &out) == NULL); /* a left shift of 16 */
	CHECK(out.c == 4 && out.h == 3 && out.w == 3 && out.dtype == SA_DTYPE_I8 && out.exp == -8);
	out.exp = -9;
	CHECK_ERR(sa_check_clip(&in, &p, &out), "clip: the input exponent differs from the "
						"output's by more than");
	out.exp = 24; /* a right shift of 16 */
	CHECK(sa_check_clip(&in, &p, &out) == NULL);
	p.reserved[0] = 1;
	CHECK_ERR(sa_check_clip(&in, &p, &out), "clip: reserved parameter fields are not zero");
	p.reserved[0] = 0;
	p.act = 255;
	CHECK_ERR(sa_check_clip(&in, &p, &out), "unknown activation");
	p.act = SA_ACT_NONE;
	in.dtype = SA_DTYPE_SHIFT;
	CHECK_ERR(sa_check_clip(&in, &p, &out), "input tensor dtype is not i8 or i16");
}

TEST(weight_pack_unpack_round_trip)
{
	srand(12345);
	for (unsigned bits = SA_WEIGHT_BITS_MIN; bits <= SA_WEIGHT_BITS_MAX; bits++) {
		int kmax = SA_WEIGHT_K_MAX(bits);
		for (size_t count = 0; count <= 37; count++) {
			int8_t k[37], back[37];
			uint8_t packed[32];
			for (size_t i = 0; i < count; i++)
				k[i] = (int8_t)(rand() % (2 * kmax + 1) - kmax);
			if (count > 0) { /* both extremes appear */
				k[0] = (int8_t)-kmax;
				k[count - 1] = (int8_t)kmax;
			}
			memset(packed, 0xff,
			       sizeof(packed)); /* pack must clear every bit it owns */
			sa_weight_pack(k, count, bits, packed);
			CHECK_EQ_INT(sa_weight_unpack(packed, count, bits, back), 0);
			CHECK(memcmp(k, back, count) == 0);
			CHECK_EQ_INT(sa_weight_packed_size(count, bits), (count * bits + 7) / 8);
		}
	}
}

TEST(weight_code_layout)
{
	/* 3-bit codes of {1, -1, 3}: 001, 101, 011 at stream bits 0, 3, 6, LSB first. */
	static const int8_t k[3] = {1, -1, 3};
	uint8_t packed[2];
	sa_weight_pack(k, 3, 3, packed);
	CHECK_EQ_INT(packed[0],
		     0x01 | 0x05 << 3 | 0x03 << 6); /* code 2 keeps its low 2 bits here */
	CHECK_EQ_INT(packed[1], 0x03 >> 2);
	/* 5-bit -15 = 11111, then 2 = 00010. */
	static const int8_t k5[2] = {-15, 2};
	sa_weight_pack(k5, 2, 5, packed);
	CHECK_EQ_INT(packed[0], 0x1f | (0x02 & 0x7) << 5);
	CHECK_EQ_INT(packed[1], 0x02 >> 3);
}

TEST(weight_unpack_rejects_invalid_codes)
{
	int8_t out[8];
	uint8_t neg_zero4[1] = {0x80}; /* codes: 0, then 1000 = -0 */
	CHECK_EQ_INT(sa_weight_unpack(neg_zero4, 2, 4, out), -1);
	uint8_t neg_zero2[1] = {0x02}; /* 2-bit: code 10 = -0 */
	CHECK_EQ_INT(sa_weight_unpack(neg_zero2, 1, 2, out), -1);
	uint8_t fine[2] = {0x01 | 0x05 << 3 | 0x3 << 6, 0x00};
	CHECK_EQ_INT(sa_weight_unpack(fine, 3, 3, out), 0);
	CHECK(out[0] == 1 && out[1] == -1 && out[2] == 3);
	uint8_t trailing[2] = {fine[0], 0x02}; /* bit 9 is past the last code */
	CHECK_EQ_INT(sa_weight_unpack(trailing, 3, 3, out), -1);
	CHECK_EQ_INT(sa_weight_unpack(fine, 3, 1, out), -1); /* bits outside 2..5 */
	CHECK_EQ_INT(sa_weight_unpack(fine, 3, 6, out), -1);
	CHECK_EQ_INT(sa_weight_unpack(fine, 0, 3, out), 0);
}

TEST(crc32c_known_values)
{
	CHECK_EQ_INT(sa_crc32c(0, "123456789", 9), 0xe3069283u);
	CHECK_EQ_INT(sa_crc32c(sa_crc32c(0, "1234", 4), "56789", 5), 0xe3069283u);
	CHECK_EQ_INT(sa_crc32c(0, "", 0), 0);
	static const uint8_t zeros[32];
	CHECK_EQ_INT(sa_crc32c(0, zeros, 32), 0x8a9136aau); /* RFC 3720 B.4 */
}

TEST(utf8_validation)
{
	CHECK(dsm_utf8_valid("plain ascii", 11));
	CHECK(dsm_utf8_valid("caf\xc3\xa9 \xe2\x98\x95 \xf0\x9f\x90\x88", 14));
	CHECK(dsm_utf8_valid("a\0b", 3));	       /* NULs separate strings in the table */
	CHECK(!dsm_utf8_valid("\xc0\x80", 2));	       /* overlong NUL */
	CHECK(!dsm_utf8_valid("\xe0\x80\xaf", 3));     /* overlong '/' */
	CHECK(!dsm_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
	CHECK(!dsm_utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
	CHECK(!dsm_utf8_valid("\xe2\x82", 2));	       /* truncated */
	CHECK(!dsm_utf8_valid("\x80", 1));	       /* stray continuation */
	CHECK(!dsm_utf8_valid("\xff", 1));
}

int main(int argc, char **argv)
{
	CHECK_MAIN_BEGIN(argc, argv);
	RUN(window_out);
	RUN(conv_valid_shapes);
	RUN(conv_rules);
	RUN(conv_requant_shift_limits);
	RUN(conv_fan_in_limit);
	RUN(fc_rules);
	RUN(pool_rules);
	RUN(global_avgpool_rules);
	RUN(add_rules);
	RUN(weight_pack_unpack_round_trip);
	RUN(weight_code_layout);
	RUN(weight_unpack_rejects_invalid_codes);
	RUN(concat_rules);
	RUN(clip_rules);
	RUN(crc32c_known_values);
	RUN(utf8_validation);
	CHECK_MAIN_END();
}
