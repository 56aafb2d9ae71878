// SPDX-License-Identifier: MIT
/* The training data's look, from a model's metadata (docs/preprocessing.md). */
#include <string.h>

#include "prep.h"

void prep_model_style(const sa_model *model, struct prep_style *style)
{
	const char *polarity = sa_model_meta(model, SA_META_POLARITY);
	const char *framing = sa_model_meta(model, SA_META_FRAMING);
	const char *dataset = sa_model_meta(model, "dataset");

	memset(style, 0, sizeof(*style));
	/* Models written before the input.* keys: what the named sets are known to be. */
	if (!polarity && dataset &&
	    (!strcmp(dataset, "mnist") || !strcmp(dataset, "fashion-mnist")))
		polarity = SA_POLARITY_LIGHT_ON_DARK;
	if (!framing && dataset && !strcmp(dataset, "mnist"))
		framing = SA_FRAMING_DIGIT;
	if (polarity) {
		style->polarity_known = 1;
		style->dark_on_light = !strcmp(polarity, SA_POLARITY_DARK_ON_LIGHT);
	}
	style->framed = framing && !strcmp(framing, SA_FRAMING_DIGIT);
}
