// SPDX-License-Identifier: MIT
/*
 * The metadata keys whose values the format constrains (docs/model-format.md,
 * rule 15): the input.* keys sa_preprocess_image acts on.  The reader and
 * the builder apply the same rule, so no writer can make a file the reader
 * refuses.
 */
#include <string.h>

#include "dsm.h"

struct meta_rule {
	const char *key, *values[2], *allowed;
};

static const struct meta_rule rules[] = {
	{SA_META_POLARITY,
	 {SA_POLARITY_LIGHT_ON_DARK, SA_POLARITY_DARK_ON_LIGHT},
	 SA_POLARITY_LIGHT_ON_DARK " or " SA_POLARITY_DARK_ON_LIGHT},
	{SA_META_FRAMING,
	 {SA_FRAMING_DIGIT, SA_FRAMING_NONE},
	 SA_FRAMING_DIGIT " or " SA_FRAMING_NONE},
};

const char *dsm_meta_value_rule(const char *key, const char *value)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (strcmp(key, rules[i].key) != 0)
			continue;
		if (strcmp(value, rules[i].values[0]) == 0 ||
		    strcmp(value, rules[i].values[1]) == 0)
			return NULL;
		return rules[i].allowed;
	}
	return NULL;
}
