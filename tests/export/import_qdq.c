// SPDX-License-Identifier: MIT
/*
 * Test support for tests/export/test_export.sh: runs the general ONNX
 * importer (reader and lowering, sa_onnx_import_open) on a file with
 * QuantizeLinear/DequantizeLinear pairs, as shiftaccel-convert does for a
 * file that is not a ShiftAccel export.  Prints "imported, N classes" or
 * the library's message; exits 0 or 2.
 *
 * Usage: import_qdq MODEL.onnx C H W
 */
#include <stdio.h>
#include <stdlib.h>

#include "shiftaccel.h"
#include "shiftaccel_train.h"

int main(int argc, char **argv)
{
	sa_onnx_import *imp = NULL;

	if (argc != 5) {
		fprintf(stderr, "usage: import_qdq MODEL.onnx C H W\n");
		return 1;
	}
	if (sa_onnx_import_open(argv[1], (uint32_t)atoi(argv[2]), (uint32_t)atoi(argv[3]),
				(uint32_t)atoi(argv[4]), &imp) != SA_OK) {
		printf("%s\n", sa_last_error());
		return 2;
	}
	printf("imported, %u classes\n", sa_onnx_import_classes(imp));
	sa_onnx_import_close(imp);
	return 0;
}
