// SPDX-License-Identifier: MIT
/*
 * shiftaccel-export: a .dsm model as an ONNX graph that any ONNX runtime
 * runs (docs/import.md, "shiftaccel-export").  The library builds the
 * graph; this tool parses options and writes the file atomically.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli_util.h"
#include "shiftaccel.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: shiftaccel-export MODEL.dsm -o MODEL.onnx [-q]\n"
		"\n"
		"Writes a .dsm model as an ONNX graph (opset 13): weights as the exact floats\n"
		"+-2^k, QuantizeLinear/DequantizeLinear pairs (scale 2^exp, zero point 0) where\n"
		"the integer model rounds to int8, and everything else the .dsm carries\n"
		"(int16 exponents, weight bits and bases, normalisation, labels, metadata) as\n"
		"shiftaccel.* metadata.  shiftaccel-convert reads such a file back to the same\n"
		"bytes, with no --calib.\n"
		"\n"
		"Options:\n"
		"  -o, --output FILE    the .onnx to write (atomically; its directory must exist)\n"
		"  -q, --quiet          print nothing on success\n"
		"  --help, --version\n"
		"\n"
		"Exit status: 0 success, 1 usage error, 2 bad input (not a .dsm, a model the\n"
		"exporter cannot write, an unwritable output), 4 internal error.\n");
}

int main(int argc, char **argv)
{
	enum { OPT_HELP = 256, OPT_VERSION };
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, OPT_HELP},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	const char *out_path = NULL;
	int c, quiet = 0, rc = CLI_EXIT_OK;
	sa_model *m = NULL;
	void *onnx = NULL;
	size_t size = 0;
	sa_status st;

	cli_set_program("shiftaccel-export");
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:q", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out_path = optarg; break;
		case 'q': quiet = 1; break;
		case OPT_HELP: usage(stdout); return CLI_EXIT_OK;
		case OPT_VERSION: cli_print_version(); return CLI_EXIT_OK;
		default: cli_option_error(c, argv); return CLI_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_error(optind >= argc ? "no .dsm model given (--help for usage)"
					 : "one .dsm model at a time (--help for usage)");
		return CLI_EXIT_USAGE;
	}
	if (!out_path) {
		cli_error("-o FILE is required (--help for usage)");
		return CLI_EXIT_USAGE;
	}
	if (sa_output_check_path(out_path) != SA_OK) {
		cli_error("%s", sa_last_error());
		return CLI_EXIT_INPUT;
	}
	st = sa_model_open(argv[optind], &m);
	if (!st)
		st = sa_model_export_onnx(m, &onnx, &size);
	if (!st)
		st = sa_output_write_file(out_path, onnx, size);
	if (st)
		rc = st == SA_ERR_NO_MEMORY ? cli_fail(st, NULL)
					    : (cli_fail(st, NULL), CLI_EXIT_INPUT);
	else if (!quiet)
		printf("wrote %s (%zu bytes)\n", out_path, size);
	free(onnx);
	sa_model_close(m);
	return rc;
}
