/* SPDX-License-Identifier: MIT */
/* shiftaccel-info's two outputs: text for people, one JSON object for scripts. */
#ifndef SA_INFO_PRINT_H
#define SA_INFO_PRINT_H

#include <stdio.h>

#include "info_card.h"

struct info_report {
	struct info_card *cards;
	int n_cards, n_usable;
	int driver_loaded;
	char driver_version[48];     /* "" when unknown */
	const char *lib_probe_error; /* NULL: the library found a card at lib_probe_addr */
	char lib_probe_addr[64];
	char summary[640]; /* one line: how many usable cards, or why none */
};

void info_print_text(FILE *f, const struct info_report *r);
void info_print_json(FILE *f, const struct info_report *r);

#endif /* SA_INFO_PRINT_H */
