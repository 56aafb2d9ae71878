// SPDX-License-Identifier: MIT
/*
 * output_writer PATH BYTES CHUNKS DELAY_US: writes BYTES bytes ('N') to PATH
 * through sa_output in CHUNKS flushed pieces, sleeping DELAY_US between
 * them, then commits.  A test-support program: test_train_outputs.sh kills
 * it mid-write and fills its filesystem, and checks PATH is never torn.
 * Exit 0, or 2 with the library's message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shiftaccel.h"

int main(int argc, char **argv)
{
	sa_output *out;
	char block[4096];

	if (argc != 5) {
		fprintf(stderr, "usage: output_writer PATH BYTES CHUNKS DELAY_US\n");
		return 1;
	}
	size_t bytes = strtoull(argv[2], NULL, 10), chunks = strtoull(argv[3], NULL, 10);
	useconds_t delay = (useconds_t)strtoul(argv[4], NULL, 10);

	memset(block, 'N', sizeof(block));
	if (sa_output_open(argv[1], &out) != SA_OK) {
		fprintf(stderr, "output_writer: %s\n", sa_last_error());
		return 2;
	}
	for (size_t c = 0; c < chunks; c++) {
		size_t n = bytes / chunks + (c < bytes % chunks);

		while (n) {
			size_t k = n < sizeof(block) ? n : sizeof(block);

			if (fwrite(block, 1, k, sa_output_stream(out)) != k)
				break;
			n -= k;
		}
		fflush(sa_output_stream(out)); /* the bytes reach the file: a kill tears it */
		if (delay)
			usleep(delay);
	}
	if (sa_output_commit(out) != SA_OK) {
		fprintf(stderr, "output_writer: %s\n", sa_last_error());
		return 2;
	}
	return 0;
}
