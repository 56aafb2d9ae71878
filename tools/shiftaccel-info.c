// SPDX-License-Identifier: MIT
/*
 * shiftaccel-info: every ShiftAccel card on the PCI bus, what the driver says
 * about it, and, when no card is usable, exactly why (no card, driver not
 * loaded, probe failed, card not ready, permission on the accel node).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../libshiftaccel/src/accel_probe.h"
#include "../uapi/shiftaccel_ids.h"
#include "cli_util.h"
#include "info_card.h"
#include "info_print.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: shiftaccel-info [--json]\n"
		"\n"
		"Lists every ShiftAccel card (PCI %04x:%04x) found with libpci: PCI address, IDs,\n"
		"revision, class, PCIe link speed and width, NUMA node, the driver bound to it,\n"
		"its accel node (/dev/accel/accelN) and whether you may open it, firmware\n"
		"version, hardware queues, counters and reset count; plus the library and\n"
		"driver versions.  When no card is usable it says why: no card on the PCI bus,\n"
		"driver not loaded, driver probe failed (see the kernel log), card not ready,\n"
		"or permission denied on the accel node.\n"
		"\n"
		"Options:\n"
		"  --json          print one JSON object on stdout instead of text\n"
		"  --help          print this help\n"
		"  --version       print the version\n"
		"\n"
		"Exit status:\n"
		"  0  at least one usable card (driver bound, ready, accel node opened)\n"
		"  1  usage error\n"
		"  3  no usable card (the output says why)\n"
		"  4  internal error (the PCI bus cannot be read)\n",
		SA_PCI_VENDOR_ID, SA_PCI_DEVICE_ID);
}

/* Returns 0 to run, 1 to exit 0 (help, version), -1 on a usage error. */
static int parse_args(int argc, char **argv, int *json)
{
	enum { OPT_JSON = 256, OPT_VERSION };
	static const struct option longopts[] = {
		{"json", no_argument, NULL, OPT_JSON},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: *json = 1; break;
		case 'h': usage(stdout); return 1;
		case OPT_VERSION: cli_print_version(); return 1;
		default: return cli_option_error(c, argv);
		}
	}
	if (optind < argc) {
		cli_error("unexpected argument '%s' (see --help)", argv[optind]);
		return -1;
	}
	return 0;
}

/* The one-line verdict: how many cards are usable, or why none is. */
static void summarise(struct info_report *r)
{
	size_t n = sizeof(r->summary);
	int i;

	if (r->n_cards == 0) {
		snprintf(r->summary, n,
			 "no ShiftAccel card on the PCI bus (libpci lists no device %04x:%04x)",
			 SA_PCI_VENDOR_ID, SA_PCI_DEVICE_ID);
		return;
	}
	if (r->n_usable > 0) {
		snprintf(r->summary, n, "%d of %d ShiftAccel card%s usable", r->n_usable,
			 r->n_cards, r->n_cards == 1 ? "" : "s");
		return;
	}
	/* The first card's reason; each card's own reason is printed with it. */
	for (i = 0; i < r->n_cards && r->cards[i].status == INFO_USABLE; i++)
		;
	snprintf(r->summary, n, "no usable ShiftAccel card (%d found): %s", r->n_cards,
		 r->cards[i].hint);
}

int main(int argc, char **argv)
{
	static struct info_card cards[INFO_MAX_CARDS];
	struct info_report r;
	char err[256];
	int json = 0, rc, i;

	cli_set_program("shiftaccel-info");
	rc = parse_args(argc, argv, &json);
	if (rc)
		return rc > 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;

	memset(&r, 0, sizeof(r));
	r.cards = cards;
	r.n_cards = info_pci_scan(cards, INFO_MAX_CARDS, err, sizeof(err));
	if (r.n_cards < 0) {
		cli_error("%s", err);
		return CLI_EXIT_INTERNAL;
	}
	info_number_cards(cards, r.n_cards);
	r.driver_loaded = info_driver_loaded();
	for (i = 0; i < r.n_cards; i++) {
		info_driver_query(&cards[i], r.driver_loaded);
		if (cards[i].status == INFO_USABLE)
			r.n_usable++;
		if (!r.driver_version[0] && cards[i].driver_version[0])
			snprintf(r.driver_version, sizeof(r.driver_version), "%s",
				 cards[i].driver_version);
	}
	if (!r.driver_version[0] && r.driver_loaded)
		info_module_version(r.driver_version, sizeof(r.driver_version));
	/* What the library itself concludes, i.e. what shiftaccel-run --device accel sees. */
	if (sa_accel_probe("", r.lib_probe_addr, sizeof(r.lib_probe_addr)) != SA_OK)
		r.lib_probe_error = sa_last_error();
	summarise(&r);

	if (json)
		info_print_json(stdout, &r);
	else
		info_print_text(stdout, &r);
	return r.n_usable > 0 ? CLI_EXIT_OK : CLI_EXIT_DEVICE;
}
