// SPDX-License-Identifier: MIT
#include "resize_taps.h"

#include <math.h>
#include <stdlib.h>

#include "error.h"

sa_status resize_taps_init(struct resize_taps *t, uint32_t in, uint32_t out)
{
	t->i0 = malloc(sizeof(*t->i0) * out);
	t->i1 = malloc(sizeof(*t->i1) * out);
	t->frac = malloc(sizeof(*t->frac) * out);
	if (!t->i0 || !t->i1 || !t->frac)
		return sa_fail(SA_ERR_NO_MEMORY, "resize: out of memory");
	for (uint32_t d = 0; d < out; d++) {
		double s = ((double)d + 0.5) * (double)in / (double)out - 0.5;
		double lo;

		if (s < 0)
			s = 0;
		if (s > (double)(in - 1))
			s = (double)(in - 1);
		lo = floor(s);
		t->i0[d] = (uint32_t)lo;
		t->i1[d] = t->i0[d] + 1 < in ? t->i0[d] + 1 : in - 1;
		t->frac[d] = s - lo;
	}
	return SA_OK;
}

void resize_taps_free(struct resize_taps *t)
{
	free(t->i0);
	free(t->i1);
	free(t->frac);
}
