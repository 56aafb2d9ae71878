// SPDX-License-Identifier: MIT
/*
 * mkfwimage: wraps the firmware's code into the image the driver loads.
 *
 *   mkfwimage [--entry ADDR] CODE.bin IMAGE.bin   build (CODE from objcopy -O binary)
 *   mkfwimage --info IMAGE.bin                    check an image and describe it
 *
 * Output is written to a temporary file and renamed, so a failed build never
 * leaves a half-written image behind.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwimage.h"

static int usage(void)
{
	fprintf(stderr, "usage: mkfwimage [--entry ADDR] CODE.bin IMAGE.bin\n"
			"       mkfwimage --info IMAGE.bin\n");
	return 2;
}

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f) {
		fprintf(stderr, "mkfwimage: cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc(n ? (size_t)n : 1);
		if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
			*size = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	if (!buf)
		fprintf(stderr, "mkfwimage: cannot read %s\n", path);
	fclose(f);
	return buf;
}

static int write_file(const char *path, const uint8_t *data, size_t size)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "wb");
	if (!f) {
		fprintf(stderr, "mkfwimage: cannot create %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	if (fwrite(data, 1, size, f) != size || fclose(f) != 0) {
		fprintf(stderr, "mkfwimage: cannot write %s\n", tmp);
		remove(tmp);
		return -1;
	}
	if (rename(tmp, path)) {
		fprintf(stderr, "mkfwimage: cannot rename %s: %s\n", tmp, strerror(errno));
		remove(tmp);
		return -1;
	}
	return 0;
}

static int info(const char *path)
{
	struct sa_fw_header h;
	char why[256];
	size_t size;
	uint8_t *image = read_file(path, &size);
	int rc = 1;

	if (!image)
		return 1;
	if (sa_fw_image_check(image, size, &h, why, sizeof(why))) {
		fprintf(stderr, "mkfwimage: %s: %s\n", path, why);
	} else {
		printf("%s: ShiftAccel firmware %u.%u.%u, build id %08x\n", path, h.version_major,
		       h.version_minor, h.version_patch, h.build_id);
		printf("  image %u bytes, code %u bytes at 0x%08x, data %u bytes, entry 0x%08x\n",
		       h.image_size, h.iram.size, h.iram.load_addr, h.dram.size, h.entry);
		printf("  card spec %u.%u, payload crc32c %08x\n", h.hw_version >> 16,
		       h.hw_version & 0xffff, h.payload_crc);
		rc = 0;
	}
	free(image);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned long entry = 0;
	uint8_t *code, *image;
	size_t code_size, image_size;
	char why[256];
	int arg = 1, rc;

	if (argc == 3 && strcmp(argv[1], "--info") == 0)
		return info(argv[2]);
	if (argc == 5 && strcmp(argv[1], "--entry") == 0) {
		char *end;

		entry = strtoul(argv[2], &end, 0);
		if (*end || entry > SA_CP_IRAM_SIZE)
			return usage();
		arg = 3;
	}
	if (argc - arg != 2)
		return usage();
	code = read_file(argv[arg], &code_size);
	if (!code)
		return 1;
	rc = sa_fw_image_build(code, code_size, (uint32_t)entry, &image, &image_size, why,
			       sizeof(why));
	free(code);
	if (rc) {
		fprintf(stderr, "mkfwimage: %s: %s\n", argv[arg], why);
		return 1;
	}
	rc = write_file(argv[arg + 1], image, image_size) ? 1 : 0;
	free(image);
	return rc;
}
