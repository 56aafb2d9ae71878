/* SPDX-License-Identifier: MIT */
/*
 * How close the float trainer's logits must be to PyTorch's: the same
 * network in float32, summed in another order, agrees to about 1e-6
 * relative; 1e-4 leaves room for deep networks without hiding a wrong layer.
 */
#ifndef SA_TEST_LOGIT_BOUND_H
#define SA_TEST_LOGIT_BOUND_H

#include <math.h>
#include <stddef.h>

#define LOGIT_BOUND 1e-4

/* The largest |ours - theirs| / (1 + |theirs|) over n logits. */
static inline double logit_difference(const float *ours, const float *theirs, size_t n)
{
	double worst = 0.0;

	for (size_t i = 0; i < n; i++) {
		double d = fabs((double)ours[i] - theirs[i]) / (1.0 + fabs(theirs[i]));

		worst = d > worst ? d : worst;
	}
	return worst;
}

#endif /* SA_TEST_LOGIT_BOUND_H */
