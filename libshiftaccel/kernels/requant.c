// SPDX-License-Identifier: MIT
/*
 * The clamp bounds of requantisation (docs/numerics.md, "Requantisation");
 * the rounding shift itself is inline in sa_kernels.h.
 */
#include "ref_util.h"

void sa_act_bounds(uint8_t dtype, uint8_t act, int exp_out, int32_t *lo, int32_t *hi)
{
	int32_t l = dtype == SA_DTYPE_I8 ? INT8_MIN : INT16_MIN;
	int32_t h = dtype == SA_DTYPE_I8 ? INT8_MAX : INT16_MAX;

	if (act == SA_ACT_RELU || act == SA_ACT_RELU6)
		l = 0;
	if (act == SA_ACT_RELU6) {
		/*
		 * The real value 6 in output units, 6 * 2^-exp_out: a left shift
		 * for exp_out <= 0, rounded like any result for exp_out > 0.
		 */
		int64_t six = sa_rshift_round(6, exp_out);

		if (six < h)
			h = (int32_t)six;
	}
	*lo = l;
	*hi = h;
}

