// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the PNG reader (sa_image_probe_png and
 * sa_image_load_png).  A decoded image must be 1 or 3 channels within the
 * limits of shiftaccel_limits.h, the probe must agree with the load, and
 * every rejection must name the file.  Run with -rss_limit_mb so an
 * allocation the file cannot back shows up as a failure.
 */
#include <string.h>

#include "fuzz_file.h"
#include "shiftaccel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	sa_image probe = {0}, img = {0};
	int fd = fuzz_memfd(data, size, path, sizeof(path));

	if (fd < 0)
		return 0;
	sa_status probed = sa_image_probe_png(path, &probe);
	sa_status st = sa_image_load_png(path, &img);

	if (st != SA_OK) {
		FUZZ_REQUIRE(strncmp(sa_last_error(), path, strlen(path)) == 0);
	} else {
		uint64_t sum = 0;

		FUZZ_REQUIRE(probed == SA_OK && probe.pixels == NULL);
		FUZZ_REQUIRE(probe.width == img.width && probe.height == img.height &&
			     probe.channels == img.channels);
		FUZZ_REQUIRE(img.channels == 1 || img.channels == 3);
		FUZZ_REQUIRE(img.width >= 1 && img.width <= SA_IMAGE_MAX_SIDE);
		FUZZ_REQUIRE(img.height >= 1 && img.height <= SA_IMAGE_MAX_SIDE);
		FUZZ_REQUIRE((uint64_t)img.width * img.height <= SA_IMAGE_MAX_PIXELS);
		for (size_t i = 0; i < (size_t)img.width * img.height * img.channels; i++)
			sum += img.pixels[i];
		sink += sum;
		sa_image_free(&img);
	}
	close(fd);
	return 0;
}
