// SPDX-License-Identifier: MIT
/*
 * Writes the accel test models (test_models.h) as DIR/<name>.dsm for the
 * accel VM test.   Usage: accel_models DIR
 */
#include <stdio.h>
#include <stdlib.h>

#include "test_models.h"

int main(int argc, char **argv)
{
	char path[4096];
	const char *name;

	if (argc != 2) {
		fprintf(stderr, "usage: accel_models DIR\n");
		return 2;
	}
	for (unsigned i = 0; (name = accel_test_model_name(i)); i++) {
		void *data = NULL;
		size_t size = 0;
		FILE *f;
		int ok;

		if (accel_test_model(i, &data, &size) != SA_OK) {
			fprintf(stderr, "accel_models: %s: %s\n", name, sa_last_error());
			return 1;
		}
		snprintf(path, sizeof(path), "%s/%s.dsm", argv[1], name);
		f = fopen(path, "wb");
		ok = f && fwrite(data, 1, size, f) == size;
		if (f && fclose(f) != 0)
			ok = 0;
		free(data);
		if (!ok) {
			perror(path);
			return 1;
		}
	}
	return 0;
}
